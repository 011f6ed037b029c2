"""worklist.xlsx, read back as an analyst's Excel would: sheets, header, filter, real dates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from paramount.outputs import write_worklist
from paramount.outputs.worklist import UNKNOWN_AREA, sheet_name

GENERATED = datetime(2025, 1, 2, 9, 30)


def write(children: pa.Table, path: Path) -> Path:
    return write_worklist(
        children,
        path,
        window_from=date(2024, 1, 1),
        window_to=date(2024, 12, 31),
        method="baseline",
        generated_at=GENERATED,
    )


@pytest.fixture
def book(children: pa.Table, tmp_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(write(children, tmp_path / "worklist.xlsx"))


def headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def column(ws, header: str) -> list:
    i = headers(ws).index(header)
    return [row[i].value for row in ws.iter_rows(min_row=2)]


def test_a_summary_then_a_sheet_per_area(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == ["Summary", "Oxford", "Reading - West- -Central-", UNKNOWN_AREA]


def test_area_sheets_are_set_up_for_work(book: openpyxl.Workbook) -> None:
    for name in book.sheetnames[1:]:
        ws = book[name]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert headers(ws)[:3] == ["Reception date", "Prisoner number", "Prisoner"]
        assert ws.column_dimensions["A"].width > 10


def test_rows_are_ordered_and_typed(book: openpyxl.Workbook) -> None:
    ws = book["Oxford"]
    assert column(ws, "Child RMS ids") == ["C1", "C2"]  # same reception: younger first
    i = headers(ws).index("Reception date")
    cell = ws.cell(row=2, column=i + 1)
    assert isinstance(cell.value, datetime) and cell.value.date() == date(2024, 6, 10)
    assert cell.is_date and "yy" in cell.number_format
    dob = ws.cell(row=2, column=headers(ws).index("Child date of birth") + 1)
    assert dob.is_date
    conf = ws.cell(row=2, column=headers(ws).index("Confidence") + 1)
    assert conf.value == 1.0 and conf.number_format == "0%"
    evidence = ws.cell(row=2, column=headers(ws).index("Evidence") + 1)
    assert evidence.alignment.wrap_text
    assert column(ws, "Age") == [9, 12]


def test_rows_without_an_area_are_kept(book: openpyxl.Workbook) -> None:
    assert column(book[UNKNOWN_AREA], "Child RMS ids") == ["C4"]


def test_summary_counts_per_area(book: openpyxl.Workbook) -> None:
    ws = book["Summary"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    facts = {r[0]: r[1] for r in values if r and r[0]}
    assert facts["Method"] == "baseline"
    assert facts["Receptions from"] == datetime(2024, 1, 1)
    assert facts["Generated at"] == GENERATED
    assert facts["Children (rows)"] == 4
    table = {r[0]: r[2] for r in values if r[0] in ("Oxford", UNKNOWN_AREA, "Total")}
    assert table == {"Oxford": 2, UNKNOWN_AREA: 1, "Total": 4}


def test_same_input_gives_the_same_file(children: pa.Table, tmp_path: Path) -> None:
    a = write(children, tmp_path / "a.xlsx").read_bytes()
    b = write(children, tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_empty_list_still_makes_a_workbook(children: pa.Table, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write(children.slice(0, 0), tmp_path / "w.xlsx"))
    assert book.sheetnames == ["Summary"]


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("Oxford", [], "Oxford"),
        ("a/b\\c?d*e:f[g]h", [], "a-b-c-d-e-f-g-h"),
        ("x" * 40, [], "x" * 31),
        ("'Quoted'", [], "Quoted"),
        ("", [], UNKNOWN_AREA),
        (None, [], UNKNOWN_AREA),
        ("oxford", ["Summary", "Oxford"], "oxford (2)"),
        ("y" * 31, ["y" * 31], "y" * 27 + " (2)"),
        ("History", [], "History (2)"),
    ],
)
def test_sheet_names_follow_excel_rules(name: str | None, taken: list[str], expected: str) -> None:
    got = sheet_name(name, taken)
    assert got == expected
    assert len(got) <= 31
