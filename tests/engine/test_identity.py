"""Prisoner -> police nominals by exact, valid identifiers; SQL rules equal the Python ones."""

from __future__ import annotations

import duckdb
import pytest
from engine_extract import CRO_A, PNC_A, PNC_A_LONG, PNC_B, Extract
from hypothesis import given, settings
from hypothesis import strategies as st

from paramount.contract.identifiers import (
    canonical_cro,
    canonical_cro_sql,
    canonical_pnc,
    canonical_pnc_sql,
    clean_sql,
    format_cro,
    format_pnc,
    postcode_district,
    postcode_district_sql,
)


def nominals(x: Extract) -> list[tuple[str, str, str]]:
    x.identify()
    rows = x.rows("SELECT * FROM pm_prisoner_nominals ORDER BY prisoner_number, person_id")
    return [(r["prisoner_number"], r["person_id"], r["matched_on"]) for r in rows]


def received(x: Extract, number: str, pnc: str | None = None, cro: str | None = None) -> None:
    x.prisoner(number, pnc=pnc, cro=cro)
    x.movement(number, f"B-{number}", "2024-05-01T10:00:00")


def test_short_and_long_pnc_forms_match(extract: Extract) -> None:
    received(extract, "A1111AA", pnc=PNC_A_LONG)
    extract.person("P1", pnc=PNC_A)
    extract.person("P2", pnc=f" {PNC_A.lower()} ")  # untidy, same id
    extract.person("P3", pnc=PNC_B)
    assert nominals(extract) == [("A1111AA", "P1", "PNC"), ("A1111AA", "P2", "PNC")]


def test_pnc_with_a_bad_check_letter_never_matches(extract: Extract) -> None:
    bad = PNC_A[:-1] + ("A" if PNC_A[-1] != "A" else "B")
    received(extract, "A1111AA", pnc=bad)
    received(extract, "A2222AA", pnc=PNC_B)
    extract.person("P1", pnc=bad)  # same bad string on both sides: still no match
    extract.person("P2", pnc=PNC_B[:-1] + ("A" if PNC_B[-1] != "A" else "B"))
    assert nominals(extract) == []


def test_cro_matches_and_both_ids_are_reported(extract: Extract) -> None:
    received(extract, "A1111AA", pnc=PNC_A, cro=CRO_A)
    extract.person("P1", cro=CRO_A)
    extract.person("P2", pnc=PNC_A, cro=CRO_A)
    assert nominals(extract) == [("A1111AA", "P1", "CRO"), ("A1111AA", "P2", "PNC and CRO")]


def test_prisoner_without_ids_matches_nothing(extract: Extract) -> None:
    received(extract, "A1111AA")
    extract.person("P1")
    assert nominals(extract) == []


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _sql_value(con: duckdb.DuckDBPyConnection, make, value: str | None) -> str | None:
    expr = make("c")
    rows = con.execute(f"SELECT {expr} FROM (SELECT {clean_sql('?')} AS c)", [value]).fetchall()
    return rows[0][0]


EXAMPLES = [
    None, "", "  ", "12/394773H", "2012/394773H", "12/394773h", "12/394773X", "12394773H",
    "1/394773H", "123/394773H", "12/12345678H", "029906/12J", "29906/12J", "029906/12K",
    "OX4 1AB", "ox41ab", "SW1A 1AA", "OX4", "E1", "X",
]  # fmt: skip


@pytest.mark.parametrize("value", EXAMPLES)
def test_sql_rules_equal_python_rules(con: duckdb.DuckDBPyConnection, value: str | None) -> None:
    assert _sql_value(con, canonical_pnc_sql, value) == canonical_pnc(value)
    assert _sql_value(con, canonical_cro_sql, value) == canonical_cro(value)
    assert _sql_value(con, postcode_district_sql, value) == postcode_district(value)


@settings(max_examples=150, deadline=None)
@given(
    year=st.integers(1950, 2030),
    serial=st.integers(1, 9_999_999),
    long_form=st.booleans(),
    corrupt=st.booleans(),
)
def test_sql_pnc_equals_python_on_generated_ids(
    con: duckdb.DuckDBPyConnection, year: int, serial: int, long_form: bool, corrupt: bool
) -> None:
    value = format_pnc(year, serial, long_form=long_form)
    if corrupt:
        value = value[:-1] + ("Z" if value[-1] != "Z" else "A")
    assert _sql_value(con, canonical_pnc_sql, value) == canonical_pnc(value)
    cro = format_cro(year, serial % 1_000_000 or 1)
    assert _sql_value(con, canonical_cro_sql, cro) == canonical_cro(cro)
