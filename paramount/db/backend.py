"""The one interface between Paramount and a database.

Loading, identity resolution and the engine all reach the database through a `Backend`, and
only through it: a second engine (Spark, for national scale) is a new subclass and nothing
else. Modelled on Splink's `DatabaseAPI`: callers hold SQL in DuckDB's dialect and never
touch a connection; the public methods here translate it once, through `sql.to_dialect`,
and hand it to the few engine-specific primitives a subclass implements. A backend also
hands Splink its own database API (`splink_api`), so identity resolution runs where the
data is.
"""

from __future__ import annotations

import csv
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
from splink.internals.database_api import DatabaseAPISubClass

from paramount.db.sql import ident, to_dialect

Parameters = Sequence[Any] | None


class EngineError(RuntimeError):
    """A statement failed; carries the SQL so the failing step can be read. The first line
    of the message is the database's own."""


def _csv_text(value: Any) -> str:
    """A value as DuckDB's COPY writes it (booleans in lower case)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


class Backend(ABC):
    """A database Paramount runs on. Subclasses set `dialect` (a sqlglot dialect name)."""

    dialect: str = "duckdb"

    # -- what a backend implements: SQL already in its dialect --------------------------
    @abstractmethod
    def _execute(self, sql: str, parameters: Parameters = None) -> None:
        """Run a statement to completion, keeping no result."""

    @abstractmethod
    def _fetch_tuples(self, sql: str, parameters: Parameters = None) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""

    @abstractmethod
    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run a parameterised statement once per row."""

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

    @abstractmethod
    def register_arrow(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table readable by SQL as `name` until `unregister(name)`."""

    @abstractmethod
    def unregister(self, name: str) -> None:
        """Forget a name `register_arrow` made."""

    @abstractmethod
    def splink_api(self) -> DatabaseAPISubClass:
        """Splink's database API on this database (`DuckDBAPI`, `SparkAPI`, ...), so Splink
        reads and writes the same tables as every other step."""

    def memory_limit(self) -> str | None:
        """The memory limit as the engine states it ("3.7 GiB", "4096m"), if it has one."""
        return None

    def memory_bytes(self) -> int | None:
        """How much memory the database may hold before it spills to disk (or fails), when it
        has one bound for the whole job; None where it does not say (a cluster's executors)."""
        return None

    @abstractmethod
    def database_path(self) -> Path | None:
        """The file the database lives in, or None (in memory, or not a file)."""

    @abstractmethod
    def close(self) -> None:
        """Release the database; the backend is not used after."""

    @contextmanager
    def own_progress_off(self) -> Iterator[None]:
        """While open, the database shows no progress display of its own (it would fight
        the caller's reporter). Nothing to do unless the engine has one."""
        yield

    # -- the public surface: DuckDB SQL in, translated here and only here ----------------
    def translate(self, sql: str) -> str:
        return to_dialect(sql, self.dialect)

    def translate_condition(self, condition: str) -> str:
        """A condition (DuckDB SQL, such as a Splink comparison level's) in this dialect."""
        if condition.strip().upper() == "ELSE":  # Splink's own word for the last level
            return condition
        return self.translate(f"SELECT {condition}").removeprefix("SELECT ")

    def execute(self, sql: str, parameters: Parameters = None) -> None:
        """Run a statement written in DuckDB SQL (`?` placeholders bound to `parameters`)."""
        translated = self.translate(sql)
        try:
            self._execute(translated, parameters)
        except Exception as exc:  # the engine's own errors differ per backend
            raise EngineError(f"{exc}\n\nSQL was:\n{translated}") from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run a parameterised statement (DuckDB SQL) once per row."""
        translated = self.translate(sql)
        try:
            self._executemany(translated, rows)
        except Exception as exc:
            raise EngineError(f"{exc}\n\nSQL was:\n{translated}") from exc

    def fetch_tuples(self, sql: str, parameters: Parameters = None) -> list[tuple[Any, ...]]:
        """The rows of a query (DuckDB SQL) as tuples (small results only)."""
        translated = self.translate(sql)
        try:
            return self._fetch_tuples(translated, parameters)
        except Exception as exc:
            raise EngineError(f"{exc}\n\nSQL was:\n{translated}") from exc

    def fetch_value(self, sql: str, parameters: Parameters = None) -> Any:
        """The first column of the first row of a query (None if it has no rows)."""
        rows = self.fetch_tuples(sql, parameters)
        return rows[0][0] if rows else None

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

    def write_csv(self, sql: str, path: Path) -> None:
        """The result of a query (DuckDB SQL) as a CSV file with a header (quoted where
        needed, NULL as an empty field). Through Arrow here; an engine may write it itself."""
        table = self.fetch_arrow(sql)
        with Path(path).open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(table.schema.names)
            for batch in table.to_batches():
                for row in batch.to_pylist():
                    out.writerow(["" if v is None else _csv_text(v) for v in row.values()])

    def fetch_rows(self, sql: str) -> list[dict[str, Any]]:
        """The result of a query as a list of dicts (small results only)."""
        return self.fetch_arrow(sql).to_pylist()

    def count(self, name: str) -> int:
        """Rows in a table."""
        return int(self.fetch_arrow(f"SELECT count(*) AS n FROM {ident(name)}")["n"][0].as_py())

    def columns(self, name: str) -> list[str]:
        """Column names of a table, in order."""
        return self.fetch_arrow(f"SELECT * FROM {ident(name)} LIMIT 0").schema.names

    def tables(self, *, views: bool | None = None) -> set[str]:
        """Names of the tables and views (`views=True`: views only; False: tables only)."""
        where = {None: "", True: " WHERE table_type = 'VIEW'", False: " WHERE table_type <> 'VIEW'"}
        rows = self.fetch_tuples(f"SELECT table_name FROM information_schema.tables{where[views]}")
        return {r[0] for r in rows}

    def __enter__(self) -> Backend:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
