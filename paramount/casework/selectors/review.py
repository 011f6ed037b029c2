"""Analysts' review list."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from paramount.casework.codes import AuditAction, ReviewTaskStatus, Role
from paramount.casework.models import ReviewTask, User
from paramount.casework.selectors.scope import visible_review_tasks
from paramount.casework.services.audit import audit


def review_tasks(user: User, *, status: str = ReviewTaskStatus.OPEN) -> list[ReviewTask]:
    """Review tasks in the user's force and LPAs, most confident first."""
    if not user.has_role(Role.ANALYST, Role.SUPERVISOR):
        audit(user, AuditAction.REFUSED, "review_task", detail={"selector": "review_tasks"})
        raise PermissionDenied("Your role cannot read the review list.")
    items = list(
        visible_review_tasks(user).filter(status=status).order_by("-confidence", "pk")
    )
    audit(user, AuditAction.LIST, "review_task",
          detail={"selector": "review_tasks", "status": status, "ids": [t.pk for t in items]})
    return items


def review_task(user: User, task_id: int) -> ReviewTask:
    if not user.has_role(Role.ANALYST, Role.SUPERVISOR):
        audit(user, AuditAction.REFUSED, "review_task", detail={"selector": "review_task"})
        raise PermissionDenied("Your role cannot read the review list.")
    found = visible_review_tasks(user).filter(pk=task_id).first()
    if found is None:
        audit(user, AuditAction.REFUSED, "review_task", object_ref=str(task_id))
        raise ReviewTask.DoesNotExist("No such review task.")
    audit(user, AuditAction.VIEW, "review_task", object_ref=str(found.pk))
    return found
