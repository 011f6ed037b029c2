"""Several forces' extracts as one: each force's ids and LPAs prefixed so two forces' equal
ids stay two people, the national prison side taken once, every row traceable."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from loading_helpers import CONTRACT_EXTRACT

from paramount.contract.tables import SOURCE_FORCE
from paramount.db import DuckDBBackend
from paramount.linkage.prepare import NOMINAL_RECORDS, prepare_records
from paramount.loading import ContractError, load_extract
from paramount.loading.national import district_forces, merge_extracts


def write(folder: Path, name: str, header: list[str], data: list[list[str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(data)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def forces(tmp_path: Path) -> dict[str, Path]:
    a, b = tmp_path / "a", tmp_path / "b"
    area = ["postcode_district", "lpa", "lpa_name"]
    write(a, "force_area", area, [["OX4", "OXF", "Oxford"]])
    write(b, "force_area", area, [["SN1", "SWI", "Swindon"]])
    persons = ["person_id", "surname", "forenames", "date_of_birth", "sex", "pnc_id", "cro_number"]
    write(a, "persons", persons, [["P1", "Hill", "Amy", "1990-01-02", "F", "", ""]])
    write(b, "persons", persons, [["P1", "Cole", "Sam", "2015-03-04", "M", "", ""]])
    rel = ["person_id", "related_person_id", "relationship", "source", "occurrence_id"]
    write(b, "relationships", rel, [["P1", "P2", "CHILD", "OTHER", ""]])
    prisoners = ["prisoner_number", "first_name", "last_name", "home_postcode"]
    write(a, "prisoners", prisoners, [["A1234BC", "Oliver", "Hill", "OX4 1AA"]])
    write(
        b,
        "prisoners",
        prisoners,
        [["A1234BC", "Oliver", "Hill", "OX4 1AA"], ["B2345CD", "Tom", "Cole", "SN1 2AB"]],
    )
    moves = ["prisoner_number", "booking_id", "movement_type", "movement_datetime"]
    write(a, "prison_movements", moves, [["A1234BC", "1", "ADM", "2025-05-01T10:00:00"]])
    # force b's extract is Parquet, with a real timestamp
    pq.write_table(
        pa.table(
            {
                "prisoner_number": ["A1234BC", "B2345CD"],
                "booking_id": ["1", "2"],
                "movement_type": ["ADM", "ADM"],
                "movement_datetime": pa.array([1746093600, 1746180000], pa.timestamp("s")),
            }
        ),
        b / "prison_movements.parquet",
    )
    return {"TV": a, "WI": b}


def test_ids_and_lpas_carry_their_force_and_collide_no_more(forces, tmp_path: Path) -> None:
    out = tmp_path / "national"
    counts = merge_extracts(forces, out)
    persons = read(out / "persons.csv")
    assert [p["person_id"] for p in persons] == ["TV:P1", "WI:P1"]
    assert [(p["source_force"], p["source_row"]) for p in persons] == [("TV", "1"), ("WI", "1")]
    assert read(out / "relationships.csv")[0]["related_person_id"] == "WI:P2"
    assert read(out / "relationships.csv")[0]["occurrence_id"] == ""  # a null stays null
    assert [r["lpa"] for r in read(out / "force_area.csv")] == ["TV:OXF", "WI:SWI"]
    assert counts["persons"] == 2


def test_the_prison_side_is_taken_once(forces, tmp_path: Path) -> None:
    out = tmp_path / "national"
    merge_extracts(forces, out)
    prisoners = read(out / "prisoners.csv")
    assert [(p["prisoner_number"], p["source_force"]) for p in prisoners] == [
        ("A1234BC", "TV"),
        ("B2345CD", "WI"),
    ]
    moves = read(out / "prison_movements.csv")
    assert [(m["booking_id"], m["source_force"]) for m in moves] == [("1", "TV"), ("2", "WI")]
    assert moves[1]["movement_datetime"] == "2025-05-02T10:00:00"


def test_districts_name_their_force_and_bad_codes_are_refused(forces, tmp_path: Path) -> None:
    assert district_forces(forces) == {"OX4": "TV", "SN1": "WI"}
    with pytest.raises(ContractError):
        merge_extracts({"T V": forces["TV"]}, tmp_path / "x")
    with pytest.raises(ContractError):
        merge_extracts({"TV": forces["TV"], "tv": forces["WI"]}, tmp_path / "x")
    with pytest.raises(ContractError):
        merge_extracts({"TV": tmp_path / "nowhere"}, tmp_path / "x")


def test_one_force_keeps_its_ids_and_prefixes_only_its_lpas(forces, tmp_path: Path) -> None:
    out = tmp_path / "one"
    merge_extracts({"TV": forces["TV"]}, out)
    assert [p["person_id"] for p in read(out / "persons.csv")] == ["P1"]
    assert [r["lpa"] for r in read(out / "force_area.csv")] == ["TV:OXF"]


def test_the_loader_keeps_each_persons_force(tmp_path: Path) -> None:
    """The national extract's `source_force` reaches the loaded persons and the identity
    records (a run over several forces blocks on it); a force's own extract loads as before."""
    out = tmp_path / "national"
    merge_extracts({"TV": CONTRACT_EXTRACT, "WI": CONTRACT_EXTRACT}, out)
    national = DuckDBBackend(duckdb.connect())
    load_extract(out, national, quarantine_dir=tmp_path / "q1")
    assert SOURCE_FORCE in national.columns("persons")
    assert SOURCE_FORCE not in national.columns("prisoners")  # the prison side is no force's
    assert national.fetch_tuples(
        "SELECT count(*) FILTER (WHERE person_id LIKE 'TV:%' AND source_force = 'TV'), "
        "count(*) FILTER (WHERE person_id LIKE 'WI:%' AND source_force = 'WI'), count(*) "
        "FROM persons"
    ) == [(n := national.count("persons") // 2, n, 2 * n)]
    prepare_records(national)
    assert national.fetch_tuples(
        f"SELECT DISTINCT source_force FROM {NOMINAL_RECORDS} ORDER BY 1"
    ) == [("TV",), ("WI",)]

    own = DuckDBBackend(duckdb.connect())
    load_extract(CONTRACT_EXTRACT, own, quarantine_dir=tmp_path / "q2")
    assert national.columns("persons") == [*own.columns("persons")[:-1], SOURCE_FORCE, "_row"]
    prepare_records(own)
    assert own.fetch_tuples(f"SELECT DISTINCT source_force FROM {NOMINAL_RECORDS}") == [(None,)]
