"""Each extract file's sha256, remembered on the force database by the file's identity on
disk, so a daily run does not read every byte of an unchanged extract to find it unchanged
(2.5 s of a day's run at 2.4 million people).

A remembered sha256 is used when the file's path, size, modification time, status-change
time and inode are all as they were when it was hashed, and both times are more than
`RACY_SECONDS` older than the moment the hashing began. Why that is safe:

- any write to the file moves its modification and status-change times to now;
- the status-change time cannot be set by any tool (`touch -d` or `cp -p` set the
  modification time, and move the status-change time to now), so a file rewritten and
  given its old modification time back still differs;
- a new extract copied in or renamed over the old file is a new inode or a new
  status-change time.

The gap is a timestamp's granularity: the kernel stamps times by its clock tick (a few
milliseconds), so a file written twice within one tick at the same size could look the
same. A file whose times are not safely older than its hashing (a write in the same
seconds) is therefore never taken on trust: it is hashed again next time (git's answer to
its "racy clean" files). Anything else (a new path, a changed size or time) is hashed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from paramount.db.backend import Backend
from paramount.loading.reading import hash_and_blank_lines
from paramount.loading.sql import lit

FILES_STATE = "pm_load_files"
RACY_SECONDS = 2


def file_sha256s(
    db: Backend, files: dict[str, Path | None], remember: bool
) -> dict[str, str | None]:
    """sha256 of each named file (None for None), from what `db` remembers where it safely
    can; with `remember`, what was hashed is remembered for the next time."""
    known = _known(db)
    out: dict[str, str | None] = {}
    hashed: list[tuple[str, int, int, int, int, str, int]] = []
    for name, path in files.items():
        if path is None:
            out[name] = None
            continue
        where = str(Path(path).resolve())
        seen = _identity(where)
        row = known.get(where)
        if row is not None and row[:4] == seen and max(seen[1], seen[2]) < row[5] - _RACY_NS:
            out[name] = row[4]
            continue
        started = time.time_ns()
        sha = hash_and_blank_lines(Path(where))[0]
        if _identity(where) == seen:  # not changed while it was read
            hashed.append((where, *seen, sha, started))
        out[name] = sha
    if remember and hashed:
        _remember(db, hashed)
    return out


_RACY_NS = RACY_SECONDS * 1_000_000_000


def _identity(path: str) -> tuple[int, int, int, int]:
    """(size, modification time, status-change time, inode), the times in nanoseconds."""
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _known(db: Backend) -> dict[str, tuple[int, int, int, int, str, int]]:
    if not db.table_exists(FILES_STATE):
        return {}
    rows = db.fetch_tuples(
        f"SELECT path, size, mtime_ns, ctime_ns, inode, sha256, hashed_at_ns FROM {FILES_STATE}"
    )
    return {r[0]: (r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}


def _remember(db: Backend, rows: list[tuple[str, int, int, int, int, str, int]]) -> None:
    if not db.table_exists(FILES_STATE):
        db.execute(
            f"CREATE TABLE {FILES_STATE} (path VARCHAR, size BIGINT, mtime_ns BIGINT, "
            "ctime_ns BIGINT, inode BIGINT, sha256 VARCHAR, hashed_at_ns BIGINT)"
        )
    paths = ", ".join(lit(r[0]) for r in rows)
    # replaced, not deleted from: a Parquet table (Spark's) takes no DELETE
    db.create_table(FILES_STATE, f"SELECT * FROM {FILES_STATE} WHERE path NOT IN ({paths})")
    db.executemany(f"INSERT INTO {FILES_STATE} VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
