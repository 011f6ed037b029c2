"""National figures: a force's quarters in long form that a national body sums across forces,
small counts suppressed (and any cell that would give one away), partial quarters said so."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from casework_factories import child_row, make_world, write_run
from typer.testing import CliRunner

from paramount.casework.models import AuditRecord
from paramount.casework.selectors.national_figures import COLUMNS, quarterly_figures
from paramount.casework.services.importing import import_run
from paramount.cli import app

pytestmark = pytest.mark.django_db
FIGURES = ("reception_date", "measure", "parent_sex", "child_age_band", "count")


def _import(tmp_path: Path, force, name: str, figures: list, window: tuple[date, date]) -> None:
    folder = write_run(tmp_path / name, [child_row(child_ids=f"{name}-1")], window=window)
    with (folder / "figures.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(FIGURES)
        writer.writerows(figures)
    import_run(folder, force=force)


# Q1 2025 whole: 60 receptions (50 men, 10 women), 30 parents found (27, 3), 48 children:
# fathers' 20 aged 5-9, 22 aged 10-15 and 1 unknown; mothers' 5 aged 0-4.
Q1 = [
    ("2025-01-15", "receptions", "M", "", 50), ("2025-02-15", "receptions", "F", "", 10),
    ("2025-01-15", "parents_found", "M", "", 27), ("2025-02-15", "parents_found", "F", "", 3),
    ("2025-01-15", "children_found", "M", "5-9", 20),
    ("2025-01-15", "children_found", "M", "10-15", 22),
    ("2025-01-15", "children_found", "M", "", 1),
    ("2025-02-15", "children_found", "F", "0-4", 5),
]


def _cell(rows, quarter, measure, sex, band):
    (row,) = [r for r in rows if (r.quarter, r.measure, r.parent_sex, r.child_age_band)
              == (quarter, measure, sex, band)]
    return row


def test_totals_are_exact_and_small_cells_hidden_with_whatever_gives_them_away(tmp_path):
    world = make_world()
    _import(tmp_path, world.force, "q1", Q1, (date(2025, 1, 1), date(2025, 3, 31)))
    rows, (summary,) = quarterly_figures(world.force, date(2025, 1, 1), date(2025, 3, 31))
    assert (summary.receptions, summary.parents_found, summary.children_found) == (60, 30, 48)
    assert summary.per_100_receptions == pytest.approx(80.0)
    assert _cell(rows, "2025-Q1", "receptions", "ALL", "ALL").count == 60
    assert _cell(rows, "2025-Q1", "receptions", "F", "ALL").count == 10
    # 3 mothers found is small; with the total shown, the fathers' 27 would give it away
    assert _cell(rows, "2025-Q1", "parents_found", "F", "ALL").suppressed
    assert _cell(rows, "2025-Q1", "parents_found", "M", "ALL").count is None
    assert _cell(rows, "2025-Q1", "parents_found", "ALL", "ALL").count == 30
    # the one child of unknown age is hidden, and another band so it cannot be worked out
    bands = {r.child_age_band: r.count for r in rows if r.measure == "children_found"
             and r.parent_sex == "ALL" and r.child_age_band != "ALL"}
    assert bands["unknown"] is None and sum(v is None for v in bands.values()) >= 2
    assert all(r.count is None or r.count == 0 or r.count >= 5 for r in rows)
    assert {(r.days_covered, r.days_in_quarter) for r in rows} == {(90, 90)}


def test_a_partial_quarter_says_how_many_of_its_days_a_run_covered(tmp_path):
    world = make_world()
    _import(tmp_path, world.force, "jan", [("2025-01-15", "receptions", "M", "", 9)],
            (date(2025, 1, 1), date(2025, 1, 31)))
    rows, _ = quarterly_figures(world.force, date(2025, 1, 1), date(2025, 6, 30))
    assert {r.quarter: (r.days_covered, r.days_in_quarter) for r in rows} == {
        "2025-Q1": (31, 90), "2025-Q2": (0, 91)}


def test_two_forces_files_sum_to_the_country_and_sit_beside_the_moj_estimate(tmp_path):
    world = make_world()
    window = (date(2025, 1, 1), date(2025, 3, 31))
    _import(tmp_path, world.force, "a", Q1, window)
    _import(tmp_path, world.other_force, "b", Q1, window)
    files = []
    for code in ("TST", "OTH"):
        out = tmp_path / f"{code}.csv"
        result = CliRunner().invoke(app, ["casework", "national-figures", "--from", "2025-01-01",
                                          "--to", "2025-03-31", "--out", str(out),
                                          "--force", code])
        assert result.exit_code == 0, result.output
        assert "192,912 children of 108,990 parents" in result.output
        assert "2025-Q1" in result.output and "80.0" in result.output
        files.append(out)
    country: Counter = Counter()
    for path in files:
        with path.open(newline="") as f:
            reader = csv.DictReader(f)
            assert tuple(reader.fieldnames or ()) == COLUMNS
            for row in reader:
                if row["count"]:
                    key = (row["quarter"], row["measure"], row["parent_sex"],
                           row["child_age_band"])
                    country[key] += int(row["count"])
    assert country[("2025-Q1", "children_found", "ALL", "ALL")] == 96
    assert country[("2025-Q1", "receptions", "M", "ALL")] == 100
    assert AuditRecord.objects.filter(object_ref="national_figures",
                                      actor_username="cli").count() == 2
