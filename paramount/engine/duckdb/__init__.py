"""The DuckDB backend: the engine's reference implementation."""

from paramount.engine.duckdb.backend import DuckDBBackend

__all__ = ["DuckDBBackend"]
