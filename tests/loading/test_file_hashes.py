"""An extract file's sha256 remembered on the force database: trusted only while the file is
provably the one hashed (`loading/file_hashes.py`)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from paramount.db import DuckDBBackend
from paramount.loading import file_hashes
from paramount.loading.file_hashes import file_sha256s


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file actually read to hash it."""
    seen: list[Path] = []
    real = file_hashes.hash_and_blank_lines

    def counting(path: Path) -> tuple[str, bool]:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(file_hashes, "hash_and_blank_lines", counting)
    return seen


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_unchanged_file_is_not_read_again(
    tmp_path: Path, reads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_hashes, "_RACY_NS", 0)  # as if written long before
    f = tmp_path / "persons.csv"
    f.write_text("person_id\nP1\n")
    with DuckDBBackend.open(tmp_path / "force.duckdb") as db:
        first = file_sha256s(db, {"persons": f, "absent": None}, remember=True)
        again = file_sha256s(db, {"persons": f, "absent": None}, remember=True)
    assert first == again == {"persons": _sha(f), "absent": None}
    assert len(reads) == 1


def test_a_file_rewritten_and_given_its_old_time_back_is_read_again(
    tmp_path: Path, reads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_hashes, "_RACY_NS", 0)
    f = tmp_path / "persons.csv"
    f.write_text("person_id\nP1\n")
    before = os.stat(f)
    with DuckDBBackend.open(tmp_path / "force.duckdb") as db:
        file_sha256s(db, {"persons": f}, remember=True)
        time.sleep(0.05)  # past the clock's tick
        f.write_text("person_id\nP2\n")  # the same size
        os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same time
        assert os.stat(f).st_size == before.st_size
        assert file_sha256s(db, {"persons": f}, remember=True) == {"persons": _sha(f)}
    assert len(reads) == 2


def test_a_file_written_just_before_it_was_hashed_is_not_trusted(
    tmp_path: Path, reads: list[Path]
) -> None:
    """Within a clock tick a second write at the same size would look the same: such a file
    is hashed again until its times are safely older than a hashing."""
    f = tmp_path / "persons.csv"
    f.write_text("person_id\nP1\n")
    with DuckDBBackend.open(tmp_path / "force.duckdb") as db:
        file_sha256s(db, {"persons": f}, remember=True)
        file_sha256s(db, {"persons": f}, remember=True)
    assert len(reads) == 2


def test_nothing_is_remembered_unless_asked(tmp_path: Path, reads: list[Path]) -> None:
    f = tmp_path / "persons.csv"
    f.write_text("person_id\nP1\n")
    with DuckDBBackend.open(tmp_path / "force.duckdb") as db:
        file_sha256s(db, {"persons": f}, remember=False)
        assert not db.table_exists(file_hashes.FILES_STATE)
