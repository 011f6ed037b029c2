"""The casework pages: each page for each role, including the refusals (404 for objects out
of scope, 403 for pages a role may not use), forms' bad input (GOV.UK errors, nothing
changes), CSRF, sign-in with lockout and the TOTP second factor."""

from __future__ import annotations

from pathlib import Path

import pytest
from casework_factories import PASSWORD, child_row, make_user, make_world, write_run
from django.test import Client
from django.utils import timezone

from paramount.casework.codes import (
    AuditAction,
    CaseState,
    ContactMethod,
    ContactOutcome,
    Role,
    ShareItem,
    SocialCareStatus,
)
from paramount.casework.models import (
    AuditRecord,
    Case,
    ContactAttempt,
    Referral,
    ReviewTask,
    User,
)
from paramount.casework.services import workflow as wf
from paramount.casework.services.importing import import_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_factor(settings) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False


class Cases:
    def __init__(self, world, north: Case, south: Case, referral: Referral) -> None:
        self.world, self.north, self.south, self.referral = world, north, south, referral


def _ready(world, case: Case) -> None:
    for cc in case.case_children.all():
        wf.record_child_check(user=world["checker"], case_child=cc,
                              social_care_status=SocialCareStatus.NOT_KNOWN)
    wf.complete_checks(user=world["checker"], case=case)


@pytest.fixture
def cases(tmp_path: Path) -> Cases:
    """North: allocated to `champion`, agreed and referred. South: ready, unallocated.
    A review task in the north."""
    world = make_world()
    rows = [
        child_row(child_ids="P1", forenames="Tia", carer_name="Rae Fictus",
                  carer_relationship="PARENT", sources="RMS_RELATIONSHIP;CO_RESIDENCE"),
        child_row(child_ids="P2", forenames="Leo", dob="2018-02-03"),
        child_row(child_ids="P3", surname="Imagin", forenames="Ava", prisoner="B2345CD",
                  booking="B2002", address="9 Nowhere Lane, Southtown", postcode="ST1 1AA",
                  lpa="S1"),
    ]
    review = [child_row(child_ids="P4", surname="Maybe", forenames="Kit", prisoner="C3456DE",
                        booking="B3003", confidence="0.55")]
    import_run(write_run(tmp_path / "run", rows, review=review), force=world.force,
               user=world["analyst"])
    north = Case.objects.get(lpa=world.north)
    south = Case.objects.get(lpa=world.south)
    _ready(world, north)
    _ready(world, south)
    wf.allocate_case(user=world["supervisor"], case=north, champion=world["champion"])
    now = timezone.now()
    wf.record_contact_attempt(user=world["champion"], case=north, at=now,
                              method=ContactMethod.PHONE, outcome=ContactOutcome.SPOKE_VISIT_AGREED)
    wf.record_visit(user=world["champion"], case=north, visited_on=timezone.localdate(),
                    present="Mother, two children", needs="Help explaining to the children",
                    support_offered=True)
    agreement = wf.record_agreement(
        user=world["champion"], case=north, agreed_by_name="Rae Fictus",
        agreed_by_relationship="mother", agreed_at=now,
        children=list(north.case_children.all()),
        may_share=[ShareItem.CHILD_NAMES, ShareItem.NEEDS])
    referral = wf.send_referral(user=world["champion"], case=north, agreement=agreement)
    north.refresh_from_db()
    south.refresh_from_db()
    return Cases(world, north, south, referral)


def client_for(world, name: str | None) -> Client:
    client = Client()
    if name:
        client.force_login(world[name])
    return client


READERS = {"analyst", "checker", "checker_north", "champion", "supervisor"}
ROLES = ["analyst", "checker", "checker_north", "champion", "champion2", "champion_south",
         "supervisor", "supervisor_south", "partner", "evaluator", "auditor", "admin",
         "other_supervisor", "other_partner"]
CASE_ROLES = {"analyst", "checker", "checker_north", "champion", "champion2", "champion_south",
              "supervisor", "supervisor_south", "other_supervisor"}


def expected(page: str, role: str) -> int:
    """The status each role gets on each page (the matrix, refusals included)."""
    if page == "north_case":
        if role in READERS:
            return 200
        return 404 if role in CASE_ROLES else 403
    if page == "south_case":
        if role in {"analyst", "checker", "supervisor", "supervisor_south"}:
            return 200
        return 404 if role in CASE_ROLES else 403
    if page == "case_list":
        return 200 if role in CASE_ROLES else 403
    if page == "referrals":
        return 200 if role in {"partner", "other_partner"} else 403
    if page == "referral":
        return 200 if role == "partner" else 404 if role == "other_partner" else 403
    if page == "dashboard":
        return 200 if role in {"analyst", "supervisor", "supervisor_south",
                               "other_supervisor"} else 403
    if page == "evaluation":
        return 200 if role == "evaluator" else 403
    if page == "audit":
        return 200 if role == "auditor" else 403
    if page == "review":
        return 200 if role in {"analyst", "supervisor", "supervisor_south",
                               "other_supervisor"} else 403
    if page == "overdue":
        return 200 if role in {"supervisor", "supervisor_south", "other_supervisor", "champion",
                               "champion2", "champion_south"} else 403
    if page == "administration":
        return 200 if role in {"admin", "supervisor", "supervisor_south",
                               "other_supervisor"} else 403
    if page == "north_note_step":
        if role in {"champion", "supervisor", "checker", "checker_north"}:
            return 200
        if role == "analyst":
            return 403  # sees the case, may not write on it
        return 404 if role in CASE_ROLES else 403
    if page == "north_contact_step_when_referred":  # not a step for a referred case
        return 403 if role in READERS else 404 if role in CASE_ROLES else 403
    raise AssertionError(page)


def test_role_page_object_matrix(cases: Cases) -> None:
    world = cases.world
    paths = {
        "north_case": f"/cases/{cases.north.reference}/",
        "south_case": f"/cases/{cases.south.reference}/",
        "case_list": "/cases/",
        "referrals": "/referrals/",
        "referral": f"/referrals/{cases.referral.pk}/",
        "dashboard": "/dashboard/",
        "evaluation": "/evaluation/",
        "audit": "/audit/",
        "review": "/review/",
        "overdue": "/overdue/",
        "administration": "/administration/",
        "north_note_step": f"/cases/{cases.north.reference}/note/",
        "north_contact_step_when_referred": f"/cases/{cases.north.reference}/contact/",
    }
    failures = []
    for role in ROLES:
        client = client_for(world, role)
        for page, path in paths.items():
            got = client.get(path).status_code
            if got != expected(page, role):
                failures.append(f"{role} {page}: got {got}, expected {expected(page, role)}")
    assert not failures, "\n".join(failures)
    # Refusals are logged.
    assert AuditRecord.objects.filter(action="refused", actor_username="champion2").exists()


def test_signed_out_goes_to_sign_in(cases: Cases) -> None:
    for path in ("/", "/cases/", f"/cases/{cases.north.reference}/", "/dashboard/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_case_page_shows_children_evidence_network_timeline(cases: Cases) -> None:
    html = client_for(cases.world, "champion").get(f"/cases/{cases.north.reference}/").content
    text = html.decode()
    assert "Tia Fictus" in text and "Leo Fictus" in text
    assert "Recorded as parent at a domestic abuse occurrence" in text  # evidence in words
    assert 'class="app-network"' in text and "<title" in text and "Police record" in text
    assert "Rae Fictus" in text  # carer in the network and summary
    assert "A1234BC" in text and "Timeline" in text and "Referral sent" in text
    assert 'style="' not in text  # CSP: no inline styles
    assert "<script>" not in text  # CSP: no inline scripts


def test_case_list_filters_search_and_pages(cases: Cases) -> None:
    client = client_for(cases.world, "supervisor")
    text = client.get("/cases/").content.decode()
    assert cases.north.reference in text and cases.south.reference in text

    def search(criteria: dict) -> str:
        response = client.post("/cases/", criteria)
        assert response.status_code == 302
        return client.get(response["Location"]).content.decode()

    text = search({"lpa": "S1"})
    assert cases.south.reference in text and cases.north.reference not in text
    text = search({"state": CaseState.REFERRED})
    assert cases.north.reference in text and cases.south.reference not in text
    text = search({"q": "Imagin"})
    assert cases.south.reference in text and cases.north.reference not in text
    text = search({"overdue": "on"})
    assert "No cases match" in text
    response = client.post("/cases/", {"state": "nonsense"})
    assert response.status_code == 400
    assert "Choose a state from the list" in response.content.decode()
    assert AuditRecord.objects.filter(action="search", actor_username="supervisor").exists()


def test_bad_input_shows_errors_and_changes_nothing(cases: Cases) -> None:
    client = client_for(cases.world, "supervisor")
    case = cases.south
    url = f"/cases/{case.reference}/allocate/"
    response = client.post(url, {"champion": ""})
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text and "Select the champion" in text
    assert 'href="#id_champion_0"' in text
    case.refresh_from_db()
    assert case.state == CaseState.READY and case.champion is None
    # A champion of the wrong area: the service's message, nothing changes.
    south_champion = cases.world["champion_south"]
    response = client.post(url, {"champion": str(south_champion.pk)})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.champion == south_champion
    # Contact attempt with an impossible date and a time in the future.
    client = client_for(cases.world, "champion_south")
    before = ContactAttempt.objects.count()
    response = client.post(f"/cases/{case.reference}/contact/", {
        "day-day": "31", "day-month": "2", "day-year": "2025", "method": "phone",
        "outcome": "no_answer"})
    assert response.status_code == 400
    assert "must be a real date" in response.content.decode()
    tomorrow = timezone.localdate() + timezone.timedelta(days=2)
    response = client.post(f"/cases/{case.reference}/contact/", {
        "day-day": tomorrow.day, "day-month": tomorrow.month, "day-year": tomorrow.year,
        "method": "phone", "outcome": "no_answer"})
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    response = client.post(f"/cases/{case.reference}/contact/", {
        "day-day": "1", "day-year": "2025", "method": "pigeon", "outcome": "no_answer"})
    text = response.content.decode()
    assert "must include a month" in text and "Select how you tried to make contact" in text
    assert ContactAttempt.objects.count() == before


def test_override_needs_a_reason_and_a_supervisor(cases: Cases) -> None:
    case = cases.south
    response = client_for(cases.world, "supervisor").post(
        f"/cases/{case.reference}/override-referral/", {"override_reason": "  "})
    assert response.status_code == 400
    assert "Enter the safeguarding concern" in response.content.decode()
    assert not Referral.objects.filter(case=case).exists()
    response = client_for(cases.world, "checker").post(
        f"/cases/{case.reference}/override-referral/", {"override_reason": "Risk"})
    assert response.status_code == 403
    assert not Referral.objects.filter(case=case).exists()


def test_agreement_form_needs_children_and_items(cases: Cases) -> None:
    world = cases.world
    case = cases.south
    wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion_south"])
    wf.record_visit(user=world["champion_south"], case=case, visited_on=timezone.localdate(),
                    present="Grandmother", support_offered=True)
    client = client_for(world, "champion_south")
    response = client.post(f"/cases/{case.reference}/agreement/", {
        "agreed_by_name": "", "agreed_by_relationship": "grandmother"})
    text = response.content.decode()
    assert response.status_code == 400
    for message in ("Enter who agreed", "Enter the date they agreed",
                    "Select the children the agreement covers",
                    "Select what may be shared with the charity"):
        assert message in text
    case.refresh_from_db()
    assert case.state == CaseState.SUPPORT_OFFERED
    # A referral page is not offered without an agreement.
    assert client.get(f"/cases/{case.reference}/referral/").status_code == 403


def test_csrf_enforced_on_workflow_posts(cases: Cases) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cases.world["supervisor"])
    url = f"/cases/{cases.south.reference}/note/"
    assert client.post(url, {"text": "No token"}).status_code == 403
    page = client.get(url)
    token = page.context["csrf_token"] if page.context else client.cookies["csrftoken"].value
    response = client.post(url, {"text": "With a token", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert cases.south.events.filter(code="note").count() == 1


def test_partner_sees_only_the_agreed_pack_and_withdrawal_hides_it(cases: Cases) -> None:
    client = client_for(cases.world, "partner")
    text = client.get("/referrals/").content.decode()
    assert cases.north.reference in text and cases.south.reference not in text
    text = client.get(f"/referrals/{cases.referral.pk}/").content.decode()
    assert "Tia" in text and "Help explaining to the children" in text
    assert "Imaginary Road" not in text  # address was not agreed
    assert client.post(f"/referrals/{cases.referral.pk}/acknowledge/").status_code == 302
    cases.referral.refresh_from_db()
    assert cases.referral.acknowledged_at is not None
    response = client.post(f"/referrals/{cases.referral.pk}/withdraw/",
                           {"note": "Mother phoned us"})
    assert response.status_code == 302
    assert cases.north.reference not in client.get("/referrals/").content.decode()
    assert client.get(f"/referrals/{cases.referral.pk}/").status_code == 404


def test_review_task_accept_and_reject_needs_reason(cases: Cases) -> None:
    task = ReviewTask.objects.get()
    client = client_for(cases.world, "analyst")
    assert "Task" in client.get("/review/").content.decode()
    response = client.post(f"/review/{task.pk}/", {"decision": "reject", "note": ""})
    assert response.status_code == 400
    assert "Say why the candidate is rejected" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"
    response = client.post(f"/review/{task.pk}/", {"decision": "accept"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "accepted" and task.case is not None
    # A supervisor reads it but may not resolve.
    response = client_for(cases.world, "supervisor").post(f"/review/{task.pk}/",
                                                          {"decision": "accept"})
    assert response.status_code in (400, 403)


def test_dashboard_charts_with_tables(cases: Cases) -> None:
    text = client_for(cases.world, "supervisor").get("/dashboard/").content.decode()
    assert 'class="app-chart"' in text and "<desc" in text
    assert "Referred" in text and "Days from reception to first contact" in text
    assert "Champion" in text  # champion's name row


def test_evaluator_page_has_no_personal_fields(cases: Cases) -> None:
    text = client_for(cases.world, "evaluator").get("/evaluation/").content.decode()
    for personal in ("Tia", "Fictus", "A1234BC", cases.north.reference, "Imaginary"):
        assert personal not in text
    assert "fewer than" in text


def test_auditor_searches_by_person_case_and_date(cases: Cases) -> None:
    client_for(cases.world, "champion").get(f"/cases/{cases.north.reference}/")
    client = client_for(cases.world, "auditor")
    text = client.get("/audit/", {"actor": "champion", "case_ref": cases.north.reference}
                      ).content.decode()
    assert cases.north.reference in text and "Consultation: a record read" in text
    response = client.get("/audit/", {"date_from-day": "5", "date_from-month": "5",
                                      "date_from-year": "2026", "date_to-day": "1",
                                      "date_to-month": "1", "date_to-year": "2026"})
    assert response.status_code == 400
    assert "must be the same as or after" in response.content.decode()


def test_administration_adds_an_account_with_clear_errors(cases: Cases) -> None:
    client = client_for(cases.world, "supervisor")
    fields = {"username": "newchampion", "first_name": "New", "last_name": "Champion",
              "email": "new@force.example", "role": Role.CHAMPION}
    response = client.post("/administration/users/add/", {**fields, "email": "not-an-email"})
    assert response.status_code == 400
    assert "correct format" in response.content.decode()
    # A role a supervisor may not give is not among the choices.
    response = client.post("/administration/users/add/", {**fields, "role": Role.AUDITOR})
    assert response.status_code == 400
    assert "Select a role" in response.content.decode()
    assert 'value="auditor"' not in client.get("/administration/users/add/").content.decode()
    response = client.post("/administration/users/add/", fields)
    assert response.status_code == 302
    assert "newchampion" in client.get("/administration/").content.decode()
    # No password chosen by the supervisor: the new account chooses its own from a link.
    assert not User.objects.get(username="newchampion").has_usable_password()


def test_sign_in_wrong_password_then_lockout(cases: Cases) -> None:
    client = Client(REMOTE_ADDR="192.0.2.9")
    response = client.post("/accounts/login/", {"username": "checker", "password": "nope"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "checker", "password": "x"})
    assert response.status_code == 429
    assert "too many wrong sign-in attempts" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "checker", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_in_with_totp_setup_then_verify(cases: Cases, settings) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = True
    make_user("fresh", Role.ANALYST, cases.world.force)
    client = Client()
    response = client.post("/accounts/login/", {"username": "fresh", "password": PASSWORD,
                                                "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/setup/")
    assert client.get("/cases/").status_code == 302  # not yet verified
    page = client.get(response["Location"])
    assert b"<svg" in page.content and b"app-qr" in page.content
    device = TOTPDevice.objects.get(user__username="fresh")
    bad = client.post(response["Location"], {"token": "12"})
    assert b"must be 6 digits" in bad.content
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    done = client.post(response["Location"], {"token": f"{totp.token():06d}"})
    assert done.status_code == 302 and done["Location"] == "/dashboard/"
    assert client.get("/cases/").status_code == 200
    # Next time: verify, not set-up.
    client.post("/accounts/logout/")
    response = Client().post("/accounts/login/", {"username": "fresh", "password": PASSWORD})
    assert response["Location"].startswith("/accounts/verify/")


def test_sign_out_is_a_post(cases: Cases) -> None:
    client = client_for(cases.world, "champion")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/cases/").status_code == 302


def test_supervisor_deactivates_a_leaver_and_reactivates_them(cases: Cases) -> None:
    client = client_for(cases.world, "supervisor")
    confirm = client.get("/administration/users/champion2/deactivate/")
    assert confirm.status_code == 200  # asks first; nothing changes yet
    assert "Deactivate account champion2?" in confirm.content.decode()
    assert User.objects.get(username="champion2").is_active
    response = client.post("/administration/users/champion2/deactivate/")
    assert response.status_code == 302
    leaver = Client(REMOTE_ADDR="192.0.2.20")
    response = leaver.post("/accounts/login/", {"username": "champion2", "password": PASSWORD})
    assert "_auth_user_id" not in leaver.session
    page = client.get("/administration/").content.decode()
    assert "champion2 deactivated" in page
    assert AuditRecord.objects.filter(
        actor=cases.world["supervisor"], action=AuditAction.CHANGE, object_ref="champion2"
    ).exists()
    client.post("/administration/users/champion2/reactivate/")
    response = leaver.post("/accounts/login/", {"username": "champion2", "password": PASSWORD})
    assert "_auth_user_id" in leaver.session


def test_account_changes_stay_inside_the_supervisors_reach(cases: Cases) -> None:
    client = client_for(cases.world, "supervisor")
    # an administrator, another force's supervisor, nobody: all "not found"
    for username in ("admin", "other_supervisor", "nobody"):
        response = client.post(f"/administration/users/{username}/deactivate/")
        assert response.status_code == 404, username
    # oneself: seen in the list, refused
    assert client.post("/administration/users/supervisor/deactivate/").status_code == 403
    assert User.objects.get(username="supervisor").is_active
    assert User.objects.get(username="admin").is_active
    assert AuditRecord.objects.filter(
        actor=cases.world["supervisor"], action=AuditAction.REFUSED, object_ref="admin"
    ).exists()
    # a champion may not change accounts at all; a GET changes nothing
    assert client_for(cases.world, "champion").post(
        "/administration/users/champion2/deactivate/").status_code in (403, 404)
    assert client.get("/administration/users/champion2/unlock/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cases.world["supervisor"])
    assert strict.post("/administration/users/champion2/deactivate/").status_code == 403


def test_a_locked_out_account_is_shown_and_unlocked(cases: Cases) -> None:
    client = Client(REMOTE_ADDR="192.0.2.21")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "checker", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "checker", "password": PASSWORD})
    assert response.status_code == 429
    admin = client_for(cases.world, "supervisor")
    page = admin.get("/administration/").content.decode()
    assert "Locked" in page and "/administration/users/checker/unlock/" in page
    assert admin.post("/administration/users/checker/unlock/").status_code == 302
    response = client.post("/accounts/login/", {"username": "checker", "password": PASSWORD})
    assert "_auth_user_id" in client.session


def test_override_referral_is_in_the_partners_list_and_page(cases: Cases) -> None:
    """A supervisor's safeguarding override reaches the partner in Paramount: listed,
    readable (names, dates of birth, address; who to call), no withdrawal link."""
    wf.send_referral(user=cases.world["supervisor"], case=cases.south,
                     override_reason="Reason the charity is not told in writing")
    referral = Referral.objects.get(case=cases.south)
    client = client_for(cases.world, "partner")
    text = client.get("/referrals/").content.decode()
    assert f'href="/referrals/{referral.pk}/"' in text and "Safeguarding" in text
    response = client.get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ava Imagin" in text and "9 Nowhere Lane" in text
    assert "The family has not agreed" in text and "supervisor@force.example" in text
    assert "Reason the charity is not told" not in text
    assert f"/referrals/{referral.pk}/withdraw/" not in text
    assert client.get(f"/referrals/{referral.pk}/withdraw/").status_code == 404
    assert client.post(f"/referrals/{referral.pk}/acknowledge/").status_code == 302
    assert client_for(cases.world, "other_partner").get(
        f"/referrals/{referral.pk}/").status_code == 404


def test_agreement_dated_before_the_case_opened_is_refused_on_the_page(cases: Cases) -> None:
    world = cases.world
    case = cases.south
    wf.allocate_case(user=world["supervisor"], case=case, champion=world["champion_south"])
    wf.record_visit(user=world["champion_south"], case=case, visited_on=timezone.localdate(),
                    present="Grandmother", support_offered=True)
    cc = case.case_children.first()
    response = client_for(world, "champion_south").post(f"/cases/{case.reference}/agreement/", {
        "agreed_by_name": "Gran", "agreed_by_relationship": "grandmother",
        "agreed_on-day": "1", "agreed_on-month": "1", "agreed_on-year": "2000",
        "children": [str(cc.pk)], "may_share": [ShareItem.CHILD_NAMES]})
    assert response.status_code == 400
    text = response.content.decode()
    assert "The date they agreed cannot be before" in text
    assert 'href="#id_agreed_on-day"' in text  # the summary links to the date field
    assert not case.agreements.exists()


def test_partner_withdrawal_dated_before_the_agreement_is_refused(cases: Cases) -> None:
    client = client_for(cases.world, "partner")
    response = client.post(f"/referrals/{cases.referral.pk}/withdraw/", {
        "withdrawn_on-day": "1", "withdrawn_on-month": "1", "withdrawn_on-year": "2000",
        "note": "Mother phoned us"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "The date they withdrew cannot be before" in text
    assert 'href="#id_withdrawn_on-day"' in text
    cases.referral.agreement.refresh_from_db()
    assert cases.referral.agreement.withdrawn_at is None
