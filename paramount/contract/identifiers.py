"""Police and prison identifiers: validation and the canonical forms used for exact matching.

PNC ids come short (`YY/NNNNNNNC`) and long (`YYYY/NNNNNNNC`); both name the same person, so
they are compared only in canonical form `YY/NNNNNNNC` (serial zero-padded to 7 digits).
CRO numbers are canonical as `NNNNNN/YYC`. The check letter is what makes a typo visible:
an id whose letter fails is not used for matching at all.

The same rules exist as SQL (`canonical_pnc_sql` and friends, and DuckDB macros built from
them) so they apply to millions of rows without leaving the database;
`tests/contract/test_identifiers.py` keeps the Python and the SQL in step.
"""

from __future__ import annotations

import re

CHECK_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY"
NOMS_PATTERN = re.compile(r"^[A-Z][0-9]{4}[A-Z]{2}$")
_PNC = re.compile(r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$")
_CRO = re.compile(r"^(\d{1,6})/(\d{2})([A-Z])$")


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = re.sub(r"\s+", "", str(value)).upper()
    return cleaned or None


def pnc_check_letter(year2: str, serial: str) -> str:
    """Check letter of a PNC id from its two-digit year and serial."""
    return CHECK_ALPHABET[int(year2 + serial.zfill(7)) % 23]


def cro_check_letter(year2: str, serial: str) -> str:
    """Check letter of a CRO number from its serial and two-digit year."""
    return CHECK_ALPHABET[int(year2 + serial.zfill(6)) % 23]


def canonical_pnc(value: str | None) -> str | None:
    """`YY/NNNNNNNC` for a valid PNC id in either form, else None."""
    cleaned = _clean(value)
    if cleaned is None:
        return None
    m = _PNC.match(cleaned)
    if not m:
        return None
    year, serial, letter = m.groups()
    year2 = year[-2:]
    if pnc_check_letter(year2, serial) != letter:
        return None
    return f"{year2}/{serial.zfill(7)}{letter}"


def canonical_cro(value: str | None) -> str | None:
    """`NNNNNN/YYC` for a valid CRO number, else None."""
    cleaned = _clean(value)
    if cleaned is None:
        return None
    m = _CRO.match(cleaned)
    if not m:
        return None
    serial, year2, letter = m.groups()
    if cro_check_letter(year2, serial) != letter:
        return None
    return f"{serial.zfill(6)}/{year2}{letter}"


def is_valid_pnc(value: str | None) -> bool:
    return canonical_pnc(value) is not None


def is_valid_cro(value: str | None) -> bool:
    return canonical_cro(value) is not None


def is_valid_noms(value: str | None) -> bool:
    return value is not None and bool(NOMS_PATTERN.match(value))


def format_pnc(year4: int, serial: int, long_form: bool = False) -> str:
    """A valid PNC id for a year and serial, short or long form (used by the synthetic force)."""
    year2 = f"{year4 % 100:02d}"
    letter = pnc_check_letter(year2, str(serial))
    year = f"{year4:04d}" if long_form else year2
    return f"{year}/{serial}{letter}"


def format_cro(year4: int, serial: int) -> str:
    year2 = f"{year4 % 100:02d}"
    return f"{serial:06d}/{year2}{cro_check_letter(year2, str(serial))}"


def postcode_district(postcode: str | None) -> str | None:
    """The outward code of a UK postcode (`OX4 1AB` -> `OX4`); tolerant of missing spaces."""
    cleaned = _clean(postcode)
    if cleaned is None:
        return None
    if len(cleaned) >= 5:
        return cleaned[:-3]
    return cleaned if len(cleaned) >= 2 else None


# The same rules as SQL expressions, generated once here: the engine inlines them into its
# steps (plain regexp_extract, lpad, substr and modulo, which sqlglot carries to Spark), and
# DuckDB gets them as macros for the loader's checks and analysts' own queries.
_PNC_SQL_PATTERN = r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$"
_CRO_SQL_PATTERN = r"^(\d{1,6})/(\d{2})([A-Z])$"


def clean_sql(expr: str) -> str:
    """Upper case, whitespace removed, empty as NULL: `_clean` in SQL."""
    return rf"nullif(upper(regexp_replace(coalesce({expr}, ''), '\s+', '', 'g')), '')"


def _check_letter_ok_sql(number_sql: str, letter_sql: str) -> str:
    return (
        f"substr('{CHECK_ALPHABET}', CAST(CAST({number_sql} AS BIGINT) % 23 AS INTEGER) + 1, 1)"
        f" = {letter_sql}"
    )


def canonical_pnc_sql(cleaned: str) -> str:
    """`canonical_pnc` in SQL, of an already cleaned value (`clean_sql`), NULL when invalid.

    Takes a cleaned expression so the cleaning runs once a row, not once a use.
    """
    yr = f"regexp_extract({cleaned}, '{_PNC_SQL_PATTERN}', 1)"
    serial = f"lpad(regexp_extract({cleaned}, '{_PNC_SQL_PATTERN}', 2), 7, '0')"
    letter = f"regexp_extract({cleaned}, '{_PNC_SQL_PATTERN}', 3)"
    yr2 = f"right({yr}, 2)"
    return (
        f"CASE WHEN {cleaned} IS NULL OR {yr} = '' THEN NULL "
        f"WHEN {_check_letter_ok_sql(f'{yr2} || {serial}', letter)} "
        f"THEN {yr2} || '/' || {serial} || {letter} ELSE NULL END"
    )


def canonical_cro_sql(cleaned: str) -> str:
    """`canonical_cro` in SQL, of an already cleaned value, NULL when invalid."""
    serial = f"lpad(regexp_extract({cleaned}, '{_CRO_SQL_PATTERN}', 1), 6, '0')"
    yr = f"regexp_extract({cleaned}, '{_CRO_SQL_PATTERN}', 2)"
    letter = f"regexp_extract({cleaned}, '{_CRO_SQL_PATTERN}', 3)"
    return (
        f"CASE WHEN {cleaned} IS NULL OR {yr} = '' THEN NULL "
        f"WHEN {_check_letter_ok_sql(f'{yr} || {serial}', letter)} "
        f"THEN {serial} || '/' || {yr} || {letter} ELSE NULL END"
    )


def postcode_district_sql(cleaned: str) -> str:
    """`postcode_district` in SQL, of an already cleaned postcode."""
    return (
        f"CASE WHEN length({cleaned}) >= 5 THEN left({cleaned}, length({cleaned}) - 3) "
        f"WHEN length({cleaned}) BETWEEN 2 AND 4 THEN {cleaned} ELSE NULL END"
    )


SQL_MACROS: tuple[str, ...] = (
    f"CREATE OR REPLACE MACRO pm_clean(v) AS {clean_sql('v')}",
    f"CREATE OR REPLACE MACRO pm_canonical_pnc(v) AS {canonical_pnc_sql('pm_clean(v)')}",
    f"CREATE OR REPLACE MACRO pm_canonical_cro(v) AS {canonical_cro_sql('pm_clean(v)')}",
    f"CREATE OR REPLACE MACRO pm_postcode_district(v) AS {postcode_district_sql('pm_clean(v)')}",
)
