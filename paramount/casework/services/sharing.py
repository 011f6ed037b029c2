"""Sharing with the child's school (its designated safeguarding lead) or the health visitor
or school nurse, on the family's agreement: an email holding only what the family allowed
that recipient, about only the children the agreement names for them (never a child
rejected since), recorded as a `Disclosure`, a case event and an audited disclosure.

Refused, and audited as refused, when no agreement stands (none recorded, or withdrawn:
withdrawal stops further sharing), when it does not name that recipient or those children,
when a child named was rejected, or when the actor or the case's state may not share
(`codes.SHARE_RULE`). The refusal's audit record is written outside the sharing's
transaction, so it stays when the sharing rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from paramount.casework.codes import (
    EMAIL_RECIPIENTS,
    RECIPIENT_RULE,
    SHARE_RULE,
    AuditAction,
    EventCode,
    RecipientKind,
    Role,
    ShareItem,
)
from paramount.casework.models import (
    AgreementRecipient,
    Case,
    CaseChild,
    Disclosure,
    FamilyContact,
    Notification,
    ReferralAgreement,
    User,
)
from paramount.casework.selectors.scope import visible_cases
from paramount.casework.services import notifications
from paramount.casework.services.audit import audit
from paramount.casework.services.events import record_event
from paramount.casework.services.recipients import RecipientTerms, add_recipients
from paramount.casework.services.workflow import check_entered_date


@transaction.atomic
def add_recipient(
    *,
    user: User,
    agreement: ReferralAgreement | int,
    kind: str,
    organisation: str,
    email: str,
    children: Sequence[CaseChild | int],
    may_share: Iterable[str],
    agreed_at: datetime,
    contact_name: str = "",
) -> AgreementRecipient:
    """The family agreed to share with the child's school or the health visitor or school
    nurse too: add the recipient to their standing agreement, for some of its children, with
    the items they may be told. The allocated champion or a supervisor, while the agreement
    stands (`codes.RECIPIENT_RULE`); `agreed_at` is an entered date, not before the
    agreement."""
    if not user.has_role(Role.CHAMPION, Role.SUPERVISOR):
        raise PermissionDenied("Only the allocated champion or a supervisor can do this.")
    pk = agreement.pk if isinstance(agreement, ReferralAgreement) else int(agreement)
    found = ReferralAgreement.objects.filter(pk=pk).first()
    case = (
        visible_cases(user).select_for_update().filter(pk=found.case_id).first()
        if found is not None
        else None
    )
    if found is None or case is None:
        raise PermissionDenied("This agreement is not yours to change.")
    if found.withdrawn_at is not None:
        raise ValidationError("The family withdrew this agreement.", code="withdrawn")
    if not RECIPIENT_RULE.allows(user.role, case.state):
        raise ValidationError(
            "Recipients are added while the family's agreement stands (agreed or referred).",
            code="state",
        )
    check_entered_date(case, agreed_at, "agreed_at", "The date they agreed")
    if timezone.localdate(agreed_at) < timezone.localdate(found.agreed_at):
        raise ValidationError({"agreed_at": "The date cannot be before the agreement."})
    agreed = [cc for cc in found.children.select_related("child") if not cc.rejected]
    terms = RecipientTerms(
        kind=kind,
        organisation=organisation,
        email=email,
        children=[c.pk if isinstance(c, CaseChild) else int(c) for c in children],
        may_share=may_share,
        contact_name=contact_name,
    )
    (recipient,) = add_recipients(found, agreed, [terms], agreed_at=agreed_at, user=user)
    record_event(
        case,
        EventCode.RECIPIENT_AGREED,
        user,
        payload={
            "agreement_id": found.pk,
            "recipient_id": recipient.pk,
            "recipient_kind": recipient.kind,
            "children": [cc.child.pseudonym for cc in recipient.children.all()],
            "items": recipient.may_share,
        },
    )
    return recipient


class ShareRefused(ValidationError):
    """A share the agreement does not allow; `code` says why (kept in the audit record)."""


def _refuse(message: str, code: str) -> ShareRefused:
    return ShareRefused(message, code=code)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    items: list[str]  # the items the message holds, in `ShareItem` order


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}"


def build_message(
    case: Case, recipient: AgreementRecipient, children: Sequence[CaseChild]
) -> Message:
    """The email to `recipient`: for `children`, only the items the family allowed them
    (`recipient.may_share`). Its subject carries the case reference only; whether a parent
    is in prison is said only if that item is allowed."""
    allowed = set(recipient.may_share)
    held: set[str] = set()
    lines: list[str] = []
    if ShareItem.PARENT_IN_CUSTODY in allowed:
        held.add(ShareItem.PARENT_IN_CUSTODY)
        several = len(children) > 1
        lines.append(
            f"A parent or carer of the {'children' if several else 'child'} below is in prison."
        )
        if ShareItem.PRISON in allowed:
            seen = set()
            for cc in children:
                received = cc.reception.reception_date
                prison = (cc.extra or {}).get("prison_name", "")
                key = (received, prison)
                if received and key not in seen:
                    seen.add(key)
                    held.add(ShareItem.PRISON)
                    lines.append(
                        f"Received into prison on {_day(received)}"
                        + (f" ({prison})." if prison else ".")
                    )
        lines.append("")
    for number, cc in enumerate(children, start=1):
        child = cc.child
        lines.append(f"Child {number}")
        if ShareItem.CHILD_NAMES in allowed and child.display_name:
            held.add(ShareItem.CHILD_NAMES)
            lines.append(f"  Name: {child.display_name}")
        if ShareItem.CHILD_DATES_OF_BIRTH in allowed and child.date_of_birth:
            held.add(ShareItem.CHILD_DATES_OF_BIRTH)
            lines.append(f"  Date of birth: {_day(child.date_of_birth)}")
        if ShareItem.ADDRESS in allowed and (cc.address or cc.postcode):
            held.add(ShareItem.ADDRESS)
            lines.append(f"  Address: {', '.join(p for p in (cc.address, cc.postcode) if p)}")
    lines.append("")
    if ShareItem.CARER_CONTACT in allowed:
        carer = case.carer or {}
        contact = FamilyContact.objects.filter(case=case).first()
        parts = []
        if carer.get("carer_name"):
            relation = (carer.get("carer_relationship") or "").lower()
            parts.append(carer["carer_name"] + (f" ({relation})" if relation else ""))
        if contact is not None and contact.phone:
            parts.append(f"phone {contact.phone}")
        if contact is not None and contact.email:
            parts.append(f"email {contact.email}")
        if parts:
            held.add(ShareItem.CARER_CONTACT)
            lines += [f"The children's carer: {'; '.join(parts)}.", ""]
    if ShareItem.NEEDS in allowed:
        needs = [v.needs.strip() for v in case.visits.all() if v.needs.strip()]
        if needs:
            held.add(ShareItem.NEEDS)
            lines.append("What the family told us they need:")
            lines += [f"  - {n}" for n in needs]
            lines.append("")
    greeting = recipient.contact_name or "colleague"
    who = "children" if len(children) > 1 else "child"
    body = (
        f"Dear {greeting},\n\n"
        f"The family of the {who} below agreed that {case.force.name} may share this with "
        f"{recipient.organisation}. It holds only what they agreed to; please keep it to "
        f"those who need it to support the {who}.\n\n"
        + "\n".join(lines)
        + f"\nPolice reference: {case.reference} (quote it if you reply).\n"
    )
    return Message(
        subject=f"Paramount {case.reference}: shared with the family's agreement",
        body=body,
        items=[i for i in ShareItem.values if i in held],
    )


def _find_recipient(
    case: Case, kind: str, child_ids: set[int], recipient: AgreementRecipient | int | None
) -> AgreementRecipient:
    """The recipient of a standing agreement of `case` that covers `kind` and every child
    named; else the reason it does not, as a `ShareRefused`."""
    agreements = list(case.agreements.all())
    if not agreements:
        raise _refuse("The family has not agreed to any sharing.", "no_agreement")
    standing = [a for a in agreements if a.withdrawn_at is None]
    if not standing:
        raise _refuse(
            "The family withdrew their agreement: nothing more may be shared.", "withdrawn"
        )
    rows = AgreementRecipient.objects.filter(agreement__case=case, kind=kind)
    if recipient is not None:
        pk = recipient.pk if isinstance(recipient, AgreementRecipient) else int(recipient)
        rows = rows.filter(pk=pk)
        found = rows.select_related("agreement").first()
        if found is not None and found.agreement.withdrawn_at is not None:
            raise _refuse(
                "The family withdrew this agreement: nothing more may be shared.", "withdrawn"
            )
    rows = rows.filter(agreement__withdrawn_at__isnull=True)
    label = RecipientKind(kind).label
    candidates = list(rows.prefetch_related("children"))
    if not candidates:
        raise _refuse(
            f"The family's agreement does not cover {label[0].lower()}{label[1:]}.", "not_covered"
        )
    covering = [r for r in candidates if child_ids <= {c.pk for c in r.children.all()}]
    if not covering:
        raise _refuse(
            "The family's agreement does not cover those children for this recipient.",
            "children_not_covered",
        )
    if len(covering) > 1:
        raise _refuse(
            "More than one recipient of that kind covers these children: choose which.", "ambiguous"
        )
    return covering[0]


def _share(
    user: User,
    case_pk: int,
    kind: str,
    child_ids: set[int],
    recipient: AgreementRecipient | int | None,
) -> Disclosure:
    if not user.has_role(Role.CHAMPION, Role.SUPERVISOR):
        raise PermissionDenied("Only the allocated champion or a supervisor can share.")
    case = visible_cases(user).select_for_update().filter(pk=case_pk).first()
    if case is None:
        raise PermissionDenied("This case is not yours to share from.")
    if kind not in EMAIL_RECIPIENTS:
        raise _refuse("The charity is reached by the referral, not by email.", "not_email")
    if not child_ids:
        raise _refuse("Choose the children to share about.", "no_children")
    found = _find_recipient(case, kind, child_ids, recipient)
    children = list(
        CaseChild.objects.filter(case=case, pk__in=child_ids)
        .select_related("child", "reception")
        .order_by("pk")
    )
    if any(cc.rejected for cc in children):
        raise _refuse(
            "A child named was rejected since: they are not part of the family's "
            "approach and nothing is shared about them.",
            "rejected",
        )
    if not SHARE_RULE.allows(user.role, case.state):
        raise _refuse(
            "Sharing is done while the family's agreement stands (agreed or referred).", "state"
        )
    message = build_message(case, found, children)
    if not message.items:
        raise _refuse(
            "Nothing the family allowed is recorded for these children yet.", "nothing_to_share"
        )
    notification = notifications.queue(
        Notification.Kind.RECIPIENT_SHARE, found.email, message.subject, message.body, case
    )
    pseudonyms = [cc.child.pseudonym for cc in children]
    disclosure = Disclosure.objects.create(
        case=case,
        agreement_id=found.agreement_id,
        recipient=found,
        recipient_kind=found.kind,
        organisation=found.organisation,
        contact_name=found.contact_name,
        email=found.email,
        children=pseudonyms,
        items=message.items,
        notification=notification,
        shared_at=timezone.now(),
        shared_by=user,
    )
    record_event(
        case,
        EventCode.SHARED_WITH_RECIPIENT,
        user,
        payload={
            "disclosure_id": disclosure.pk,
            "recipient_kind": found.kind,
            "children": pseudonyms,
            "items": message.items,
        },
        audit_action=AuditAction.DISCLOSE,
        recipient=found.email,
        audit_detail={
            "disclosure_id": disclosure.pk,
            "recipient_kind": found.kind,
            "organisation": found.organisation,
            "recipient_name": found.contact_name,
            "children": pseudonyms,
            "items": message.items,
        },
    )
    return disclosure


def share_with_recipient(
    *,
    user: User,
    case: Case | int,
    recipient_kind: str,
    children: Sequence[CaseChild | int],
    recipient: AgreementRecipient | int | None = None,
) -> Disclosure:
    """Email `recipient_kind` (the school's designated safeguarding lead, or the health
    visitor or school nurse) what the family's standing agreement allows them about
    `children`; `recipient` picks one where the agreement names two of a kind. Refusals are
    audited (`AuditAction.REFUSED`, object "disclosure", the reason's code) and raised."""
    case_pk = case.pk if isinstance(case, Case) else int(case)
    child_ids = {c.pk if isinstance(c, CaseChild) else int(c) for c in children}
    try:
        with transaction.atomic():
            return _share(user, case_pk, recipient_kind, child_ids, recipient)
    except (ValidationError, PermissionDenied) as error:
        reason = getattr(error, "code", None) or (
            "permission" if isinstance(error, PermissionDenied) else "invalid"
        )
        reference = Case.objects.filter(pk=case_pk).values_list("reference", flat=True).first()
        audit(
            user,
            AuditAction.REFUSED,
            "disclosure",
            case_ref=reference or "",
            detail={
                "service": "share_with_recipient",
                "recipient_kind": str(recipient_kind)[:16],
                "reason": reason,
            },
        )
        raise
