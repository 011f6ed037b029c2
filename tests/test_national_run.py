"""`identify_national`: several forces in one run. One force through it lists what a run on
its own extract lists; over a country, a child living in one force whose parent lives in
another is listed for the child's force, in its ids, with both forces named. Exact identity
(`routes-exact`) keeps it to seconds; the full method is measured in docs/benchmarks.md."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from paramount.evaluation import evaluate
from paramount.run import identify_extract, identify_national
from paramount.synth.country import generate_country

pytestmark = pytest.mark.slow
WINDOW = {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}
METHOD = "routes-exact"
FORCES = ("F1", "F2", "F3")


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("country")
    generate_country(3, 12_000, 5, root)
    return root


@pytest.fixture(scope="module")
def national(country: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("national")
    forces = {code: country / code / "extract" for code in FORCES}
    return identify_national(forces, out, method=METHOD, **WINDOW)


@pytest.fixture(scope="module")
def alone(country: Path, tmp_path_factory: pytest.TempPathFactory):
    """F3 identified on its own extract, as a force runs today."""
    out = tmp_path_factory.mktemp("alone")
    return identify_extract(country / "F3" / "extract", out, method=METHOD, **WINDOW)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_one_force_alone_lists_the_same_children(alone, country: Path, tmp_path: Path) -> None:
    extract = country / "F3" / "extract"
    one = identify_national({"F3": extract}, tmp_path / "one", method=METHOD, **WINDOW)
    before, after = rows(alone.children_csv), rows(one.forces["F3"].children_csv)
    assert before, "the force lists children"
    added = {"child_force", "prisoner_force"} | {c for c in after[0] if c.endswith("_forces")}
    assert [{k: v for k, v in r.items() if k not in added} for r in after] == before
    assert {r["child_force"] for r in after} == {"F3"}
    assert not any(r["child_person_ids_other_forces"] for r in after)


def test_each_force_gets_the_children_living_in_it(national, country: Path) -> None:
    districts = {
        code: {r["postcode_district"] for r in rows(country / code / "extract" / "force_area.csv")}
        for code in FORCES
    }
    crossing = 0
    for code in FORCES:
        result = national.forces[code]
        assert result.worklist.exists() and result.manifest.exists()
        listed = rows(result.children_csv)
        assert result.children == len(listed)
        persons = {r["person_id"] for r in rows(country / code / "extract" / "persons.csv")}
        for r in listed:
            assert r["child_force"] == code
            if r["postcode"]:
                assert r["postcode"].split()[0] in districts[code]
            # the force's own ids only, each one of its nominals
            for pid in filter(None, r["child_person_ids"].split(";")):
                assert pid in persons
            crossing += r["prisoner_force"] != code
        assert result.from_other_forces == sum(r["prisoner_force"] != code for r in listed)
    assert crossing, "children of another force's prisoners are listed where they live"


def test_the_national_run_finds_children_a_force_alone_cannot(
    national, country: Path, tmp_path: Path
) -> None:
    """Scored against the children who live in the force: the national list finds more."""
    start, end = WINDOW["date_from"], WINDOW["date_to"]
    alone = identify_extract(
        country / "F3" / "extract", tmp_path / "alone", method=METHOD, **WINDOW
    )
    truth = country / "F3" / "truth-national"
    by_itself = evaluate(alone.children_csv, truth, start, end)
    together = evaluate(national.forces["F3"].children_csv, truth, start, end)
    assert together.found_identifiable > by_itself.found_identifiable
    assert together.precision >= 0.8


def _figures(path: Path) -> dict[tuple[str, str, str, str], int]:
    return {
        (r["reception_date"], r["measure"], r["parent_sex"], r["child_age_band"]): int(r["count"])
        for r in rows(path)
    }


def _by_measure(figures: dict[tuple[str, str, str, str], int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for (_, measure, _, _), n in figures.items():
        out[measure] = out.get(measure, 0) + n
    return out


def test_each_force_gets_its_own_figures_and_they_sum_to_the_countrys(national) -> None:
    """Each force's figures.csv counts the receptions of prisoners living in its area and the
    children listed for it (a child of another force's prisoner under that parent's sex),
    beside the baseline shared out the same way; over the forces they make the national run's."""
    country = _by_measure(_figures(national.national.figures_csv))
    summed: dict[str, int] = {}
    for code in FORCES:
        result = national.forces[code]
        assert result.figures_csv is not None and result.figures_csv.exists()
        figures = _figures(result.figures_csv)
        manifest = result.manifest.read_text(encoding="utf-8")
        assert "figures.csv" in manifest
        listed = rows(result.children_csv)
        assert sum(n for k, n in figures.items() if k[1] == "children_found") == len(listed)
        received = sum(n for k, n in figures.items() if k[1] == "receptions")
        prisoners_here = {r["booking_id"] for r in listed if r["prisoner_force"] == code}
        assert received >= len(prisoners_here) > 0
        # a child of another force's prisoner keeps the parent's sex (not "unknown")
        assert not any(k[1] == "children_found" and k[2] == "" for k in figures)
        for measure, n in _by_measure(figures).items():
            summed[measure] = summed.get(measure, 0) + n
    assert summed["receptions"] == country["receptions"]
    assert summed["children_found"] == country["children_found"]
    assert summed["baseline_children"] == country["baseline_children"]
