"""`paramount casework demo-progress`: the demo's cases walked through the real workflow, so
the lead's funnel tapers; refused outside the demo. The demo reads like a live force: a run
imported with `--demo-daily` opens each day's cases the next morning, and the walk-through
dates each step a believable while after the one before, never in the future."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from casework_factories import child_row, make_world, write_run
from typer.testing import CliRunner

from paramount.casework.codes import CaseState
from paramount.casework.models import Case, CaseEvent, IdentificationRun
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
        for i in range(n)
    ]


def test_demo_progress_makes_a_tapering_funnel_and_only_in_the_demo(tmp_path, settings):
    world = make_world()
    folder = write_run(tmp_path / "run", _rows(80))
    settings.DEMO = True
    result = runner.invoke(app, ["casework", "import", str(folder), "--force", "TST",
                                 "--demo-daily"])
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
    contact = time_to_first_contact(world["supervisor"]).overall
    assert contact["cases"] > 0 and 2 <= contact["median_days"] <= 10, contact

    # Again: only new cases are touched, and the same draw leaves them new.
    result = runner.invoke(app, ["casework", "demo-progress", "--force", "TST", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert funnel(world["supervisor"]).stages == report.stages


def _recent_rows(today: date) -> list[dict[str, str]]:
    """Receptions over the last 60 days up to yesterday, as a live force's would be."""
    rows = _rows(60)
    for i, row in enumerate(rows):
        row["reception_date"] = (today - timedelta(days=1 + i)).isoformat()
    return rows


def test_the_demo_reads_like_a_live_force(tmp_path, settings):
    """Cases opened the morning after their reception, one daily run per day; every event
    in order and in the past; recent cases are still at their early stages."""
    world = make_world()
    from django.utils import timezone

    today = timezone.localdate()
    folder = write_run(tmp_path / "run", _recent_rows(today))
    settings.DEMO = False
    result = runner.invoke(app, ["casework", "import", str(folder), "--force", "TST",
                                 "--demo-daily"])
    assert result.exit_code == 2 and not Case.objects.exists()  # demo only

    settings.DEMO = True
    result = runner.invoke(app, ["casework", "import", str(folder), "--force", "TST",
                                 "--demo-daily"])
    assert result.exit_code == 0, result.output
    assert IdentificationRun.objects.filter(force=world.force).count() == 60
    for case in Case.objects.filter(force=world.force):
        received = min(cc.reception.reception_date for cc in case.case_children.all())
        assert case.opened_at.date() == received + timedelta(days=1)
    result = runner.invoke(app, ["casework", "import", str(folder), "--force", "TST",
                                 "--demo-daily"])
    assert result.exit_code == 0 and Case.objects.count() == 60  # again: nothing duplicated

    result = runner.invoke(app, ["casework", "demo-progress", "--force", "TST", "--seed", "3"])
    assert result.exit_code == 0, result.output
    now = timezone.now()
    for case in Case.objects.filter(force=world.force):
        moments = [e.at for e in case.events.order_by("id")]
        assert moments == sorted(moments), case.reference
        assert moments[0] == case.opened_at and moments[-1] <= now
        if case.first_contact_at:
            assert case.first_contact_at >= case.opened_at
    contact = time_to_first_contact(world["supervisor"]).overall
    assert contact["cases"] > 0 and contact["median_days"] <= 10, contact
    yesterday = Case.objects.get(opened_at__date=today)
    assert yesterday.state in (CaseState.NEW, CaseState.CHECKS, CaseState.READY)


def test_the_demo_checkers_record_what_the_synthetic_truth_says(tmp_path, settings):
    """With `--judged RUN` the checker confirms each checked row the truth judged RIGHT and
    rejects the rest as not the prisoner's child; a family whose every child is rejected is
    not approached."""
    from paramount.casework.codes import REJECTED
    from paramount.casework.models import CaseChild

    world = make_world()
    rows = _rows(40)
    folder = write_run(tmp_path / "run", rows)
    wrong = {i for i in range(40) if i % 4 == 0}  # row_id is 1-based, as evaluate writes it
    (folder / "judged.csv").write_text(
        "row_id,booking_id,individual_id,confidence,sources,verdict,relationship,lives_with\n"
        + "".join(f"{i + 1},{r['booking_id']},I{i},0.97,RMS_RELATIONSHIP,"
                  f"{'WRONG' if i in wrong else 'RIGHT'},,\n" for i, r in enumerate(rows))
        + ",B9,I99,,,MISSED,BIRTH_PARENT,Y\n"
    )
    settings.DEMO = True
    assert runner.invoke(app, ["casework", "import", str(folder), "--force", "TST",
                               "--demo-daily"]).exit_code == 0
    result = runner.invoke(app, ["casework", "demo-progress", "--force", "TST", "--seed", "7",
                                 "--judged", str(folder)])
    assert result.exit_code == 0, result.output
    judged = CaseChild.objects.filter(case__force=world.force).exclude(verdict="")
    assert judged.exists()
    for row in judged.select_related("reception"):
        i = int(row.reception.booking_id[1:]) - 2000
        assert (row.verdict == REJECTED) == (i in wrong), (i, row.verdict)
        assert row.verdict != REJECTED or row.verdict_reason == "NOT_RELATED"
    rejected_cases = {r.case_id for r in judged if r.verdict == REJECTED}
    assert all(Case.objects.get(pk=pk).not_approached_reason in ("", "not_affected")
               for pk in rejected_cases)
    assert any(Case.objects.get(pk=pk).not_approached_reason == "not_affected"
               for pk in rejected_cases)
