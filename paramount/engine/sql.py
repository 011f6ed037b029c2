"""SQL written once, in DuckDB's dialect, and carried to other engines in one place.

Every step of the engine writes DuckDB SQL. A backend whose `dialect` is not DuckDB sends each
statement through `to_dialect`, which is the only place sqlglot is asked to transpile: so a
new engine means a new backend, not new steps.

Why the identifier rules are generated here rather than called as the DuckDB macros of
`paramount.contract.identifiers.SQL_MACROS`: macros are a DuckDB feature (Spark SQL has no
`CREATE MACRO`, and a Spark UDF in Python would be slow and opaque to the optimiser). The
functions below expand the same rules into plain SQL expressions (regexp_extract, lpad,
substr, modulo) that sqlglot carries to Spark unchanged in meaning, and a test keeps them in
step with the Python functions of `identifiers`. The macros stay registered on DuckDB for ad
hoc queries by analysts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlglot

from paramount.contract.identifiers import CHECK_ALPHABET

DUCKDB = "duckdb"

_PNC_PATTERN = r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$"
_CRO_PATTERN = r"^(\d{1,6})/(\d{2})([A-Z])$"
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def to_dialect(sql: str, dialect: str) -> str:
    """The statement(s) of `sql` (DuckDB dialect) in `dialect`; unchanged for DuckDB."""
    if dialect == DUCKDB:
        return sql
    return ";\n".join(sqlglot.transpile(sql, read=DUCKDB, write=dialect))


def ident(name: str) -> str:
    """A quoted identifier (table or column name)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def date_literal(value: date) -> str:
    return f"DATE '{value.isoformat()}'"


def in_list(values: Iterable[str]) -> str:
    """`('A', 'B')` for an IN clause."""
    return "(" + ", ".join(literal(v) for v in values) + ")"


def clean_sql(expr: str) -> str:
    """Upper case, whitespace removed, empty as NULL: `identifiers._clean` in SQL."""
    return rf"nullif(upper(regexp_replace(coalesce({expr}, ''), '\s+', '', 'g')), '')"


def _check_letter_ok(number_sql: str, letter_sql: str) -> str:
    return (
        f"substr('{CHECK_ALPHABET}', CAST(CAST({number_sql} AS BIGINT) % 23 AS INTEGER) + 1, 1)"
        f" = {letter_sql}"
    )


def canonical_pnc_sql(cleaned: str) -> str:
    """Canonical PNC (`YY/NNNNNNNC`) of an already cleaned value, NULL when invalid.

    Takes a column holding `clean_sql(...)` so the cleaning runs once a row, not once a use.
    """
    yr = f"regexp_extract({cleaned}, '{_PNC_PATTERN}', 1)"
    serial = f"lpad(regexp_extract({cleaned}, '{_PNC_PATTERN}', 2), 7, '0')"
    letter = f"regexp_extract({cleaned}, '{_PNC_PATTERN}', 3)"
    yr2 = f"right({yr}, 2)"
    return (
        f"CASE WHEN {cleaned} IS NULL OR {yr} = '' THEN NULL "
        f"WHEN {_check_letter_ok(f'{yr2} || {serial}', letter)} "
        f"THEN {yr2} || '/' || {serial} || {letter} ELSE NULL END"
    )


def canonical_cro_sql(cleaned: str) -> str:
    """Canonical CRO (`NNNNNN/YYC`) of an already cleaned value, NULL when invalid."""
    serial = f"lpad(regexp_extract({cleaned}, '{_CRO_PATTERN}', 1), 6, '0')"
    yr = f"regexp_extract({cleaned}, '{_CRO_PATTERN}', 2)"
    letter = f"regexp_extract({cleaned}, '{_CRO_PATTERN}', 3)"
    return (
        f"CASE WHEN {cleaned} IS NULL OR {yr} = '' THEN NULL "
        f"WHEN {_check_letter_ok(f'{yr} || {serial}', letter)} "
        f"THEN {serial} || '/' || {yr} || {letter} ELSE NULL END"
    )


def postcode_district_sql(cleaned: str) -> str:
    """Outward code of an already cleaned postcode: `identifiers.postcode_district` in SQL."""
    return (
        f"CASE WHEN length({cleaned}) >= 5 THEN left({cleaned}, length({cleaned}) - 3) "
        f"WHEN length({cleaned}) BETWEEN 2 AND 4 THEN {cleaned} ELSE NULL END"
    )


def age_years_sql(dob: str, on: str) -> str:
    """Age in whole years on date `on`, as a person counts it (birthday reached or not).

    Not `dob + INTERVAL 18 YEAR`: that moves 29 February to 28 February and would call a
    leap-day child 18 a day early. Month and day compared as numbers work on every engine.
    """
    return (
        f"(year({on}) - year({dob}) - CASE WHEN month({on}) * 100 + day({on}) "
        f"< month({dob}) * 100 + day({dob}) THEN 1 ELSE 0 END)"
    )


def long_date_sql(expr: str) -> str:
    """`2 March 2021`: dates in evidence are read by people, and locale-free on any engine."""
    months = " ".join(f"WHEN {i} THEN '{m}'" for i, m in enumerate(_MONTHS, start=1))
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL ELSE CAST(day({expr}) AS VARCHAR) || ' ' || "
        f"CASE month({expr}) {months} END || ' ' || CAST(year({expr}) AS VARCHAR) END"
    )
