"""The audit log (DPA 2018 Part 3 s62) and the record of what retention erased.

`AuditRecord` is append-only at every level an ordinary user could reach: `save` refuses an
update, `delete` refuses, the queryset's `update` and `delete` refuse, a `pre_delete` signal
refuses cascades and bulk deletes, and triggers in the database itself refuse UPDATE, DELETE
and TRUNCATE (PostgreSQL: migrations 0002 and 0003; SQLite: 0003). Records hold references
(case reference, child pseudonym), never names, so they can outlive the case they describe.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from paramount.casework.codes import AuditAction
from paramount.casework.models.cases import AppendOnlyModel, AppendOnlyQuerySet


class AuditRecord(AppendOnlyModel):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_records",
    )
    # Snapshots, so the record reads the same after the user's details change.
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices, db_index=True)
    # What was touched: a kind (case, child, referral, review_task, run, user, report...) and
    # its reference; case and child references repeated for searching.
    object_type = models.CharField(max_length=32)
    object_ref = models.CharField(max_length=64, blank=True)
    case_ref = models.CharField(max_length=16, blank=True, db_index=True)
    child_ref = models.CharField(max_length=16, blank=True, db_index=True)
    recipient = models.CharField(max_length=254, blank=True)
    # What the operation was (selector or service name, filters, counts): no names.
    detail = models.JSONField(default=dict, blank=True)
    # The records written for one read of a list share a batch id.
    batch = models.UUIDField(default=uuid.uuid4, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("-at", "-id",)
        indexes = (models.Index(fields=["actor", "at"], name="audit_actor_at"),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_ref}"


class ErasureRecord(AppendOnlyModel):
    """What retention disposed of, in metadata only: enough to answer "what happened to
    case X" without keeping anything about the family."""

    erased_at = models.DateTimeField(default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    force_code = models.CharField(max_length=16)
    lpa_code = models.CharField(max_length=32, blank=True)
    case_reference = models.CharField(max_length=16, db_index=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    counts = models.JSONField(default=dict)
    reason = models.CharField(max_length=200)

    objects = AppendOnlyQuerySet.as_manager()


@receiver(pre_delete, sender=AuditRecord)
@receiver(pre_delete, sender=ErasureRecord)
def _refuse_delete(sender, instance, **kwargs) -> None:
    """Refuse deletes that bypass `Model.delete` (cascades, bulk deletes)."""
    raise ValidationError(f"{sender.__name__} records cannot be deleted.")
