"""The auditor's search of the audit log (by person, case, child and date). Reading the log
is itself logged."""

from __future__ import annotations

import json
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from paramount.casework.codes import AuditAction, Role
from paramount.casework.models import AuditRecord, User
from paramount.casework.services.audit import audit


def case_reference_q(case_ref: str) -> Q:
    """Records about a case: its own (`case_ref`) and the list reads that showed it
    (`detail["refs"]`, one record a page: `services.audit.audit_list`). The reference is
    matched whole, quotes included, in the list's JSON text, so PM-AB12-CD34 does not
    match PM-AB12-CD345; this works on PostgreSQL and SQLite alike."""
    ref = case_ref.strip()
    return Q(case_ref__iexact=ref) | Q(detail__refs__icontains=json.dumps(ref))


def audit_search(
    user: User,
    *,
    actor: str | None = None,
    case_ref: str | None = None,
    child_ref: str | None = None,
    action: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 500,
) -> list[AuditRecord]:
    """Records newest first. `actor` is a username; `case_ref` a case reference; `child_ref`
    a child's pseudonym. An auditor of a force sees records by that force's users and the
    system; an auditor with no force sees all."""
    if not user.has_role(Role.AUDITOR):
        audit(user, AuditAction.REFUSED, "audit", detail={"selector": "audit_search"})
        raise PermissionDenied("Only an auditor searches the audit log.")
    qs = AuditRecord.objects.all()
    if user.force_id is not None:
        qs = qs.filter(Q(actor__force_id=user.force_id) | Q(actor__isnull=True))
    if actor:
        qs = qs.filter(actor_username__iexact=actor.strip())
    if case_ref:
        qs = qs.filter(case_reference_q(case_ref))
    if child_ref:
        qs = qs.filter(child_ref__iexact=child_ref.strip())
    if action:
        qs = qs.filter(action=action)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(date_from, time.min), tz))
    if date_to:
        qs = qs.filter(at__lte=timezone.make_aware(datetime.combine(date_to, time.max), tz))
    items = list(qs.select_related("actor")[: max(1, min(limit, 5000))])
    audit(
        user,
        AuditAction.SEARCH,
        "audit",
        detail={
            "actor": actor or "", "case_ref": case_ref or "", "child_ref": child_ref or "",
            "action": action or "", "from": str(date_from or ""), "to": str(date_to or ""),
            "results": len(items),
        },
    )
    return items
