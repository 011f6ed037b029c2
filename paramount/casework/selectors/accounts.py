"""Accounts an administrator or supervisor manages: who may grant what and change whom, one
account, and which are locked out. (The list of accounts is `web.selectors.accounts_for`.)

The rule is that nobody grants more than they hold:

- Roles: an administrator (and the command line) gives any role; a supervisor gives only
  the case-working roles of a team (`SUPERVISOR_ROLES`: analyst, checker, champion), never
  supervisor, administrator, auditor, evaluator or partner, which widen what someone sees or
  check the supervisors themselves. Nobody else gives any.
- Scope: an account is within the actor's reach when it is in the actor's force (an
  administrator with no force reaches every force) and, if the actor is limited to some
  LPAs, it is limited to a non-empty subset of them (no LPAs means the whole force, which an
  area-limited actor does not hold).
- Managing (edit, deactivate, reactivate, unlock, send a set-password link): the account's
  current role and scope must be ones the actor could have granted. Nobody manages their
  own account here.
- The command line (`DEPLOYER`) is the deployer with a shell on the server, who could as
  well run `manage shell`: it is unrestricted, and audited as "cli".
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.http import urlsafe_base64_decode

from paramount.casework.codes import AuditAction, Role
from paramount.casework.models import LPA, Force, User
from paramount.casework.selectors.scope import area_ids
from paramount.casework.services.audit import audit


class Deployer:
    """The acting "user" of `paramount casework force|user ...`: no account, no limits."""

    username = "cli"

    def __repr__(self) -> str:
        return "DEPLOYER"


DEPLOYER = Deployer()
Actor = User | Deployer

# The roles a supervisor may give: the people who work cases in their team.
SUPERVISOR_ROLES: tuple[str, ...] = (Role.ANALYST, Role.CHECKER, Role.CHAMPION)


# The audit log's `object_ref` holds 64 characters; so does a username (`services.users`).
USERNAME_MAX = 64


def audit_ref(username: str) -> str:
    """A username as the audit log can hold it, however odd what was typed."""
    return username.replace("\x00", "\\0")[:USERNAME_MAX]


def audit_actor(by: Actor, action: str, object_type: str, **kwargs) -> None:
    """Audit as the signed-in user, or as "cli" for the command line."""
    if "object_ref" in kwargs:
        kwargs["object_ref"] = audit_ref(kwargs["object_ref"])
    if isinstance(by, Deployer):
        audit(None, action, object_type, system_name=by.username, **kwargs)
    else:
        audit(by, action, object_type, **kwargs)


def assignable_roles(by: Actor) -> tuple[str, ...]:
    """The roles `by` may give to an account (new or existing), in the order of `Role`."""
    if isinstance(by, Deployer) or by.has_role(Role.ADMINISTRATOR):
        return tuple(Role.values)
    if by.has_role(Role.SUPERVISOR):
        return SUPERVISOR_ROLES
    return ()


def areas_required(by: Actor) -> bool:
    """Whether accounts `by` grants must name LPAs (because `by` is limited to some)."""
    return not isinstance(by, Deployer) and bool(area_ids(by))


def grantable_forces(by: Actor) -> QuerySet[Force]:
    """The forces `by` may put an account in."""
    if isinstance(by, Deployer) or by.force_id is None:
        return Force.objects.order_by("name")
    return Force.objects.filter(pk=by.force_id)


def grantable_lpas(by: Actor, force: Force | None) -> QuerySet[LPA]:
    """The LPAs of `force` that `by` may give: theirs if they are limited, else all."""
    if force is None:
        return LPA.objects.none()
    qs = LPA.objects.filter(force=force).order_by("name", "code")
    held = set() if isinstance(by, Deployer) else area_ids(by)
    return qs.filter(pk__in=held) if held else qs


def grant_refusal(
    by: Actor, *, role: str, force_id: int | None, lpa_ids: Iterable[int]
) -> str | None:
    """Why `by` may not give an account this role and scope (a short code for the audit
    log), or None when they may."""
    if isinstance(by, Deployer):
        return None
    if not by.is_active or role not in assignable_roles(by):
        return "role"
    if by.force_id is not None and force_id != by.force_id:
        return "force"
    held = area_ids(by)
    lpas = frozenset(lpa_ids)
    if held and not (lpas and lpas <= held):
        return "areas"
    return None


def may_manage(by: Actor, account: User) -> bool:
    """Whether `by` may change `account`: one they could have made as it now is, and not
    their own."""
    if isinstance(by, Deployer):
        return True
    if account.pk == by.pk:
        return False
    return (
        grant_refusal(by, role=account.role, force_id=account.force_id, lpa_ids=area_ids(account))
        is None
    )


def may_see(by: User, account: User) -> bool:
    """Whether `account` is in `by`'s list of accounts (`web.selectors.accounts_for`)."""
    if not by.has_role(Role.ADMINISTRATOR, Role.SUPERVISOR):
        return False
    return by.force_id is None or account.force_id == by.force_id


def account_for(user: User, username: str) -> User:
    """One account the user may manage; logged. One they cannot see is "not found" whether
    it exists or not (404); one they see but may not change is refused (403)."""
    # PostgreSQL refuses a NUL in a string: no username has one (nor is one that long).
    odd = "\x00" in username or len(username) > 150
    account = None if odd else User.objects.filter(username=username).first()
    if account is None or not may_see(user, account):
        audit(
            user,
            AuditAction.REFUSED,
            "user",
            object_ref=audit_ref(username),
            detail={"selector": "account_for"},
        )
        raise Http404("No such account that you may change.")
    if not may_manage(user, account):
        audit(
            user,
            AuditAction.REFUSED,
            "user",
            object_ref=audit_ref(username),
            detail={"selector": "account_for", "reason": "beyond reach"},
        )
        if account.pk == user.pk:
            raise PermissionDenied("You cannot change your own account here.")
        raise PermissionDenied(
            "You may not change this account: it has a role or areas beyond yours."
        )
    audit(
        user,
        AuditAction.VIEW,
        "user",
        object_ref=audit_ref(username),
        detail={"selector": "account_for"},
    )
    return account


def account_for_link(uidb64: str, token: str) -> User | None:
    """The active account a set-password link is for, if the link is still good (the token
    is Django's password-reset token: it dies with a new password, a new email, or age)."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return None
    if not 0 < pk < 2**63:
        return None
    account = User.objects.filter(pk=pk, is_active=True).first()
    if account is None or not default_token_generator.check_token(account, token):
        return None
    return account


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these accounts are locked out after repeated wrong passwords: django-axes'
    failure count at its limit within the cool-off."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )
