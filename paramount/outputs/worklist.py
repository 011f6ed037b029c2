"""`worklist.xlsx`: the list split by local policing area, made for the analyst who works it.

One sheet per LPA (the child's, where they are believed to live now), after a Summary sheet
with the counts, the window and the method. Each sheet has a frozen header, a filter on every
column, real Excel dates, confidence as a percentage and the evidence wrapped, and prints one
page wide. Rows without an LPA go to "Unknown area" rather than being dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import xlsxwriter

from paramount import __version__

UNKNOWN_AREA = "Unknown area"
SUMMARY = "Summary"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}  # Excel reserves this sheet name


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    width: float
    kind: str = "text"  # text | date | int | percent | wrap


COLUMNS: tuple[Column, ...] = (
    Column("reception_date", "Reception date", 13, "date"),
    Column("prisoner_number", "Prisoner number", 14),
    Column("prisoner_name", "Prisoner", 24),
    Column("booking_id", "Booking", 12),
    Column("child_surname", "Child surname", 18),
    Column("child_forenames", "Child forenames", 20),
    Column("child_date_of_birth", "Child date of birth", 13, "date"),
    Column("child_age", "Age", 6, "int"),
    Column("child_sex", "Sex", 6),
    Column("relationship", "Relationship", 14),
    Column("confidence", "Confidence", 11, "percent"),
    Column("address", "Address", 36),
    Column("postcode", "Postcode", 10),
    Column("lpa", "LPA", 8),
    Column("evidence", "Evidence", 70, "wrap"),
    Column("sources", "Sources", 20),
    Column("child_person_ids", "Child RMS ids", 16),
    Column("child_partner_ids", "Child partner ids", 16),
    Column("parent_person_ids", "Prisoner RMS ids", 18),
    Column("prison_name", "Prison", 22),
)
# Not repeated on every row: the sheet is the area and the Summary names the method.
_OMIT = {"lpa_name", "method"}
_EVIDENCE_CHARS_PER_LINE = 80


def sheet_name(name: str | None, taken: Iterable[str] = ()) -> str:
    """A legal, unique Excel sheet name: no `[]:*?/\\`, not quoted at either end, at most 31
    characters, unique ignoring case (as Excel compares them)."""
    base = _FORBIDDEN.sub("-", (name or "").strip()).strip("'").strip() or UNKNOWN_AREA
    base = base[:31].rstrip()
    used = {t.lower() for t in taken}
    candidate, n = base, 1
    while candidate.lower() in used or candidate.lower() in _RESERVED:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)].rstrip() + suffix
    return candidate


def _sort_key(row: dict[str, Any]) -> tuple:
    def k(v: Any) -> tuple:
        return (v is None, v if v is not None else 0)

    return (
        k(row.get("reception_date")),
        k(row.get("prisoner_number")),
        k(row.get("booking_id")),
        k(row.get("child_age")),
        k(row.get("child_person_ids")),
    )


def _columns(names: list[str]) -> list[Column]:
    known = [c for c in COLUMNS if c.name in names]
    listed = {c.name for c in COLUMNS} | _OMIT
    extra = [Column(n, n.replace("_", " ").capitalize(), 16) for n in names if n not in listed]
    return known + extra


def _group_by_area(rows: list[dict[str, Any]]) -> list[tuple[str | None, str, list[dict]]]:
    """(lpa code, display name, rows) per area, by name; Unknown area last."""
    groups: dict[str | None, list[dict]] = {}
    for row in rows:
        groups.setdefault(row.get("lpa") or None, []).append(row)
    named: list[tuple[str | None, str, list[dict]]] = []
    for lpa, group in groups.items():
        if lpa is None:
            continue
        names = sorted({r["lpa_name"] for r in group if r.get("lpa_name")})
        named.append((lpa, names[0] if names else lpa, group))
    named.sort(key=lambda g: (g[1].lower(), g[0]))
    if None in groups:
        named.append((None, UNKNOWN_AREA, groups[None]))
    return named


def write_worklist(
    children: pa.Table,
    path: str | Path,
    *,
    window_from: date,
    window_to: date,
    method: str,
    generated_at: datetime | None = None,
) -> Path:
    """Write the worklist; `generated_at` fixed makes the file byte-for-byte reproducible."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    generated_at = generated_at or datetime.now().replace(microsecond=0)
    rows = sorted(children.to_pylist(), key=_sort_key)
    columns = _columns(children.schema.names)

    wb = xlsxwriter.Workbook(str(path), {"remove_timezone": True})
    wb.set_properties(
        {
            "title": "Paramount worklist",
            "subject": f"Children affected by a reception, {window_from} to {window_to}",
            "author": "Paramount",
            "comments": f"method {method}, Paramount {__version__}",
            "created": generated_at,
        }
    )
    fmt = _Formats(wb)
    summary = wb.add_worksheet(SUMMARY)
    groups = _group_by_area(rows)
    sheets: list[tuple[str | None, str, str, list[dict]]] = []
    taken = [SUMMARY]
    for lpa, display, group in groups:
        name = sheet_name(display, taken)
        taken.append(name)
        sheets.append((lpa, display, name, group))
        _write_area_sheet(wb.add_worksheet(name), group, columns, fmt)
    _write_summary(summary, sheets, fmt, window_from, window_to, method, generated_at, len(rows))
    wb.close()
    return path


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        top = {"valign": "top"}
        self.header = wb.add_format(
            {"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "text_wrap": True,
             "valign": "vcenter", "border": 1}
        )  # fmt: skip
        self.text = wb.add_format(top)
        self.date = wb.add_format({**top, "num_format": DATE_FORMAT, "align": "left"})
        self.datetime = wb.add_format({**top, "num_format": DATETIME_FORMAT, "align": "left"})
        self.int = wb.add_format({**top, "num_format": "0"})
        self.percent = wb.add_format({**top, "num_format": "0%"})
        self.wrap = wb.add_format({**top, "text_wrap": True})
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.label = wb.add_format({"bold": True})
        self.link = wb.add_format({"font_color": "blue", "underline": 1})
        self.total = wb.add_format({"bold": True, "top": 1})


def _cell(ws, r: int, c: int, value: Any, kind: str, fmt: _Formats) -> None:
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt.text)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value, fmt.date if kind == "date" else fmt.datetime)
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), fmt.date)
    elif kind == "int":
        ws.write_number(r, c, int(value), fmt.int)
    elif kind == "percent":
        ws.write_number(r, c, float(value), fmt.percent)
    elif kind == "wrap":
        ws.write_string(r, c, str(value), fmt.wrap)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(r, c, value, fmt.text)
    elif isinstance(value, (list, tuple)):
        ws.write_string(r, c, ";".join(str(v) for v in value if v is not None), fmt.text)
    else:
        ws.write_string(r, c, str(value), fmt.text)


def _write_area_sheet(ws, rows: list[dict], columns: list[Column], fmt: _Formats) -> None:
    for c, col in enumerate(columns):
        ws.write_string(0, c, col.header, fmt.header)
        ws.set_column(c, c, col.width)
    ws.set_row(0, 30)
    for r, row in enumerate(rows, start=1):
        lines = 1
        for c, col in enumerate(columns):
            value = row.get(col.name)
            _cell(ws, r, c, value, col.kind, fmt)
            if col.kind == "wrap" and value:
                lines = max(lines, math.ceil(len(str(value)) / _EVIDENCE_CHARS_PER_LINE))
        if lines > 1:
            ws.set_row(r, 15 * lines)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _write_summary(
    ws,
    sheets: list[tuple[str | None, str, str, list[dict]]],
    fmt: _Formats,
    window_from: date,
    window_to: date,
    method: str,
    generated_at: datetime,
    total: int,
) -> None:
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 20)
    ws.set_column(2, 5, 14)
    ws.write_string(0, 0, "Paramount worklist", fmt.title)
    facts: list[tuple[str, Any, Any]] = [
        ("Receptions from", datetime.combine(window_from, datetime.min.time()), fmt.date),
        ("Receptions to", datetime.combine(window_to, datetime.min.time()), fmt.date),
        ("Method", method, fmt.text),
        ("Generated at", generated_at, fmt.datetime),
        ("Paramount version", __version__, fmt.text),
        ("Children (rows)", total, fmt.int),
    ]
    for i, (label, value, f) in enumerate(facts, start=2):
        ws.write_string(i, 0, label, fmt.label)
        ws.write(i, 1, value, f)
    top = 2 + len(facts) + 1
    headers = ("Local policing area", "LPA code", "Children (rows)", "Receptions", "Prisoners")
    for c, h in enumerate(headers):
        ws.write_string(top, c, h, fmt.header)
    for i, (lpa, _display, name, rows) in enumerate(sheets, start=top + 1):
        ws.write_url(i, 0, f"internal:'{name}'!A1", fmt.link, string=name)
        ws.write_string(i, 1, lpa or "", fmt.text)
        ws.write_number(i, 2, len(rows), fmt.int)
        ws.write_number(i, 3, len({(r.get("prisoner_number"), r.get("booking_id")) for r in rows}))
        ws.write_number(i, 4, len({r.get("prisoner_number") for r in rows}))
    last = top + len(sheets) + 1
    ws.write_string(last, 0, "Total", fmt.total)
    ws.write_blank(last, 1, None, fmt.total)
    ws.write_number(last, 2, total, fmt.total)
    all_rows = [r for s in sheets for r in s[3]]
    ws.write_number(
        last, 3, len({(r.get("prisoner_number"), r.get("booking_id")) for r in all_rows}), fmt.total
    )
    ws.write_number(last, 4, len({r.get("prisoner_number") for r in all_rows}), fmt.total)
    if not sheets:
        ws.write_string(last + 2, 0, "No children were identified for this window.")
    ws.activate()
