"""Retention (Management of Police Information): every case carries a review date; at review a
case is kept (with a new date and a reason) or, once closed, disposed of. Disposal erases the
case with everything about the family in it, and the children, prisoners and receptions no
other case needs; an `ErasureRecord` keeps only metadata, and the audit log (references, no
names) stays.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from paramount.casework.codes import AuditAction, CaseState, EventCode, ReviewTaskStatus, Role
from paramount.casework.models import (
    Case,
    Child,
    ErasureRecord,
    Prisoner,
    Reception,
    ReviewTask,
    User,
)
from paramount.casework.services.audit import audit
from paramount.casework.services.events import record_event

RETENTION_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)


def _check(user: User | None) -> None:
    if user is not None and not user.has_role(*RETENTION_ROLES):
        raise PermissionDenied("Only a supervisor or administrator can review retention.")


def _in_force(user: User | None, case: Case) -> None:
    if user is not None and user.force_id is not None and user.force_id != case.force_id:
        raise PermissionDenied("This case is not in your force.")


def due_for_review(today: date | None = None):
    """Cases whose review date has come (open or closed), earliest first."""
    today = today or timezone.localdate()
    return Case.objects.filter(review_date__lte=today).order_by("review_date", "pk")


@transaction.atomic
def keep_case(*, user: User, case: Case | int, until: date, reason: str) -> Case:
    """Keep a case past its review date, recording why and until when."""
    _check(user)
    case = Case.objects.select_for_update().get(pk=case.pk if isinstance(case, Case) else case)
    _in_force(user, case)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the case is kept."})
    if until <= timezone.localdate():
        raise ValidationError({"until": "The next review must be in the future."})
    case.review_date = until
    case.save(update_fields=["review_date", "updated_at"])
    record_event(case, EventCode.REVIEWED, user,
                 payload={"kept_until": until.isoformat(), "reason": reason})
    return case


@transaction.atomic
def dispose_of_case(*, user: User | None, case: Case | int, reason: str) -> ErasureRecord:
    """Erase a closed case, leaving a metadata-only record."""
    _check(user)
    case = Case.objects.select_for_update().get(pk=case.pk if isinstance(case, Case) else case)
    _in_force(user, case)
    if case.state != CaseState.CLOSED:
        raise ValidationError("Only a closed case can be disposed of.")
    counts = Counter(
        children=case.case_children.count(),
        events=case.events.count(),
        contact_attempts=case.contact_attempts.count(),
        visits=case.visits.count(),
        agreements=case.agreements.count(),
        referrals=case.referrals.count(),
        disclosures=case.disclosures.count(),
        notifications=case.notifications.count(),
    )
    child_ids = list(case.case_children.values_list("child_id", flat=True))
    reception_ids = list(case.case_children.values_list("reception_id", flat=True))
    record = ErasureRecord.objects.create(
        erased_by=user,
        force_code=case.force.code,
        lpa_code=case.lpa.code if case.lpa_id else "",
        case_reference=case.reference,
        opened_on=timezone.localdate(case.opened_at),
        closed_on=timezone.localdate(case.closed_at) if case.closed_at else None,
        review_date=case.review_date,
        outcome=case.outcome,
        counts=dict(counts),
        reason=(reason or "retention review")[:200],
    )
    ReviewTask.objects.filter(case=case).update(case=None)
    case.delete()
    # Whoever no other case needs goes too.
    orphans = Child.objects.filter(pk__in=child_ids).annotate(n=Count("case_links")).filter(n=0)
    erased_children = list(orphans.values_list("pseudonym", flat=True))
    orphans.delete()
    receptions = Reception.objects.filter(pk__in=reception_ids).annotate(
        n=Count("case_children")
    ).filter(n=0)
    prisoner_ids = list(receptions.values_list("prisoner_id", flat=True))
    receptions.delete()
    Prisoner.objects.filter(pk__in=prisoner_ids).annotate(n=Count("receptions")).filter(
        n=0
    ).delete()
    audit(
        user,
        AuditAction.ERASE,
        "case",
        case_ref=record.case_reference,
        detail={"erasure_record": record.pk, "children_erased": erased_children},
    )
    return record


def dispose_due(
    *, user: User | None = None, today: date | None = None, dry_run: bool = False
) -> list[str]:
    """Dispose of every closed case past its review date; return their references. Resolved
    review tasks older than retention go too."""
    _check(user)
    today = today or timezone.localdate()
    due = due_for_review(today).filter(state=CaseState.CLOSED)
    if user is not None and user.force_id is not None:
        due = due.filter(force_id=user.force_id)
    references = list(due.values_list("reference", flat=True))
    if dry_run:
        return references
    for pk in list(due.values_list("pk", flat=True)):
        dispose_of_case(user=user, case=pk, reason="closed case past its review date")
    from datetime import timedelta

    from django.conf import settings

    cutoff = timezone.now() - timedelta(days=settings.PARAMOUNT_RETENTION_DAYS)
    stale = ReviewTask.objects.exclude(status=ReviewTaskStatus.OPEN).filter(
        resolved_at__lt=cutoff, case__isnull=True
    )
    if user is not None and user.force_id is not None:
        stale = stale.filter(force_id=user.force_id)
    n = stale.count()
    if n:
        stale.delete()
        audit(user, AuditAction.ERASE, "review_task", detail={"count": n})
    return references
