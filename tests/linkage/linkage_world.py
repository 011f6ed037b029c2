"""One resolved force for the linkage tests (the `resolved` fixture in conftest.py): a small
generated force with hand-made people added (twins, a child with two nominals, prisoners and
contacts), trained once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from paramount.db import DuckDBBackend
from paramount.linkage import ResolutionReport, resolve
from paramount.loading import load_extract
from paramount.synth import generate_force

HOME_A, HOME_B, HOME_C = "TA0001", "TA0002", "TA0003"


def _add(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Append rows (only the columns given; `_row` after the table's last)."""
    start = con.execute(f"SELECT coalesce(max(_row), 0) FROM {table}").fetchall()[0][0]
    for i, row in enumerate(rows, start=1):
        cols = [*row, "_row"]
        marks = ", ".join("?" * len(cols))
        con.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
            [*row.values(), start + i],
        )


def add_hand_made_people(con: duckdb.DuckDBPyConnection) -> None:
    _add(
        con,
        "addresses",
        [
            {"address_id": HOME_A, "uprn": "990000000001", "line1": "1 Test Row",
             "town": "Oxford", "postcode": "OX4 1AB", "lpa": "OXF",
             "premises_type": "DWELLING"},
            {"address_id": HOME_B, "uprn": "990000000002", "line1": "2 Test Row",
             "town": "Oxford", "postcode": "OX4 1AD", "lpa": "OXF",
             "premises_type": "DWELLING"},
            {"address_id": HOME_C, "uprn": "990000000003", "line1": "3 Far Lane",
             "town": "Slough", "postcode": "SL1 2ZZ", "lpa": "SLO",
             "premises_type": "DWELLING"},
        ],
    )  # fmt: skip
    people = [
        # a child with two nominals: another form of the name, a one-digit dob typo
        ("TC1A", "Brannigan", "Alfie", "2015-03-04", "M", None, HOME_A),
        ("TC1B", "Branigan", "Alfred", "2015-03-14", "M", None, HOME_A),
        # twins: same surname, dob and home, different forenames
        ("TTW1", "Quenby", "Oliver", "2016-07-09", "M", None, HOME_A),
        ("TTW2", "Quenby", "Harry", "2016-07-09", "M", None, HOME_A),
        # a father with a short-form PNC (the prisoner holds the long form)
        ("TAD1", "Brannigan", "Declan", "1984-02-21", "M", "12/394773H", HOME_A),
        # a father without PNC; prisoner has a nickname and day/month swapped
        ("TAD2", "Fennimore", "William", "1985-04-11", "M", None, HOME_B),
        # his daughter, and an identically named girl elsewhere, unrelated
        ("TCH3", "Fennimore", "Katherine", "2014-05-06", "F", None, HOME_B),
        ("TCH4", "Fennimore", "Katherine", "2012-01-20", "F", None, HOME_C),
        # one boy's two nominals, the second keyed with the names the wrong way round
        ("TTR1", "Thomas", "James", "2011-09-17", "M", None, HOME_B),
        ("TTR2", "James", "Thomas", "2011-09-17", "M", None, HOME_B),
        # one boy's two nominals, the second with no date of birth and no
        # address, each recorded as the same mother's son (mother at HOME_C)
        ("TUD1", "Ravensworth", "Jack", "2012-10-05", "M", None, HOME_C),
        ("TUD2", "Ravensworth", "Jack", None, "M", None, None),
        ("TUDM", "Arkwright", "Maureen", "1988-03-30", "F", None, HOME_C),
        # a father without PNC, received under his own name, a letter and ten days out;
        # the prison also holds an alias of his under another forename, with the right date
        ("TAD3", "Ashdownley", "Tyler", "1984-02-09", "M", None, HOME_B),
    ]
    _add(
        con,
        "persons",
        [
            {"person_id": p, "surname": s, "forenames": f, "date_of_birth": d, "sex": x,
             "pnc_id": pnc}
            for p, s, f, d, x, pnc, _ in people
        ],
    )  # fmt: skip
    _add(
        con,
        "person_addresses",
        [
            {"person_id": p, "address_id": a, "address_role": "HOME", "from_date": "2016-01-01"}
            for p, *_, a in people
            if a is not None
        ],
    )
    _add(
        con,
        "relationships",
        [
            {"person_id": "TAD2", "related_person_id": "TCH3", "relationship": "PARENT",
             "source": "OCCURRENCE_NOK"},
            {"person_id": "TUDM", "related_person_id": "TUD1", "relationship": "PARENT",
             "source": "OCCURRENCE_NOK"},
            {"person_id": "TUD2", "related_person_id": "TUDM", "relationship": "CHILD",
             "source": "OCCURRENCE_NOK"},
        ],
    )  # fmt: skip
    _add(
        con,
        "prisoners",
        [
            {"prisoner_number": "T1111AA", "pnc_number": "2012/394773H",
             "first_name": "Deklan", "last_name": "Brannigan", "date_of_birth": "1984-02-21",
             "gender": "Male", "legal_status": "REMAND", "home_postcode": "OX4 1AB",
             "prison_id": "BZI"},
            {"prisoner_number": "T2222BB", "first_name": "Bill", "last_name": "Fennimore",
             "date_of_birth": "1985-11-04", "gender": "Male", "legal_status": "REMAND",
             "home_postcode": "OX4 1AD", "prison_id": "BZI"},
            {"prisoner_number": "T3333CC", "first_name": "Tyler", "last_name": "Ashdownly",
             "date_of_birth": "1984-01-30", "gender": "Male", "legal_status": "REMAND",
             "home_postcode": "OX4 1AD", "prison_id": "BZI"},
        ],
    )  # fmt: skip
    _add(
        con,
        "prisoner_aliases",
        [
            {"prisoner_number": "T3333CC", "first_name": "Luke", "last_name": "Ashdownley",
             "date_of_birth": "1984-02-09", "gender": "Male"},
        ],
    )  # fmt: skip
    _add(
        con,
        "prisoner_contacts",
        [
            {"prisoner_number": "T2222BB", "booking_id": "TB1", "first_name": "Katie",
             "last_name": "Fennimore", "relationship_code": "DAU", "active": "Y"},
            {"prisoner_number": "T2222BB", "booking_id": "TB1", "first_name": "Zebedee",
             "last_name": "Unknownson", "relationship_code": "SON", "active": "Y"},
            # a son named after his father, the prisoner: never the prisoner himself
            {"prisoner_number": "T2222BB", "booking_id": "TB1", "first_name": "William",
             "last_name": "Fennimore", "relationship_code": "SON", "active": "Y"},
            # a declared son who shares a name with the daughter: not the girl
            {"prisoner_number": "T2222BB", "booking_id": "TB1", "first_name": "Katherine",
             "last_name": "Fennimore", "relationship_code": "SON", "active": "Y"},
        ],
    )  # fmt: skip


@dataclass
class Resolved:
    con: duckdb.DuckDBPyConnection
    report: ResolutionReport
    models_dir: Path
    truth: Path

    def entity(self, source: str, record_id: str) -> str:
        rows = self.con.execute(
            "SELECT entity_id FROM pm_entity_members WHERE source = ? AND record_id = ?",
            [source, record_id],
        ).fetchall()
        assert len(rows) == 1, (source, record_id, rows)
        return rows[0][0]

    def member(self, source: str, record_id: str) -> tuple:
        return self.con.execute(
            "SELECT entity_id, match_probability, basis FROM pm_entity_members "
            "WHERE source = ? AND record_id = ?",
            [source, record_id],
        ).fetchall()[0]

    def contact_row(self, first_name: str) -> str:
        rows = self.con.execute(
            "SELECT CAST(_row AS VARCHAR) FROM prisoner_contacts WHERE first_name = ?",
            [first_name],
        ).fetchall()
        return rows[0][0]


def make_resolved(tmp_path_factory: pytest.TempPathFactory) -> Resolved:
    base = tmp_path_factory.mktemp("linkage")
    generate_force(20_000, 11, base / "force")
    con = duckdb.connect(str(base / "force.duckdb"))
    load_extract(base / "force" / "extract", DuckDBBackend(con), quarantine_dir=base / "quarantine")
    add_hand_made_people(con)
    models = base / "models"
    report = resolve(DuckDBBackend(con), models_dir=models, retrain=True)
    return Resolved(con, report, models, base / "force" / "truth")
