"""The engine hook: identity resolution as a method's first step.

`resolve_identity_step()` is a `ProcedureStep`: it reuses the force database's stored
resolution when its fingerprint matches the loaded extract, and runs `resolve` otherwise.
Later steps read `pm_entity_members` and `pm_entities` like any step table.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from paramount.engine.backend import Backend
from paramount.engine.pipeline import ProcedureStep, RunParameters
from paramount.linkage.entities import ENTITIES, MEMBERS
from paramount.linkage.fingerprint import INFO, INPUT_TABLES
from paramount.linkage.resolve import PAIRS_OUT, REVIEW_OUT, resolution_is_current, resolve
from paramount.progress import Reporter

WRITES = (MEMBERS, ENTITIES, PAIRS_OUT, REVIEW_OUT, INFO)


def default_models_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """`<db file>.models` beside the force's database; a temporary folder for one in memory."""
    rows = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    path = rows[0][0] if rows else None
    if path:
        return Path(path).with_name(Path(path).name + ".models")
    return Path(tempfile.mkdtemp(prefix="paramount-models-"))


def connection_of(backend: Backend) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection Splink runs on. A Spark backend would give Splink's `SparkAPI`
    its session here instead (and the models' SQL is dialect-neutral Splink settings)."""
    con = getattr(backend, "con", None)
    if not isinstance(con, duckdb.DuckDBPyConnection):
        raise NotImplementedError("identity resolution runs on the DuckDB backend only, so far")
    return con


def resolve_identity_step(models_dir: Path | None = None) -> ProcedureStep:
    """A step making the resolution tables, reusing a current stored resolution; its progress
    (every phase, and Splink's own lines) goes to the run's reporter."""

    def run(backend: Backend, params: RunParameters, reporter: Reporter) -> None:
        con = connection_of(backend)
        if resolution_is_current(con):
            return
        resolve(con, models_dir=models_dir or default_models_dir(con), reporter=reporter)

    return ProcedureStep(
        "resolve_identity",
        "Identity resolution (Splink): nominals deduplicated; prisoners, partner persons "
        "and contacts matched to individuals; reused when current",
        run,
        reads=frozenset(INPUT_TABLES),
        writes=WRITES,
    )
