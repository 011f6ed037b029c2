"""The champion's and partners' work on a case: contact attempts, visits, the family's
agreement, referrals; analysts' review tasks; the notification outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from paramount.casework.codes import (
    ContactMethod,
    ContactOutcome,
    NotificationStatus,
    ReferralBasis,
    ReviewTaskStatus,
)
from paramount.casework.models.cases import Case, CaseChild
from paramount.casework.models.organisation import Force, PartnerOrganisation
from paramount.casework.models.runs import IdentificationRun

_USER = settings.AUTH_USER_MODEL


class ContactAttempt(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contact_attempts")
    at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("at", "id",)


class Visit(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField()
    present = models.TextField(help_text="Who was present (roles or names).")
    needs = models.TextField(blank=True, help_text="Needs the family described.")
    support_offered = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("visited_on", "id",)


class ReferralAgreement(models.Model):
    """The family's agreement to a referral: who agreed, when, for which children, what may
    be shared with the charity (`may_share`); and its withdrawal. Without one, no referral
    pack reaches the charity. It may name more recipients than the charity (`recipients`,
    `models.sharing.AgreementRecipient`); withdrawal stops sharing with them too."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agreements")
    agreed_by_name = models.CharField(max_length=200)
    agreed_by_relationship = models.CharField(max_length=100)
    agreed_at = models.DateTimeField()
    children = models.ManyToManyField(CaseChild, related_name="agreements")
    may_share = models.JSONField(default=list)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_note = models.TextField(blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Referral(models.Model):
    """A referral to the partner charity. It exists only on the family's recorded agreement,
    or on a significant safeguarding concern with a reason and a supervisor (a database
    constraint says so too)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    basis = models.CharField(max_length=24, choices=ReferralBasis.choices)
    agreement = models.ForeignKey(
        ReferralAgreement,
        # RESTRICT: an agreement goes only with its case (retention), never on its own.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, related_name="referrals"
    )
    override_reason = models.TextField(blank=True)
    override_supervisor = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pack = models.JSONField(default=dict)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=(
                    Q(basis=ReferralBasis.AGREEMENT, agreement__isnull=False)
                    | (
                        Q(basis=ReferralBasis.SAFEGUARDING_OVERRIDE)
                        & ~Q(override_reason="")
                        & Q(override_supervisor__isnull=False)
                    )
                ),
                name="referral_has_agreement_or_override",
            ),
        )


class ReviewTask(models.Model):
    """A candidate the engine was unsure of (its review list), for an analyst to accept or
    reject. Keyed by reception and child ids so a re-import does not repeat it."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="review_tasks")
    key = models.CharField(max_length=64)
    run = models.ForeignKey(
        IdentificationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lpa_code = models.CharField(max_length=32, blank=True)
    prisoner_number = models.CharField(max_length=16, blank=True)
    booking_id = models.CharField(max_length=64, blank=True)
    reception_date = models.DateField(null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    sources = models.CharField(max_length=300, blank=True)
    row = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=ReviewTaskStatus.choices, default=ReviewTaskStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_tasks"
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["force", "key"], name="reviewtask_unique_key"),
        )


class Notification(models.Model):
    """An email to send (the outbox): written in the same transaction as the change that
    calls for it, sent after commit, retried by `casework_notify` if sending failed."""

    class Kind(models.TextChoices):
        CHAMPION_ALLOCATED = "champion_allocated", "Case allocated to a champion"
        SOCIAL_WORKER = "social_worker", "Allocated social worker told"
        REFERRAL = "referral", "Referral to the partner"
        SET_PASSWORD = "set_password", "Set-password link to a new account"
        SUPERVISOR_NEW_CASES = "supervisor_new_cases", "New cases for a supervisor (daily run)"
        RECIPIENT_SHARE = "recipient_share", "Shared with a school or health service"

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    to_email = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
