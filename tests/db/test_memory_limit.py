"""A force's database held to a memory limit: DuckDB spills beyond it rather than fail, so
an analyst's machine with other work on it is not swamped (issue 13)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from paramount.cli import app
from paramount.db import DuckDBBackend, check_memory_limit


def test_work_larger_than_the_limit_spills_beside_the_database(tmp_path: Path) -> None:
    """Held to 32 MB, a distinct count over two million 32-character strings (far more than
    32 MB to hash) completes, through the temporary folder beside the database."""
    path = tmp_path / "force.duckdb"
    with DuckDBBackend.open(path, memory_limit="32MB") as db:
        assert db.memory_limit() in ("30.5 MiB", "30.5MiB")
        (folder,) = db.fetch_tuples("SELECT current_setting('temp_directory')")[0]
        assert folder == f"{path}.tmp"
        db.execute("SET threads = 1")
        db.create_table("t", "SELECT md5(CAST(range AS VARCHAR)) AS h FROM range(2000000)")
        assert db.fetch_value("SELECT count(DISTINCT h) FROM t") == 2_000_000


def test_a_limit_must_be_a_number_and_a_unit() -> None:
    assert check_memory_limit(" 3.5GiB ") == "3.5GiB"
    with pytest.raises(ValueError, match="not a number and a unit"):
        check_memory_limit("lots")
    refused = CliRunner().invoke(
        app, ["resolve", "x", "--db", "x.duckdb", "--memory-limit", "lots"]
    )
    assert refused.exit_code == 2 and "not a number and a unit" in refused.output


def test_the_backend_says_how_much_memory_it_may_use() -> None:
    """What identity resolution cuts its prediction by (`paramount.linkage.chunks`)."""
    with DuckDBBackend.open(memory_limit="64MB") as db:
        assert db.memory_bytes() == pytest.approx(64_000_000, rel=0.01)
    with DuckDBBackend.open(memory_limit="3.5GiB") as db:
        assert db.memory_bytes() == pytest.approx(3.5 * 2**30, rel=0.01)


def test_without_a_limit_the_database_takes_half_the_machine() -> None:
    """DuckDB's own default (80 % of the memory it sees) would leave an analyst's other work
    a fifth; Paramount's is half."""
    with DuckDBBackend.open() as fresh, DuckDBBackend.open(memory_limit="1GB") as held:
        assert held.memory_bytes() == pytest.approx(10**9, rel=0.01)
        duckdb_default = DuckDBBackend(duckdb.connect()).memory_bytes()
        assert duckdb_default is not None and fresh.memory_bytes() is not None
        assert fresh.memory_bytes() == pytest.approx(duckdb_default * 0.5 / 0.8, rel=0.01)
