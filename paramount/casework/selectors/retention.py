"""Retention reviews due: metadata only (references, dates, states), so administrators can
run retention without reading any family's details."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from paramount.casework.codes import AuditAction, Role
from paramount.casework.models import User
from paramount.casework.services.audit import audit
from paramount.casework.services.retention import due_for_review


def reviews_due(user: User | None, *, today: date | None = None) -> list[dict]:
    """Cases whose review date has come: reference, LPA, state, outcome, dates."""
    if user is not None and not user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR):
        audit(user, AuditAction.REFUSED, "retention", detail={"selector": "reviews_due"})
        raise PermissionDenied("Only a supervisor or administrator reviews retention.")
    qs = due_for_review(today or timezone.localdate())
    if user is not None and user.force_id is not None:
        qs = qs.filter(force_id=user.force_id)
    rows = list(
        qs.values("reference", "lpa__code", "state", "outcome", "opened_at", "closed_at",
                  "review_date")
    )
    audit(user, AuditAction.LIST, "retention", detail={"due": len(rows)})
    return rows
