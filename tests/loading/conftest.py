"""Helpers for loader tests: a writable copy of the contract fixture and a one-call load.

Every name, id and date in the fixtures is invented.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from loading_helpers import CONTRACT_EXTRACT

from paramount.db import DuckDBBackend
from paramount.loading import LoadReport, load_extract


@dataclass
class Loaded:
    report: LoadReport
    con: duckdb.DuckDBPyConnection

    def rejected(self, table: str | None = None) -> list[dict[str, str]]:
        rows = list(csv.DictReader(self.report.rejected_csv.open(encoding="utf-8", newline="")))
        return [r for r in rows if table is None or r["table"] == table]

    def warnings(self, table: str | None = None) -> list[dict[str, str]]:
        rows = list(csv.DictReader(self.report.warnings_csv.open(encoding="utf-8", newline="")))
        return [r for r in rows if table is None or r["table"] == table]

    def rows(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    """A writable copy of the valid contract extract."""
    dest = tmp_path / "extract"
    shutil.copytree(CONTRACT_EXTRACT, dest)
    return dest


@pytest.fixture
def load(tmp_path: Path) -> Callable[..., Loaded]:
    def _load(extract_dir: Path, mapping: Path | None = None) -> Loaded:
        con = duckdb.connect()
        report = load_extract(
            extract_dir, DuckDBBackend(con), mapping=mapping, quarantine_dir=tmp_path / "quarantine"
        )
        return Loaded(report, con)

    return _load
