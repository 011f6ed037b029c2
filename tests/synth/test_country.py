"""The synthetic country: neighbouring forces sharing one world and one prison system, each
extract in its own colliding ids, families across borders, truth per force and national.
Three forces of 6,000 residents take a few seconds."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from paramount.contract.tables import EXTRACT_TABLES, TRUTH_TABLES
from paramount.synth.country import RING, force_lpas, generate_country

FORCES = ("F1", "F2", "F3")


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("country")
    summary = generate_country(3, 6_000, 21, out)
    return out, summary


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_force_lpas_share_the_ring_out_consecutively() -> None:
    for n in range(1, len(RING) + 1):
        groups = force_lpas(n)
        assert list(groups) == [f"F{i + 1}" for i in range(n)]
        assert all(groups.values()), "every force has an LPA"
        assert tuple(lpa for g in groups.values() for lpa in g) == RING
    with pytest.raises(ValueError):
        force_lpas(len(RING) + 1)


def test_each_force_is_a_whole_extract_with_its_own_area(country) -> None:
    out, summary = country
    districts: list[str] = []
    for code in FORCES:
        for name in EXTRACT_TABLES:
            assert (out / code / "extract" / f"{name}.csv").exists(), (code, name)
        for name in TRUTH_TABLES:
            assert (out / code / "truth" / f"{name}.csv").exists(), (code, name)
            assert (out / code / "truth-national" / f"{name}.csv").exists(), (code, name)
        area = rows(out / code / "extract" / "force_area.csv")
        assert {r["lpa"] for r in area} == set(summary.forces[code])
        districts += [r["postcode_district"] for r in area]
    assert len(districts) == len(set(districts)), "no district is in two forces"


def test_prison_side_is_national_and_rms_ids_collide(country) -> None:
    out, _ = country
    prison = {
        code: (out / code / "extract" / "prison_movements.csv").read_bytes() for code in FORCES
    }
    assert len(set(prison.values())) == 1
    truth = {code: rows(out / code / "truth" / "rms_persons.csv") for code in FORCES}
    first = {r["person_id"]: r["individual_id"] for r in truth["F1"]}
    second = {r["person_id"]: r["individual_id"] for r in truth["F2"]}
    shared_ids = set(first) & set(second)
    assert shared_ids, "each force numbers its nominals from the same start"
    assert any(first[i] != second[i] for i in shared_ids), "the same id, different people"
    people = [set(r["individual_id"] for r in truth[c]) for c in FORCES]
    assert people[0] & people[1] or people[1] & people[2], "someone known to two forces"


def test_every_reference_stays_inside_its_force(country) -> None:
    out, _ = country
    for code in FORCES:
        con = duckdb.connect()
        for name in ("persons", "relationships", "occurrence_persons", "person_addresses"):
            con.execute(
                f"CREATE VIEW {name} AS SELECT * FROM read_csv("
                f"'{out / code / 'extract' / name}.csv', all_varchar = true)"
            )
        for table, column in (
            ("relationships", "person_id"),
            ("relationships", "related_person_id"),
            ("occurrence_persons", "person_id"),
            ("person_addresses", "person_id"),
        ):
            missing = con.execute(
                f"SELECT count(*) FROM {table} t WHERE t.{column} NOT IN "
                "(SELECT person_id FROM persons)"
            ).fetchall()[0][0]
            assert missing == 0, (code, table, column)


def test_truth_says_where_prisoner_and_child_live(country) -> None:
    out, summary = country
    national = rows(out / "truth" / "affected_children.csv")
    assert national and {"prisoner_force", "child_force"} <= set(national[0])
    crossing = [r for r in national if r["prisoner_force"] and r["child_force"]]
    crossing = [r for r in crossing if r["prisoner_force"] != r["child_force"]]
    assert crossing, "some children live in another force than their received parent"
    assert sum(n for (p, c), n in summary.affected.items() if p != c) >= len(crossing)
    for code in FORCES:
        alone = rows(out / code / "truth" / "affected_children.csv")
        nat = rows(out / code / "truth-national" / "affected_children.csv")
        assert len(alone) == len(nat) == len(national)
        for a, n, t in zip(alone, nat, national, strict=True):
            assert (a["in_area"] == "Y") == (t["prisoner_force"] == code)
            assert (n["in_area"] == "Y") == (t["child_force"] == code and t["prisoner_force"] != "")


def test_same_seed_same_country(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate_country(2, 3_000, 4, a)
    generate_country(2, 3_000, 4, b)
    files = sorted(p.relative_to(a) for p in a.rglob("*.csv"))
    assert len(files) > 2 * len(EXTRACT_TABLES)
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f


def test_near_share_keeps_separated_parents_in_their_childrens_force(tmp_path: Path) -> None:
    def crossing(summary) -> float:
        cross = sum(n for (p, c), n in summary.affected.items() if p != c)
        return cross / sum(summary.affected.values())

    anywhere = generate_country(3, 6_000, 21, tmp_path / "a")
    near = generate_country(3, 6_000, 21, tmp_path / "b", near_share=0.9)
    assert sum(near.affected.values()) == sum(anywhere.affected.values())
    assert crossing(near) < crossing(anywhere) / 2
