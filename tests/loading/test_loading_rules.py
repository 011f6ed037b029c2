"""Each rejection and warning reason, with its row number and field; counts reconcile."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from loading_helpers import read_csv, write_csv

HEADER_PERSONS = [
    "person_id",
    "surname",
    "forenames",
    "date_of_birth",
    "sex",
    "pnc_id",
    "cro_number",
]
HEADER_MOVES = [
    "prisoner_number",
    "booking_id",
    "movement_type",
    "direction",
    "movement_reason_code",
    "movement_datetime",
    "from_agency",
    "to_agency",
    "to_agency_description",
]


def _person(pid: str, **kw: str) -> list[str]:
    base = {
        "person_id": pid,
        "surname": "Quillby",
        "forenames": "Ora",
        "date_of_birth": "1990-05-06",
        "sex": "F",
        "pnc_id": "",
        "cro_number": "",
    }
    base.update(kw)
    return [base[h] for h in HEADER_PERSONS]


def _move(pno: str, **kw: str) -> list[str]:
    base = {
        "prisoner_number": pno,
        "booking_id": "B1",
        "movement_type": "ADM",
        "direction": "IN",
        "movement_reason_code": "N",
        "movement_datetime": "2024-03-04T17:30:00",
        "from_agency": "CRT",
        "to_agency": "BZI",
        "to_agency_description": "BULLINGDON (HMP)",
    }
    base.update(kw)
    return [base[h] for h in HEADER_MOVES]


def _triples(rows: list[dict[str, str]]) -> list[tuple[int, str, str]]:
    return [(int(r["row"]), r["field"], r["reason"]) for r in rows]


def _assert_reconciles(loaded, table: str) -> None:
    t = loaded.report.tables[table]
    assert t.rows_read == t.loaded + t.rejected
    assert t.rejected == len(loaded.rejected(table))
    assert t.warnings == len(loaded.warnings(table))
    loaded_rows = {r[0] for r in loaded.rows(f"SELECT _row FROM {table}")}
    rejected_rows = {int(r["row"]) for r in loaded.rejected(table)}
    assert not loaded_rows & rejected_rows
    assert len(rejected_rows) == t.rejected


def test_rejections_in_persons(extract: Path, load) -> None:
    write_csv(
        extract / "persons.csv",
        HEADER_PERSONS,
        [
            _person("P1"),
            _person(""),  # 2: missing id
            _person("P3"),
            _person("P1", surname="Other"),  # 4: duplicate of row 1
            _person("   "),  # 5: blank id
            _person("P3"),  # 6: duplicate of row 3
            _person("P7"),
        ],
    )
    loaded = load(extract)
    assert _triples(loaded.rejected("persons")) == [
        (2, "person_id", "missing required value"),
        (4, "person_id", "duplicate key person_id (first at row 1)"),
        (5, "person_id", "missing required value"),
        (6, "person_id", "duplicate key person_id (first at row 3)"),
    ]
    assert loaded.rows("SELECT person_id, _row FROM persons ORDER BY _row") == [
        ("P1", 1),
        ("P3", 3),
        ("P7", 7),
    ]
    t = loaded.report.tables["persons"]
    assert (t.rows_read, t.loaded, t.rejected) == (7, 3, 4)
    _assert_reconciles(loaded, "persons")


def test_rejected_record_keeps_the_raw_row(extract: Path, load) -> None:
    write_csv(extract / "persons.csv", HEADER_PERSONS, [_person("", date_of_birth="31/12/1990")])
    [rej] = load(extract).rejected("persons")
    assert rej["file"] == "persons.csv"
    record = json.loads(rej["record"])
    assert record == dict(
        zip(HEADER_PERSONS, _person("", date_of_birth="31/12/1990"), strict=True)
    ) | {
        "person_id": None,
        "pnc_id": None,
        "cro_number": None,
    }


def test_a_duplicate_of_a_rejected_row_is_kept(extract: Path, load) -> None:
    """Only usable rows take part in the key rule: a bad first row does not shadow a good one."""
    write_csv(
        extract / "prisoners.csv",
        read_csv(extract / "prisoners.csv")[0],
        [
            ["a12", "", "", "Ivo", "", "Plenk", "", "", "", "", "", "", "BZI"],
            ["A1111AA", "", "", "Ivo", "", "Plenk", "", "", "", "", "", "", "BZI"],
            ["A1111AA", "", "", "Ivo", "", "Plenk", "", "", "", "", "", "", "BZI"],
        ],
    )
    loaded = load(extract)
    assert _triples(loaded.rejected("prisoners")) == [
        (1, "prisoner_number", "not a NOMS number (A9999AA)"),
        (3, "prisoner_number", "duplicate key prisoner_number (first at row 2)"),
    ]


def test_rejections_in_prison_movements(extract: Path, load) -> None:
    write_csv(
        extract / "prison_movements.csv",
        HEADER_MOVES,
        [
            _move("A1234BC"),
            _move("A1234BC", movement_type="XYZ"),  # 2
            _move("A1234BC", movement_datetime="04/03/2024 17:30"),  # 3
            _move("A1234BC", movement_datetime="2024-02-30T10:00:00"),  # 4
            _move("A123BC"),  # 5
            _move("A1234BC", direction="", booking_id=""),  # 6: two problems, one row
            _move("a1234bc", movement_datetime="2024-03-04"),  # 7: fine, upper-cased
            _move("A1234BC", movement_type="adm", direction="in"),  # 8: fine, case folded
            _move("A1234BC", movement_type="smith"),  # 9: not code-like: value not shown
        ],
    )
    loaded = load(extract)
    assert _triples(loaded.rejected("prison_movements")) == [
        (2, "movement_type", "code 'XYZ' not in movement_type list"),
        (3, "movement_datetime", "datetime not ISO 8601 (YYYY-MM-DDTHH:MM:SS)"),
        (4, "movement_datetime", "impossible datetime"),
        (5, "prisoner_number", "not a NOMS number (A9999AA)"),
        (6, "booking_id;direction", "missing required value; missing required value"),
        (9, "movement_type", "code not in movement_type list (value not shown)"),
    ]
    assert loaded.rows(
        "SELECT prisoner_number, movement_type, direction, movement_datetime, _row "
        "FROM prison_movements WHERE _row IN (7, 8) ORDER BY _row"
    ) == [
        ("A1234BC", "ADM", "IN", dt.datetime(2024, 3, 4), 7),
        ("A1234BC", "ADM", "IN", dt.datetime(2024, 3, 4, 17, 30), 8),
    ]
    _assert_reconciles(loaded, "prison_movements")


def test_warnings_keep_the_row(extract: Path, load) -> None:
    write_csv(
        extract / "persons.csv",
        HEADER_PERSONS,
        [
            _person("P1", date_of_birth="1988-13-01"),  # 1 impossible date
            _person("P2", date_of_birth="14/07/1988"),  # 2 wrong format
            _person("P3", sex="X"),  # 3 unknown code
            _person("P4", sex="m"),  # 4 fine: case folded
            _person("P5", pnc_id="12/394773A"),  # 5 check letter fails
            _person("P6", pnc_id="garbage"),  # 6 not a PNC
            _person("P7", cro_number="029906/12A"),  # 7 CRO letter fails
            _person("P8", pnc_id=" 2012/394773H ", cro_number="029906/12J"),  # 8 fine
            _person("P9", cro_number="12-34"),  # 9 not a CRO
        ],
    )
    loaded = load(extract)
    assert loaded.rejected("persons") == []
    assert _triples(loaded.warnings("persons")) == [
        (1, "date_of_birth", "impossible date"),
        (2, "date_of_birth", "date not YYYY-MM-DD"),
        (3, "sex", "code 'X' not in sex list"),
        (5, "pnc_id", "PNC check letter fails"),
        (6, "pnc_id", "PNC not in form YY/NNNNNNNC or YYYY/NNNNNNNC"),
        (7, "cro_number", "CRO check letter fails"),
        (9, "cro_number", "CRO not in form NNNNNN/YYC"),
    ]
    rows = {
        r[0]: r[1:]
        for r in loaded.rows(
            "SELECT person_id, date_of_birth, sex, pnc_id, cro_number FROM persons"
        )
    }
    assert rows["P1"][0] is None and rows["P2"][0] is None
    assert rows["P3"][1] is None and rows["P4"][1] == "M"
    assert rows["P5"][2] == "12/394773A"  # PNC kept raw: the engine drops it
    assert rows["P6"][2] == "garbage"
    assert rows["P8"][2:] == ("2012/394773H", "029906/12J")  # trimmed, not canonicalised
    t = loaded.report.tables["persons"]
    assert (t.loaded, t.rejected, t.warnings) == (9, 0, 7)


def test_open_code_and_flag_warnings(extract: Path, load) -> None:
    header, rows = read_csv(extract / "occurrences.csv")
    rows[1][header.index("occurrence_type")] = "ARSON"
    rows[2][header.index("reported_at")] = "yesterday"
    write_csv(extract / "occurrences.csv", header, rows)
    header, rows = read_csv(extract / "occurrence_persons.csv")
    rows[0][header.index("child_present")] = "MAYBE"
    write_csv(extract / "occurrence_persons.csv", header, rows)
    loaded = load(extract)
    assert _triples(loaded.warnings("occurrences")) == [
        (2, "occurrence_type", "code 'ARSON' not in occurrence_type list"),
        (3, "reported_at", "datetime not ISO 8601 (YYYY-MM-DDTHH:MM:SS)"),
    ]
    assert _triples(loaded.warnings("occurrence_persons")) == [
        (1, "child_present", "code 'MAYBE' not in child_present list"),
    ]
    assert loaded.rows(
        "SELECT occurrence_type, reported_at FROM occurrences WHERE _row IN (2, 3)"
    ) == [
        (None, dt.datetime(2023, 11, 2, 14, 0)),
        ("CONCERN_FOR_WELFARE", None),
    ]


def test_warnings_on_a_rejected_row_are_not_reported(extract: Path, load) -> None:
    write_csv(extract / "persons.csv", HEADER_PERSONS, [_person("", sex="Q")])
    loaded = load(extract)
    assert len(loaded.rejected("persons")) == 1 and loaded.warnings("persons") == []


def test_malformed_csv_lines(extract: Path, load) -> None:
    lines = [
        ",".join(HEADER_PERSONS),
        "P1,Quillby,Ora,1990-05-06,F,,",
        "P2,Quillby,Ora,1990-05-06,F,,,extra",  # 2 too many fields
        'P3,"Multi\nline name",Ora,1990-05-06,F,,',  # 3 fine, two physical lines
        "P4,Quillby,Ora",  # 4 too few
        "P5,Quillby,Ora,1990-05-06,F,,",
    ]
    data = ("\n".join(lines) + "\n").encode()
    data += b"P6,Quil\xffby,Ora,1990-05-06,F,,\n"  # 6 bad UTF-8
    data += b"P7,Quillby,Ora,1990-05-06,F,,\n"
    data += b'P8,"Quillby,Ora,1990-05-06,F,,\nP9,Quillby,Ora,1990-05-06,F,,\n'  # 8 to the end
    (extract / "persons.csv").write_bytes(data)
    loaded = load(extract)
    rejected = loaded.rejected("persons")
    assert [(int(r["row"]), r["reason"]) for r in rejected] == [
        (2, "malformed CSV line: too many fields (Expected Number of Columns: 7 Found: 8)"),
        (4, "malformed CSV line: too few fields (Expected Number of Columns: 7 Found: 3)"),
        (6, "malformed CSV line: not valid UTF-8"),
        (8, "malformed CSV line: unterminated or stray quote"),
    ]
    assert "P9" in json.loads(rejected[-1]["record"])["malformed_line"]  # swallowed, not lost
    assert loaded.rows("SELECT person_id, _row FROM persons ORDER BY _row") == [
        ("P1", 1),
        ("P3", 3),
        ("P5", 5),
        ("P7", 7),
    ]
    t = loaded.report.tables["persons"]
    assert (t.rows_read, t.loaded, t.rejected) == (8, 4, 4)
    _assert_reconciles(loaded, "persons")


def test_blank_lines_keep_row_numbers_in_step(extract: Path, load) -> None:
    lines = [
        ",".join(HEADER_PERSONS),
        "P1,Quillby,Ora,1990-05-06,F,,",
        "",
        "P3,Quillby,Ora,1990-05-06,F,,",
        "P4,short",
        "",
        "P6,Quillby,Ora,1990-05-06,F,,",
    ]
    (extract / "persons.csv").write_text("\r\n".join(lines) + "\r\n")
    loaded = load(extract)
    assert loaded.rows("SELECT person_id, _row FROM persons ORDER BY _row") == [
        ("P1", 1),
        ("P3", 3),
        ("P6", 6),
    ]
    assert [int(r["row"]) for r in loaded.rejected("persons")] == [4]
    t = loaded.report.tables["persons"]
    assert (t.rows_read, t.loaded, t.rejected) == (4, 3, 1)


def test_empty_quoted_values_and_whitespace(extract: Path, load) -> None:
    (extract / "persons.csv").write_text(
        ",".join(HEADER_PERSONS) + '\n"",Quillby,Ora,,F,,\n  P2 ,Quillby,Ora, 1990-05-06 ,"",,\n'
    )
    loaded = load(extract)
    assert _triples(loaded.rejected("persons")) == [(1, "person_id", "missing required value")]
    assert loaded.rows("SELECT person_id, date_of_birth, sex FROM persons") == [
        ("P2", dt.date(1990, 5, 6), None)
    ]
    assert loaded.warnings("persons") == []


def test_utf8_bom_and_unicode_names(extract: Path, load) -> None:
    text = ",".join(HEADER_PERSONS) + "\nP1,Ñúñez-Ørsted,Zoë 李,1990-05-06,F,,\n"
    (extract / "persons.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    loaded = load(extract)
    assert loaded.rows("SELECT surname, forenames FROM persons") == [("Ñúñez-Ørsted", "Zoë 李")]


def test_reasons_never_carry_personal_values(extract: Path, load) -> None:
    write_csv(
        extract / "persons.csv",
        HEADER_PERSONS,
        [
            _person("P1", sex="Quillby", date_of_birth="Quillby"),
            _person("", surname="Quillby"),
            _person("P3", pnc_id="Quillby"),
        ],
    )
    loaded = load(extract)
    for r in loaded.rejected() + loaded.warnings():
        assert "Quillby" not in r["reason"] and "Quillby" not in r["field"]
    assert "Quillby" in loaded.rejected("persons")[0]["record"]  # the one place raw values go


def test_stray_carriage_return_falls_back_to_the_forgiving_reader(extract: Path, load) -> None:
    """DuckDB's strict parser gives up on a bare CR in an unquoted field; rows still count."""
    lines = [
        ",".join(HEADER_PERSONS),
        "P1,Quillby,Ora,1990-05-06,F,,",
        "P2,Quillby,Ora,1990-05-06,F,,,extra",
        'P3,"Multi\nline",Ora,1990-05-06,F,,',
        "",
        "P5,Quil\rby,Ora,1990-05-06,F,,",
        'P6,"Quillby,Ora,1990-05-06,F,,',
    ]
    (extract / "persons.csv").write_bytes(("\n".join(lines) + "\n").encode())
    loaded = load(extract)
    assert [(int(r["row"]), r["reason"]) for r in loaded.rejected("persons")] == [
        (2, "malformed CSV line: too many fields (Expected Number of Columns: 7 Found: 8)"),
        # a bare CR ends a line (as in old Mac files): row 5 splits in two
        (5, "malformed CSV line: too few fields (Expected Number of Columns: 7 Found: 2)"),
        (6, "malformed CSV line: too few fields (Expected Number of Columns: 7 Found: 6)"),
        (7, "malformed CSV line: unterminated or stray quote"),
    ]
    assert loaded.rows("SELECT person_id, _row FROM persons ORDER BY _row") == [
        ("P1", 1),
        ("P3", 3),
    ]
    _assert_reconciles(loaded, "persons")
