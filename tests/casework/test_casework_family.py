"""What champions and supervisors asked for: how to reach the family, a child's own page,
one row per child, overdue checks and allocation, the allocation form's workload, the
checker's next step. Selector- and service-level first, then the pages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from casework_factories import child_row, make_world, write_run
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from paramount.casework.codes import AuditAction, EventCode, SocialCareStatus
from paramount.casework.models import AuditRecord, Case, CaseEvent
from paramount.casework.selectors import cases as case_sel
from paramount.casework.services import contact
from paramount.casework.services import workflow as wf
from paramount.casework.services.demo import demo_clock
from paramount.casework.services.importing import import_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_factor(settings) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def family(world, tmp_path: Path) -> Case:
    rows = [
        child_row(child_ids="P1", forenames="Tia"),
        child_row(child_ids="P2", forenames="Leo", dob="2018-02-03"),
    ]
    import_run(write_run(tmp_path / "run", rows), force=world.force, user=world["analyst"])
    return Case.objects.get()


def client_for(world, name: str) -> Client:
    client = Client()
    client.force_login(world[name])
    return client


def _check_all(world, case: Case) -> None:
    for cc in case.case_children.all():
        wf.record_child_check(
            user=world["checker"], case_child=cc, social_care_status=SocialCareStatus.NOT_KNOWN
        )
    wf.complete_checks(user=world["checker"], case=case)


# ---------------------------------------------------------------------------------------
# How to reach the family


def test_checker_records_contact_details_event_carries_no_values(world, family) -> None:
    details = contact.record_family_contact(
        user=world["checker"],
        case=family,
        phone="07700 900982",
        email="rae@example.org",
        safe_times="Weekdays after 3pm",
        language="Polish",
        interpreter_needed=True,
    )
    assert details.phone == "07700 900982" and details.interpreter_needed
    event = CaseEvent.objects.get(case=family, code=EventCode.CONTACT_DETAILS_UPDATED)
    text = str(event.payload)
    for value in ("07700", "rae@example.org", "3pm", "Polish"):
        assert value not in text
    assert set(event.payload["fields"]) == {
        "phone",
        "email",
        "safe_times",
        "language",
        "interpreter_needed",
    }
    # A change records only which fields changed.
    contact.record_family_contact(
        user=world["checker"],
        case=family,
        phone="07700 900111",
        email="rae@example.org",
        safe_times="Weekdays after 3pm",
        language="Polish",
        interpreter_needed=True,
    )
    last = CaseEvent.objects.filter(code=EventCode.CONTACT_DETAILS_UPDATED).latest("pk")
    assert last.payload == {"fields": ["phone"]}
    with pytest.raises(ValidationError, match="phone number"):
        contact.record_family_contact(user=world["checker"], case=family, phone="call me")
    with pytest.raises(ValidationError):
        contact.record_family_contact(user=world["checker"], case=family)
    for who in ("analyst", "champion", "partner", "evaluator"):  # champion: not allocated
        with pytest.raises(PermissionDenied):
            contact.record_family_contact(user=world[who], case=family, phone="07700 900982")


def test_champion_sees_contact_details_analyst_does_not_read_audited(world, family) -> None:
    contact.record_family_contact(
        user=world["checker"], case=family, phone="07700 900982", safe_times="Not before 10am"
    )
    _check_all(world, family)
    wf.allocate_case(user=world["supervisor"], case=family, champion=world["champion"])
    assert case_sel.case_detail(world["champion"], family.reference).family_contact.phone
    assert case_sel.case_detail(world["analyst"], family.reference).family_contact is None
    assert AuditRecord.objects.filter(
        actor=world["champion"],
        action=AuditAction.VIEW,
        object_type="family_contact",
        case_ref=family.reference,
    ).exists()
    assert not AuditRecord.objects.filter(
        actor=world["analyst"], object_type="family_contact"
    ).exists()
    html = client_for(world, "champion").get(f"/cases/{family.reference}/").content.decode()
    assert "How to reach the family" in html and "07700 900982" in html
    assert "Not before 10am" in html
    html = client_for(world, "analyst").get(f"/cases/{family.reference}/").content.decode()
    assert "07700 900982" not in html


def test_contact_details_page_with_errors_then_saved(world, family) -> None:
    client = client_for(world, "checker")
    url = f"/cases/{family.reference}/contact-details/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'type="tel"' in page.content.decode()
    response = client.post(url, {"phone": "not a number"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text and 'href="#id_phone"' in text
    assert "Enter a phone number" in text
    response = client.post(url, {"email": "nope"})
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.content.decode()
    response = client.post(
        url, {"phone": "01632 960001", "language": "Welsh", "interpreter_needed": "1"}
    )
    assert response.status_code == 302
    html = client.get(f"/cases/{family.reference}/").content.decode()
    assert "01632 960001" in html and "Interpreter needed" in html
    assert "Contact details updated" in html  # the timeline says so, without the values
    assert client.get(url).content.decode().count('value="01632 960001"') == 1
    assert client_for(world, "analyst").get(url).status_code == 403


# ---------------------------------------------------------------------------------------
# One row per child; a child's own page


@pytest.fixture
def two_receptions(world, tmp_path: Path) -> Case:
    """Tia's father received in March, then her mother in April while the case is open: the
    second reception joins the case (two CaseChild rows for Tia, one for Leo)."""
    import_run(
        write_run(
            tmp_path / "one",
            [
                child_row(child_ids="P1", forenames="Tia"),
                child_row(child_ids="P2", forenames="Leo", dob="2018-02-03"),
            ],
        ),
        force=world.force,
        user=world["analyst"],
    )
    import_run(
        write_run(
            tmp_path / "two",
            [
                child_row(
                    child_ids="P1",
                    forenames="Tia",
                    prisoner="M7777MM",
                    booking="B2002",
                    received="2025-04-10",
                    evidence="Recorded as mother by the police.",
                ),
            ],
        ),
        force=world.force,
        user=world["analyst"],
    )
    case = Case.objects.get()
    assert case.case_children.count() == 3
    return case


def test_case_detail_has_one_row_per_child_and_every_reception(world, two_receptions) -> None:
    detail = case_sel.case_detail(world["supervisor"], two_receptions.reference)
    names = [cc.child.forenames for cc in detail.children]
    assert sorted(names) == ["Leo", "Tia"]
    assert len(detail.links) == 3
    tia = next(cc for cc in detail.children if cc.child.forenames == "Tia")
    assert tia.reception.prisoner.prisoner_number == "M7777MM"  # the newest reception
    page = case_sel.case_list(world["supervisor"]).items[0]
    html = (
        client_for(world, "supervisor").get(f"/cases/{two_receptions.reference}/").content.decode()
    )
    assert html.count('class="govuk-summary-card__title">Tia Fictus<') == 1
    assert "M7777MM" in html and "A1234BC" in html  # both receptions still shown
    assert "Recorded as mother by the police" in html
    listing = client_for(world, "supervisor").get("/cases/").content.decode()
    assert listing.count("Tia Fictus") == 1
    assert page.reference == two_receptions.reference


def test_one_check_covers_the_child_in_every_reception(world, two_receptions) -> None:
    detail = case_sel.case_detail(world["checker"], two_receptions.reference)
    for cc in detail.children:
        wf.record_child_check(
            user=world["checker"], case_child=cc, social_care_status=SocialCareStatus.NOT_KNOWN
        )
    case = wf.complete_checks(user=world["checker"], case=two_receptions)
    assert case.state == "ready"


def test_childs_page_lists_their_cases_and_evidence_scoped_and_audited(
    world, two_receptions, tmp_path: Path
) -> None:
    tia = next(cc.child for cc in two_receptions.case_children.all() if cc.child.forenames == "Tia")
    url = f"/children/{tia.pseudonym}/"
    case_page = client_for(world, "supervisor").get(f"/cases/{two_receptions.reference}/")
    assert f'href="{url}"' in case_page.content.decode()
    response = client_for(world, "supervisor").get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tia Fictus" in html and "A1234BC" in html and "M7777MM" in html
    assert "Recorded as mother by the police" in html
    assert "Recorded as parent at a domestic abuse occurrence" in html
    assert f'href="/cases/{two_receptions.reference}/"' in html
    assert AuditRecord.objects.filter(
        actor=world["supervisor"],
        action=AuditAction.VIEW,
        object_type="child",
        child_ref=tia.pseudonym,
    ).exists()
    # Outside the user's scope it does not exist; a role that reads no cases is refused.
    assert client_for(world, "supervisor_south").get(url).status_code == 404
    assert client_for(world, "champion").get(url).status_code == 404
    assert client_for(world, "other_supervisor").get(url).status_code == 404
    assert client_for(world, "partner").get(url).status_code == 403
    assert client_for(world, "supervisor").get("/children/CNOSUCHCHILD/").status_code == 404
    assert client_for(world, "supervisor").get("/children/C%00X/").status_code == 400  # NUL


# ---------------------------------------------------------------------------------------
# Overdue: checks and allocation too, with the days waited


def _age(case: Case, days: int) -> None:
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(days=days))


def test_overdue_counts_checks_and_allocation_with_days_waited(world, tmp_path: Path) -> None:
    import_run(
        write_run(
            tmp_path / "run",
            [
                child_row(child_ids="P1", forenames="Tia", lpa="N1"),
                child_row(
                    child_ids="P2",
                    forenames="Ava",
                    prisoner="B2345CD",
                    booking="B2",
                    address="2 Else St",
                    lpa="N1",
                ),
                child_row(
                    child_ids="P3",
                    forenames="Kit",
                    prisoner="C3456DE",
                    booking="B3",
                    address="3 Other St",
                    lpa="S1",
                ),
                child_row(
                    child_ids="P4",
                    forenames="Max",
                    prisoner="D4567EF",
                    booking="B4",
                    address="4 Last St",
                    lpa="N1",
                ),
            ],
        ),
        force=world.force,
        user=world["analyst"],
    )
    tia, ava, kit, fresh = (
        Case.objects.get(case_children__child__forenames=n) for n in ("Tia", "Ava", "Kit", "Max")
    )
    _age(tia, 9)  # new for 9 days: waiting for checks
    _age(ava, 20)
    # Checks completed 4 days ago: waiting for allocation. The event log is append-only, so
    # the checks are recorded on a clock set 4 days back rather than re-dated afterwards.
    with demo_clock(timezone.now() - timedelta(days=4), allow=True):
        _check_all(world, ava)
    _age(kit, 30)
    _check_all(world, kit)
    wf.allocate_case(user=world["supervisor"], case=kit, champion=world["champion"])
    Case.objects.filter(pk=kit.pk).update(allocated_at=timezone.now() - timedelta(days=12))
    items = case_sel.overdue_cases(world["supervisor"])
    got = [(c.reference, c.waiting_for, c.days_waited) for c in items]
    assert got == [
        (kit.reference, "first contact", 12),
        (tia.reference, "checks", 9),
        (ava.reference, "allocation", 4),
    ]  # longest wait first
    assert fresh.reference not in [c.reference for c in items]  # opened today: not overdue
    # Scope: the south supervisor sees the south case only; a champion only their own.
    assert [c.reference for c in case_sel.overdue_cases(world["supervisor_south"])] == [
        kit.reference
    ]
    assert [c.reference for c in case_sel.overdue_cases(world["champion"])] == [kit.reference]
    # The case list's "overdue only" filter and the case page's tag agree.
    page = case_sel.case_list(world["supervisor"], overdue_only=True)
    assert {c.reference for c in page.items} == {kit.reference, tia.reference, ava.reference}
    assert case_sel.case_detail(world["supervisor"], tia.reference).overdue
    # The pages: the overdue list with what each waits for, and the dashboard's summary.
    html = client_for(world, "supervisor").get("/overdue/").content.decode()
    assert "Waiting for checks" not in html  # a tag, not a sentence
    for words in (
        "Checks",
        "Allocation",
        "First contact",
        ">12<",
        ">9<",
        ">4<",
        "1 waiting for checks, 1 for allocation, 1 for a first contact",
    ):
        assert words in html, words
    html = client_for(world, "supervisor").get("/dashboard/").content.decode()
    assert "3 cases waiting too long: 1 for checks, 1 for allocation, 1 for a first contact" in (
        html
    )
    assert "The longest has waited 12 days" in html and 'href="/overdue/"' in html


# ---------------------------------------------------------------------------------------
# The allocation form shows each champion's open cases and areas


def test_allocation_choices_show_open_cases_and_areas(world, tmp_path: Path) -> None:
    import_run(
        write_run(
            tmp_path / "run",
            [
                child_row(child_ids="P1", forenames="Tia", lpa="S1"),
                child_row(
                    child_ids="P2",
                    forenames="Ava",
                    prisoner="B2345CD",
                    booking="B2",
                    address="2 Else St",
                    lpa="S1",
                ),
                child_row(
                    child_ids="P3",
                    forenames="Kit",
                    prisoner="C3456DE",
                    booking="B3",
                    address="3 Other St",
                    lpa="S1",
                ),
            ],
        ),
        force=world.force,
        user=world["analyst"],
    )
    one, two, waiting = (
        Case.objects.get(case_children__child__forenames=n) for n in ("Tia", "Ava", "Kit")
    )
    for case in (one, two, waiting):
        _check_all(world, case)
    wf.allocate_case(user=world["supervisor"], case=one, champion=world["champion_south"])
    wf.allocate_case(user=world["supervisor"], case=two, champion=world["champion_south"])
    wf.close_case(user=world["champion_south"], case=two, outcome="no_contact")
    found = {c.username: c for c in case_sel.champions_for(world["supervisor"], waiting)}
    assert found["champion_south"].open_cases == 1  # the closed case is not counted
    assert found["champion_south"].area_names == ["Southtown"]
    assert found["champion"].open_cases == 0 and found["champion"].area_names == []
    html = (
        client_for(world, "supervisor")
        .get(f"/cases/{waiting.reference}/allocate/")
        .content.decode()
    )
    assert "1 open case; covers Southtown" in html
    assert "0 open cases; covers the whole force" in html
    assert 'class="govuk-hint govuk-radios__hint"' in html
    assert 'aria-describedby="id_champion_' in html  # each hint is tied to its radio


# ---------------------------------------------------------------------------------------
# The checker's primary button is the next real step


def _primary(html: str) -> str:
    import re

    match = re.search(
        r'<a href="([^"]+)" role="button"[^>]*class="govuk-button"[^>]*>([^<]+)<', html
    )
    return f"{match.group(2)} -> {match.group(1)}" if match else ""


def test_checkers_primary_button_is_the_next_child_to_check(world, family) -> None:
    from paramount.casework.web.actions import case_actions

    detail = case_sel.case_detail(world["checker"], family.reference)
    tia = next(cc for cc in detail.children if cc.child.forenames == "Tia")
    leo = next(cc for cc in detail.children if cc.child.forenames == "Leo")
    first = next(
        a for a in case_actions(world["checker"], family, [], detail.children) if a.primary
    )
    assert first.label.startswith("Record checks for")
    client = client_for(world, "checker")
    url = f"/cases/{family.reference}/"
    primary = _primary(client.get(url).content.decode())
    assert primary.startswith("Record checks for ") and "/children/" in primary
    assert client.get(primary.split(" -> ")[1]).status_code == 200  # it leads somewhere
    wf.record_child_check(
        user=world["checker"], case_child=tia, social_care_status=SocialCareStatus.NOT_KNOWN
    )
    primary = _primary(client.get(url).content.decode())
    assert primary == (
        f"Record checks for Leo Fictus -> /cases/{family.reference}/children/{leo.pk}/check/"
    )
    wf.record_child_check(
        user=world["checker"], case_child=leo, social_care_status=SocialCareStatus.NOT_KNOWN
    )
    primary = _primary(client.get(url).content.decode())
    assert primary == f"Mark checks complete -> /cases/{family.reference}/complete-checks/"


def test_contact_details_go_with_their_case_at_disposal(world, family) -> None:
    from paramount.casework.models import FamilyContact
    from paramount.casework.services.retention import dispose_of_case

    contact.record_family_contact(user=world["checker"], case=family, phone="07700 900982")
    wf.record_not_approached(user=world["checker"], case=family, reason="already_supported")
    with pytest.raises(ValidationError):  # closed: no more changes
        contact.record_family_contact(user=world["checker"], case=family, phone="07700 900111")
    dispose_of_case(user=world["admin"], case=family, reason="retention review")
    assert not FamilyContact.objects.exists()
