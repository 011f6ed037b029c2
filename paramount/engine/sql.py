"""SQL written once, in DuckDB's dialect, and carried to other engines in one place.

Every step of the engine writes DuckDB SQL. A backend whose `dialect` is not DuckDB sends each
statement through `to_dialect` (`paramount.db.sql`, with the quoting helpers, re-exported
here), the only place sqlglot is asked to transpile: so a new engine means a new backend, not
new steps.

Why steps inline the identifier rules (`canonical_pnc_sql` and friends, from
`paramount.contract.identifiers`) rather than call the DuckDB macros built from them: macros
are a DuckDB feature (Spark SQL has no `CREATE MACRO`, and a Spark UDF in Python would be
slow and opaque to the optimiser). The expressions are plain SQL (regexp_extract, lpad,
substr, modulo) that sqlglot carries to Spark unchanged in meaning.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from paramount.db.sql import DUCKDB, ident, literal, to_dialect

__all__ = [
    "DUCKDB",
    "age_years_sql",
    "date_literal",
    "ident",
    "in_list",
    "literal",
    "long_date_sql",
    "to_dialect",
]


_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def date_literal(value: date) -> str:
    return f"DATE '{value.isoformat()}'"


def in_list(values: Iterable[str]) -> str:
    """`('A', 'B')` for an IN clause."""
    return "(" + ", ".join(literal(v) for v in values) + ")"


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
