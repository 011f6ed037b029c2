"""Analysts' review of the candidates the engine was unsure of."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from paramount.casework.codes import AuditAction, ReviewTaskStatus, Role
from paramount.casework.models import ReviewTask, User
from paramount.casework.selectors.scope import visible_review_tasks
from paramount.casework.services.audit import audit
from paramount.casework.services.importing import Importer


@transaction.atomic
def resolve_review_task(
    *, user: User, task: ReviewTask | int, accept: bool, note: str = ""
) -> ReviewTask:
    """Accept (the row becomes a case, as if the engine had been sure) or reject a review
    task. A rejection needs a note, so the next analyst knows why."""
    if not user.has_role(Role.ANALYST):
        raise PermissionDenied("Only an analyst can resolve a review task.")
    pk = task.pk if isinstance(task, ReviewTask) else task
    found = visible_review_tasks(user).select_for_update().filter(pk=pk).first()
    if found is None:
        raise PermissionDenied("This review task is not yours to see.")
    if found.status != ReviewTaskStatus.OPEN:
        raise ValidationError("This review task has already been resolved.")
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError({"note": "Say why the candidate is rejected."})
    case = None
    if accept:
        importer = Importer(found.force, found.run, user)
        case = importer.import_row(dict(found.row)).case
    ReviewTask.objects.filter(pk=found.pk).update(
        status=ReviewTaskStatus.ACCEPTED if accept else ReviewTaskStatus.REJECTED,
        resolved_at=timezone.now(),
        resolved_by=user,
        resolution_note=note,
        case=case,
    )
    found.refresh_from_db()
    audit(
        user,
        AuditAction.CHANGE,
        "review_task",
        object_ref=str(found.pk),
        case_ref=case.reference if case else "",
        detail={"accepted": accept},
    )
    return found
