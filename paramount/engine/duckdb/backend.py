"""`DuckDBBackend`: runs the engine's SQL as written, on a connection the loader filled."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from paramount.contract.identifiers import SQL_MACROS
from paramount.engine.backend import Backend
from paramount.engine.sql import DUCKDB, ident


class DuckDBBackend(Backend):
    """A DuckDB connection holding one table per contract table (see `paramount.loading`).

    Every statement's result is fetched in full before the next runs: DuckDB 2.0 keeps no
    pending result on a connection once another query starts.
    """

    dialect = DUCKDB

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    @classmethod
    def open(cls, path: Path | None = None) -> DuckDBBackend:
        """A backend on the database file at `path` (made if absent), or in memory."""
        return cls(duckdb.connect(str(path) if path is not None else ":memory:"))

    def close(self) -> None:
        self.con.close()

    def _execute(self, sql: str) -> None:
        self.con.execute(sql).fetchall()

    def _fetch_arrow(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def _create_table_sql(self, name: str, query: str) -> str:
        return f"CREATE OR REPLACE TABLE {ident(name)} AS {query}"

    def table_exists(self, name: str) -> bool:
        rows = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchall()
        return rows[0][0] > 0

    def register_macros(self) -> None:
        """The identifier macros, for analysts' ad hoc queries (the steps do not need them)."""
        for macro in SQL_MACROS:
            self.con.execute(macro).fetchall()
