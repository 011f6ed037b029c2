"""`children.csv`: the contract's output, read by evaluation, casework import and people.

Contract columns come first, in contract order, so any reader can rely on position as well
as name; extra columns follow in the order the engine produced them. Dates are ISO, a null is
an empty field, and lists are `;`-joined, as the contract says.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from paramount.contract.tables import CHILDREN_COLUMNS


def output_columns(names: Sequence[str]) -> list[str]:
    """Contract columns in contract order, then the others; refuses a table missing one."""
    missing = [c for c in CHILDREN_COLUMNS if c not in names]
    if missing:
        raise ValueError(f"children table lacks contract column(s): {', '.join(missing)}")
    return [*CHILDREN_COLUMNS, *(n for n in names if n not in CHILDREN_COLUMNS)]


def format_value(value: Any) -> str:
    """One CSV field: ISO dates, `;`-joined lists, empty for null, floats without noise."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, (list, tuple)):
        return ";".join(format_value(v) for v in value if v is not None)
    return str(value)


def iter_rows(children: pa.Table, columns: Sequence[str]) -> Iterable[list[str]]:
    for batch in children.select(list(columns)).to_batches():
        for row in batch.to_pylist():
            yield [format_value(row[c]) for c in columns]


def write_children_csv(children: pa.Table, path: str | Path) -> Path:
    """Write the list as UTF-8 CSV with a header row (RFC 4180 quoting, `\\n` line ends)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = output_columns(children.schema.names)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(iter_rows(children, columns))
    return path
