"""Role × selector × object: who sees which case, child, referral and report, refusals
included. Four cases: A (north, the champion's, referred with agreement), B (south,
champion_south's, referred on a safeguarding override), C (north, new), D (another force)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from casework_factories import child_row, make_world, write_run
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from paramount.casework.codes import ReferralBasis, ShareItem, SocialCareStatus
from paramount.casework.models import AuditRecord, Case, Child, Referral
from paramount.casework.selectors import audit as audit_sel
from paramount.casework.selectors import cases as case_sel
from paramount.casework.selectors import partner as partner_sel
from paramount.casework.selectors import reports
from paramount.casework.selectors.retention import reviews_due
from paramount.casework.selectors.review import review_tasks
from paramount.casework.services import workflow as wf
from paramount.casework.services.importing import import_run

pytestmark = pytest.mark.django_db

DENIED = "denied"

# Which cases each user's case list shows (DENIED: the role reads no cases at all).
CASES = {
    "analyst": {"A", "B", "C"},
    "checker": {"A", "B", "C"},
    "checker_north": {"A", "C"},
    "champion": {"A"},
    "champion2": set(),
    "champion_south": {"B"},
    "supervisor": {"A", "B", "C"},
    "supervisor_south": {"B"},
    "other_supervisor": {"D"},
    "partner": DENIED,
    "other_partner": DENIED,
    "evaluator": DENIED,
    "auditor": DENIED,
    "admin": DENIED,
}
# Which referrals each user reads as a partner: A (agreed) and B (a safeguarding override
# reaches the partner through the system too).
REFERRALS = {"partner": {"A", "B"}, "other_partner": set()}
DASHBOARD = {"analyst", "supervisor", "supervisor_south", "other_supervisor"}
REVIEW_LIST = {"analyst", "supervisor", "supervisor_south", "other_supervisor"}
RETENTION = {"supervisor", "supervisor_south", "other_supervisor", "admin"}
OVERDUE = {"champion", "champion2", "champion_south", "supervisor", "supervisor_south",
           "other_supervisor"}


def _progress_to_support_offered(world, case: Case, champion) -> None:
    for cc in case.case_children.all():
        wf.record_child_check(user=world["checker"], case_child=cc,
                              social_care_status=SocialCareStatus.NOT_KNOWN)
    wf.complete_checks(user=world["checker"], case=case)
    wf.allocate_case(user=world["supervisor"], case=case, champion=champion)
    wf.record_visit(user=champion, case=case, visited_on=timezone.localdate(),
                    present="Carer", support_offered=True)


@pytest.fixture
def setup(tmp_path: Path):
    world = make_world()
    import_run(write_run(tmp_path / "tst", [
        child_row(child_ids="PA", surname="Alpha", lpa="N1", address="1 A St", postcode="N1 1A"),
        child_row(child_ids="PB", surname="Bravo", lpa="S1", prisoner="B2222BB", booking="BB",
                  address="2 B St", postcode="S1 1B"),
        child_row(child_ids="PC", surname="Charlie", lpa="N1", prisoner="C3333CC",
                  booking="BC", address="3 C St", postcode="N1 1C"),
    ], review=[child_row(child_ids="PR", surname="Review", lpa="S1", prisoner="R1111RR",
                         booking="BR")]), force=world.force)
    import_run(write_run(tmp_path / "oth", [
        child_row(child_ids="PD", surname="Delta", lpa="X1", prisoner="D4444DD", booking="BD"),
    ]), force=world.other_force)
    refs = {}
    for letter, surname in zip("ABCD", ("Alpha", "Bravo", "Charlie", "Delta"), strict=True):
        refs[letter] = Case.objects.get(case_children__child__surname=surname).reference
    a = Case.objects.get(reference=refs["A"])
    _progress_to_support_offered(world, a, world["champion"])
    agreement = wf.record_agreement(
        user=world["champion"], case=a, agreed_by_name="Carer A", agreed_by_relationship="mother",
        agreed_at=timezone.now(), children=list(a.case_children.all()),
        may_share=[ShareItem.CHILD_NAMES],
    )
    wf.send_referral(user=world["champion"], case=a, agreement=agreement)
    b = Case.objects.get(reference=refs["B"])
    _progress_to_support_offered(world, b, world["champion_south"])
    wf.send_referral(user=world["supervisor"], case=b, override_reason="Significant concern")
    return world, refs


def _letters(refs: dict[str, str], references) -> set[str]:
    back = {v: k for k, v in refs.items()}
    return {back[r] for r in references}


@pytest.mark.parametrize("who", sorted(CASES))
def test_role_selector_object_matrix(setup, who: str) -> None:
    world, refs = setup
    user = world[who]
    expected = CASES[who]

    # Case list and each case's page.
    if expected == DENIED:
        with pytest.raises(PermissionDenied):
            case_sel.case_list(user)
        for ref in refs.values():
            with pytest.raises(PermissionDenied):
                case_sel.case_detail(user, ref)
        with pytest.raises(PermissionDenied):
            case_sel.child_detail(user, Child.objects.first().pseudonym)
        assert AuditRecord.objects.filter(actor=user, action="refused").exists()
    else:
        page = case_sel.case_list(user)
        assert _letters(refs, [c.reference for c in page.items]) == expected
        assert page.total == len(expected)
        for letter, ref in refs.items():
            if letter in expected:
                detail = case_sel.case_detail(user, ref)
                assert detail.case.reference == ref
                child = detail.children[0].child
                assert case_sel.child_detail(user, child.pseudonym).child == child
            else:
                with pytest.raises(Case.DoesNotExist):
                    case_sel.case_detail(user, ref)
                other = Child.objects.get(case_links__case__reference=ref)
                with pytest.raises(Child.DoesNotExist):
                    case_sel.child_detail(user, other.pseudonym)
        # A search cannot reach past the boundary either.
        for letter, surname in zip("ABCD", ("Alpha", "Bravo", "Charlie", "Delta"), strict=True):
            found = case_sel.case_list(user, search=surname).items
            assert bool(found) == (letter in expected)

    # Partner referrals.
    if who in REFERRALS:
        got = partner_sel.partner_referrals(user)
        assert _letters(refs, [r.case.reference for r in got]) == REFERRALS[who]
        for referral in Referral.objects.all():
            if _letters(refs, [referral.case.reference]) <= REFERRALS[who]:
                assert partner_sel.partner_referral(user, referral.pk).pack
            else:
                with pytest.raises(Referral.DoesNotExist):
                    partner_sel.partner_referral(user, referral.pk)
    else:
        with pytest.raises(PermissionDenied):
            partner_sel.partner_referrals(user)

    # Reports, review list, audit log, retention, overdue work.
    checks = [
        (who in DASHBOARD, lambda: reports.funnel(user)),
        (who in DASHBOARD, lambda: reports.time_to_first_contact(user)),
        (who == "evaluator", lambda: reports.evaluator_summary(user)),
        (who in REVIEW_LIST, lambda: review_tasks(user)),
        (who == "auditor", lambda: audit_sel.audit_search(user)),
        (who in RETENTION, lambda: reviews_due(user)),
        (who in OVERDUE, lambda: case_sel.overdue_cases(user)),
    ]
    for allowed, call in checks:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()


def test_funnel_counts_within_scope(setup) -> None:
    world, _ = setup
    whole = reports.funnel(world["supervisor"])
    assert whole.stages["identified"] == 3 and whole.stages["referred"] == 2
    assert whole.stages["agreed"] == 1
    south = reports.funnel(world["supervisor_south"])
    assert south.stages["identified"] == 1 and set(south.by_lpa) == {"S1"}
    assert reports.funnel(world["other_supervisor"]).stages["identified"] == 1


def test_review_tasks_respect_lpas(setup) -> None:
    world, _ = setup
    assert len(review_tasks(world["supervisor_south"])) == 1
    assert len(review_tasks(world["analyst"])) == 1
    assert review_tasks(world["other_supervisor"]) == []


def test_evaluator_sees_no_personal_fields(setup) -> None:
    world, refs = setup
    summary = reports.evaluator_summary(world["evaluator"])
    text = json.dumps(summary)
    for value in (*refs.values(), "Alpha", "Bravo", "Charlie", "PA", "A St", "2015-09-01"):
        assert value not in text
    for child in Child.objects.all():
        assert child.pseudonym not in text
    # 3 cases: suppressed below 5, the total as much as the stage that equals it.
    assert summary["cases"] is None
    assert summary["stages"]["identified"] is None


def test_withdrawn_agreement_hides_the_referral_from_the_partner(setup) -> None:
    world, _ = setup
    referral = next(r for r in partner_sel.partner_referrals(world["partner"]) if r.agreement)
    wf.withdraw_agreement(user=world["champion"], agreement=referral.agreement)
    assert [r.basis for r in partner_sel.partner_referrals(world["partner"])] == [
        ReferralBasis.SAFEGUARDING_OVERRIDE
    ]
    with pytest.raises(Referral.DoesNotExist):
        partner_sel.partner_referral(world["partner"], referral.pk)


def test_override_referral_reaches_the_partner_with_only_what_it_justifies(setup) -> None:
    """Case B was referred by a supervisor without the family's agreement: the partner sees
    it in their list and can open it, with the children's names, dates of birth and address
    (to reach them) and the supervisor to call, but not the carer's details, the needs the
    family told the champion, the prison, or the supervisor's written reason."""
    world, refs = setup
    referral = Referral.objects.get(case__reference=refs["B"])
    assert referral.basis == ReferralBasis.SAFEGUARDING_OVERRIDE
    listed = partner_sel.partner_referrals(world["partner"])
    assert referral.pk in [r.pk for r in listed]
    seen = partner_sel.partner_referral(world["partner"], referral.pk)
    child = seen.pack["children"][0]
    assert child["surname"] == "Bravo" and child["date_of_birth"] == "2015-09-01"
    assert child["address"] == "2 B St"
    assert "reception_date" not in child
    assert "carer" not in seen.pack and "needs" not in seen.pack
    assert "Significant concern" not in json.dumps(seen.pack)
    assert seen.pack["basis"] == ReferralBasis.SAFEGUARDING_OVERRIDE
    assert seen.pack["decided_by"] == {"name": "Supervisor",
                                       "email": "supervisor@force.example"}
    # Another force's partner, or the same partner limited to the north, does not see it.
    with pytest.raises(Referral.DoesNotExist):
        partner_sel.partner_referral(world["other_partner"], referral.pk)
    world["partner"].lpas.set([world.north])
    with pytest.raises(Referral.DoesNotExist):
        partner_sel.partner_referral(world["partner"], referral.pk)
    # The partner acknowledges it like any other referral.
    world["partner"].lpas.set([])
    wf.acknowledge_referral(user=world["partner"], referral=referral)


def test_inactive_users_see_nothing(setup) -> None:
    world, _ = setup
    user = world["supervisor"]
    user.is_active = False
    user.save()
    with pytest.raises(PermissionDenied):
        case_sel.case_list(user)
    with pytest.raises(PermissionDenied):
        wf.add_case_note(user=user, case=Case.objects.first(), text="x")
