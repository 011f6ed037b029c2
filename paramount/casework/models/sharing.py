"""Sharing beyond the charity on the family's agreement: who else the agreement names (the
child's school's designated safeguarding lead, the health visitor or school nurse), for which
children and with what; and each disclosure made to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from paramount.casework.codes import RecipientKind
from paramount.casework.models.cases import AppendOnlyModel, AppendOnlyQuerySet, Case, CaseChild
from paramount.casework.models.work import Notification, ReferralAgreement

_USER = settings.AUTH_USER_MODEL


class AgreementRecipient(models.Model):
    """One recipient the family agreed to beyond the charity: who (the organisation, the
    person, where to email), for which of the agreement's children, and which items
    (`codes.ShareItem`) they may be told; named with the agreement or added to it later.
    Withdrawing the agreement withdraws it too."""

    agreement = models.ForeignKey(
        ReferralAgreement, on_delete=models.CASCADE, related_name="recipients"
    )
    kind = models.CharField(max_length=16, choices=RecipientKind.choices)
    organisation = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    children = models.ManyToManyField(CaseChild, related_name="+")
    may_share = models.JSONField(default=list)
    # When the family agreed to this recipient (the agreement's moment, or later).
    agreed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("agreement_id", "kind", "id")
        constraints = (
            models.CheckConstraint(
                condition=~models.Q(kind=RecipientKind.CHARITY),
                name="agreementrecipient_not_charity",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.organisation}"


class Disclosure(AppendOnlyModel):
    """One message sent to a recipient under the family's agreement: to whom (kind,
    organisation, person, email, as they were then), which children, which items, by whom
    and when. Never changed; it goes only with its case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    # RESTRICT: an agreement and its recipients go only with their case (retention).
    agreement = models.ForeignKey(
        ReferralAgreement, on_delete=models.RESTRICT, related_name="disclosures"
    )
    recipient = models.ForeignKey(
        AgreementRecipient, on_delete=models.RESTRICT, related_name="disclosures"
    )
    recipient_kind = models.CharField(max_length=16, choices=RecipientKind.choices)
    organisation = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    children = models.JSONField(default=list)  # the children's pseudonyms
    items = models.JSONField(default=list)  # the ShareItem codes the message held
    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)
    shared_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("shared_at", "id")
