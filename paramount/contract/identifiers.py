"""Police and prison identifiers: validation and the canonical forms used for exact matching.

PNC ids come short (`YY/NNNNNNNC`) and long (`YYYY/NNNNNNNC`); both name the same person, so
they are compared only in canonical form `YY/NNNNNNNC` (serial zero-padded to 7 digits).
CRO numbers are canonical as `NNNNNN/YYC`. The check letter is what makes a typo visible:
an id whose letter fails is not used for matching at all.

The same rules exist as SQL macros (`SQL_MACROS`) so the engine can apply them to millions
of rows without leaving the database; `tests/contract/test_identifiers.py` keeps the two in
step.
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


# DuckDB macros with the same meaning as the functions above. Kept in plain SQL that sqlglot
# can carry to Spark: regexp_extract, lpad, substr, modulo.
SQL_MACROS: tuple[str, ...] = (
    """
    CREATE OR REPLACE MACRO pm_clean(v) AS
        nullif(upper(regexp_replace(coalesce(v, ''), '\\s+', '', 'g')), '')
    """,
    """
    CREATE OR REPLACE MACRO pm_canonical_pnc(v) AS (
        WITH p AS (
            SELECT regexp_extract(pm_clean(v), '^(\\d{2}|\\d{4})/(\\d{1,7})([A-Z])$', 1) AS yr,
                   regexp_extract(pm_clean(v), '^(\\d{2}|\\d{4})/(\\d{1,7})([A-Z])$', 2) AS serial,
                   regexp_extract(pm_clean(v), '^(\\d{2}|\\d{4})/(\\d{1,7})([A-Z])$', 3) AS letter
        )
        SELECT CASE WHEN yr = '' THEN NULL
                    WHEN substr('ZABCDEFGHJKLMNPQRTUVWXY',
                                CAST(CAST(right(yr, 2) || lpad(serial, 7, '0') AS BIGINT) % 23
                                     AS INTEGER) + 1, 1) = letter
                    THEN right(yr, 2) || '/' || lpad(serial, 7, '0') || letter
                    ELSE NULL END
        FROM p
    )
    """,
    """
    CREATE OR REPLACE MACRO pm_canonical_cro(v) AS (
        WITH p AS (
            SELECT regexp_extract(pm_clean(v), '^(\\d{1,6})/(\\d{2})([A-Z])$', 1) AS serial,
                   regexp_extract(pm_clean(v), '^(\\d{1,6})/(\\d{2})([A-Z])$', 2) AS yr,
                   regexp_extract(pm_clean(v), '^(\\d{1,6})/(\\d{2})([A-Z])$', 3) AS letter
        )
        SELECT CASE WHEN serial = '' THEN NULL
                    WHEN substr('ZABCDEFGHJKLMNPQRTUVWXY',
                                CAST(CAST(yr || lpad(serial, 6, '0') AS BIGINT) % 23
                                     AS INTEGER) + 1, 1) = letter
                    THEN lpad(serial, 6, '0') || '/' || yr || letter
                    ELSE NULL END
        FROM p
    )
    """,
    """
    CREATE OR REPLACE MACRO pm_postcode_district(v) AS
        CASE WHEN length(pm_clean(v)) >= 5 THEN left(pm_clean(v), length(pm_clean(v)) - 3)
             WHEN length(pm_clean(v)) BETWEEN 2 AND 4 THEN pm_clean(v)
             ELSE NULL END
    """,
)
