"""The recipients a family's agreement names beyond the charity (the child's school's
designated safeguarding lead, the health visitor or school nurse): checked and written with
the agreement, in its transaction (`services.workflow.record_agreement`). What each may be
told, and for which children, is the family's choice; `services.sharing` sends only that."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from paramount.casework.codes import EMAIL_RECIPIENTS, RecipientKind, ShareItem
from paramount.casework.models import AgreementRecipient, CaseChild, ReferralAgreement, User


@dataclass(frozen=True)
class RecipientTerms:
    """What the family agreed for one recipient: who, where to email, which of the
    agreement's children (case child ids) and which items (`codes.ShareItem`)."""

    kind: str
    organisation: str
    email: str
    children: Sequence[int]
    may_share: Iterable[str]
    contact_name: str = ""
    # The form field each part came from, so a refusal lands on the right field.
    fields: dict[str, str] = field(default_factory=dict)


def _field(terms: RecipientTerms, name: str) -> str:
    return terms.fields.get(name, name)


def check_recipient_terms(
    terms: RecipientTerms, agreed_children: Sequence[CaseChild]
) -> tuple[str, str, str, list[CaseChild], list[str]]:
    """The terms cleaned (organisation, contact, email, children, items), or a
    `ValidationError` naming the field: a recipient kind the email goes to, an organisation
    and an email, children the agreement covers, at least one item from the list, and
    "which prison and when" only with "a parent is in prison" (it says so)."""
    if terms.kind not in EMAIL_RECIPIENTS:
        raise ValidationError({_field(terms, "kind"): "Choose the school or health service."})
    label = RecipientKind(terms.kind).label
    organisation = (terms.organisation or "").strip()
    if not organisation:
        message = f"Enter the name of {label[0].lower()}{label[1:]}."
        raise ValidationError({_field(terms, "organisation"): message})
    email = (terms.email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({_field(terms, "email"): "Enter a valid email address."}) from error
    by_id = {cc.pk: cc for cc in agreed_children}
    ids = {int(c) for c in terms.children}
    if not ids:
        message = "Choose the children they may be told about."
        raise ValidationError({_field(terms, "children"): message})
    if not ids <= set(by_id):
        raise ValidationError({_field(terms, "children"): "Choose children the agreement covers."})
    items = sorted(set(terms.may_share))
    if not items:
        raise ValidationError({_field(terms, "may_share"): "Choose what they may be told."})
    if any(item not in ShareItem.values for item in items):
        raise ValidationError({_field(terms, "may_share"): "Choose items from the list."})
    if ShareItem.PRISON in items and ShareItem.PARENT_IN_CUSTODY not in items:
        raise ValidationError(
            {
                _field(terms, "may_share"): "Which prison and when says a parent is in prison: "
                "choose that too, or leave both out."
            }
        )
    children = [by_id[i] for i in sorted(ids)]
    return organisation, (terms.contact_name or "").strip(), email, children, items


def add_recipients(
    agreement: ReferralAgreement,
    agreed_children: Sequence[CaseChild],
    recipients: Iterable[RecipientTerms],
    *,
    agreed_at: datetime,
    user: User,
) -> list[AgreementRecipient]:
    """Write the agreement's recipients beyond the charity, agreed at `agreed_at` (call
    inside the agreement's transaction; each is checked by `check_recipient_terms`)."""
    written = []
    for terms in recipients:
        organisation, contact, email, children, items = check_recipient_terms(
            terms, agreed_children
        )
        recipient = AgreementRecipient.objects.create(
            agreement=agreement,
            kind=terms.kind,
            organisation=organisation,
            contact_name=contact,
            email=email,
            may_share=items,
            agreed_at=agreed_at,
            recorded_by=user,
        )
        recipient.children.set(children)
        written.append(recipient)
    return written
