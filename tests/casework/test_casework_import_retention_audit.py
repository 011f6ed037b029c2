"""Import is idempotent and keeps a child's history; retention disposes of closed cases and
keeps metadata; the audit log cannot be changed, not even by SQL on PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from casework_factories import child_row, make_world, write_run
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from paramount.casework.codes import (
    CaseState,
    EventCode,
    NotApproachedReason,
    ReviewTaskStatus,
    SocialCareStatus,
)
from paramount.casework.models import (
    AuditRecord,
    Case,
    CaseChild,
    CaseEvent,
    Child,
    ErasureRecord,
    Prisoner,
    ReviewTask,
)
from paramount.casework.selectors.audit import audit_search
from paramount.casework.selectors.retention import reviews_due
from paramount.casework.services import workflow as wf
from paramount.casework.services.importing import import_run
from paramount.casework.services.retention import dispose_due, keep_case
from paramount.casework.services.review import resolve_review_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def _counts() -> tuple[int, int, int, int]:
    return (Case.objects.count(), CaseChild.objects.count(), Child.objects.count(),
            Prisoner.objects.count())


def test_same_run_twice_and_overlapping_windows_make_no_duplicates(world, tmp_path) -> None:
    rows = [
        child_row(child_ids="P1"),
        child_row(child_ids="P2", forenames="Leo", dob="2018-02-03"),
        child_row(child_ids="P3", surname="Madeup", prisoner="D5678EF", booking="B2",
                  address="Flat 2, 9 Pretend Street", postcode="ST1 2BB", lpa="S1"),
    ]
    first = import_run(write_run(tmp_path / "jan", rows), force=world.force)
    assert first.counts["cases_opened"] == 2 and first.counts["children_added"] == 1
    assert _counts() == (2, 3, 3, 2)
    again = import_run(write_run(tmp_path / "jan", rows), force=world.force)
    assert again.already_imported and again.counts["unchanged"] == 3
    assert _counts() == (2, 3, 3, 2)
    # An overlapping window: the same receptions again (one child now also found under a
    # second police id, with new evidence), and one new reception.
    overlap = [
        child_row(child_ids="P1;P1B", confidence="0.99"),
        child_row(child_ids="P4", surname="Newkid", prisoner="G1111HH", booking="B3"),
    ]
    result = import_run(write_run(tmp_path / "feb", overlap), force=world.force)
    assert not result.already_imported
    assert result.counts["updated"] == 1 and result.counts["cases_opened"] == 1
    assert _counts() == (3, 4, 4, 3)
    assert Child.objects.get(identifiers__value="P1B").identifiers.count() == 3  # 2 ids + name
    assert CaseEvent.objects.filter(code=EventCode.EVIDENCE_UPDATED).count() == 1


def test_a_child_with_no_known_address_takes_the_prisoners_area(world, tmp_path) -> None:
    row = child_row(child_ids="P70", address="", postcode="", lpa="", prisoner_lpa="S1")
    import_run(write_run(tmp_path / "run", [row]), force=world.force)
    assert Case.objects.get().lpa.code == "S1"


def test_new_reception_for_known_child_links_to_history(world, tmp_path) -> None:
    import_run(write_run(tmp_path / "one", [child_row(child_ids="P1")]), force=world.force)
    case = Case.objects.get()
    # The other parent is received while the case is open: same case.
    import_run(write_run(tmp_path / "two", [child_row(child_ids="P1", prisoner="M7777MM",
                                                      booking="B9")]), force=world.force)
    assert Case.objects.count() == 1
    assert case.case_children.count() == 2
    assert CaseEvent.objects.filter(case=case, code=EventCode.RECEPTION_LINKED).exists()
    # Once closed, a recall opens a new case that names the earlier one.
    wf.record_not_approached(user=world["checker"], case=case,
                             reason=NotApproachedReason.ALREADY_SUPPORTED)
    import_run(write_run(tmp_path / "three", [child_row(child_ids="P1", booking="B10")]),
               force=world.force)
    new = Case.objects.exclude(pk=case.pk).get()
    opened = CaseEvent.objects.get(case=new, code=EventCode.CASE_OPENED)
    assert opened.payload["previous_cases"] == [case.reference]
    assert Child.objects.count() == 1


def test_review_rows_become_tasks_once_and_acceptance_opens_a_case(world, tmp_path) -> None:
    review = [child_row(child_ids="P50", surname="Unsure", confidence="0.6", prisoner="K1234KK",
                        booking="B50", review_reason="co-residence only")]
    import_run(write_run(tmp_path / "r", [child_row(child_ids="P1")], review=review),
               force=world.force)
    import_run(write_run(tmp_path / "r", [child_row(child_ids="P1")], review=review),
               force=world.force)
    task = ReviewTask.objects.get()
    assert task.status == ReviewTaskStatus.OPEN and task.row["review_reason"]
    with pytest.raises(PermissionDenied):
        resolve_review_task(user=world["checker"], task=task, accept=True)
    with pytest.raises(ValidationError):
        resolve_review_task(user=world["analyst"], task=task, accept=False)
    task = resolve_review_task(user=world["analyst"], task=task, accept=True)
    assert task.status == ReviewTaskStatus.ACCEPTED and task.case is not None
    assert Case.objects.count() == 2


def test_retention_disposes_of_closed_cases_and_keeps_metadata(world, tmp_path) -> None:
    import_run(write_run(tmp_path / "a", [
        child_row(child_ids="P1"),
        child_row(child_ids="P3", surname="Madeup", prisoner="D5678EF", booking="B2",
                  address="2 Other Road", postcode="NT2 2BB"),
    ]), force=world.force)
    closed, still_open = Case.objects.order_by("pk")
    wf.record_not_approached(user=world["checker"], case=closed,
                             reason=NotApproachedReason.CHILD_VICTIM)
    closed.refresh_from_db()
    reference, pseudonym = closed.reference, closed.case_children.get().child.pseudonym
    wf.add_case_note(user=world["checker"], case=still_open, text="Checking with partners")
    later = closed.review_date + timedelta(days=1)
    Case.objects.filter(pk=still_open.pk).update(review_date=date.today())

    due = {r["reference"] for r in reviews_due(world["admin"], today=later)}
    assert due == {reference, still_open.reference}
    with pytest.raises(PermissionDenied):
        reviews_due(world["champion"])
    with pytest.raises(PermissionDenied):
        dispose_due(user=world["checker"], today=later)

    gone = dispose_due(user=world["supervisor"], today=later)
    assert gone == [reference]  # the open case is reviewed, never disposed of
    assert not Case.objects.filter(reference=reference).exists()
    assert not Child.objects.filter(pseudonym=pseudonym).exists()
    assert not Prisoner.objects.filter(prisoner_number="A1234BC").exists()
    record = ErasureRecord.objects.get(case_reference=reference)
    assert record.outcome == "not_approached" and record.counts["children"] == 1
    assert record.erased_by == world["supervisor"]
    # The audit trail of the erased case stays (references, no names).
    assert AuditRecord.objects.filter(case_ref=reference, action="erase").exists()
    assert AuditRecord.objects.filter(case_ref=reference).count() > 2

    keep_case(user=world["supervisor"], case=still_open, until=date.today() + timedelta(days=90),
              reason="Family still being contacted")
    still_open.refresh_from_db()
    assert still_open.review_date == date.today() + timedelta(days=90)


def test_audit_records_cannot_be_changed_or_deleted(world, tmp_path) -> None:
    import_run(write_run(tmp_path / "a", [child_row(child_ids="P1")]), force=world.force)
    record = AuditRecord.objects.order_by("pk").first()
    record.action = "view"
    with pytest.raises(ValidationError):
        record.save()
    with pytest.raises(ValidationError):
        record.delete()
    with pytest.raises(ValidationError):
        AuditRecord.objects.filter(pk=record.pk).update(action="view")
    with pytest.raises(ValidationError):
        AuditRecord.objects.all().delete()
    with pytest.raises(ValidationError):
        ErasureRecord.objects.all().delete()
    event = CaseEvent.objects.first()
    event.payload = {}
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_audit_table_refuses_update_and_delete_in_postgresql(world, tmp_path) -> None:
    assert connection.vendor == "postgresql"
    import_run(write_run(tmp_path / "a", [child_row(child_ids="P1")]), force=world.force)
    ErasureRecord.objects.create(force_code="TST", case_reference="PM-TEST-0000", reason="t")
    count = AuditRecord.objects.count()
    for sql in ("UPDATE casework_auditrecord SET action = 'view'",
                "DELETE FROM casework_auditrecord",
                "DELETE FROM casework_erasurerecord"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditRecord.objects.count() == count
    assert set(AuditRecord.objects.values_list("action", flat=True)) != {"view"}


def test_every_read_and_change_is_logged_and_auditors_search_it(world, tmp_path) -> None:
    from paramount.casework.selectors.cases import case_detail, case_list

    import_run(write_run(tmp_path / "a", [child_row(child_ids="P1")]), force=world.force,
               user=world["analyst"])
    case = Case.objects.get()
    checker = world["checker"]
    page = case_list(checker, search="Fictus")
    assert page.total == 1
    case_detail(checker, case.reference)
    wf.record_child_check(user=checker, case_child=case.case_children.get(),
                          social_care_status=SocialCareStatus.NOT_KNOWN)
    mine = AuditRecord.objects.filter(actor=checker)
    assert set(mine.values_list("action", flat=True)) >= {"search", "view", "change"}
    assert mine.filter(child_ref=case.case_children.get().child.pseudonym).exists()
    # The search's own record holds what was searched for (issue 9); no other record holds
    # a name.
    assert {r.detail["terms"] for r in mine.filter(action="search")} == {"Fictus"}
    assert not any("Fictus" in str(r.detail)
                   for r in AuditRecord.objects.exclude(action="search"))

    found = audit_search(world["auditor"], actor="checker", case_ref=case.reference,
                         date_from=timezone.localdate(), date_to=timezone.localdate())
    assert found and all(r.actor_username == "checker" for r in found)
    assert AuditRecord.objects.filter(actor=world["auditor"], action="search").exists()
    with pytest.raises(PermissionDenied):
        audit_search(world["supervisor"])
    assert case.state == CaseState.NEW
