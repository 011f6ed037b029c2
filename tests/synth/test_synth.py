"""The synthetic force: shape per the contract, truth that holds together, plausible rates,
and every trap present. A 20,000-resident force takes about a second to generate."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from paramount.contract.identifiers import is_valid_pnc
from paramount.contract.tables import EXTRACT_TABLES, TRUTH_TABLES
from paramount.synth import generate_force

POP = 20_000
SEED = 11


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("force")
    summary = generate_force(POP, SEED, out)
    return out, summary


@pytest.fixture(scope="module")
def con(force) -> duckdb.DuckDBPyConnection:
    out, _ = force
    c = duckdb.connect()
    for name in EXTRACT_TABLES:
        c.execute(
            f"CREATE VIEW {name} AS SELECT * FROM "
            f"read_csv('{out / 'extract' / name}.csv', all_varchar = true, header = true)"
        )
    for name in TRUTH_TABLES:
        c.execute(
            f"CREATE VIEW truth_{name} AS SELECT * FROM "
            f"read_csv('{out / 'truth' / name}.csv', all_varchar = true, header = true)"
        )
    return c


def one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchall()[0][0]


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_force(5_000, 3, a)
    generate_force(5_000, 3, b)
    generate_force(5_000, 4, c)
    files = sorted(p.relative_to(a) for p in a.rglob("*.csv"))
    assert len(files) == len(EXTRACT_TABLES) + len(TRUTH_TABLES)
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    assert (a / "extract/persons.csv").read_bytes() != (c / "extract/persons.csv").read_bytes()


def test_every_table_has_exactly_the_contract_columns(force) -> None:
    out, _ = force
    for name, table in EXTRACT_TABLES.items():
        with open(out / "extract" / f"{name}.csv", encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert tuple(header) == table.column_names, name
    for name, table in TRUTH_TABLES.items():
        with open(out / "truth" / f"{name}.csv", encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert tuple(header) == table.columns, name


def test_keys_unique_and_references_resolve(con) -> None:
    for name, table in EXTRACT_TABLES.items():
        if table.key:
            cols = ", ".join(table.key)
            dup = one(con, f"SELECT count(*) - count(DISTINCT ({cols})) FROM {name}")
            assert dup == 0, name
    for table, col in (
        ("occurrence_persons", "person_id"),
        ("relationships", "person_id"),
        ("relationships", "related_person_id"),
        ("person_addresses", "person_id"),
        ("person_flags", "person_id"),
        ("person_aliases", "person_id"),
    ):
        assert (
            one(
                con,
                f"SELECT count(*) FROM {table} WHERE {col} NOT IN (SELECT person_id FROM persons)",
            )
            == 0
        ), (table, col)
    assert (
        one(
            con,
            "SELECT count(*) FROM person_addresses WHERE address_id NOT IN "
            "(SELECT address_id FROM addresses)",
        )
        == 0
    )
    assert (
        one(
            con,
            "SELECT count(*) FROM occurrence_persons WHERE occurrence_id NOT IN "
            "(SELECT occurrence_id FROM occurrences)",
        )
        == 0
    )
    assert (
        one(
            con,
            "SELECT count(*) FROM prison_movements WHERE NOT regexp_matches("
            "prisoner_number, '^[A-Z][0-9]{4}[A-Z]{2}$')",
        )
        == 0
    )


def test_csv_dates_and_datetimes_are_iso(force) -> None:
    out, _ = force
    text = (out / "extract" / "prison_movements.csv").read_text(encoding="utf-8")
    assert re.search(r',"?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"?,', text)
    with open(out / "extract" / "persons.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    dobs = [r["date_of_birth"] for r in rows]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dobs if d)
    assert any(d == "" for d in dobs)  # missing dates of birth are empty fields


def test_pnc_check_letters_mostly_valid_both_forms(con) -> None:
    for table, col in (("persons", "pnc_id"), ("prisoners", "pnc_number")):
        values = [
            r[0]
            for r in con.execute(f"SELECT {col} FROM {table} WHERE {col} IS NOT NULL").fetchall()
        ]
        valid = [v for v in values if is_valid_pnc(v)]
        assert len(valid) / len(values) > 0.9, table
        assert any(re.match(r"^\d{2}/", v) for v in valid)
        assert any(re.match(r"^\d{4}/", v) for v in valid)
    persons = [
        r[0] for r in con.execute("SELECT pnc_id FROM persons WHERE pnc_id IS NOT NULL").fetchall()
    ]
    assert any(not is_valid_pnc(v) for v in persons)  # a few failing check letters


def test_truth_maps_every_record(con) -> None:
    assert (
        one(
            con,
            "SELECT count(*) FROM persons p LEFT JOIN truth_rms_persons t "
            "USING (person_id) WHERE t.individual_id IS NULL",
        )
        == 0
    )
    assert one(con, "SELECT count(*) FROM truth_rms_persons") == one(
        con, "SELECT count(*) FROM persons"
    )
    assert (
        one(
            con,
            "SELECT count(*) FROM prisoners p LEFT JOIN truth_prisoners t "
            "USING (prisoner_number) WHERE t.individual_id IS NULL",
        )
        == 0
    )
    assert (
        one(
            con,
            "SELECT count(*) FROM partner_persons p LEFT JOIN truth_partner_persons t "
            "USING (partner_person_id) WHERE t.individual_id IS NULL",
        )
        == 0
    )
    assert one(con, "SELECT count(*) FROM truth_contacts") == one(
        con, "SELECT count(*) FROM prisoner_contacts"
    )
    assert (
        one(
            con,
            "SELECT count(*) FROM truth_rms_persons t LEFT JOIN truth_individuals i "
            "USING (individual_id) WHERE i.kind IS NULL",
        )
        == 0
    )


def test_affected_children_are_real_receptions_of_children(con) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE first_adm AS
        SELECT booking_id, arg_min(movement_reason_code, movement_datetime) AS reason,
               min(CAST(movement_datetime AS TIMESTAMP)) AS t
        FROM prison_movements WHERE movement_type = 'ADM' AND direction = 'IN'
        GROUP BY booking_id""")
    assert one(con, "SELECT count(*) FROM truth_affected_children") > 20
    bad = one(
        con,
        """
        SELECT count(*) FROM truth_affected_children a LEFT JOIN first_adm f USING (booking_id)
        WHERE f.t IS NULL OR CAST(f.t AS DATE) <> CAST(a.reception_date AS DATE)
           OR f.reason IN ('INT', 'R')""",
    )
    assert bad == 0
    too_old = one(
        con,
        """
        SELECT count(*) FROM truth_affected_children a
        JOIN truth_individuals i ON i.individual_id = a.child_individual_id
        WHERE CAST(i.date_of_birth AS DATE) > CAST(a.reception_date AS DATE)
           OR CAST(i.date_of_birth AS DATE) + INTERVAL 18 YEAR <= CAST(a.reception_date AS DATE)
        """,
    )
    assert too_old == 0
    assert (
        one(
            con,
            """
        SELECT count(*) FROM truth_affected_children a
        JOIN truth_prisoners p ON p.prisoner_number = a.prisoner_number
        WHERE p.individual_id <> a.parent_individual_id""",
        )
        == 0
    )
    # children known to nobody are in the truth too
    unknown = one(
        con,
        """
        SELECT count(*) FROM truth_affected_children a WHERE child_individual_id NOT IN (
            SELECT individual_id FROM truth_rms_persons UNION
            SELECT individual_id FROM truth_partner_persons UNION
            SELECT individual_id FROM truth_contacts)""",
    )
    assert unknown > 0
    rels = {
        r[0]
        for r in con.execute("SELECT DISTINCT relationship FROM truth_affected_children").fetchall()
    }
    assert rels == {"BIRTH_PARENT", "STEP_PARENT", "PRIMARY_CARER"}
    assert one(con, "SELECT count(*) FROM truth_affected_children WHERE in_area = 'N'") > 0
    assert one(con, "SELECT count(*) FROM truth_affected_children WHERE lives_with = 'N'") > 0


def test_rates_are_plausible(force, con) -> None:
    _, s = force
    assert 0.9 <= s.receptions_per_1000_per_year <= 1.4
    assert 0.82 <= s.male_share <= 0.99  # ~92% at force scale; a small force varies
    assert 0.05 <= s.linked_share <= 0.35
    assert 0.4 <= s.prisoners_with_children <= 0.8
    assert s.affected_identifiable < s.affected_in_area  # coverage is below recall's base
    # nominals: most residents' details, many residents never came to notice
    assert 0.3 * s.population < s.rows["persons"] < 1.5 * s.population
    assert one(con, "SELECT count(*) FROM relationships WHERE relationship = 'CHILD'") > 0
    assert one(con, "SELECT count(*) FROM relationships WHERE relationship = 'PARENT'") > 0


def test_every_trap_is_present(force, con) -> None:
    _, s = force
    for name, n in s.traps.items():
        assert n >= 1, name
    # in the files themselves: a booking begun before the window (first ADM seen is not a
    # reception), twins among one reception's children, shared premises with many residents
    assert (
        one(
            con,
            """
        SELECT count(*) FROM (SELECT booking_id,
               arg_min(movement_reason_code, movement_datetime) FILTER (
                   WHERE movement_type = 'ADM') AS first_adm
               FROM prison_movements GROUP BY booking_id)
        WHERE first_adm IS NULL OR first_adm IN ('INT', 'R')""",
        )
        > 0
    )
    assert (
        one(
            con,
            """
        SELECT count(*) FROM (
            SELECT booking_id, i.date_of_birth, count(*) AS n FROM truth_affected_children a
            JOIN truth_individuals i ON i.individual_id = a.child_individual_id
            GROUP BY ALL HAVING n >= 2)""",
        )
        > 0
    )
    assert (
        one(
            con,
            """
        SELECT count(*) FROM (
            SELECT a.address_id, count(DISTINCT pa.person_id) AS n FROM addresses a
            JOIN person_addresses pa USING (address_id)
            WHERE a.premises_type IN ('HOSTEL', 'HMO', 'HOTEL', 'REFUGE')
            GROUP BY ALL HAVING n >= 3)""",
        )
        > 0
    )
    assert one(con, "SELECT count(*) FROM relationships WHERE relationship = 'SIBLING'") > 0
    assert (
        one(
            con,
            "SELECT count(*) FROM prison_movements WHERE movement_type = 'CRT' "
            "AND direction = 'IN'",
        )
        > 0
    )
    assert (
        one(
            con,
            "SELECT count(*) FROM prison_movements WHERE movement_reason_code IN ('L', 'B', 'Y')",
        )
        > 0
    )


def test_parquet_has_the_same_shape(tmp_path: Path) -> None:
    generate_force(3_000, 5, tmp_path, fmt="parquet", extract_date=date(2025, 6, 30))
    for name, table in EXTRACT_TABLES.items():
        t = pq.read_table(tmp_path / "extract" / f"{name}.parquet")
        assert tuple(t.column_names) == table.column_names, name
    assert not list((tmp_path / "extract").glob("*.csv"))
