"""Reading `verdicts.csv` files (contract version 1.1): every row either kept, typed, or set
aside with its file, row and field, so a bad row never changes another.

A file that cannot be read, or lacks a contract column, is set aside whole (row 0). Values
are never copied into a problem's reason: they may be personal data.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa

from paramount.contract.tables import (
    VERDICT_COLUMNS,
    VERDICT_EXTRA_COLUMNS,
    VERDICT_REASONS,
    VERDICTS,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a verdict file or row; `row` is the 1-based data row (0: the file)."""

    file: str
    row: int
    field: str
    reason: str

    def to_dict(self) -> dict[str, str | int]:
        return {"file": self.file, "row": self.row, "field": self.field, "reason": self.reason}


@dataclass
class VerdictRows:
    """The rows kept from every file read (an Arrow table, one row per verdict row) and the
    problems set aside, with how many rows each file had."""

    table: pa.Table
    problems: list[Problem] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)

    def refuse_files(self, files: set[str], reason: str) -> None:
        """Set aside every kept row of `files` (a file as a whole is not this force's)."""
        if not files:
            return
        keep = [f not in files for f in self.table.column("file").to_pylist()]
        self.table = self.table.filter(pa.array(keep, type=pa.bool_()))
        self.problems.extend(Problem(f, 0, "booking_id", reason) for f in sorted(files))


SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("row", pa.int64()),
        ("booking_id", pa.string()),
        ("prisoner_number", pa.string()),
        ("child_person_ids", pa.string()),
        ("child_partner_ids", pa.string()),
        ("child_surname", pa.string()),
        ("child_forenames", pa.string()),
        ("child_date_of_birth", pa.date32()),
        ("verdict", pa.string()),
        ("reason", pa.string()),
        ("checked_on", pa.date32()),
        ("duplicate_of_person_ids", pa.string()),
        ("duplicate_of_partner_ids", pa.string()),
        ("stated_confidence", pa.float64()),
        ("force", pa.string()),
    ]
)


def verdict_files(paths: list[Path]) -> list[Path]:
    """The files named, a folder standing for every `*.csv` in it (sorted, so runs repeat)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.csv")))
        else:
            files.append(path)
    return files


def read_verdicts(paths: list[Path]) -> VerdictRows:
    """Read every verdict file (folders: their `*.csv`), keeping the rows that meet the contract."""
    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    counts: dict[str, int] = {}
    for path in verdict_files(paths):
        name = str(path)
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                header = reader.fieldnames or []
                missing = [c for c in VERDICT_COLUMNS if c not in header]
                if missing:
                    problems.append(Problem(name, 0, missing[0], "column missing from the file"))
                    counts[name] = 0
                    continue
                n = 0
                for n, record in enumerate(reader, start=1):
                    kept = _row(name, n, record, problems)
                    if kept is not None:
                        rows.append(kept)
                counts[name] = n
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            problems.append(Problem(name, 0, "", f"file unreadable ({type(exc).__name__})"))
            counts[name] = 0
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    return VerdictRows(table=table, problems=problems, rows_read=counts)


def _row(name: str, n: int, record: dict[str, str | None], problems: list[Problem]):
    """One row typed, or None with its problem recorded (the first one found)."""

    def value(col: str) -> str:
        return (record.get(col) or "").strip()

    def bad(col: str, reason: str) -> None:
        problems.append(Problem(name, n, col, reason))

    if None in record:  # more fields than the header
        return bad("", "more fields than the header")
    for col in ("booking_id", "prisoner_number", "verdict", "checked_on"):
        if not value(col):
            return bad(col, "missing")
    verdict, reason = value("verdict").upper(), value("reason").upper()
    if verdict not in VERDICTS:
        return bad("verdict", f"not one of {', '.join(VERDICTS)}")
    if verdict == "REJECTED" and reason not in VERDICT_REASONS:
        return bad("reason", "missing" if not reason else "not a reason the contract knows")
    if verdict == "CONFIRMED" and reason:
        return bad("reason", "given for a CONFIRMED verdict")
    checked_on = _date(value("checked_on"))
    if checked_on is None:
        return bad("checked_on", "not a date (YYYY-MM-DD)")
    dob = _date(value("child_date_of_birth")) if value("child_date_of_birth") else None
    if value("child_date_of_birth") and dob is None:
        return bad("child_date_of_birth", "not a date (YYYY-MM-DD)")
    ids = value("child_person_ids") or value("child_partner_ids")
    if not ids and not (value("child_surname") and value("child_forenames")):
        return bad("child_person_ids", "no child ids and no child name to find the row by")
    stated: float | None = None
    if value("stated_confidence"):
        try:
            stated = float(value("stated_confidence"))
        except ValueError:
            stated = -1.0
        if not 0.0 <= stated <= 1.0:
            return bad("stated_confidence", "not a number from 0 to 1")
    kept: dict[str, object] = {
        c: value(c) or None for c in (*VERDICT_COLUMNS, *VERDICT_EXTRA_COLUMNS)
    }
    kept.update(
        file=name,
        row=n,
        verdict=verdict,
        reason=reason or None,
        checked_on=checked_on,
        child_date_of_birth=dob,
        stated_confidence=stated,
    )
    return kept


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
