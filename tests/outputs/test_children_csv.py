"""children.csv: contract columns first, in order; ISO dates; empty for null."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from paramount.contract.tables import CHILDREN_COLUMNS, EXTRACT_TABLES, create_table_sql
from paramount.engine import DuckDBBackend, identify
from paramount.outputs import write_children_csv


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_contract_columns_first_in_order_then_extras(children: pa.Table, tmp_path: Path) -> None:
    path = write_children_csv(children, tmp_path / "children.csv")
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert tuple(header[: len(CHILDREN_COLUMNS)]) == CHILDREN_COLUMNS
    assert header[len(CHILDREN_COLUMNS) :] == ["method", "lpa_name", "prisoner_name"]


def test_values_are_written_as_the_contract_says(children: pa.Table, tmp_path: Path) -> None:
    rows = read(write_children_csv(children, tmp_path / "children.csv"))
    first = rows[0]
    assert first["child_date_of_birth"] == "2012-01-05"
    assert first["reception_date"] == "2024-06-10"
    assert first["child_partner_ids"] == ""
    assert first["confidence"] == "1.0"
    assert rows[2]["confidence"] == "0.875"
    assert rows[3]["lpa"] == "" and rows[3]["address"] == ""
    assert rows[2]["lpa_name"] == "Reading / West: [Central]"


def test_list_values_are_semicolon_joined(tmp_path: Path) -> None:
    table = pa.table(
        {c: pa.array([None], pa.string()) for c in CHILDREN_COLUMNS}
        | {"child_person_ids": pa.array([["C1", "C2"]])}
    )
    table = table.select(list(CHILDREN_COLUMNS))
    (row,) = read(write_children_csv(table, tmp_path / "children.csv"))
    assert row["child_person_ids"] == "C1;C2"


def test_missing_contract_column_is_refused(children: pa.Table, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="evidence"):
        write_children_csv(children.drop_columns(["evidence"]), tmp_path / "children.csv")


def test_engine_output_round_trips(tmp_path: Path) -> None:
    """The engine's own (empty) result writes a header-only file in contract order."""
    con = duckdb.connect()
    for t in EXTRACT_TABLES.values():
        con.execute(create_table_sql(t))
    result = identify(DuckDBBackend(con), date(2024, 1, 1), date(2024, 12, 31), method="baseline")
    path = write_children_csv(result.children, tmp_path / "children.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert tuple(lines[0].split(",")[: len(CHILDREN_COLUMNS)]) == CHILDREN_COLUMNS
