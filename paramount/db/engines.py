"""Which database a run opens: `duckdb` (one machine, the default) or `spark` (local mode
or a cluster, with the optional extra `paramount[spark]`). The one place that chooses; the
rest of Paramount holds a `Backend` and never asks which."""

from __future__ import annotations

import os
from pathlib import Path

from paramount.db.backend import Backend
from paramount.db.duckdb import DEFAULT_MEMORY_SHARE, DuckDBBackend, size_in_bytes

ENGINES = ("duckdb", "spark")
DEFAULT_ENGINE = "duckdb"
DEFAULT_SPARK_MASTER = "local[*]"


class EngineUnavailable(RuntimeError):
    """The engine asked for is not installed (PySpark is an optional extra)."""


def database_name(engine: str) -> str:
    """A run's own database when none is given: a DuckDB file, or a Spark folder."""
    return "paramount.duckdb" if engine == "duckdb" else "paramount.spark"


def open_backend(
    engine: str,
    path: Path | None,
    *,
    memory_limit: str | None = None,
    spark_master: str | None = None,
) -> Backend:
    """A backend of `engine` on the database at `path`. `memory_limit` ("4GB"): DuckDB's
    limit, or in Spark's local mode the driver's memory (all the memory Spark has there);
    by default half the machine for either."""
    if engine == "duckdb":
        return DuckDBBackend.open(path, memory_limit=memory_limit)
    if engine != "spark":
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    try:
        from paramount.db.spark import SparkBackend  # PySpark is optional
    except ImportError as error:
        raise EngineUnavailable(
            "the Spark engine needs PySpark: pip install 'paramount[spark]'"
        ) from error
    if path is None:
        raise ValueError("the Spark engine keeps its tables in a folder: give one")
    master = spark_master or DEFAULT_SPARK_MASTER
    memory = _spark_memory(memory_limit) if master.startswith("local") else None
    return SparkBackend.open(path, master=master, memory=memory)


def _spark_memory(limit: str | None) -> str:
    """A memory limit as Spark's driver takes it ("4096m"): by default half the machine."""
    if limit is not None:
        size = size_in_bytes(limit)
        if size is None:
            raise ValueError(f"memory limit {limit!r} is not a number and a unit")
    else:
        size = int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * DEFAULT_MEMORY_SHARE)
    return f"{max(size // 2**20, 512)}m"
