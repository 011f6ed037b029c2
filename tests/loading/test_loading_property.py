"""Property-based: random corruptions never crash the loader, never lose a row, and never let a
row that breaks the contract through.

Each example writes `persons.csv` and `prison_movements.csv` (into a copy of the contract
fixture) with random values and random corruptions: empty ids, garbage dates, unknown codes,
duplicated keys, stray quotes, extra commas, random unicode. Names carry a marker so a leak
of personal values into messages is visible.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loading_helpers import CONTRACT_EXTRACT

from paramount.contract.identifiers import NOMS_PATTERN
from paramount.contract.tables import EXTRACT_TABLES, ColumnType
from paramount.db import DuckDBBackend
from paramount.loading import ContractError, load_extract

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MARKERS = ("Xanthippe", "Quorvald", "Brimwhistle")
unicode_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6
)
name = st.builds(lambda m, s: m + s, st.sampled_from(MARKERS), unicode_text)
good_date = st.dates().map(lambda d: d.isoformat())
bad_date = st.sampled_from(["2020-02-30", "31/12/1990", "yesterday", "1990-1-1", "0000-00-00"])
bad_code = st.sampled_from(["XYZ", "zz", "Male ", "Q", "ÄÖ", "12"])
line_corruption = st.sampled_from(
    ["stray_quote", "extra_comma", "drop_field", "lead_quote", "bare_cr"]
)


@st.composite
def person_row(draw, ids: list[str]) -> dict[str, str]:
    pid = draw(st.sampled_from(ids))
    row = {
        "person_id": pid,
        "surname": draw(name),
        "forenames": draw(name),
        "date_of_birth": draw(good_date),
        "sex": draw(st.sampled_from(["M", "F", "U", ""])),
        "pnc_id": draw(st.sampled_from(["", "12/394773H", "12/394773A", "junk"])),
        "cro_number": draw(st.sampled_from(["", "029906/12J", "029906/12A"])),
    }
    fault = draw(st.sampled_from(["none", "none", "empty_id", "bad_date", "bad_code"]))
    if fault == "empty_id":
        row["person_id"] = draw(st.sampled_from(["", " ", "  "]))
    elif fault == "bad_date":
        row["date_of_birth"] = draw(bad_date)
    elif fault == "bad_code":
        row["sex"] = draw(bad_code)
    return row


@st.composite
def movement_row(draw) -> dict[str, str]:
    row = {
        "prisoner_number": draw(st.sampled_from(["A1234BC", "B2345CD", "a1234bc", "A12BC", ""])),
        "booking_id": draw(st.sampled_from(["B1", "B2", ""])),
        "movement_type": draw(st.sampled_from(["ADM", "TRN", "REL", "XYZ", "adm"])),
        "direction": draw(st.sampled_from(["IN", "OUT", "SIDEWAYS"])),
        "movement_reason_code": draw(st.sampled_from(["N", "I", "ZZ", ""])),
        "movement_datetime": draw(
            st.one_of(
                st.datetimes().map(lambda d: d.replace(microsecond=0).isoformat()),
                bad_date,
                st.just(""),
            )
        ),
        "from_agency": draw(unicode_text),
        "to_agency": "BZI",
        "to_agency_description": draw(unicode_text),
    }
    return row


def _render(header: list[str], rows: list[dict[str, str]], faults: dict[int, str]) -> str:
    """CSV text with line-level corruptions applied to some rows (index -> fault)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for i, row in enumerate(rows):
        buf = io.StringIO()
        # a CRLF terminator makes the writer quote fields holding either CR or LF
        csv.writer(buf, lineterminator="\r\n").writerow([row[h] for h in header])
        line = buf.getvalue().removesuffix("\r\n")
        fault = faults.get(i)
        if fault == "stray_quote":
            cut = len(line) // 2
            line = line[:cut] + '"' + line[cut:]
        elif fault == "extra_comma":
            line += ",extra"
        elif fault == "drop_field":
            line = line.rsplit(",", 1)[0]
        elif fault == "bare_cr":  # a stray carriage return in an unquoted stretch
            line = line.replace(",", ",\r", 1)
        elif fault == "lead_quote":
            line = '"' + line
        out.write(line + "\n")
    return out.getvalue()


extract_spec = st.fixed_dictionaries(
    {
        "persons": st.lists(person_row(["P1", "P2", "P3", "P4", "P5", "P6"]), max_size=25),
        "moves": st.lists(movement_row(), max_size=20),
        "person_faults": st.dictionaries(st.integers(0, 24), line_corruption, max_size=3),
        "move_faults": st.dictionaries(st.integers(0, 19), line_corruption, max_size=2),
        "drop": st.sampled_from([None] * 8 + ["table", "column"]),
    }
)


def _write(extract: Path, spec: dict) -> None:
    persons = EXTRACT_TABLES["persons"].column_names
    moves = EXTRACT_TABLES["prison_movements"].column_names
    (extract / "persons.csv").write_text(
        _render(list(persons), spec["persons"], spec["person_faults"]), encoding="utf-8"
    )
    (extract / "prison_movements.csv").write_text(
        _render(list(moves), spec["moves"], spec["move_faults"]), encoding="utf-8"
    )
    if spec["drop"] == "table":
        (extract / "prison_movements.csv").unlink()
    elif spec["drop"] == "column":
        rows = [r[:-1] for r in csv.reader((extract / "occurrences.csv").open(newline=""))]
        with (extract / "occurrences.csv").open("w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)


def _run(spec: dict):
    tmp = Path(tempfile.mkdtemp(prefix="pm_prop_"))
    try:
        extract = tmp / "extract"
        shutil.copytree(CONTRACT_EXTRACT, extract)
        _write(extract, spec)
        con = duckdb.connect()
        try:
            report = load_extract(extract, DuckDBBackend(con), quarantine_dir=tmp / "q")
        except ContractError as e:
            return None, None, None, str(e)
        rejected = list(csv.DictReader((tmp / "q" / "rejected.csv").open(newline="")))
        warnings = list(csv.DictReader((tmp / "q" / "warnings.csv").open(newline="")))
        return report, con, (rejected, warnings), None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _personal_values(spec: dict) -> list[str]:
    values = [p[k] for p in spec["persons"] for k in ("surname", "forenames", "date_of_birth")]
    return [v for v in values if len(v) >= 6]


def _check_loaded_rows_obey_the_contract(con: duckdb.DuckDBPyConnection) -> None:
    for table in EXTRACT_TABLES.values():
        cols = ", ".join(f'"{c}"' for c in table.column_names)
        rows = con.execute(f'SELECT {cols} FROM "{table.name}"').fetchall()
        for row in rows:
            for col, value in zip(table.columns, row, strict=True):
                if col.essential:
                    assert value is not None and str(value).strip() != "", (table.name, col.name)
                if value is not None and col.codes and not col.open_codes:
                    assert value in col.codes, (table.name, col.name)
                if value is not None and col.name == "prisoner_number":
                    assert NOMS_PATTERN.match(value)
                if value is not None and col.type in (ColumnType.DATE, ColumnType.DATETIME):
                    assert not isinstance(value, str)
        if table.key:
            idx = [table.column_names.index(k) for k in table.key]
            keys = [tuple(r[i] for i in idx) for r in rows]
            assert len(keys) == len(set(keys)), table.name


@SETTINGS
@given(extract_spec)
def test_random_corruption_never_loses_or_lets_through_a_row(spec: dict) -> None:
    report, con, quarantine, error = _run(spec)
    if error is not None:
        assert spec["drop"] is not None, error  # only a missing table/column may stop the run
        assert ("prison_movements" in error) if spec["drop"] == "table" else ("lpa" in error)
        for value in _personal_values(spec):
            assert value not in error
        return
    assert spec["drop"] is None
    rejected, warnings = quarantine
    assert report.reconciles
    for name, t in report.tables.items():
        assert t.rows_read == t.loaded + t.rejected
        rej_rows = [int(r["row"]) for r in rejected if r["table"] == name]
        assert len(rej_rows) == t.rejected == len(set(rej_rows))
        assert t.warnings == sum(1 for w in warnings if w["table"] == name)
        loaded_rows = [r[0] for r in con.execute(f'SELECT _row FROM "{name}"').fetchall()]
        # every row read is either loaded or rejected, under its own 1-based row number
        assert sorted(loaded_rows + rej_rows) == list(range(1, t.rows_read + 1)), name
    _check_loaded_rows_obey_the_contract(con)
    for value in _personal_values(spec):
        for r in rejected + warnings:
            assert value not in r["reason"] and value not in r["field"]


@settings(SETTINGS, max_examples=30)
@given(st.lists(person_row(["P1", "P2", "P3", "P4"]), max_size=25))
def test_value_corruptions_match_an_oracle(rows: list[dict[str, str]]) -> None:
    """Without line-level damage, the exact rows set aside and warned about are predictable."""
    spec = {"persons": rows, "moves": [], "person_faults": {}, "move_faults": {}, "drop": None}
    report, con, (rejected, warnings), _ = _run(spec)
    seen: set[str] = set()
    expect_rejected: list[tuple[int, str]] = []
    expect_loaded: list[int] = []
    expect_warned: list[tuple[int, str]] = []
    for i, r in enumerate(rows, start=1):
        pid = r["person_id"].strip()
        if not pid:
            expect_rejected.append((i, "missing required value"))
        elif pid in seen:
            expect_rejected.append((i, "duplicate key person_id"))
        else:
            seen.add(pid)
            expect_loaded.append(i)
            dob = r["date_of_birth"]
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", dob) or dob in ("2020-02-30", "0000-00-00"):
                expect_warned.append((i, "date_of_birth"))
            if r["sex"] and r["sex"].strip().upper() not in ("M", "F", "U"):
                expect_warned.append((i, "sex"))
            if r["pnc_id"] in ("12/394773A", "junk"):
                expect_warned.append((i, "pnc_id"))
            if r["cro_number"] == "029906/12A":
                expect_warned.append((i, "cro_number"))
    got_rejected = [
        (int(r["row"]), r["reason"].split(" (first")[0])
        for r in rejected
        if r["table"] == "persons"
    ]
    assert got_rejected == expect_rejected
    assert [r[0] for r in con.execute("SELECT _row FROM persons ORDER BY _row").fetchall()] == (
        expect_loaded
    )
    got_warned = sorted((int(w["row"]), w["field"]) for w in warnings if w["table"] == "persons")
    assert got_warned == sorted(expect_warned)
    assert report.tables["persons"].rows_read == len(rows)
