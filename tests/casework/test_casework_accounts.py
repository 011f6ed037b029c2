"""Accounts: nobody grants more than they hold (roles, force, areas), a new account chooses
its password from an emailed one-time link, deactivation asks first, accounts are edited
from the administration pages; all of it audited, refusals included."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from casework_factories import child_row, make_world, write_run
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from paramount.casework.codes import AuditAction, Role
from paramount.casework.models import AuditRecord, Case, Notification, User
from paramount.casework.selectors.accounts import DEPLOYER, may_manage
from paramount.casework.selectors.scope import visible_cases
from paramount.casework.services.importing import import_run
from paramount.casework.services.users import create_user, update_user

pytestmark = pytest.mark.django_db

ADD = "/administration/users/add/"
GOOD_PASSWORD = "violet-harbour-lantern-42"


@pytest.fixture(autouse=True)
def _one_factor(settings) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False


@pytest.fixture
def world(tmp_path: Path):
    world = make_world()
    rows = [
        child_row(child_ids="P1", forenames="Tia"),
        child_row(
            child_ids="P3",
            surname="Imagin",
            forenames="Ava",
            prisoner="B2345CD",
            booking="B2002",
            address="9 Nowhere Lane, Southtown",
            postcode="ST1 1AA",
            lpa="S1",
        ),
    ]
    import_run(write_run(tmp_path / "run", rows), force=world.force, user=world["analyst"])
    return world


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fields(**extra) -> dict:
    return {
        "username": "newanalyst",
        "first_name": "Nadia",
        "last_name": "Quill",
        "email": "newanalyst@force.example",
        "role": Role.ANALYST,
        **extra,
    }


def _refused(actor: User, ref: str) -> bool:
    return AuditRecord.objects.filter(
        actor=actor, action=AuditAction.REFUSED, object_ref=ref
    ).exists()


# ---------------------------------------------------------------------------------------
# Nobody grants more scope than they hold


def test_an_area_supervisor_cannot_create_a_whole_force_account(world) -> None:
    """The review's exploit: a supervisor limited to one LPA adds an analyst with no LPAs,
    who would see the whole force."""
    sup = world["supervisor_south"]
    client = client_for(sup)
    # The form asks for areas, and offers only the supervisor's own.
    page = client.get(ADD).content.decode()
    box = 'name="lpas" type="checkbox" value="{}"'
    assert box.format(world.south.pk) in page and box.format(world.north.pk) not in page
    assert 'name="organisation"' not in page  # a supervisor gives no partner accounts
    response = client.post(ADD, _fields())
    assert response.status_code == 400
    assert "Choose at least one area" in response.content.decode()
    forged = client.post(ADD, _fields(lpas=[world.north.pk]))
    assert forged.status_code == 400 and not User.objects.filter(username="newanalyst").exists()
    # The service refuses too, whatever the page sent, and logs the refusal.
    with pytest.raises(PermissionDenied):
        create_user(
            username="newanalyst",
            role=Role.ANALYST,
            force=world.force,
            email="n@force.example",
            by=sup,
        )
    with pytest.raises(PermissionDenied):
        create_user(
            username="newanalyst",
            role=Role.ANALYST,
            force=world.force,
            email="n@force.example",
            lpas=[world.north, world.south],
            by=sup,
        )
    assert _refused(sup, "newanalyst")
    assert not User.objects.filter(username="newanalyst").exists()
    # Within the supervisor's area: made, and the analyst sees that area's cases only.
    assert client.post(ADD, _fields(lpas=[world.south.pk])).status_code == 302
    analyst = User.objects.get(username="newanalyst")
    assert list(analyst.lpas.all()) == [world.south]
    assert Case.objects.filter(force=world.force).count() == 2
    assert set(visible_cases(analyst).values_list("lpa__code", flat=True)) == {"S1"}
    assert set(visible_cases(sup)) == set(visible_cases(analyst))


def test_roles_a_supervisor_may_give_are_limited(world) -> None:
    sup = world["supervisor"]
    for role in (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.AUDITOR, Role.EVALUATOR, Role.PARTNER):
        with pytest.raises(PermissionDenied):
            create_user(
                username=f"new_{role}",
                role=role,
                force=world.force,
                email="x@force.example",
                by=sup,
                organisation=world.partner if role == Role.PARTNER else None,
            )
        assert _refused(sup, f"new_{role}")
    for role in (Role.ANALYST, Role.CHECKER, Role.CHAMPION):
        create_user(
            username=f"new_{role}", role=role, force=world.force, email="x@force.example", by=sup
        )
    # Nor into another force.
    with pytest.raises(PermissionDenied):
        create_user(
            username="elsewhere",
            role=Role.ANALYST,
            force=world.other_force,
            email="x@force.example",
            by=sup,
        )
    # Nor by raising an account they manage to a role they may not give.
    with pytest.raises(PermissionDenied):
        update_user(
            account=world["champion"],
            by=sup,
            role=Role.SUPERVISOR,
            email="champion@force.example",
            lpas=[],
            organisation=None,
        )
    assert User.objects.get(username="champion").role == Role.CHAMPION
    # An administrator gives any role, a partner with their organisation.
    admin = world["admin"]
    for role in Role.values:
        create_user(
            username=f"a_{role}",
            role=role,
            force=None if role == Role.ADMINISTRATOR else world.force,
            email="x@force.example",
            by=admin,
            organisation=world.partner if role == Role.PARTNER else None,
        )
    # Others give none.
    with pytest.raises(PermissionDenied):
        create_user(
            username="by_analyst",
            role=Role.ANALYST,
            force=world.force,
            email="x@force.example",
            by=world["analyst"],
        )
    assert client_for(world["analyst"]).get(ADD).status_code == 403


def test_accounts_managed_are_those_within_the_managers_areas(world) -> None:
    sup = world["supervisor_south"]
    assert may_manage(sup, world["champion_south"])
    for name in ("checker_north", "analyst", "champion", "supervisor", "partner", "admin"):
        assert not may_manage(sup, world[name]), name
    assert not may_manage(world["supervisor"], world["supervisor_south"])  # a peer's role
    assert may_manage(world["supervisor"], world["checker_north"])
    assert not may_manage(world["supervisor"], world["supervisor"])


def test_deactivating_outside_the_area_is_refused_and_audited(world) -> None:
    sup = world["supervisor_south"]
    client = client_for(sup)
    for name in ("checker_north", "analyst"):  # another area's; the whole force's
        assert client.get(f"/administration/users/{name}/deactivate/").status_code == 403
        assert client.post(f"/administration/users/{name}/deactivate/").status_code == 403
        assert User.objects.get(username=name).is_active
        assert _refused(sup, name)
    assert (
        client.post(
            "/administration/users/checker_north/edit/",
            {
                "first_name": "X",
                "last_name": "Y",
                "email": "x@force.example",
                "role": Role.ANALYST,
                "lpas": [world.south.pk],
            },
        ).status_code
        == 403
    )
    assert User.objects.get(username="checker_north").role == Role.CHECKER
    # The list shows the accounts, with no action on those beyond reach.
    page = client.get("/administration/").content.decode()
    assert "checker_north" in page
    assert "/administration/users/checker_north/deactivate/" not in page
    assert "/administration/users/champion_south/deactivate/" in page
    # Within the area: asks to confirm, then deactivates.
    confirm = client.get("/administration/users/champion_south/deactivate/").content.decode()
    assert "Deactivate account champion_south?" in confirm
    assert "They will no longer be able to sign in; what they recorded stays." in confirm
    assert User.objects.get(username="champion_south").is_active
    assert client.post("/administration/users/champion_south/deactivate/").status_code == 302
    assert not User.objects.get(username="champion_south").is_active


# ---------------------------------------------------------------------------------------
# Editing accounts


def test_an_administrator_edits_role_areas_and_organisation(world) -> None:
    admin = client_for(world["admin"])
    edit = "/administration/users/champion_south/edit/"
    form = admin.get(edit).content.decode()
    assert 'value="Champion_South"' in form and "checked" in form
    base = {"first_name": "Cam", "last_name": "South", "email": "cs@force.example"}
    # A partner account needs its organisation; nobody else may have one.
    response = admin.post(edit, {**base, "role": Role.PARTNER})
    assert response.status_code == 400
    assert "Choose the partner organisation of a partner account" in response.content.decode()
    response = admin.post(edit, {**base, "role": Role.CHECKER, "organisation": world.partner.pk})
    assert response.status_code == 400
    assert "Only a partner account has a partner organisation" in response.content.decode()
    assert 'class="govuk-error-summary"' in response.content.decode()
    response = admin.post(
        edit, {**base, "role": Role.CHECKER, "lpas": [world.north.pk, world.south.pk]}
    )
    assert response.status_code == 302
    account = User.objects.get(username="champion_south")
    assert account.role == Role.CHECKER and account.email == "cs@force.example"
    assert set(account.lpas.all()) == {world.north, world.south}
    record = AuditRecord.objects.filter(
        actor=world["admin"], action=AuditAction.CHANGE, object_ref="champion_south"
    ).latest("at")
    assert record.detail["role"] == Role.CHECKER and record.detail["lpas"] == ["N1", "S1"]
    assert "cs@force.example" not in str(record.detail)  # no personal data in the log
    # An area from another force is refused by the service.
    other_lpa = world.other_force.lpas.create(code="O1", name="Otherton")
    with pytest.raises(ValidationError):
        update_user(
            account=account,
            by=world["admin"],
            role=Role.CHECKER,
            email="cs@force.example",
            lpas=[other_lpa],
            organisation=None,
        )


def test_an_area_supervisor_edits_only_within_their_areas(world) -> None:
    sup = world["supervisor_south"]
    client = client_for(sup)
    edit = "/administration/users/champion_south/edit/"
    base = {
        "first_name": "Cam",
        "last_name": "South",
        "email": "cs@force.example",
        "role": Role.CHECKER,
    }
    assert client.post(edit, base).status_code == 400  # no area: the whole force
    assert client.post(edit, {**base, "lpas": [world.north.pk]}).status_code == 400
    with pytest.raises(PermissionDenied):
        update_user(
            account=world["champion_south"],
            by=sup,
            role=Role.CHECKER,
            email="cs@force.example",
            lpas=[],
            organisation=None,
        )
    assert list(User.objects.get(username="champion_south").lpas.all()) == [world.south]
    assert client.post(edit, {**base, "lpas": [world.south.pk]}).status_code == 302
    assert User.objects.get(username="champion_south").role == Role.CHECKER


# ---------------------------------------------------------------------------------------
# The set-password link


def _link(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://testserver(/accounts/set-password/\S+/)", body).group(1)


def test_a_new_account_chooses_its_password_from_an_emailed_link(
    world, smtp_server, django_capture_on_commit_callbacks, settings
) -> None:
    sup = client_for(world["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        assert sup.post(ADD, _fields()).status_code == 302
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = True
    account = User.objects.get(username="newanalyst")
    assert not account.has_usable_password()
    [message] = smtp_server.to("newanalyst@force.example")
    body = message.get_payload(decode=True).decode()
    assert "newanalyst" in body
    for personal in ("Nadia", "Quill", "Supervisor", "supervisor", "Test Valley"):
        assert personal not in body  # the username only: no names, not the creator's
    link = _link(message)
    # The outbox keeps the message, not the link (a credential until used).
    kept = Notification.objects.get(kind=Notification.Kind.SET_PASSWORD)
    assert kept.status == "sent" and "/accounts/set-password/" not in kept.body

    person = Client()
    step = person.get(link)
    assert step.status_code == 302 and "/choose/" in step["Location"]  # token off the URL
    page = person.get(step["Location"])
    assert page.status_code == 200 and "newanalyst" in page.content.decode()
    bad = person.post(step["Location"], {"password": GOOD_PASSWORD, "confirm": "other"})
    assert bad.status_code == 400 and "do not match" in bad.content.decode()
    weak = person.post(step["Location"], {"password": "password", "confirm": "password"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    done = person.post(step["Location"], {"password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/login/?password_set=1"
    assert AuditRecord.objects.filter(
        actor=account, object_ref="newanalyst", detail__password_set=True
    ).exists()
    # Then sign in, and on to the authenticator app's set-up as at any first sign-in.
    signed = Client().post(
        "/accounts/login/", {"username": "newanalyst", "password": GOOD_PASSWORD}
    )
    assert signed.status_code == 302 and signed["Location"].startswith("/accounts/setup/")
    # The link works once.
    again = Client().get(link)
    assert again.status_code == 404 and "This link no longer works" in again.content.decode()


def test_the_link_expires_and_dies_with_deactivation(world, monkeypatch, settings) -> None:
    from paramount.casework.services.users import set_password_link

    account = create_user(
        username="late",
        role=Role.ANALYST,
        force=world.force,
        email="late@force.example",
        by=world["supervisor"],
        send_link=False,
    )
    link = set_password_link(account).removeprefix("http://testserver")
    assert settings.PASSWORD_RESET_TIMEOUT == 3 * 86400
    assert Client().get(link).status_code == 302
    later = datetime.now() + timedelta(days=3, minutes=1)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    assert Client().get(link).status_code == 404
    monkeypatch.undo()
    assert Client().get(link).status_code == 302
    client_for(world["supervisor"]).post("/administration/users/late/deactivate/")
    assert Client().get(link).status_code == 404


def test_resending_the_link_replaces_the_first(
    world, smtp_server, django_capture_on_commit_callbacks
) -> None:
    admin = client_for(world["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(ADD, _fields(force=world.force.pk)).status_code == 302
    first = _link(smtp_server.to("newanalyst@force.example")[0])
    page = admin.get("/administration/").content.decode()
    assert "No password yet" in page and "/administration/users/newanalyst/send-link/" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post("/administration/users/newanalyst/send-link/").status_code == 302
    second = _link(smtp_server.to("newanalyst@force.example")[1])
    assert first != second
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 302
    assert AuditRecord.objects.filter(
        actor=world["admin"], object_ref="newanalyst", detail__set_password_link="sent"
    ).exists()
    # Outside their reach, a supervisor may not send one.
    other = client_for(world["supervisor_south"])
    assert other.post("/administration/users/newanalyst/send-link/").status_code == 403


def test_odd_links_are_not_found(world) -> None:
    sup = client_for(world["supervisor"])
    for path in (
        "/administration/users/a%00b/deactivate/",
        "/administration/users/a%00b/edit/",
        f"/administration/users/{'x' * 300}/edit/",
    ):
        # A NUL byte is refused before any view (RejectControlCharactersMiddleware): 400.
        assert sup.get(path).status_code == (400 if "%00" in path else 404), path
    assert sup.post("/administration/users/a%00b/unlock/").status_code == 400
    for path in (
        "/accounts/set-password/M%00Q/a-b/",
        "/accounts/set-password/MQ/a%00-b/",
        "/accounts/set-password/MQ/nope/",
        "/accounts/set-password/!!/x-y/",
        "/accounts/set-password/OTk5OTk5OTk5OTk5OTk5OTk5OTk5/abc/",
        "/accounts/set-password/MQ/choose/",
    ):
        assert Client().get(path).status_code == (400 if "%00" in path else 404), path
    assert DEPLOYER.username == "cli"


def test_an_administrator_of_every_force_chooses_the_force(world) -> None:
    admin = client_for(world["admin"])
    response = admin.post(ADD, _fields())
    assert response.status_code == 400 and "Choose the force" in response.content.decode()
    other_lpa = world.other_force.lpas.create(code="O1", name="Otherton")
    response = admin.post(ADD, _fields(force=world.force.pk, lpas=[other_lpa.pk]))
    assert response.status_code == 400
    assert "Choose areas of the account&#x27;s own force" in response.content.decode()
    assert admin.post(ADD, _fields(username="admin2", role=Role.ADMINISTRATOR)).status_code == 302
    assert User.objects.get(username="admin2").force is None
    assert (
        admin.post(ADD, _fields(force=world.other_force.pk, lpas=[other_lpa.pk])).status_code == 302
    )
    assert list(User.objects.get(username="newanalyst").lpas.all()) == [other_lpa]


def test_odd_form_input_is_a_form_error(world) -> None:
    admin = client_for(world["admin"])
    huge = "9" * 30
    for extra in (
        {"force": huge},
        {"force": world.force.pk, "lpas": [huge]},
        {"force": world.force.pk, "lpas": ["\x00"]},
        {"username": "a\x00b"},
        {"email": "a\x00@b.example"},
        {"force": world.force.pk, "organisation": huge},
        {"role": "\x00"},
    ):
        response = admin.post(ADD, _fields(**extra))
        assert response.status_code == 400, extra
    assert not User.objects.filter(username="newanalyst").exists()
