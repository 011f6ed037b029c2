"""Cases, the children in them, and the case event log.

**Granularity.** A case is one family's episode of support: the children of one reception who
live in one household (the same address, else the same carer), so one champion makes one
call and one visit and the family's agreement covers the children it names. A child appears
at most once per reception (`CaseChild` is unique on child and reception). A later reception
of a child whose case is still open (the other parent received, a recall) joins that open
case rather than opening a second; once a child's case is closed, a new reception opens a new
case and the child's earlier cases remain their history.

**Event log.** Every change is a `CaseEvent` (code, who, when, state before and after, a JSON
payload), appended by the services in the same transaction as the change. The `state` and the
dates on `Case` are a projection of that log kept for fast queries; `selectors.reports`
builds the funnel from the events themselves, and `services.events.replay_state` rebuilds a
case's state from its events alone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from paramount.casework.codes import (
    DUPLICATE,
    REJECTED,
    VERDICT_CHOICES,
    VERDICT_REASON_CHOICES,
    CaseState,
    DeliveryModel,
    EventCode,
    NotApproachedReason,
    Outcome,
    SocialCareStatus,
)
from paramount.casework.models.organisation import LPA, Force
from paramount.casework.models.people import Child, Reception, random_token
from paramount.casework.models.runs import IdentificationRun


def new_reference() -> str:
    """A case reference to say on the phone and put in an email: no personal data in it."""
    return f"PM-{random_token(4)}-{random_token(4)}"


class Case(models.Model):
    reference = models.CharField(max_length=16, unique=True, default=new_reference)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="cases")
    lpa = models.ForeignKey(
        LPA, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    household_key = models.CharField(max_length=64, db_index=True)
    state = models.CharField(max_length=20, choices=CaseState.choices, default=CaseState.NEW)
    champion = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocated_cases",
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    # How the family is worked with (chosen at allocation; `delivery_model_changed` events
    # after): a projection of the log, like `state`.
    delivery_model = models.CharField(
        max_length=24, choices=DeliveryModel.choices, default=DeliveryModel.NAMED_CHAMPION
    )
    first_contact_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    not_approached_reason = models.CharField(
        max_length=24, choices=NotApproachedReason.choices, blank=True
    )
    safeguarding_concern = models.BooleanField(default=False)
    # The likely remaining carer, as the engine named them (its carer_* columns).
    carer = models.JSONField(default=dict, blank=True)
    review_date = models.DateField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = (
            models.Index(fields=["force", "state"], name="case_force_state"),
            models.Index(fields=["champion", "state"], name="case_champion_state"),
        )
        constraints = (
            models.CheckConstraint(
                condition=models.Q(state__in=CaseState.values), name="case_state_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(state=CaseState.CLOSED) | ~models.Q(outcome=""),
                name="case_closed_has_outcome",
            ),
        )

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED


class CaseChild(models.Model):
    """A child in a case, for one reception: the engine's evidence, the checks made."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_children")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="case_links")
    reception = models.ForeignKey(
        Reception, on_delete=models.PROTECT, related_name="case_children"
    )
    relationship = models.CharField(max_length=32, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    sources = models.CharField(max_length=300, blank=True)
    address = models.CharField(max_length=500, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    lpa_code = models.CharField(max_length=32, blank=True)
    child_age = models.PositiveSmallIntegerField(null=True, blank=True)
    carer = models.JSONField(default=dict, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    first_run = models.ForeignKey(
        IdentificationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_run = models.ForeignKey(
        IdentificationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Checks (research and intelligence, with social care).
    social_care_status = models.CharField(
        max_length=24, choices=SocialCareStatus.choices, default=SocialCareStatus.UNKNOWN
    )
    social_worker_name = models.CharField(max_length=200, blank=True)
    social_worker_email = models.EmailField(blank=True)
    social_worker_notified_at = models.DateTimeField(null=True, blank=True)
    safeguarding_concern = models.BooleanField(default=False)
    check_note = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The current verdict (is this the prisoner's child?): the latest `verdict_recorded`
    # event's, kept here by `services.verdicts.record_verdict` in the same transaction, as
    # `state` is for a case (`services.events.replay_verdicts` rebuilds it from the log).
    # A REJECTED child is out of the family's approach.
    verdict = models.CharField(max_length=10, choices=VERDICT_CHOICES, blank=True)
    verdict_reason = models.CharField(max_length=24, choices=VERDICT_REASON_CHOICES,
                                      blank=True)
    verdict_at = models.DateTimeField(null=True, blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # For a DUPLICATE: the row of the same case this one duplicates.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "case children"
        constraints = (
            models.UniqueConstraint(fields=["child", "reception"], name="casechild_unique"),
            # A reason only for a rejection, and always for one.
            models.CheckConstraint(
                condition=(models.Q(verdict=REJECTED) & ~models.Q(verdict_reason=""))
                | (~models.Q(verdict=REJECTED) & models.Q(verdict_reason="")),
                name="casechild_verdict_reason",
            ),
            # The row duplicated is named by a DUPLICATE verdict only, and is not itself.
            models.CheckConstraint(
                condition=models.Q(duplicate_of__isnull=True)
                | (models.Q(verdict_reason=DUPLICATE) & ~models.Q(duplicate_of=models.F("pk"))),
                name="casechild_duplicate_of",
            ),
        )

    @property
    def rejected(self) -> bool:
        """Out of the family's approach: not contacted, agreed or referred about."""
        return self.verdict == REJECTED

    def __str__(self) -> str:
        return f"{self.case.reference}:{self.child.pseudonym}"


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk `update`, `bulk_update` and `delete` refused: an append-only table is written by
    `create` and `bulk_create` only. (Retention's cascade from a disposed case deletes its
    events through Django's collector, which the database triggers of migration 0003 let
    through only for a closed case with an erasure record.)"""

    def update(self, **kwargs):
        raise ValidationError(f"{self.model.__name__} records cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ValidationError(f"{self.model.__name__} records cannot be changed.")

    def delete(self):
        raise ValidationError(f"{self.model.__name__} records cannot be deleted.")

    def update_or_create(self, *args, **kwargs):
        raise ValidationError(f"{self.model.__name__} records cannot be changed.")


class AppendOnlyModel(models.Model):
    """A row that is written once: `save` refuses an update and `delete` refuses; its
    manager (`AppendOnlyQuerySet`) refuses bulk changes, and the database's triggers
    (migrations 0002 and 0003) refuse UPDATE, DELETE and TRUNCATE in SQL."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(f"{type(self).__name__} records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(f"{type(self).__name__} records cannot be deleted.")


class CaseEvent(AppendOnlyModel):
    """One entry of the case event log (after cla_backend's event log: code, who, when,
    payload). Never changed; it goes only with its case, when retention disposes of it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(max_length=32, choices=EventCode.choices, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_events",
    )
    state_before = models.CharField(max_length=20, blank=True)
    state_after = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("at", "id",)
        indexes = (models.Index(fields=["case", "code"], name="caseevent_case_code"),)

    def __str__(self) -> str:
        return f"{self.code} at {self.at:%Y-%m-%d %H:%M}"
