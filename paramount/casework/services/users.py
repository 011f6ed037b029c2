"""Accounts: creating users with a role, deactivating leavers, clearing a sign-in lockout,
and the demo's known accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction

from paramount.casework.codes import AuditAction, Role
from paramount.casework.models import LPA, Force, PartnerOrganisation, User
from paramount.casework.selectors.accounts import may_manage
from paramount.casework.services.audit import audit


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    role: str,
    force: Force | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    lpas: list[LPA] | None = None,
    organisation: PartnerOrganisation | None = None,
    by: User | None = None,
) -> User:
    """Create an account, validated (`full_clean`: role, force, organisation rules)."""
    user = User(
        username=username, role=role, force=force, email=email, first_name=first_name,
        last_name=last_name, organisation=organisation,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if lpas:
        user.lpas.set(lpas)
    audit(by, AuditAction.CHANGE, "user", object_ref=username, detail={"created": role})
    return user


def _check_may_manage(by: User, account: User) -> None:
    if account.pk == by.pk:
        raise ValidationError("You cannot change your own account here.")
    if not may_manage(by, account):
        audit(by, AuditAction.REFUSED, "user", object_ref=account.username,
              detail={"service": "account change"})
        raise PermissionDenied("You may not change this account.")


@transaction.atomic
def set_account_active(*, account: User, active: bool, by: User) -> User:
    """Deactivate a leaver's account, or reactivate it: an inactive account cannot sign in,
    and everything it recorded stays, attributed to it (nothing is deleted)."""
    _check_may_manage(by, account)
    if account.is_active != active:
        account.is_active = active
        account.save(update_fields=["is_active"])
        audit(by, AuditAction.CHANGE, "user", object_ref=account.username,
              detail={"active": active})
    return account


def unlock_account(*, account: User, by: User) -> int:
    """Clear the lockout after repeated wrong passwords (django-axes keeps the failures), so
    the person can sign in again before the cool-off ends. Returns the records cleared."""
    from axes.utils import reset

    _check_may_manage(by, account)
    cleared = reset(username=account.username)
    audit(by, AuditAction.CHANGE, "user", object_ref=account.username,
          detail={"unlocked": cleared})
    return cleared


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
