"""The loop closed, end to end: a synthetic force's half-year identified, imported into
casework, checked in Chromium (one child rejected as the prisoner's sibling, one confirmed),
the verdicts exported, and the force identified again with them: every verdict is matched
and used, and the rejected child is not listed again."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from casework_factories import make_world
from test_browser_journey import Session

from paramount.casework.models import Case, CaseChild
from paramount.casework.services.importing import import_run
from paramount.casework.services.verdicts import export_verdicts
from paramount.run import identify_extract
from paramount.synth import generate_force

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FIRST_HALF = (date(2025, 1, 1), date(2025, 6, 30))
SECOND_HALF = (date(2025, 7, 1), date(2025, 12, 31))
METHOD = "routes-exact"  # every route and the decision, without Splink's training time


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 10,000-person force and its first half-year's run folder."""
    root = tmp_path_factory.mktemp("loop")
    generate_force(10_000, 35, root / "force")
    extract = root / "force" / "extract"
    identify_extract(
        extract, root / "first", date_from=FIRST_HALF[0], date_to=FIRST_HALF[1],
        method=METHOD, db=root / "force.duckdb",
    )  # fmt: skip
    return extract, root


def test_verdicts_from_the_browser_reach_the_next_identification(
    browser, axe_source, live_server, settings, listed: tuple[Path, Path]
) -> None:
    extract, root = listed
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    world = make_world()
    import_run(root / "first", force=world.force, user=world["analyst"])
    case = max(Case.objects.all(), key=lambda c: c.case_children.count())
    children = list(
        CaseChild.objects.filter(case=case).select_related("child").order_by("child__forenames")
    )
    assert len(children) >= 2, "the force's largest family should have two children"
    sibling, confirmed = children[0].child, children[1].child

    checker = Session(browser, live_server.url, axe_source)
    checker.sign_in("checker")
    checker.page.wait_for_url(re.compile(r"/cases/$"))
    page = checker.page
    page.get_by_role("link", name=case.reference).click()
    for child, verdict in ((sibling, "Rejected"), (confirmed, "Confirmed")):
        name = f"Record verdict for {child.forenames} {child.surname}"
        page.get_by_role("link", name=name).first.click()
        page.wait_for_url(re.compile(r"/verdict/$"))
        page.get_by_label(re.compile(f"^{verdict}")).check()
        if verdict == "Rejected":
            page.get_by_label("Why is the child rejected?").select_option("SIBLING")
        page.get_by_role("button", name="Save verdict").click()
        assert "Verdict recorded" in page.content()
    checker.close()
    assert not checker.csp_errors, checker.csp_errors

    out = io.StringIO()
    exported = export_verdicts(out, force=world.force, user=world["supervisor"])
    assert (exported.confirmed, exported.rejected) == (1, 1)
    verdicts = root / "verdicts.csv"
    verdicts.write_text(out.getvalue(), encoding="utf-8")
    rejected = next(r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["reason"])

    # the next half-year, with the verdicts: every one matched and used as a label
    after = identify_extract(
        extract, root / "second", date_from=SECOND_HALF[0], date_to=SECOND_HALF[1],
        method=METHOD, db=root / "force.duckdb", verdicts=[verdicts],
    )  # fmt: skip
    learnt = after.verdicts
    assert learnt is not None and learnt.problems == []
    assert (learnt.matched, learnt.correction.labels, learnt.held) == (2, 2, 1)
    # and the first half-year again: the sibling is not listed, for work or for review
    again = identify_extract(
        extract, root / "again", date_from=FIRST_HALF[0], date_to=FIRST_HALF[1],
        method=METHOD, db=root / "force.duckdb", verdicts=[verdicts],
    )  # fmt: skip
    ids = set(rejected["child_person_ids"].split(";"))
    for table in (again.identification.children, again.identification.review):
        assert table is not None
        for row in table.to_pylist():
            if row["booking_id"] == rejected["booking_id"]:
                assert not ids & set((row["child_person_ids"] or "").split(";"))
