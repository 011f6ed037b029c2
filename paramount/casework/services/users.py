"""Accounts: creating users with a role and areas (no password: a set-password link is
emailed), changing them, deactivating leavers, clearing a sign-in lockout, choosing a
password from the link, and the demo's known accounts.

Every write checks `selectors.accounts` first (nobody grants more than they hold) and logs a
refusal before raising it, outside the write's transaction so the refusal stays logged. The
web pages pass the signed-in user; the command line passes `DEPLOYER` (audited as "cli")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from paramount.casework.codes import AuditAction, Role
from paramount.casework.models import LPA, Force, Notification, PartnerOrganisation, User
from paramount.casework.selectors.accounts import (
    USERNAME_MAX,
    Actor,
    Deployer,
    audit_actor,
    grant_refusal,
    may_manage,
)
from paramount.casework.services.audit import audit
from paramount.casework.services.notifications import queue


def _lpa_codes(lpas: Iterable[LPA]) -> list[str]:
    return sorted(lpa.code for lpa in lpas)


def _refuse(by: Actor, account_ref: str, service: str, reason: str) -> None:
    """Log the refusal (outside any transaction, so it stays) and raise it."""
    audit_actor(
        by,
        AuditAction.REFUSED,
        "user",
        object_ref=account_ref,
        detail={"service": service, "reason": reason},
    )
    messages = {
        "role": "You may not give that role.",
        "force": "You may not give an account in another force.",
        "areas": "You may only give accounts limited to some of your own areas.",
        "manage": "You may not change this account: it has a role or areas beyond yours.",
        "own": "You cannot change your own account here.",
    }
    raise PermissionDenied(messages[reason])


def _check_grant(
    by: Actor, account_ref: str, service: str, *, role: str, force: Force | None, lpas: list[LPA]
) -> None:
    reason = grant_refusal(
        by, role=role, force_id=force.pk if force else None, lpa_ids=[lpa.pk for lpa in lpas]
    )
    if reason:
        _refuse(by, account_ref, service, reason)


def _check_may_manage(by: Actor, account: User, service: str) -> None:
    if not isinstance(by, Deployer) and account.pk == by.pk:
        _refuse(by, account.username, service, "own")
    if not may_manage(by, account):
        _refuse(by, account.username, service, "manage")


def _check_shape(user: User, lpas: list[LPA]) -> None:
    """What makes an account whole: `full_clean` (role, force, username), a partner's
    organisation (and nobody else's), all in the account's own force."""
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if len(user.username) > USERNAME_MAX:
        errors.setdefault("username", []).append(
            f"A username is at most {USERNAME_MAX} characters."
        )
    if user.role != Role.PARTNER and user.organisation_id is not None:
        errors.setdefault("organisation", []).append(
            "Only a partner account has a partner organisation."
        )
    if user.organisation_id is not None and user.organisation.force_id != user.force_id:
        errors.setdefault("organisation", []).append(
            "The partner organisation must be in the account's force."
        )
    if any(lpa.force_id != user.force_id for lpa in lpas):
        errors.setdefault("lpas", []).append("Choose areas of the account's own force.")
    if errors:
        raise ValidationError(errors)


def create_user(
    *,
    username: str,
    role: str,
    force: Force | None,
    email: str,
    by: Actor,
    first_name: str = "",
    last_name: str = "",
    lpas: Iterable[LPA] = (),
    organisation: PartnerOrganisation | None = None,
    send_link: bool = True,
) -> User:
    """Create an account within what `by` holds (`selectors.accounts`), with no password:
    the person chooses it from the set-password link emailed to them (`send_link`; the
    command line's `--print-link` prints it instead)."""
    lpas = list(lpas)
    _check_grant(by, username, "create user", role=role, force=force, lpas=lpas)
    if send_link and not email:
        raise ValidationError(
            {"email": "Enter an email address: the set-password link goes there."}
        )
    with transaction.atomic():
        user = User(
            username=username,
            role=role,
            force=force,
            email=email,
            first_name=first_name,
            last_name=last_name,
            organisation=organisation,
        )
        user.set_unusable_password()
        _check_shape(user, lpas)
        user.save()
        user.lpas.set(lpas)
        audit_actor(
            by,
            AuditAction.CHANGE,
            "user",
            object_ref=username,
            detail={
                "created": role,
                "force": force.code if force else "",
                "lpas": _lpa_codes(lpas),
                "organisation": organisation.pk if organisation else None,
            },
        )
        if send_link:
            _queue_set_password_email(user)
    return user


def update_user(
    *,
    account: User,
    by: Actor,
    role: str,
    email: str,
    lpas: Iterable[LPA],
    organisation: PartnerOrganisation | None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    """Change an account's role, areas, organisation, email (and names), under the same
    rules as creating it: the account as it is and as it will be must be within `by`'s
    reach. The force stays (a move between forces is a new account)."""
    lpas = list(lpas)
    _check_may_manage(by, account, "update user")
    _check_grant(by, account.username, "update user", role=role, force=account.force, lpas=lpas)
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        before = (
            account.role,
            _lpa_codes(account.lpas.all()),
            account.organisation_id,
            account.email,
            account.first_name,
            account.last_name,
        )
        account.role, account.email, account.organisation = role, email, organisation
        if first_name is not None:
            account.first_name = first_name
        if last_name is not None:
            account.last_name = last_name
        _check_shape(account, lpas)
        account.save()
        account.lpas.set(lpas)
        after = (
            role,
            _lpa_codes(lpas),
            account.organisation_id,
            email,
            account.first_name,
            account.last_name,
        )
        if before != after:
            # Codes and ids only: the email and names are personal data, so only "changed".
            audit_actor(
                by,
                AuditAction.CHANGE,
                "user",
                object_ref=account.username,
                detail={
                    "role": role,
                    "lpas": _lpa_codes(lpas),
                    "organisation": account.organisation_id,
                    "email_changed": before[3] != email,
                    "name_changed": before[4:] != after[4:],
                },
            )
    return account


def set_account_active(*, account: User, active: bool, by: Actor) -> User:
    """Deactivate a leaver's account, or reactivate it: an inactive account cannot sign in,
    and everything it recorded stays, attributed to it (nothing is deleted)."""
    _check_may_manage(by, account, "deactivate" if not active else "reactivate")
    with transaction.atomic():
        if account.is_active != active:
            account.is_active = active
            account.save(update_fields=["is_active"])
            audit_actor(
                by,
                AuditAction.CHANGE,
                "user",
                object_ref=account.username,
                detail={"active": active},
            )
    return account


def unlock_account(*, account: User, by: Actor) -> int:
    """Clear the lockout after repeated wrong passwords (django-axes keeps the failures), so
    the person can sign in again before the cool-off ends. Returns the records cleared."""
    from axes.utils import reset

    _check_may_manage(by, account, "unlock")
    cleared = reset(username=account.username)
    audit_actor(
        by, AuditAction.CHANGE, "user", object_ref=account.username, detail={"unlocked": cleared}
    )
    return cleared


# ---------------------------------------------------------------------------------------
# The set-password link


def set_password_link(account: User) -> str:
    """The one-time link to choose a password: Django's password-reset token, which dies
    when the password changes (so it works once), when the email changes, or after
    `PASSWORD_RESET_TIMEOUT`."""
    uidb64 = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    return f"{settings.PARAMOUNT_BASE_URL}/accounts/set-password/{uidb64}/{token}/"


def link_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def _queue_set_password_email(account: User) -> Notification:
    # The username only: no names, no role, nobody else's details.
    body = (
        f"A Paramount casework account has been set up for you. Your username is "
        f"{account.username}.\n\n"
        f"Choose your password with this link. It works once, for {link_days()} days:\n\n"
        f"{set_password_link(account)}\n\n"
        "Then sign in, and set up an authenticator app on your phone for the security code.\n"
        "If you did not expect this email, do not use the link: tell your Paramount "
        "administrator.\n"
    )
    return queue(
        Notification.Kind.SET_PASSWORD, account.email, "Paramount: choose your password", body, None
    )


def send_set_password_link(*, account: User, by: Actor) -> Notification:
    """Email a new set-password link (the first expired, or was lost). An account that has
    not chosen a password yet gets a fresh unusable one, so earlier links stop working; an
    account with a password keeps it until the link is used."""
    _check_may_manage(by, account, "send set-password link")
    if not account.is_active:
        raise ValidationError("Reactivate the account first.")
    if not account.email:
        raise ValidationError("The account has no email address: add one first.")
    with transaction.atomic():
        if not account.has_usable_password():
            account.set_unusable_password()
            account.save(update_fields=["password"])
        notification = _queue_set_password_email(account)
        audit_actor(
            by,
            AuditAction.CHANGE,
            "user",
            object_ref=account.username,
            detail={"set_password_link": "sent"},
        )
    return notification


def choose_password(*, account: User, password: str) -> User:
    """The person sets their password from the link (Django's password validators). The
    token dies with the old password hash, so the link cannot be used again."""
    validate_password(password, user=account)
    with transaction.atomic():
        account.set_password(password)
        account.save(update_fields=["password"])
        audit_actor(
            account,
            AuditAction.CHANGE,
            "user",
            object_ref=account.username,
            detail={"password_set": True},
        )
    return account


DEMO_FORCE = ("DEMO", "Demo Valley Police")
DEMO_PARTNER = "Children Heard and Seen (demo)"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


def demo_password(username: str) -> str:
    return f"{username}-demo-pass"


@transaction.atomic
def create_demo_users(
    *, force_code: str = DEMO_FORCE[0], force_name: str = DEMO_FORCE[1], allow: bool = False
) -> list[DemoLogin]:
    """One account per role in one force, with known passwords (printed by the command).
    Refused outside the demo, since known passwords have no place in a real deployment."""
    if not (settings.DEMO or allow):
        raise ImproperlyConfigured("Demo users are only made when PARAMOUNT_DEMO is set.")
    force, _ = Force.objects.get_or_create(code=force_code, defaults={"name": force_name})
    partner, _ = PartnerOrganisation.objects.get_or_create(
        force=force, name=DEMO_PARTNER, defaults={"email": "referrals@partner.example"}
    )
    people = [
        ("analyst", Role.ANALYST, "Ana", "Lyst"),
        ("checker", Role.CHECKER, "Chris", "Checker"),
        ("champion", Role.CHAMPION, "Sam", "Champion"),
        ("champion2", Role.CHAMPION, "Alex", "Champion"),
        ("supervisor", Role.SUPERVISOR, "Jo", "Supervisor"),
        ("partner", Role.PARTNER, "Pat", "Partner"),
        ("evaluator", Role.EVALUATOR, "Eve", "Evaluator"),
        ("auditor", Role.AUDITOR, "Aud", "Itor"),
        ("admin", Role.ADMINISTRATOR, "Ad", "Min"),
    ]
    logins = []
    for username, role, first, last in people:
        password = demo_password(username)
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.force = role, force
        user.first_name, user.last_name = first, last
        user.email = f"{username}@force.example"
        user.organisation = partner if role == Role.PARTNER else None
        user.is_active = True
        user.set_password(password)
        user.save()
        logins.append(DemoLogin(username, password, role))
    audit(None, AuditAction.CHANGE, "user", detail={"demo_users": len(logins)})
    return logins
