"""`paramount casework demo-progress`: the demo's cases walked through the real workflow, so
the lead's funnel tapers; refused outside the demo."""

from __future__ import annotations

from itertools import pairwise

import pytest
from casework_factories import child_row, make_world, write_run
from typer.testing import CliRunner

from paramount.casework.codes import CaseState
from paramount.casework.models import Case, CaseEvent
from paramount.casework.selectors.reports import funnel, time_to_first_contact
from paramount.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _rows(n: int) -> list[dict[str, str]]:
    return [
        child_row(
            child_ids=f"P{i}", forenames=f"Tia{chr(65 + i % 26)}{chr(65 + i // 26)}",
            dob=f"201{i % 10}-0{1 + i % 9}-1{i % 10}", prisoner=f"A{1000 + i}BC",
            booking=f"B{2000 + i}", received=f"2025-0{1 + i % 3}-1{i % 10}",
            address=f"{i} Imaginary Road, {'Northtown' if i % 2 else 'Southtown'}",
            postcode=f"NT{i} 1AA", lpa="N1" if i % 2 else "S1",
        )
        for i in range(80)
    ]


def test_demo_progress_makes_a_tapering_funnel_and_only_in_the_demo(tmp_path, settings):
    world = make_world()
    folder = write_run(tmp_path / "run", _rows(80))
    result = runner.invoke(app, ["casework", "import", str(folder), "--force", "TST",
                                 "--as", "analyst"])
    assert result.exit_code == 0, result.output
    assert Case.objects.filter(force=world.force, state=CaseState.NEW).count() == 80

    settings.DEMO = False
    events = CaseEvent.objects.count()
    result = runner.invoke(app, ["casework", "demo-progress", "--force", "TST"])
    assert result.exit_code != 0
    assert CaseEvent.objects.count() == events
    assert Case.objects.filter(force=world.force, state=CaseState.NEW).count() == 80

    settings.DEMO = True
    result = runner.invoke(app, ["casework", "demo-progress", "--force", "TST", "--seed", "7"])
    assert result.exit_code == 0, result.output
    report = funnel(world["supervisor"])
    counts = list(report.stages.values())
    assert counts[0] == 80, report.stages
    assert all(b <= a for a, b in pairwise(counts)), report.stages
    assert counts[1] < counts[0] and report.stages["referred"] > 0, report.stages
    assert report.outcomes, report.outcomes
    assert time_to_first_contact(world["supervisor"]).overall["cases"] > 0

    # Again: only new cases are touched, and the same draw leaves them new.
    result = runner.invoke(app, ["casework", "demo-progress", "--force", "TST", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert funnel(world["supervisor"]).stages == report.stages
