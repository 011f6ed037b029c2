"""Accounts an administrator or supervisor manages: who may change whom, one account, and
which are locked out. (The list of accounts is `web.selectors.accounts_for`.)"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from paramount.casework.codes import AuditAction, Role
from paramount.casework.models import User
from paramount.casework.services.audit import audit


def may_manage(by: User, account: User) -> bool:
    """An administrator manages every account; a supervisor those of their own force, bar
    administrators'. Nobody changes their own account here."""
    if account.pk == by.pk:
        return False
    if by.has_role(Role.ADMINISTRATOR):
        return True
    return (
        by.has_role(Role.SUPERVISOR)
        and by.force_id is not None
        and account.force_id == by.force_id
        and account.role != Role.ADMINISTRATOR
    )


def account_for(user: User, username: str) -> User:
    """One account the user may manage; logged. Any other is "not found", whether it exists
    or not."""
    account = User.objects.filter(username=username).first()
    if account is None or not may_manage(user, account):
        audit(user, AuditAction.REFUSED, "user", object_ref=username,
              detail={"selector": "account_for"})
        raise Http404("No such account that you may change.")
    audit(user, AuditAction.VIEW, "user", object_ref=username, detail={"selector": "account_for"})
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
