# ruff: noqa: F811 (the fixtures imported from test_web_pages are redefined as arguments)
"""The audit of access: every refused request leaves one record (who, which page, the URL's
references, never the query), and so do sign-ins, failures (the username as typed and the
client's address, never a password), lockouts, the second factor and sign-outs."""

from __future__ import annotations

import pytest
from casework_factories import PASSWORD, make_user
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from test_web_pages import Cases, _one_factor, cases, client_for  # noqa: F401 (fixtures)

from paramount.casework.codes import AuditAction, CaseState, Role
from paramount.casework.models import AuditRecord

pytestmark = pytest.mark.django_db


def _page_refusals(username: str):
    return AuditRecord.objects.filter(
        actor_username=username, action=AuditAction.REFUSED, object_type="page"
    )


def test_a_refused_page_is_recorded_once_with_its_page_and_reference(cases: Cases) -> None:
    world, north = cases.world, cases.north
    # An analyst sees the case but may not write on it.
    response = client_for(world, "analyst").get(f"/cases/{north.reference}/note/")
    assert response.status_code == 403
    assert "The attempt has been recorded" in response.content.decode()
    (record,) = _page_refusals("analyst")
    assert record.actor == world["analyst"] and record.actor_role == "analyst"
    assert record.object_ref == "case-step" and record.case_ref == north.reference
    assert record.detail["url"] == {"reference": north.reference, "slug": "note"}
    assert record.detail["method"] == "GET"


def test_a_partner_opening_a_case_page_is_recorded(cases: Cases) -> None:
    response = client_for(cases.world, "partner").get(f"/cases/{cases.north.reference}/")
    assert response.status_code == 403
    (record,) = _page_refusals("partner")
    assert record.object_ref == "case-detail" and record.case_ref == cases.north.reference


def test_an_analyst_posting_an_allocation_is_refused_recorded_and_changes_nothing(
    cases: Cases,
) -> None:
    world, south = cases.world, cases.south
    response = client_for(world, "analyst").post(
        f"/cases/{south.reference}/allocate/", {"champion": world["champion_south"].pk}
    )
    assert response.status_code == 403
    south.refresh_from_db()
    assert south.state == CaseState.READY and south.champion is None
    (record,) = _page_refusals("analyst")
    assert record.detail["method"] == "POST" and record.detail["url"]["slug"] == "allocate"


def test_a_refusal_records_no_search_term_nor_a_name_typed_in_the_url(cases: Cases) -> None:
    partner = client_for(cases.world, "partner")
    assert partner.get("/cases/?q=Robinson").status_code == 403
    assert partner.get("/cases/Robinson/").status_code == 403
    records = list(_page_refusals("partner"))
    assert len(records) == 2
    assert records[0].detail["url"] == {"reference": "(not a reference)"}
    assert not any(
        "Robinson" in f"{r.detail} {r.object_ref} {r.case_ref}" for r in AuditRecord.objects.all()
    )


def test_sign_in_failure_lockout_and_sign_out_are_recorded(cases: Cases) -> None:
    client = Client(REMOTE_ADDR="192.0.2.7")
    client.post("/accounts/login/", {"username": "checker", "password": "wrong-secret-1"})
    failed = AuditRecord.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert failed.actor is None and failed.actor_username == "checker"
    assert failed.object_ref == "checker" and failed.detail == {"ip": "192.0.2.7"}
    # A name that is no account is recorded as typed.
    client.post("/accounts/login/", {"username": "no-such-user", "password": "x"})
    assert AuditRecord.objects.filter(
        action=AuditAction.SIGN_IN_FAILED, actor_username="no-such-user"
    ).exists()
    for _ in range(4):
        client.post("/accounts/login/", {"username": "checker", "password": "wrong-secret-2"})
    locked = AuditRecord.objects.get(action=AuditAction.LOCKED_OUT)
    assert locked.actor_username == "checker" and locked.detail["ip"] == "192.0.2.7"

    other = Client(REMOTE_ADDR="192.0.2.8")
    response = other.post("/accounts/login/", {"username": "champion", "password": PASSWORD})
    assert response.status_code == 302
    signed_in = AuditRecord.objects.get(action=AuditAction.SIGN_IN)
    assert signed_in.actor == cases.world["champion"]
    assert signed_in.detail == {"ip": "192.0.2.8"}
    other.post("/accounts/logout/")
    assert AuditRecord.objects.get(action=AuditAction.SIGN_OUT).actor == cases.world["champion"]
    everything = " ".join(f"{r.detail} {r.object_ref}" for r in AuditRecord.objects.all())
    assert "wrong-secret" not in everything and PASSWORD not in everything


def test_second_factor_pass_and_failure_are_recorded(cases: Cases, settings) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off after the wrong code, for the test
    user = make_user("totp_user", Role.ANALYST, cases.world.force)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client(REMOTE_ADDR="192.0.2.5")
    response = client.post("/accounts/login/", {"username": "totp_user", "password": PASSWORD})
    assert response["Location"].startswith("/accounts/verify/")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    wrong = f"{(totp.token() + 1) % 1_000_000:06d}"
    assert client.post("/accounts/verify/", {"token": wrong}).status_code == 200
    failed = AuditRecord.objects.get(action=AuditAction.SECOND_FACTOR_FAILED)
    assert failed.actor == user and failed.detail == {"ip": "192.0.2.5"}
    assert client.post("/accounts/verify/", {"token": f"{totp.token():06d}"}).status_code == 302
    assert AuditRecord.objects.get(action=AuditAction.SECOND_FACTOR).actor == user


def test_a_forged_form_is_refused_and_recorded(cases: Cases) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cases.world["supervisor"])
    response = client.post(f"/cases/{cases.south.reference}/note/", {"text": "No token"})
    assert response.status_code == 403
    (record,) = _page_refusals("supervisor")
    assert record.detail["refusal"] == "csrf" and record.case_ref == cases.south.reference
    assert not cases.south.events.filter(code="note").exists()


def test_a_champion_opening_another_areas_case_step_is_recorded(cases: Cases) -> None:
    """Out of scope is a 404 (the case is not shown to exist); its selector records it."""
    north = cases.north
    response = client_for(cases.world, "champion_south").get(f"/cases/{north.reference}/note/")
    assert response.status_code == 404
    assert AuditRecord.objects.filter(
        actor=cases.world["champion_south"], action=AuditAction.REFUSED, object_ref=north.reference
    ).exists()
