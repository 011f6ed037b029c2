"""The workflow from import to a closed case, on PostgreSQL, with email through a real SMTP
server; bad moves change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from casework_factories import child_row, make_world, write_run
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from paramount.casework.codes import (
    CaseState,
    ContactMethod,
    ContactOutcome,
    EventCode,
    NotApproachedReason,
    Outcome,
    ReferralBasis,
    ShareItem,
    SocialCareStatus,
)
from paramount.casework.models import AuditRecord, Case, CaseEvent, Notification, Referral
from paramount.casework.selectors.cases import overdue_cases
from paramount.casework.services import workflow as wf
from paramount.casework.services.events import replay_state
from paramount.casework.services.importing import import_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def family(world, tmp_path: Path) -> Case:
    """Two siblings of one prisoner at one address: one case."""
    rows = [
        child_row(child_ids="P1", forenames="Tia"),
        child_row(child_ids="P2", forenames="Leo", dob="2018-02-03"),
    ]
    import_run(write_run(tmp_path / "run", rows), force=world.force, user=world["analyst"])
    return Case.objects.get()


def _check_all(world, case: Case, status=SocialCareStatus.NOT_KNOWN, **kwargs) -> None:
    for cc in case.case_children.all():
        wf.record_child_check(user=world["checker"], case_child=cc,
                              social_care_status=status, **kwargs)
    wf.complete_checks(user=world["checker"], case=case)


def test_whole_journey_with_emails(world, family, smtp_server,
                                   django_capture_on_commit_callbacks) -> None:
    case = family
    assert case.state == CaseState.NEW and case.case_children.count() == 2
    first, second = case.case_children.order_by("pk")

    with django_capture_on_commit_callbacks(execute=True):
        wf.record_child_check(
            user=world["checker"], case_child=first,
            social_care_status=SocialCareStatus.CHILD_IN_NEED,
            social_worker_name="A Worker", social_worker_email="worker@council.example",
        )
    told = smtp_server.to("worker@council.example")
    assert len(told) == 1
    assert case.reference in told[0]["Subject"]
    assert "Tia Fictus" in told[0].get_payload()  # the worker needs to find the child

    wf.record_child_check(user=world["checker"], case_child=second,
                          social_care_status=SocialCareStatus.NOT_KNOWN)
    case = wf.complete_checks(user=world["checker"], case=case)
    assert case.state == CaseState.READY

    with django_capture_on_commit_callbacks(execute=True):
        case = wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion"])
    assert case.state == CaseState.ALLOCATED
    mail = smtp_server.to("champion@force.example")
    assert len(mail) == 1 and case.reference in mail[0]["Subject"]
    assert "Fictus" not in mail[0].get_payload()  # no child's details in a champion's email
    assert Notification.objects.filter(status="sent").count() == 2

    now = timezone.now()
    wf.record_contact_attempt(user=world["champion"], case=case, at=now - timedelta(hours=2),
                              method=ContactMethod.PHONE, outcome=ContactOutcome.NO_ANSWER)
    wf.record_contact_attempt(user=world["champion"], case=case, at=now - timedelta(hours=1),
                              method=ContactMethod.PHONE,
                              outcome=ContactOutcome.SPOKE_VISIT_AGREED)
    wf.record_visit(user=world["champion"], case=case, visited_on=timezone.localdate(),
                    present="Mother, both children", needs="Help explaining to the children",
                    support_offered=True)
    case.refresh_from_db()
    assert case.state == CaseState.SUPPORT_OFFERED

    agreement = wf.record_agreement(
        user=world["champion"], case=case, agreed_by_name="Ms Fictus",
        agreed_by_relationship="mother", agreed_at=now, children=[first],
        may_share=[ShareItem.CHILD_NAMES, ShareItem.NEEDS],
    )
    with django_capture_on_commit_callbacks(execute=True):
        referral = wf.send_referral(user=world["champion"], case=case, agreement=agreement)
    assert referral.basis == ReferralBasis.AGREEMENT
    # The pack holds the agreed child and the agreed items only.
    assert [c["forenames"] for c in referral.pack["children"]] == ["Tia"]
    assert "date_of_birth" not in referral.pack["children"][0]
    assert "address" not in referral.pack["children"][0]
    assert referral.pack["needs"] == ["Help explaining to the children"]
    assert smtp_server.to("referrals@charity.example")
    assert AuditRecord.objects.filter(action="disclose", recipient="Test Charity").exists()

    case = wf.close_case(user=world["champion"], case=case, outcome=Outcome.REFERRED)
    assert case.state == CaseState.CLOSED and case.outcome == Outcome.REFERRED
    assert case.review_date > date.today() + timedelta(days=365 * 5)

    # The stored state is what the event log says.
    replayed = replay_state(case)
    assert replayed["state"] == case.state == CaseState.CLOSED
    assert replayed["champion_id"] == world["champion"].pk
    codes = list(CaseEvent.objects.filter(case=case).values_list("code", flat=True))
    for code in (EventCode.CASE_OPENED, EventCode.SOCIAL_WORKER_NOTIFIED, EventCode.ALLOCATED,
                 EventCode.CONTACT_ATTEMPT, EventCode.VISIT, EventCode.SUPPORT_OFFERED,
                 EventCode.AGREEMENT_RECORDED, EventCode.REFERRAL_SENT, EventCode.CLOSED):
        assert code in codes
    assert all(e.actor_id for e in CaseEvent.objects.filter(case=case).exclude(
        code__in=[EventCode.CASE_OPENED, EventCode.CHILD_ADDED]))


def _snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return (case.state, case.champion_id, CaseEvent.objects.filter(case=case).count(),
            Referral.objects.filter(case=case).count(), case.outcome)


def test_bad_moves_raise_and_change_nothing(world, family) -> None:
    case = family
    before = _snapshot(case)
    with pytest.raises(ValidationError):  # not ready yet
        wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion"])
    with pytest.raises(ValidationError):  # a child unchecked
        wf.complete_checks(user=world["checker"], case=case)
    with pytest.raises(ValidationError):  # open to social care with no worker's email
        wf.record_child_check(user=world["checker"], case_child=case.case_children.first(),
                              social_care_status=SocialCareStatus.CHILD_PROTECTION_PLAN)
    with pytest.raises(ValidationError):
        wf.record_child_check(user=world["checker"], case_child=case.case_children.first(),
                              social_care_status="not-a-status")
    with pytest.raises(ValidationError):  # closing as "referred" with no referral
        wf.close_case(user=world["supervisor"], case=case, outcome=Outcome.REFERRED)
    with pytest.raises(ValidationError):  # "other" needs a note
        wf.record_not_approached(user=world["checker"], case=case,
                                 reason=NotApproachedReason.OTHER)
    assert _snapshot(case) == before

    _check_all(world, case)
    with pytest.raises(PermissionDenied):  # a champion does not allocate
        wf.allocate_case(user=world["champion"], case=case, champion=world["champion"])
    with pytest.raises(ValidationError):  # a supervisor is not a champion
        wf.allocate_case(user=world["supervisor"], case=case, champion=world["supervisor"])
    with pytest.raises(ValidationError):  # a champion of another area
        wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion_south"])
    wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion"])
    before = _snapshot(case)
    with pytest.raises(PermissionDenied):  # another champion cannot record work on it
        wf.record_contact_attempt(user=world["champion2"], case=case, at=timezone.now(),
                                  method=ContactMethod.PHONE, outcome=ContactOutcome.NO_ANSWER)
    with pytest.raises(ValidationError):  # in the future
        wf.record_contact_attempt(user=world["champion"], case=case,
                                  at=timezone.now() + timedelta(days=1),
                                  method=ContactMethod.PHONE, outcome=ContactOutcome.NO_ANSWER)
    with pytest.raises(ValidationError):  # agreement before support was offered
        wf.record_agreement(user=world["champion"], case=case, agreed_by_name="X",
                            agreed_by_relationship="mother", agreed_at=timezone.now(),
                            children=list(case.case_children.all()),
                            may_share=[ShareItem.CHILD_NAMES])
    with pytest.raises(ValidationError):  # a visit with nobody present
        wf.record_visit(user=world["champion"], case=case, visited_on=timezone.localdate(),
                        present="  ")
    with pytest.raises(PermissionDenied):  # no referral without agreement, for a champion
        wf.send_referral(user=world["champion"], case=case, override_reason="worried")
    with pytest.raises(ValidationError):  # an override needs its reason
        wf.send_referral(user=world["supervisor"], case=case, override_reason=" ")
    assert _snapshot(case) == before


def test_agreement_covers_only_this_cases_children_and_real_items(world, family,
                                                                  tmp_path) -> None:
    case = family
    _check_all(world, case)
    wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion"])
    wf.record_visit(user=world["champion"], case=case, visited_on=timezone.localdate(),
                    present="Grandmother", support_offered=True)
    import_run(write_run(tmp_path / "other", [child_row(child_ids="P77", prisoner="Z9999ZZ",
                                                        booking="B7", address="9 Else St",
                                                        postcode="NT9 9ZZ", surname="Notreal")]),
               force=world.force)
    stranger = Case.objects.exclude(pk=case.pk).get().case_children.get()
    for children, share in ([stranger], [ShareItem.CHILD_NAMES]), ([], [ShareItem.CHILD_NAMES]), (
            list(case.case_children.all()), []), (list(case.case_children.all()), ["bank"]):
        with pytest.raises(ValidationError):
            wf.record_agreement(user=world["champion"], case=case, agreed_by_name="Ms F",
                                agreed_by_relationship="grandmother", agreed_at=timezone.now(),
                                children=children, may_share=share)
    case.refresh_from_db()
    assert case.state == CaseState.SUPPORT_OFFERED and not case.agreements.exists()


def test_withdrawal_and_safeguarding_override(world, family) -> None:
    case = family
    _check_all(world, case)
    wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion"])
    wf.record_visit(user=world["champion"], case=case, visited_on=timezone.localdate(),
                    present="Father", support_offered=True)
    agreement = wf.record_agreement(
        user=world["champion"], case=case, agreed_by_name="Mr F", agreed_by_relationship="father",
        agreed_at=timezone.now(), children=list(case.case_children.all()),
        may_share=[ShareItem.CHILD_NAMES],
    )
    wf.send_referral(user=world["champion"], case=case, agreement=agreement)
    # The partner records the family's withdrawal; the case shows it.
    wf.withdraw_agreement(user=world["partner"], agreement=agreement, note="Family phoned")
    case.refresh_from_db()
    assert case.state == CaseState.DECLINED
    with pytest.raises(ValidationError):
        wf.send_referral(user=world["champion"], case=case, agreement=agreement)
    # A supervisor may still refer on a significant safeguarding concern, with a reason.
    referral = wf.send_referral(user=world["supervisor"], case=case,
                                override_reason="Significant concern for the younger child")
    assert referral.basis == ReferralBasis.SAFEGUARDING_OVERRIDE
    assert referral.override_supervisor == world["supervisor"]


def test_override_referral_email_names_nothing_and_the_partner_sees_it(
    world, family, smtp_server, django_capture_on_commit_callbacks
) -> None:
    """The family did not agree: the charity's email says only that a referral is waiting
    (no case reference, name or area) and links to the list, where the referral is."""
    from paramount.casework.selectors.partner import partner_referral, partner_referrals

    case = family
    _check_all(world, case)
    with django_capture_on_commit_callbacks(execute=True):
        referral = wf.send_referral(user=world["supervisor"], case=case,
                                    override_reason="Significant concern for the younger child")
    mail = smtp_server.to("referrals@charity.example")
    assert len(mail) == 1
    text = mail[0]["Subject"] + "\n" + mail[0].get_payload(decode=True).decode()
    assert case.reference not in text
    for personal in ("Tia", "Leo", "Fictus", "Northtown", "A1234BC", "Imaginary"):
        assert personal not in text
    assert "You have a new referral waiting in Paramount" in text
    assert "http://testserver/referrals/" in text
    assert [r.pk for r in partner_referrals(world["partner"])] == [referral.pk]
    assert partner_referral(world["partner"], referral.pk).pack["children"]


def test_not_approached_closes_with_its_reason(world, family) -> None:
    case = wf.record_not_approached(user=world["checker"], case=family,
                                    reason=NotApproachedReason.CHILD_VICTIM)
    assert case.state == CaseState.CLOSED
    assert case.outcome == Outcome.NOT_APPROACHED
    assert case.not_approached_reason == NotApproachedReason.CHILD_VICTIM
    with pytest.raises(ValidationError):
        wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion"])


def test_overdue_after_seven_days_without_contact(world, family, settings) -> None:
    case = family
    _check_all(world, case)
    wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion"])
    assert overdue_cases(world["supervisor"]) == []
    Case.objects.filter(pk=case.pk).update(allocated_at=timezone.now() - timedelta(days=8))
    assert [c.reference for c in overdue_cases(world["supervisor"])] == [case.reference]
    assert [c.reference for c in overdue_cases(world["champion"])] == [case.reference]
    assert overdue_cases(world["champion2"]) == []
    settings.PARAMOUNT_CONTACT_DUE_DAYS = 10
    assert overdue_cases(world["supervisor"]) == []
    wf.record_contact_attempt(user=world["champion"], case=case, at=timezone.now(),
                              method=ContactMethod.TEXT, outcome=ContactOutcome.MESSAGE_LEFT)
    assert overdue_cases(world["supervisor"], days=0) == []
    with pytest.raises(PermissionDenied):
        overdue_cases(world["checker"])


def test_reallocation_keeps_progress_and_tells_the_new_champion(
    world, family, smtp_server, django_capture_on_commit_callbacks
) -> None:
    case = family
    _check_all(world, case)
    wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion"])
    wf.record_contact_attempt(user=world["champion"], case=case, at=timezone.now(),
                              method=ContactMethod.PHONE, outcome=ContactOutcome.NO_ANSWER)
    with django_capture_on_commit_callbacks(execute=True):
        case = wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion2"])
    assert case.state == CaseState.CONTACTING and case.champion == world["champion2"]
    assert smtp_server.to("champion2@force.example")


def test_every_entered_date_follows_one_rule(world, family) -> None:
    """Contact, visit and agreement dates: not in the future, not before the case opened
    (an agreement dated 1 January 2000 for a case opened this year is refused)."""
    case = family
    _check_all(world, case)
    wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion"])
    champion = world["champion"]
    long_ago = timezone.make_aware(timezone.datetime(2000, 1, 1, 12, 0))
    tomorrow = timezone.now() + timedelta(days=1)
    for bad, words in ((long_ago, "cannot be before"), (tomorrow, "cannot be in the future")):
        with pytest.raises(ValidationError, match=words):
            wf.record_contact_attempt(user=champion, case=case, at=bad,
                                      method=ContactMethod.PHONE, outcome=ContactOutcome.NO_ANSWER)
        with pytest.raises(ValidationError, match=words):
            wf.record_visit(user=champion, case=case, visited_on=bad.date(), present="Mother",
                            support_offered=True)
    wf.record_visit(user=champion, case=case, visited_on=timezone.localdate(), present="Mother",
                    support_offered=True)
    children = list(case.case_children.all())
    for bad, words in ((long_ago, "cannot be before"), (tomorrow, "cannot be in the future")):
        with pytest.raises(ValidationError, match=words) as caught:
            wf.record_agreement(user=champion, case=case, agreed_by_name="Ms F",
                                agreed_by_relationship="mother", agreed_at=bad,
                                children=children, may_share=[ShareItem.CHILD_NAMES])
        assert "agreed_at" in caught.value.message_dict
    case.refresh_from_db()
    assert case.state == CaseState.SUPPORT_OFFERED and not case.agreements.exists()
    assert not case.contact_attempts.exists()
    wf.record_agreement(user=champion, case=case, agreed_by_name="Ms F",
                        agreed_by_relationship="mother", agreed_at=timezone.now(),
                        children=children, may_share=[ShareItem.CHILD_NAMES])


def test_refusal_and_withdrawal_days_follow_the_same_rule(world, family) -> None:
    case = family
    _check_all(world, case)
    wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion"])
    champion = world["champion"]
    wf.record_visit(user=champion, case=case, visited_on=timezone.localdate(), present="Mother",
                    support_offered=True)
    long_ago, tomorrow = date(2000, 1, 1), timezone.localdate() + timedelta(days=1)
    for bad, words in ((long_ago, "cannot be before"), (tomorrow, "cannot be in the future")):
        with pytest.raises(ValidationError, match=words):
            wf.record_refusal(user=champion, case=case, declined_on=bad)
    case.refresh_from_db()
    assert case.state == CaseState.SUPPORT_OFFERED
    agreement = wf.record_agreement(
        user=champion, case=case, agreed_by_name="Ms F", agreed_by_relationship="mother",
        agreed_at=timezone.now(), children=list(case.case_children.all()),
        may_share=[ShareItem.CHILD_NAMES])
    for bad, words in ((long_ago, "cannot be before"), (tomorrow, "cannot be in the future"),
                       (timezone.localdate() - timedelta(days=1), "before they agreed")):
        with pytest.raises(ValidationError, match=words):
            wf.withdraw_agreement(user=champion, agreement=agreement, withdrawn_on=bad)
    agreement.refresh_from_db()
    assert agreement.withdrawn_at is None
    wf.withdraw_agreement(user=champion, agreement=agreement,
                          withdrawn_on=timezone.localdate())
    agreement.refresh_from_db()
    assert timezone.localdate(agreement.withdrawn_at) == timezone.localdate()
