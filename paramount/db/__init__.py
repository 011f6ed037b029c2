"""The database layer: the `Backend` interface every other layer reaches a database through,
and its DuckDB implementation (the only module that opens DuckDB connections).

    with DuckDBBackend.open(path, memory_limit="4GB") as db:   # spills to disk beyond it
        load_extract(extract, db, ...)      # paramount.loading
        resolve(db, models_dir=...)         # paramount.linkage
        identify(db, start, end)            # paramount.engine
"""

from paramount.db.backend import Backend, EngineError
from paramount.db.duckdb import DuckDBBackend, check_memory_limit

__all__ = ["Backend", "DuckDBBackend", "EngineError", "check_memory_limit"]
