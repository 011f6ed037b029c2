"""PNC and CRO validation: the gate every exact match passes through."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paramount.contract.identifiers import (
    CHECK_ALPHABET,
    SQL_MACROS,
    canonical_cro,
    canonical_pnc,
    format_cro,
    format_pnc,
    is_valid_noms,
    postcode_district,
)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for macro in SQL_MACROS:
        con.execute(macro)
    return con


def test_published_examples_are_valid() -> None:
    assert canonical_pnc("12/394773H") == "12/0394773H"
    assert canonical_cro("029906/12J") == "029906/12J"


def test_short_and_long_forms_are_one_id() -> None:
    assert canonical_pnc("2012/394773H") == canonical_pnc("12/394773H")
    assert canonical_pnc(" 12/0394773h ") == canonical_pnc("12/394773H")


@pytest.mark.parametrize(
    "value", ["12/394773J", "12/394773", "123/394773H", "12-394773H", "", None, "XX/1234567A"]
)
def test_invalid_pnc_is_refused(value: str | None) -> None:
    assert canonical_pnc(value) is None


@pytest.mark.parametrize("value", ["029906/12K", "0299060/12J", "029906-12J", "", None])
def test_invalid_cro_is_refused(value: str | None) -> None:
    assert canonical_cro(value) is None


def test_noms_pattern() -> None:
    assert is_valid_noms("A1234BC")
    assert not is_valid_noms("a1234bc")
    assert not is_valid_noms("A12345C")
    assert not is_valid_noms(None)


def test_postcode_district() -> None:
    assert postcode_district("OX4 1AB") == "OX4"
    assert postcode_district("ox41ab") == "OX4"
    assert postcode_district("SW1A 1AA") == "SW1A"
    assert postcode_district("RG1") == "RG1"
    assert postcode_district(None) is None


@given(year=st.integers(1950, 2049), serial=st.integers(1, 9_999_999), long_form=st.booleans())
def test_every_formatted_pnc_validates_and_one_changed_letter_fails(
    year: int, serial: int, long_form: bool
) -> None:
    pnc = format_pnc(year, serial, long_form=long_form)
    assert canonical_pnc(pnc) == format_pnc(year, serial, long_form=False).replace(
        f"/{serial}", f"/{serial:07d}"
    )
    wrong = CHECK_ALPHABET[(CHECK_ALPHABET.index(pnc[-1]) + 1) % 23]
    assert canonical_pnc(pnc[:-1] + wrong) is None


@given(year=st.integers(1950, 2049), serial=st.integers(1, 999_999))
def test_every_formatted_cro_validates(year: int, serial: int) -> None:
    cro = format_cro(year, serial)
    assert canonical_cro(cro) == cro


@settings(max_examples=200)
@given(
    value=st.one_of(
        st.none(),
        st.text(alphabet="0123456789/ABCDHJZ xy", max_size=14),
        st.builds(
            lambda y, s, lf, bad: (
                format_pnc(y, s, long_form=lf)[:-1] + ("Q" if bad else "")
                or format_pnc(y, s, long_form=lf)
            ),
            st.integers(1950, 2049),
            st.integers(1, 9_999_999),
            st.booleans(),
            st.booleans(),
        ),
    )
)
def test_sql_macros_agree_with_python(con: duckdb.DuckDBPyConnection, value: str | None) -> None:
    sql_pnc, sql_cro, sql_district = con.execute(
        "SELECT pm_canonical_pnc(?), pm_canonical_cro(?), pm_postcode_district(?)",
        [value, value, value],
    ).fetchall()[0]
    assert sql_pnc == canonical_pnc(value)
    assert sql_cro == canonical_cro(value)
    assert sql_district == postcode_district(value)
