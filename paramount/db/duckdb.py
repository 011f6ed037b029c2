"""`DuckDBBackend`: the reference backend, and the only module that opens a DuckDB
connection (a test holds every other module to that)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI

from paramount.contract.identifiers import SQL_MACROS
from paramount.db.backend import Backend, Parameters
from paramount.db.sql import DUCKDB, ident

# A memory limit as DuckDB reads one and states one: a number and a unit.
MEMORY_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)
_UNITS = {"KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}  # fmt: skip
# DuckDB's own default limit is 80 % of the memory it sees; Paramount's is half.
DUCKDB_DEFAULT_SHARE = 0.8
DEFAULT_MEMORY_SHARE = 0.5


def check_memory_limit(limit: str) -> str:
    """The limit, if DuckDB can read it ("4GB", "3.5GiB", "800MB"); else ValueError."""
    if not MEMORY_LIMIT.match(limit):
        raise ValueError(
            f"memory limit {limit!r} is not a number and a unit (such as 4GB or 3500MiB)"
        )
    return limit.strip()


def size_in_bytes(size: str) -> int | None:
    """Bytes of a size as DuckDB states one ("3.7 GiB", "800MB"); None if it is not one."""
    match = MEMORY_LIMIT.match(size)
    if not match:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


class DuckDBBackend(Backend):
    """A DuckDB database holding one table per contract table (see `paramount.loading`).

    Every statement's result is fetched in full before the next runs: DuckDB 2.0 keeps no
    pending result on a connection once another query starts.
    """

    dialect = DUCKDB

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    @classmethod
    def open(
        cls, path: Path | str | None = None, *, memory_limit: str | None = None
    ) -> DuckDBBackend:
        """A backend on the database file at `path` (made if absent), or in memory.
        `memory_limit` ("4GB"): what DuckDB may hold in memory; beyond it, joins, sorts and
        aggregates spill to a temporary folder beside the database (`PATH.tmp`) rather than
        fail. None: half the memory DuckDB sees (`default_memory_limit`)."""
        backend = cls(duckdb.connect(str(path) if path is not None else ":memory:"))
        backend.limit_memory(memory_limit or backend.default_memory_limit())
        return backend

    def default_memory_limit(self) -> str:
        """Half the memory of the machine (or of the container, where DuckDB reads a cgroup
        limit): DuckDB's own default is 80 %, which leaves an analyst's other work too little.
        Read off a connection that still has DuckDB's default."""
        seen = (self.memory_bytes() or 0) / DUCKDB_DEFAULT_SHARE
        return f"{max(int(seen * DEFAULT_MEMORY_SHARE) // 2**20, 256)}MiB"

    def limit_memory(self, limit: str) -> None:
        """Hold DuckDB to `limit` ("4GB"), spilling to disk beyond it."""
        limit = check_memory_limit(limit)
        self.con.execute(f"SET memory_limit = '{limit}'")
        path = self.database_path()
        if path is not None:
            folder = f"{path}.tmp"
            (current,) = self.con.execute("SELECT current_setting('temp_directory')").fetchall()[0]
            if current != folder:
                quoted = folder.replace("'", "''")
                # once it has spilled, DuckDB keeps its folder, and so do we
                with contextlib.suppress(duckdb.NotImplementedException):
                    self.con.execute(f"SET temp_directory = '{quoted}'")

    def memory_limit(self) -> str:
        """The limit DuckDB holds to now, as it says it ("3.7 GiB")."""
        return str(self.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])

    def memory_bytes(self) -> int | None:
        return size_in_bytes(self.memory_limit())

    def close(self) -> None:
        self.con.close()

    def _execute(self, sql: str, parameters: Parameters = None) -> None:
        self.con.execute(sql, parameters).fetchall()

    def _fetch_tuples(self, sql: str, parameters: Parameters = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, parameters).fetchall()

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.con.executemany(sql, rows)

    def _fetch_arrow(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def _create_table_sql(self, name: str, query: str) -> str:
        return f"CREATE OR REPLACE TABLE {ident(name)} AS {query}"

    def write_csv(self, sql: str, path: Path) -> None:
        target = str(path).replace("'", "''")
        self.execute(
            f"COPY ({sql}) TO '{target}' (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')"
        )

    def table_exists(self, name: str) -> bool:
        rows = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchall()
        return bool(rows[0][0] > 0)

    def register_macros(self) -> None:
        """The identifier macros, for analysts' ad hoc queries (the steps do not need them)."""
        for macro in SQL_MACROS:
            self.con.execute(macro).fetchall()

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)

    def unregister(self, name: str) -> None:
        self.con.unregister(name)

    def splink_api(self) -> DuckDBAPI:
        return DuckDBAPI(connection=self.con)

    def database_path(self) -> Path | None:
        rows = self.con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()
        path = rows[0][0] if rows else None
        return Path(path) if path else None

    @contextmanager
    def own_progress_off(self) -> Iterator[None]:
        """DuckDB's progress bar fights the reporter's and, off a terminal, costs more time
        than the queries it reports on: off while open, restored after."""
        (setting,) = self.con.execute("SELECT current_setting('enable_progress_bar')").fetchall()[0]
        self.con.execute("SET enable_progress_bar = false")
        try:
            yield
        finally:
            self.con.execute(f"SET enable_progress_bar = {'true' if setting else 'false'}")
