"""The board report (`paramount report`, the dashboard's button): its figures from casework
and the imported runs' day figures, small counts hidden wherever the report may leave the
force, who may make it, and the PDF a board member reads."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from casework_factories import child_row, make_world, write_run
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from typer.testing import CliRunner

from paramount.casework.board_report import context, render_html, write_board_report
from paramount.casework.models import AuditRecord, CaseChild, DayFigure
from paramount.casework.selectors.board import board_figures, board_figures_for_force
from paramount.casework.services import verdicts as v
from paramount.casework.services.importing import import_run
from paramount.cli import app

pytestmark = pytest.mark.django_db
PERIOD = (date(2025, 1, 1), date(2025, 3, 31))
FIGURE_COLUMNS = ("reception_date", "measure", "parent_sex", "child_age_band", "count")


def _figures(folder: Path, rows: list[tuple[str, str, str, str, int]]) -> None:
    with (folder / "figures.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(FIGURE_COLUMNS)
        writer.writerows(rows)


def _run(tmp_path: Path, name: str, rows: list[dict], figures: list, window=PERIOD) -> Path:
    folder = write_run(tmp_path / name, rows, window=window)
    _figures(folder, figures)
    return folder


def _children(month: str, n: int, *, start: int, sources: str, booking: str) -> list[dict]:
    return [
        child_row(child_ids=f"P{start + i}", forenames=f"Kid{start + i}", dob="2016-01-01",
                  prisoner=f"A{booking[-4:]}BC", booking=booking, received=f"{month}-10",
                  sources=sources, confidence="0.995")
        for i in range(n)
    ]


@pytest.fixture
def force(tmp_path):
    """January: 12 children of one reception by two routes; February: 3 of another (a
    small count); March none. The runs' figures: receptions and the baseline's count."""
    world = make_world()
    rows = (_children("2025-01", 12, start=100, sources="RMS_RELATIONSHIP;CO_RESIDENCE",
                      booking="B0001")
            + _children("2025-02", 3, start=200, sources="PRISON_CONTACT", booking="B0002"))
    figures = [("2025-01-10", "receptions", "M", "", 40), ("2025-02-10", "receptions", "F", "", 30),
               ("2025-03-03", "receptions", "M", "", 25),
               ("2025-01-10", "baseline_children", "M", "5-9", 6),
               ("2025-02-10", "baseline_children", "F", "5-9", 2)]
    import_run(_run(tmp_path, "run", rows, figures), force=world.force)
    return world


def test_the_figures_count_children_by_month_route_and_beside_the_original_process(force):
    f = board_figures_for_force(force.force, *PERIOD)
    assert f.months == ["2025-01", "2025-02", "2025-03"]
    assert f.identified_by_month == {"2025-01": 12, "2025-02": 3, "2025-03": 0}
    assert f.routes == {"RMS_RELATIONSHIP": 12, "CO_RESIDENCE": 12, "PRISON_CONTACT": 3}
    assert f.baseline_by_month == {"2025-01": 6, "2025-02": 2, "2025-03": 0}
    assert f.receptions_by_month == {"2025-01": 40, "2025-02": 30, "2025-03": 25}
    assert (f.identified, f.baseline) == (15, 8)
    assert f.funnel["identified"] == 2  # two families (cases)
    # a period outside the runs' windows knows no baseline rather than saying none
    later = board_figures_for_force(force.force, date(2025, 5, 1), date(2025, 5, 31))
    assert later.baseline_by_month == {"2025-05": None} and later.baseline is None


def test_a_later_run_replaces_the_days_it_covers_instead_of_adding_to_them(force, tmp_path):
    again = [("2025-01-10", "receptions", "M", "", 41),
             ("2025-01-10", "baseline_children", "M", "5-9", 7)]
    import_run(_run(tmp_path, "rerun", [child_row(child_ids="P100", received="2025-01-10")],
                    again, window=(date(2025, 1, 1), date(2025, 1, 31))), force=force.force)
    f = board_figures_for_force(force.force, *PERIOD)
    assert f.receptions_by_month == {"2025-01": 41, "2025-02": 30, "2025-03": 25}
    assert f.baseline_by_month["2025-01"] == 7
    assert DayFigure.objects.filter(force=force.force, day=date(2025, 1, 10)).count() == 2


def test_a_bad_figures_file_is_refused_with_its_row_and_field(tmp_path):
    world = make_world()
    folder = _run(tmp_path, "bad", [child_row(child_ids="P1")],
                  [("2025-01-10", "receptions", "M", "", 4),
                   ("2025-01-11", "receptions", "X", "", 1)])
    with pytest.raises(ValidationError, match=r"figures\.csv row 3: field parent_sex"):
        import_run(folder, force=world.force)
    assert not CaseChild.objects.exists()  # all or nothing


def test_the_checkers_measured_precision_by_band_sits_beside_the_stated(force):
    rows = list(CaseChild.objects.filter(case__force=force.force).order_by("pk"))
    for row in rows[:9]:
        v.record_verdict(user=force["checker"], case_child=row, verdict="CONFIRMED")
    v.record_verdict(user=force["checker"], case_child=rows[9], verdict="REJECTED",
                     reason="SIBLING")
    f = board_figures_for_force(force.force, *PERIOD)
    (band,) = f.precision
    assert (band.low, band.judged, band.confirmed, f.rejected) == (0.99, 10, 9, 1)
    assert band.stated == pytest.approx(0.995)
    assert band.interval[0] < 0.9 < band.interval[1] <= 1.0


def test_counts_under_five_never_leave_the_force(force):
    shown = context(board_figures_for_force(force.force, *PERIOD))
    months = {m: (found, base) for m, found, base, _ in shown["months"]}
    # February's 3 children are hidden, and so is one more cell so that 3 cannot be worked
    # out from the total; the baseline's 2 is hidden too
    assert months["2025-02"] == ("<5", "<5")
    assert months["2025-03"][0] == "<5" or months["2025-01"][0] == "<5"
    assert ("Prison contacts", "<5") in shown["routes"]
    html = render_html(board_figures_for_force(force.force, *PERIOD))
    assert "Fictus" not in html and "P100" not in html and "B0001" not in html


def test_only_supervisors_and_analysts_make_it_and_every_making_is_audited(force):
    with pytest.raises(PermissionDenied):
        board_figures(force["champion"], *PERIOD)
    assert AuditRecord.objects.filter(actor=force["champion"], action="refused").exists()
    board_figures(force["supervisor"], *PERIOD)
    assert AuditRecord.objects.filter(actor=force["supervisor"], object_type="report",
                                      object_ref="board_report").exists()


def test_the_report_is_html_and_the_same_as_pdf_with_every_chart_described(force, tmp_path):
    written = write_board_report(board_figures_for_force(force.force, *PERIOD), tmp_path / "r")
    assert written.pdf.read_bytes().startswith(b"%PDF")
    html = written.html.read_text()
    assert html.count('<img src="data:image/svg+xml;base64,') == html.count('alt="Bar chart')
    assert html.count("<img") >= 4  # month, routes, funnel, days to contact
    assert "Test Valley Police" in html and "1 January 2025 to 31 March 2025" in html


def test_the_command_line_writes_both_files_and_says_where(force, tmp_path):
    result = CliRunner().invoke(app, ["report", "--from", "2025-01-01", "--to", "2025-03-31",
                                      "--out", str(tmp_path / "board"), "--force", "TST"])
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in (tmp_path / "board").iterdir()) == [".html", ".pdf"]
    assert "PDF:" in result.output
    assert AuditRecord.objects.filter(actor_username="cli", object_ref="board_report").exists()
    refused = CliRunner().invoke(app, ["report", "--from", "2025-03-31", "--to", "2025-01-01",
                                       "--out", str(tmp_path / "x")])
    assert refused.exit_code == 2 and "before it starts" in refused.output


def test_the_dashboard_button_gives_a_supervisor_the_pdf_and_refuses_a_champion(
    force, settings
) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False  # signed in by the test, not by TOTP
    supervisor = Client()
    supervisor.force_login(force["supervisor"])
    response = supervisor.get("/board-report.pdf?from=2025-01-01&to=2025-03-31")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "board-report-TST-2025-01-01-2025-03-31.pdf" in response["Content-Disposition"]
    assert supervisor.get("/board-report.pdf?from=2025-13-01").status_code == 400
    champion = Client()
    champion.force_login(force["champion"])
    assert champion.get("/board-report.pdf").status_code == 403


def test_delivery_models_are_compared_with_their_counts_and_intervals(force):
    from paramount.casework.codes import DeliveryModel, SocialCareStatus
    from paramount.casework.models import Case
    from paramount.casework.services import workflow as wf

    for case in Case.objects.filter(force=force.force):
        for row in case.case_children.all():
            wf.record_child_check(user=force["checker"], case_child=row,
                                  social_care_status=SocialCareStatus.NOT_KNOWN)
        wf.complete_checks(user=force["checker"], case=case)
        wf.allocate_case(user=force["supervisor"], case=case, champion=force["champion"],
                         delivery_model=DeliveryModel.NEIGHBOURHOOD_TEAM)
    figures = board_figures_for_force(force.force, *PERIOD)
    team = {f.code: f for f in figures.delivery}[DeliveryModel.NEIGHBOURHOOD_TEAM]
    assert (team.cases, team.reached) == (2, 0)
    shown = context(figures)
    (row,) = shown["delivery"]  # models with no case are left out
    assert row["label"] == "Neighbourhood policing team" and row["cases"] == "<5"
    assert row["reached"] == "0 of <5"  # no share over fewer than 5 families
    html = render_html(figures)
    assert "5. Delivery models compared" in html and "7. How often the list was right" in html
