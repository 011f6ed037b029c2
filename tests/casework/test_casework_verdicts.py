"""Verdicts (issue 12): recorded per child row as events with who and when, only by the roles
and at the stages `codes.VERDICT_RULE` allows; a rejected child leaves the family's
approach; a duplicate names another row of its own case; `export-verdicts` writes the
contract's columns for the signed-in force only, from `--since`, audited as a disclosure."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from casework_factories import child_row, make_world, write_run
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from typer.testing import CliRunner

from paramount.casework.codes import (
    AuditAction,
    CaseState,
    EventCode,
    ShareItem,
    SocialCareStatus,
)
from paramount.casework.models import AuditRecord, Case, CaseChild, CaseEvent
from paramount.casework.services import verdicts as v
from paramount.casework.services import workflow as wf
from paramount.casework.services.events import replay_verdicts
from paramount.casework.services.importing import import_run
from paramount.cli import app
from paramount.contract.tables import VERDICT_COLUMNS, VERDICT_EXTRA_COLUMNS

pytestmark = pytest.mark.django_db
HEADER = [*VERDICT_COLUMNS, *VERDICT_EXTRA_COLUMNS]


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def family(world, tmp_path: Path) -> Case:
    """Three children of one prisoner at one address: one case."""
    rows = [
        child_row(child_ids="P1", forenames="Tia", confidence="0.97",
                  child_partner_ids="SC1"),
        child_row(child_ids="P2", forenames="Leo", dob="2018-02-03", confidence="0.81"),
        child_row(child_ids="P3;P4", forenames="Tea", dob="2015-09-02", confidence="0.55"),
    ]
    import_run(write_run(tmp_path / "run", rows), force=world.force, user=world["analyst"])
    return Case.objects.get()


def _rows(case: Case) -> list[CaseChild]:
    return list(case.case_children.order_by("pk"))


def _export(force, **kwargs) -> tuple[list[dict[str, str]], list[str], v.VerdictExport]:
    out = io.StringIO()
    result = v.export_verdicts(out, force=force, **kwargs)
    reader = csv.DictReader(io.StringIO(out.getvalue()))
    return list(reader), list(reader.fieldnames or []), result


def test_a_verdict_is_an_event_with_actor_and_time_and_the_latest_wins(world, family) -> None:
    tia, leo, _tea = _rows(family)
    before = timezone.now()
    v.record_verdict(user=world["checker"], case_child=tia, verdict="CONFIRMED")
    v.record_verdict(user=world["checker"], case_child=leo, verdict="REJECTED",
                     reason="SIBLING")
    events = list(CaseEvent.objects.filter(case=family, code=EventCode.VERDICT_RECORDED))
    assert [(e.actor, e.payload["verdict"], e.payload["reason"]) for e in events] == [
        (world["checker"], "CONFIRMED", ""), (world["checker"], "REJECTED", "SIBLING")]
    assert all(e.at >= before for e in events)
    assert events[0].payload["child"] == tia.child.pseudonym
    leo.refresh_from_db()
    assert (leo.verdict, leo.verdict_reason, leo.verdict_by) == ("REJECTED", "SIBLING",
                                                                 world["checker"])

    # Changed later by a new event: the log keeps both, the current verdict is the latest.
    v.record_verdict(user=world["supervisor"], case_child=leo, verdict="CONFIRMED")
    leo.refresh_from_db()
    assert (leo.verdict, leo.verdict_reason, leo.verdict_by) == ("CONFIRMED", "",
                                                                 world["supervisor"])
    logged = CaseEvent.objects.filter(case=family, code=EventCode.VERDICT_RECORDED)
    assert logged.count() == 3
    assert logged.order_by("at", "id").last().payload["previous"] == "REJECTED"
    replayed = replay_verdicts(family)
    for cc in _rows(family):
        if cc.verdict:
            assert replayed[cc.pk]["verdict"] == cc.verdict
            assert replayed[cc.pk]["reason"] == cc.verdict_reason
            assert replayed[cc.pk]["actor_id"] == cc.verdict_by_id
    assert len(replayed) == 2


def test_only_permitted_roles_at_their_stage_may_record(world, family) -> None:
    tia = _rows(family)[0]
    for name in ("analyst", "partner", "evaluator", "auditor", "admin", "other_supervisor"):
        with pytest.raises(PermissionDenied):
            v.record_verdict(user=world[name], case_child=tia, verdict="CONFIRMED")
    # A champion before allocation: not theirs.
    with pytest.raises(PermissionDenied):
        v.record_verdict(user=world["champion"], case_child=tia, verdict="CONFIRMED")
    # A checker limited to another area than the case's.
    family.lpa = world.south
    family.save()
    with pytest.raises(PermissionDenied):
        v.record_verdict(user=world["checker_north"], case_child=tia, verdict="CONFIRMED")
    assert not CaseEvent.objects.filter(code=EventCode.VERDICT_RECORDED).exists()

    v.record_verdict(user=world["checker"], case_child=tia, verdict="CONFIRMED")
    for cc in _rows(family):
        wf.record_child_check(user=world["checker"], case_child=cc,
                              social_care_status=SocialCareStatus.NOT_KNOWN)
    wf.complete_checks(user=world["checker"], case=family)
    # After the checks, the checker no longer; the allocated champion (only) does.
    with pytest.raises(PermissionDenied):
        v.record_verdict(user=world["checker"], case_child=tia, verdict="REJECTED",
                         reason="NOT_RELATED")
    wf.allocate_case(user=world["supervisor"], case=family, champion=world["champion"])
    with pytest.raises(PermissionDenied):
        v.record_verdict(user=world["champion2"], case_child=tia, verdict="REJECTED",
                         reason="NOT_RELATED")
    v.record_verdict(user=world["champion"], case_child=tia, verdict="REJECTED",
                     reason="RELATIONSHIP_ENDED")
    tia.refresh_from_db()
    assert (tia.verdict_reason, tia.verdict_by) == ("RELATIONSHIP_ENDED", world["champion"])
    # A closed case takes no verdict.
    wf.close_case(user=world["supervisor"], case=family, outcome="no_contact")
    with pytest.raises(ValidationError):
        v.record_verdict(user=world["supervisor"], case_child=tia, verdict="CONFIRMED")


def test_bad_verdicts_are_refused_and_change_nothing(world, family) -> None:
    tia = _rows(family)[0]
    checker = world["checker"]
    for kwargs in (
        {"verdict": "MAYBE"},
        {"verdict": "REJECTED"},
        {"verdict": "REJECTED", "reason": "NOT_A_REASON"},
        {"verdict": "CONFIRMED", "reason": "SIBLING"},
        {"verdict": "REJECTED", "reason": "OTHER"},  # OTHER needs a note
        {"verdict": "REJECTED", "reason": "SIBLING", "duplicate_of": _rows(family)[1].pk},
    ):
        with pytest.raises(ValidationError):
            v.record_verdict(user=checker, case_child=tia, **kwargs)
    tia.refresh_from_db()
    assert tia.verdict == "" and not CaseEvent.objects.filter(
        code=EventCode.VERDICT_RECORDED).exists()
    v.record_verdict(user=checker, case_child=tia, verdict="REJECTED", reason="OTHER",
                     note="A foster placement that ended in 2020.")
    tia.refresh_from_db()
    assert tia.verdict_reason == "OTHER"


def test_a_duplicate_names_another_child_of_the_same_case(world, family, tmp_path) -> None:
    tia, leo, tea = _rows(family)
    # Another family's child (another prisoner): a case of its own.
    import_run(write_run(tmp_path / "other", [child_row(
        child_ids="Q1", surname="Imaginary", forenames="Ada", prisoner="Z9999ZZ",
        booking="B2002", address="9 Nowhere Lane", postcode="NT9 9ZZ")]),
        force=world.force, user=world["analyst"])
    stranger = CaseChild.objects.exclude(case=family).get()
    checker = world["checker"]
    for target in (None, tea.pk, stranger.pk, 10**9, "not a number"):
        with pytest.raises(ValidationError) as raised:
            v.record_verdict(user=checker, case_child=tea, verdict="REJECTED",
                             reason="DUPLICATE", duplicate_of=target)
        assert "duplicate_of" in raised.value.message_dict
    tea.refresh_from_db()
    assert tea.verdict == "" and tea.duplicate_of is None

    v.record_verdict(user=checker, case_child=tea, verdict="REJECTED", reason="DUPLICATE",
                     duplicate_of=tia.pk)
    tea.refresh_from_db()
    assert (tea.verdict_reason, tea.duplicate_of_id) == ("DUPLICATE", tia.pk)
    event = CaseEvent.objects.filter(code=EventCode.VERDICT_RECORDED).last()
    assert event.payload["duplicate_of"] == tia.pk
    assert event.payload["duplicate_of_child"] == tia.child.pseudonym
    # Not the other way round as well.
    with pytest.raises(ValidationError):
        v.record_verdict(user=checker, case_child=tia, verdict="REJECTED",
                         reason="DUPLICATE", duplicate_of=tea.pk)
    # A later verdict that is no duplicate clears the row it named.
    v.record_verdict(user=checker, case_child=tea, verdict="REJECTED", reason="NOT_RELATED")
    tea.refresh_from_db()
    assert tea.duplicate_of is None
    assert leo.verdict == ""


def test_rejecting_removes_the_child_from_the_approach_and_is_audited(world, family) -> None:
    tia, leo, tea = _rows(family)
    checker = world["checker"]
    v.record_verdict(user=checker, case_child=leo, verdict="REJECTED", reason="SIBLING")
    record = AuditRecord.objects.filter(child_ref=leo.child.pseudonym,
                                        action=AuditAction.CHANGE).first()
    assert record is not None and record.case_ref == family.reference
    assert record.detail["verdict"] == "REJECTED" and record.detail["approach"] == "removed"
    assert "Fictus" not in str(record.detail)

    # No check (and so no email to a social worker) about a rejected child.
    with pytest.raises(ValidationError):
        wf.record_child_check(user=checker, case_child=leo,
                              social_care_status=SocialCareStatus.CHILD_IN_NEED,
                              social_worker_email="worker@council.example")
    # The checks are complete without them.
    for cc in (tia, tea):
        wf.record_child_check(user=checker, case_child=cc,
                              social_care_status=SocialCareStatus.NOT_KNOWN)
    wf.complete_checks(user=checker, case=family)
    family.refresh_from_db()
    assert family.state == CaseState.READY

    wf.allocate_case(user=world["supervisor"], case=family, champion=world["champion"])
    champion = world["champion"]
    now = timezone.now()
    wf.record_contact_attempt(user=champion, case=family, at=now, method="phone",
                              outcome="visit_agreed")
    wf.record_visit(user=champion, case=family, visited_on=timezone.localdate(),
                    present="Mother", support_offered=True)
    # The family's agreement cannot name the rejected child.
    with pytest.raises(ValidationError) as raised:
        wf.record_agreement(user=champion, case=family, agreed_by_name="Rae Fictus",
                            agreed_by_relationship="mother", agreed_at=now,
                            children=[tia, leo], may_share=[ShareItem.CHILD_NAMES])
    assert "children" in raised.value.message_dict
    agreement = wf.record_agreement(
        user=champion, case=family, agreed_by_name="Rae Fictus",
        agreed_by_relationship="mother", agreed_at=now, children=[tia, tea],
        may_share=[ShareItem.CHILD_NAMES])
    # Tea turns out to be the prisoner's niece at the first visit: rejected by the champion,
    # and left out of the referral pack although the agreement named her.
    v.record_verdict(user=champion, case_child=tea, verdict="REJECTED",
                     reason="OTHER_RELATIVE")
    referral = wf.send_referral(user=champion, case=family, agreement=agreement)
    named = [c["forenames"] for c in referral.pack["children"]]
    assert named == ["Tia"]
    # A supervisor's safeguarding override leaves rejected children out too.
    override = wf.build_override_pack(family, world["supervisor"])
    assert [c["forenames"] for c in override["children"]] == ["Tia"]


def test_a_family_whose_children_are_all_rejected_is_not_approached(world, family) -> None:
    for cc in _rows(family):
        v.record_verdict(user=world["checker"], case_child=cc, verdict="REJECTED",
                         reason="NOT_RELATED")
    with pytest.raises(ValidationError) as raised:
        wf.complete_checks(user=world["checker"], case=family)
    assert "not to be approached" in " ".join(raised.value.messages)


def test_export_writes_the_contract_columns_for_the_force(world, family, tmp_path) -> None:
    tia, leo, tea = _rows(family)
    checker = world["checker"]
    v.record_verdict(user=checker, case_child=tia, verdict="CONFIRMED")
    v.record_verdict(user=checker, case_child=leo, verdict="REJECTED", reason="SIBLING")
    v.record_verdict(user=checker, case_child=tea, verdict="REJECTED", reason="DUPLICATE",
                     duplicate_of=tia)
    # Another force's verdict, on a child with the same ids: never in this force's file.
    import_run(write_run(tmp_path / "other", [child_row(child_ids="P1", forenames="Tia")]),
               force=world.other_force)
    elsewhere = CaseChild.objects.get(case__force=world.other_force)
    v.record_verdict(user=world["other_supervisor"], case_child=elsewhere,
                     verdict="REJECTED", reason="ADULT")

    rows, header, result = _export(world.force, user=world["supervisor"])
    assert header == HEADER
    assert (result.rows, result.confirmed, result.rejected, result.cases) == (3, 1, 2, 1)
    today = timezone.localdate().isoformat()
    by_name = {r["child_forenames"]: r for r in rows}
    assert set(by_name) == {"Tia", "Leo", "Tea"}
    assert by_name["Tia"] == {
        "booking_id": "B1001", "prisoner_number": "A1234BC", "child_person_ids": "P1",
        "child_partner_ids": "SC1", "child_surname": "Fictus", "child_forenames": "Tia",
        "child_date_of_birth": "2015-09-01", "verdict": "CONFIRMED", "reason": "",
        "checked_on": today, "duplicate_of_person_ids": "", "duplicate_of_partner_ids": "",
        "stated_confidence": "0.97", "force": "TST",
    }
    assert (by_name["Leo"]["verdict"], by_name["Leo"]["reason"]) == ("REJECTED", "SIBLING")
    assert by_name["Leo"]["stated_confidence"] == "0.81"
    tea_row = by_name["Tea"]
    assert (tea_row["reason"], tea_row["child_person_ids"]) == ("DUPLICATE", "P3;P4")
    assert (tea_row["duplicate_of_person_ids"], tea_row["duplicate_of_partner_ids"]) == (
        "P1", "SC1")
    assert all(r["force"] == "TST" and r["reason"] != "ADULT" for r in rows)

    other_rows, _, _ = _export(world.other_force, user=world["other_supervisor"])
    assert [(r["reason"], r["force"]) for r in other_rows] == [("ADULT", "OTH")]
    # Nobody exports another force's verdicts, nor a role that does not export.
    for name in ("checker", "champion", "partner", "evaluator", "auditor"):
        with pytest.raises(PermissionDenied):
            _export(world.force, user=world[name])
    with pytest.raises(PermissionDenied):
        _export(world.other_force, user=world["supervisor"])


def test_export_respects_since_and_is_audited_as_a_disclosure(world, family) -> None:
    tia, leo, _tea = _rows(family)
    v.record_verdict(user=world["checker"], case_child=tia, verdict="CONFIRMED")
    v.record_verdict(user=world["checker"], case_child=leo, verdict="REJECTED",
                     reason="NOT_BORN")
    # Tia's verdict dated ten days ago (as if recorded then).
    earlier = timezone.now() - timedelta(days=10)
    CaseChild.objects.filter(pk=tia.pk).update(verdict_at=earlier)
    today = timezone.localdate()

    rows, _, _ = _export(world.force, user=world["analyst"], since=today - timedelta(days=3))
    assert [r["child_forenames"] for r in rows] == ["Leo"]
    rows, _, _ = _export(world.force, user=world["analyst"], since=today - timedelta(days=10))
    assert [r["child_forenames"] for r in rows] == ["Tia", "Leo"]
    assert rows[0]["checked_on"] == timezone.localdate(earlier).isoformat()
    rows, _, _ = _export(world.force, user=world["analyst"], since=today + timedelta(days=1))
    assert rows == []

    records = list(AuditRecord.objects.filter(action=AuditAction.DISCLOSE,
                                              object_type="verdicts").order_by("at", "id"))
    assert [r.detail["rows"] for r in records] == [1, 2, 0]
    assert records[1].actor == world["analyst"] and records[1].recipient == "verdicts.csv"
    assert records[1].detail["refs"] == [family.reference]
    assert records[0].detail["since"] == (today - timedelta(days=3)).isoformat()
    assert "Fictus" not in str([r.detail for r in records])


def test_export_verdicts_from_the_command_line(world, family, tmp_path) -> None:
    tia, leo, _tea = _rows(family)
    v.record_verdict(user=world["checker"], case_child=tia, verdict="CONFIRMED")
    v.record_verdict(user=world["checker"], case_child=leo, verdict="REJECTED",
                     reason="SIBLING")
    out = tmp_path / "verdicts.csv"
    runner = CliRunner()
    result = runner.invoke(app, ["casework", "export-verdicts", str(out), "--force", "TST",
                                 "--as", "supervisor"])
    assert result.exit_code == 0, result.output
    assert "2 verdicts" in result.output and "Fictus" not in result.output
    with out.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames == HEADER
    assert sorted((r["child_forenames"], r["verdict"]) for r in rows) == [
        ("Leo", "REJECTED"), ("Tia", "CONFIRMED")]

    # As the deployer (no --as): the whole named force, and never another force's rows.
    import_run(write_run(tmp_path / "other", [child_row(child_ids="P1", forenames="Ana")]),
               force=world.other_force)
    v.record_verdict(user=world["other_supervisor"],
                     case_child=CaseChild.objects.get(case__force=world.other_force),
                     verdict="REJECTED", reason="ADULT")
    result = runner.invoke(app, ["casework", "export-verdicts", str(out), "--force", "TST"])
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as f:
        assert sorted((r["child_forenames"], r["force"]) for r in csv.DictReader(f)) == [
            ("Leo", "TST"), ("Tia", "TST")]

    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    result = runner.invoke(app, ["casework", "export-verdicts", str(out), "--force", "TST",
                                 "--since", tomorrow])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines() == [",".join(HEADER)]
    cli_record = AuditRecord.objects.filter(object_type="verdicts").order_by("at", "id").last()
    assert cli_record.actor is None and cli_record.actor_username == "cli"

    # A user of another force, a role that does not export, a bad date: refused.
    for args in (["--force", "TST", "--as", "other_supervisor"],
                 ["--force", "TST", "--as", "checker"],
                 ["--force", "TST", "--since", "last week"],
                 ["--force", "NOPE"]):
        result = runner.invoke(app, ["casework", "export-verdicts",
                                     str(tmp_path / "no.csv"), *args])
        assert result.exit_code != 0, args
        assert not (tmp_path / "no.csv").exists()


def test_the_verdict_page_and_the_download(world, family, client, settings) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    tia, leo, tea = _rows(family)
    client.force_login(world["checker"])
    page = f"/cases/{family.reference}/children/{leo.pk}/verdict/"
    response = client.get(page)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-app-reveals="conditional-rejected"' in text
    assert "The prisoner&#x27;s brother or sister" in text
    # Rejected without a reason: the error, and nothing recorded.
    response = client.post(page, {"verdict": "REJECTED", "reason": ""})
    assert response.status_code == 400 and "Select why the child is rejected" in (
        response.content.decode())
    response = client.post(page, {"verdict": "REJECTED", "reason": "SIBLING"})
    assert response.status_code == 302
    leo.refresh_from_db()
    assert (leo.verdict, leo.verdict_reason) == ("REJECTED", "SIBLING")
    response = client.post(f"/cases/{family.reference}/children/{tea.pk}/verdict/",
                           {"verdict": "REJECTED", "reason": "DUPLICATE",
                            "duplicate_of": str(tia.pk)})
    assert response.status_code == 302
    tea.refresh_from_db()
    assert tea.duplicate_of_id == tia.pk
    case_page = client.get(f"/cases/{family.reference}/").content.decode()
    assert case_page.count("Rejected: not approached") == 2
    # The checker does not download the force's verdicts; an analyst does.
    assert client.get("/verdicts.csv").status_code == 403
    client.force_login(world["champion"])  # not allocated: the page is not theirs
    assert client.get(page).status_code in (403, 404)
    client.force_login(world["analyst"])
    assert client.get(page).status_code == 403
    response = client.get("/verdicts.csv")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(r["reason"] for r in rows) == ["DUPLICATE", "SIBLING"]
    assert AuditRecord.objects.filter(action=AuditAction.DISCLOSE, object_type="verdicts",
                                      actor=world["analyst"]).count() == 1
