"""Small reads the pages need beyond `paramount.casework.selectors`: the areas to filter
by, and the accounts an administrator manages. Bounded by the user's force like the rest."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from paramount.casework.codes import AuditAction, Role
from paramount.casework.models import LPA, User
from paramount.casework.services.audit import audit


def areas_for(user: User) -> list[tuple[str, str]]:
    """(code, name) of the LPAs the user works in: their own, else their force's."""
    if user.force_id is None:
        return []
    own = list(user.lpas.order_by("name", "code").values_list("code", "name"))
    if own:
        return [(c, n or c) for c, n in own]
    rows = LPA.objects.filter(force_id=user.force_id).order_by("name", "code")
    return [(c, n or c) for c, n in rows.values_list("code", "name")]


def accounts_for(user: User) -> list[User]:
    """Accounts an administrator (all) or a supervisor (their force's) may see; logged."""
    if not user.has_role(Role.ADMINISTRATOR, Role.SUPERVISOR):
        audit(user, AuditAction.REFUSED, "user", detail={"selector": "accounts_for"})
        raise PermissionDenied("Only an administrator or supervisor sees the accounts.")
    qs = User.objects.select_related("force", "organisation").prefetch_related("lpas").order_by(
        "role", "username")
    if user.force_id is not None:
        qs = qs.filter(force_id=user.force_id)
    items = list(qs)
    audit(user, AuditAction.LIST, "user", detail={"selector": "accounts_for",
                                                  "results": len(items)})
    return items
