"""The database layer: the `Backend` interface every other layer reaches a database through,
and its DuckDB implementation (the only module that opens DuckDB connections).

    with DuckDBBackend.open(path, memory_limit="4GB") as db:   # spills to disk beyond it
        load_extract(extract, db, ...)      # paramount.loading
        resolve(db, models_dir=...)         # paramount.linkage
        identify(db, start, end)            # paramount.engine

    open_backend("spark", folder, spark_master="local[*]")   # the same, on Spark
"""

from paramount.db.backend import Backend, EngineError
from paramount.db.duckdb import DuckDBBackend, check_memory_limit
from paramount.db.engines import (
    DEFAULT_ENGINE,
    DEFAULT_SPARK_MASTER,
    ENGINES,
    EngineUnavailable,
    database_name,
    open_backend,
)

__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_SPARK_MASTER",
    "ENGINES",
    "Backend",
    "DuckDBBackend",
    "EngineError",
    "EngineUnavailable",
    "check_memory_limit",
    "database_name",
    "open_backend",
]
