"""The one interface between the engine and a database.

Modelled on Splink's `DatabaseAPI`: the steps hold SQL in DuckDB's dialect and never touch a
connection; a backend (one subpackage each: `engine/duckdb/`, a Spark one later) runs it.
Public methods here translate the SQL once, through `sql.to_dialect`, and hand it to the
few engine-specific primitives a subclass implements.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import pyarrow as pa

from paramount.engine.sql import ident, to_dialect


class EngineError(RuntimeError):
    """A statement failed; carries the SQL so the failing step can be read."""


class Backend(ABC):
    """A database the engine runs on. Subclasses set `dialect` (a sqlglot dialect name)."""

    dialect: str = "duckdb"

    # -- what a backend implements: SQL already in its dialect --------------------------
    @abstractmethod
    def _execute(self, sql: str) -> None:
        """Run a statement to completion, keeping no result."""

    @abstractmethod
    def _fetch_arrow(self, sql: str) -> pa.Table:
        """Run a query and return its whole result as Arrow."""

    @abstractmethod
    def _create_table_sql(self, name: str, query: str) -> str:
        """DDL that (re)creates table `name` as the result of `query`."""

    @abstractmethod
    def table_exists(self, name: str) -> bool:
        """Whether a table (or view) of that name exists."""

    @abstractmethod
    def register_macros(self) -> None:
        """Register helper functions the engine offers analysts (may do nothing)."""

    # -- the public surface: DuckDB SQL in, translated here and only here ----------------
    def translate(self, sql: str) -> str:
        return to_dialect(sql, self.dialect)

    def execute(self, sql: str) -> None:
        """Run a statement written in DuckDB SQL."""
        translated = self.translate(sql)
        try:
            self._execute(translated)
        except Exception as exc:  # the engine's own errors differ per backend
            raise EngineError(f"{exc}\n\nSQL was:\n{translated}") from exc

    def create_table(self, name: str, sql: str) -> None:
        """Materialise the result of a query (DuckDB SQL) as table `name`, replacing it."""
        translated = self._create_table_sql(name, self.translate(sql))
        try:
            self._execute(translated)
        except Exception as exc:
            raise EngineError(f"creating {name}: {exc}\n\nSQL was:\n{translated}") from exc

    def drop_table(self, name: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {ident(name)}")

    def fetch_arrow(self, sql: str) -> pa.Table:
        """The whole result of a query (DuckDB SQL) as an Arrow table."""
        translated = self.translate(sql)
        try:
            return self._fetch_arrow(translated)
        except Exception as exc:
            raise EngineError(f"{exc}\n\nSQL was:\n{translated}") from exc

    def fetch_rows(self, sql: str) -> list[dict[str, Any]]:
        """The result of a query as a list of dicts (small results only)."""
        return self.fetch_arrow(sql).to_pylist()

    def count(self, name: str) -> int:
        """Rows in a table."""
        return int(self.fetch_arrow(f"SELECT count(*) AS n FROM {ident(name)}")["n"][0].as_py())

    def columns(self, name: str) -> list[str]:
        """Column names of a table, in order."""
        return self.fetch_arrow(f"SELECT * FROM {ident(name)} LIMIT 0").schema.names
