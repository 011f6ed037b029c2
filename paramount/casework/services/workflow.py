"""The casework workflow as services: each call checks who is acting and whether the case may
make that move, writes the change, appends a case event and an audit record, all in one
transaction. Bad input raises `ValidationError` with a message fit to show, and changes
nothing; acting outside one's role or boundaries raises `PermissionDenied`.

new -> checks -> ready -> allocated -> contacting -> visited -> support offered
    -> agreed (or declined) -> referred -> closed with an outcome;
"not approached" (with a reason) closes a case from any open state before contact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from paramount.casework.codes import (
    ALLOCATED_STATES,
    CHARITY_SHARE_ITEMS,
    OPEN_STATES,
    REJECTED,
    SOCIAL_CARE_OPEN,
    AuditAction,
    CaseState,
    ContactMethod,
    ContactOutcome,
    DeliveryModel,
    EventCode,
    NotApproachedReason,
    Outcome,
    ReferralBasis,
    Role,
    ShareItem,
    SocialCareStatus,
)
from paramount.casework.models import (
    Case,
    CaseChild,
    ContactAttempt,
    PartnerOrganisation,
    Referral,
    ReferralAgreement,
    User,
    Visit,
)
from paramount.casework.selectors.scope import visible_cases, visible_referrals
from paramount.casework.services import notifications
from paramount.casework.services.events import check_transition, record_event
from paramount.casework.services.recipients import (
    RecipientTerms,
    add_recipients,
    check_recipient_terms,
)

# ---------------------------------------------------------------------------------------
# Guards


def _require_role(user: User, *roles: str) -> None:
    if not user.has_role(*roles):
        raise PermissionDenied("Your role cannot do this.")


def _lock_case(user: User, case: Case | int) -> Case:
    """The case, row-locked for this transaction, if `user` may see it; else refused."""
    pk = case.pk if isinstance(case, Case) else case
    found = visible_cases(user).select_for_update().filter(pk=pk).first()
    if found is None:
        raise PermissionDenied("This case is not yours to change.")
    return found


def _require_open(case: Case) -> None:
    if case.state not in OPEN_STATES:
        raise ValidationError("This case is closed.", code="closed")


def _require_allocated_actor(user: User, case: Case) -> None:
    """Champion work: the allocated champion, or a supervisor acting for them."""
    if user.role == Role.SUPERVISOR:
        return
    if user.role == Role.CHAMPION and case.champion_id == user.pk:
        return
    raise PermissionDenied("Only the allocated champion or a supervisor can do this.")


def _choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: f"Choose a valid {field.replace('_', ' ')}."})
    return value


def _earliest_day(case: Case) -> date:
    """The first day anything can have happened with the family: the day before the case
    opened (a day's grace: work can start as the day's run is being imported), and never
    before the earliest reception behind it."""
    opened = timezone.localdate(case.opened_at) - timedelta(days=1)
    received = case.case_children.aggregate(first=Min("reception__reception_date"))["first"]
    return max(opened, received) if received else opened


def check_entered_date(case: Case, value: datetime | date, field: str, what: str) -> date:
    """The one rule for every date a user enters in the workflow (a contact attempt, a
    visit, the family's agreement, a refusal's or a withdrawal's day if given): a real,
    time-zoned moment, not in the future, not before the case opened (`_earliest_day`).
    Returns the local day; raises `ValidationError` on `field`."""
    if isinstance(value, datetime) and timezone.is_naive(value):
        raise ValidationError({field: f"{what} needs a time zone."})
    if value > (timezone.now() if isinstance(value, datetime) else timezone.localdate()):
        raise ValidationError({field: f"{what} cannot be in the future."})
    day = timezone.localdate(value) if isinstance(value, datetime) else value
    earliest = _earliest_day(case)
    if day < earliest:
        raise ValidationError({
            field: f"{what} cannot be before {earliest.day} {earliest:%B %Y}: the case "
                   "was not open yet."
        })
    return day


def _required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# ---------------------------------------------------------------------------------------
# Checks


@transaction.atomic
def record_child_check(
    *,
    user: User,
    case_child: CaseChild | int,
    social_care_status: str,
    safeguarding_concern: bool = False,
    social_worker_name: str = "",
    social_worker_email: str = "",
    note: str = "",
) -> CaseChild:
    """Record the research and intelligence check for one child. Where the child is open to
    social care or early help, the allocated worker is told by email (so their address is
    required)."""
    _require_role(user, Role.CHECKER, Role.SUPERVISOR)
    pk = case_child.pk if isinstance(case_child, CaseChild) else case_child
    cc = CaseChild.objects.filter(pk=pk).select_related("case").first()
    if cc is None:
        raise PermissionDenied("This case is not yours to change.")
    case = _lock_case(user, cc.case_id)
    if case.state not in (CaseState.NEW, CaseState.CHECKS):
        raise ValidationError("Checks are recorded before a case is ready.", code="state")
    if cc.verdict == REJECTED:
        # Out of the approach: nobody (a social worker included) is told about this child.
        raise ValidationError("This child was rejected: they are not checked or approached.",
                              code="rejected")
    _choice(social_care_status, SocialCareStatus, "social_care_status")
    if social_care_status == SocialCareStatus.UNKNOWN:
        raise ValidationError({"social_care_status": "Say what social care told you."})
    email = (social_worker_email or "").strip()
    if social_care_status in SOCIAL_CARE_OPEN and not email:
        raise ValidationError(
            {"social_worker_email": "Give the allocated worker's email so they can be told."}
        )
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError as error:
            raise ValidationError({"social_worker_email": "Enter a valid email."}) from error
    cc.case = case
    cc.social_care_status = social_care_status
    cc.safeguarding_concern = bool(safeguarding_concern)
    cc.social_worker_name = (social_worker_name or "").strip()
    cc.social_worker_email = email
    cc.check_note = (note or "").strip()
    cc.checked_at = timezone.now()
    cc.checked_by = user
    tell_worker = social_care_status in SOCIAL_CARE_OPEN and cc.social_worker_notified_at is None
    if tell_worker:
        cc.social_worker_notified_at = timezone.now()
    cc.save()
    # The check is of the child, not of one reception: the child's rows for the case's other
    # receptions (one page row per child) take the same answer.
    CaseChild.objects.filter(case=case, child_id=cc.child_id).exclude(pk=cc.pk).update(
        social_care_status=cc.social_care_status,
        safeguarding_concern=cc.safeguarding_concern,
        social_worker_name=cc.social_worker_name,
        social_worker_email=cc.social_worker_email,
        social_worker_notified_at=cc.social_worker_notified_at,
        check_note=cc.check_note,
        checked_at=cc.checked_at,
        checked_by=user,
    )
    if case.state == CaseState.NEW:
        check_transition(case, CaseState.CHECKS)
    record_event(
        case,
        EventCode.CHECK_RECORDED,
        user,
        new_state=CaseState.CHECKS,
        payload={
            "child": cc.child.pseudonym,
            "social_care_status": social_care_status,
            "safeguarding_concern": cc.safeguarding_concern,
        },
    )
    if tell_worker:
        notifications.social_worker_told(cc)
        record_event(
            case,
            EventCode.SOCIAL_WORKER_NOTIFIED,
            user,
            payload={"child": cc.child.pseudonym},
            audit_action=AuditAction.DISCLOSE,
            recipient=email,
        )
    return cc


@transaction.atomic
def complete_checks(*, user: User, case: Case | int, note: str = "") -> Case:
    """Checks done for every child: the case is ready to allocate."""
    _require_role(user, Role.CHECKER, Role.SUPERVISOR)
    case = _lock_case(user, case)
    check_transition(case, CaseState.READY)
    # Rejected children (services.verdicts) need no check; a family with none left is not
    # to be approached at all.
    approached = case.case_children.exclude(verdict=REJECTED)
    if not approached.exists():
        raise ValidationError(
            "Every child of this case was rejected: record that the family is not to be "
            "approached instead.", code="all_rejected",
        )
    unchecked = approached.filter(social_care_status=SocialCareStatus.UNKNOWN).count()
    if unchecked:
        raise ValidationError(
            f"{unchecked} {'child has' if unchecked == 1 else 'children have'} not been checked.",
            code="unchecked",
        )
    case.safeguarding_concern = approached.filter(safeguarding_concern=True).exists()
    case.save(update_fields=["safeguarding_concern", "updated_at"])
    record_event(
        case,
        EventCode.CHECKS_COMPLETED,
        user,
        new_state=CaseState.READY,
        payload={"safeguarding_concern": case.safeguarding_concern, "note": note.strip()},
    )
    return case


@transaction.atomic
def record_not_approached(
    *, user: User, case: Case | int, reason: str, note: str = ""
) -> Case:
    """The family is not to be approached (the child was the victim of the prisoner's
    offence, for instance): the case closes with that reason."""
    _require_role(user, Role.CHECKER, Role.SUPERVISOR, Role.CHAMPION)
    case = _lock_case(user, case)
    _require_open(case)
    _choice(reason, NotApproachedReason, "reason")
    note = (note or "").strip()
    if reason == NotApproachedReason.OTHER and not note:
        raise ValidationError({"note": "Say why the family is not to be approached."})
    if case.state in (CaseState.AGREED, CaseState.REFERRED):
        raise ValidationError(
            "The family has already agreed to a referral; close the case instead.",
            code="state",
        )
    now = timezone.now()
    case.not_approached_reason = reason
    case.outcome = Outcome.NOT_APPROACHED
    case.outcome_note = note
    case.closed_at = now
    case.review_date = _retention_review_date(now)
    case.save()
    record_event(
        case,
        EventCode.NOT_APPROACHED,
        user,
        new_state=CaseState.CLOSED,
        payload={"reason": reason, "outcome": Outcome.NOT_APPROACHED},
    )
    return case


# ---------------------------------------------------------------------------------------
# Allocation


@transaction.atomic
def allocate_case(
    *,
    user: User,
    case: Case | int,
    champion: User | int,
    note: str = "",
    delivery_model: str | None = None,
) -> Case:
    """A supervisor allocates a ready case (or reallocates an allocated one) to a named
    champion of the same force and area, who is told directly by email, and says how the
    family is worked with (`DeliveryModel`; at first allocation a named champion unless said
    otherwise, at reallocation as it was unless said otherwise). The `allocated` event
    records the delivery model, so the pilot's comparison rests on the log."""
    _require_role(user, Role.SUPERVISOR)
    case = _lock_case(user, case)
    _require_open(case)
    if delivery_model is not None:
        _choice(delivery_model, DeliveryModel, "delivery_model")
    champion_pk = champion.pk if isinstance(champion, User) else champion
    champion = User.objects.filter(pk=champion_pk).first()
    if (
        champion is None
        or not champion.has_role(Role.CHAMPION)
        or champion.force_id != case.force_id
    ):
        raise ValidationError({"champion": "Choose a champion of this force."})
    champion_lpas = set(champion.lpas.values_list("id", flat=True))
    if champion_lpas and case.lpa_id not in champion_lpas:
        raise ValidationError({"champion": "This champion does not cover the case's area."})
    if not champion.email:
        raise ValidationError({"champion": "This champion has no email address to notify."})
    if case.state == CaseState.READY:
        new_state = CaseState.ALLOCATED
    elif case.state in ALLOCATED_STATES:
        if case.champion_id == champion.pk:
            raise ValidationError({"champion": "The case is already allocated to them."})
        new_state = case.state  # reallocation keeps the family's progress
    else:
        raise ValidationError("Only a case whose checks are complete can be allocated.")
    previous = case.champion_id
    previous_model = case.delivery_model if case.state in ALLOCATED_STATES else ""
    if delivery_model is None:
        delivery_model = previous_model or DeliveryModel.NAMED_CHAMPION
    case.champion = champion
    case.allocated_at = timezone.now()
    case.delivery_model = delivery_model
    case.save(update_fields=["champion", "allocated_at", "delivery_model", "updated_at"])
    record_event(
        case,
        EventCode.ALLOCATED,
        user,
        new_state=new_state,
        payload={
            "champion_id": champion.pk,
            "previous_champion_id": previous,
            "delivery_model": delivery_model,
            "previous_delivery_model": previous_model,
            "note": (note or "").strip(),
        },
    )
    notifications.champion_allocated(case, champion)
    record_event(case, EventCode.CHAMPION_NOTIFIED, user, payload={"champion_id": champion.pk})
    return case


# ---------------------------------------------------------------------------------------
# Contact, visit, offer


@transaction.atomic
def record_contact_attempt(
    *,
    user: User,
    case: Case | int,
    at: datetime,
    method: str,
    outcome: str,
    note: str = "",
) -> ContactAttempt:
    """An attempt to reach the family (a call, a text, a knock), successful or not."""
    case = _lock_case(user, case)
    _require_allocated_actor(user, case)
    _require_open(case)
    if case.state not in ALLOCATED_STATES:
        raise ValidationError("Contact is recorded once the case is allocated.", code="state")
    _choice(method, ContactMethod, "method")
    _choice(outcome, ContactOutcome, "outcome")
    check_entered_date(case, at, "at", "The date of the attempt")
    attempt = ContactAttempt.objects.create(
        case=case, at=at, method=method, outcome=outcome, note=(note or "").strip(),
        recorded_by=user,
    )
    if case.first_contact_at is None or at < case.first_contact_at:
        case.first_contact_at = at
        case.save(update_fields=["first_contact_at", "updated_at"])
    new_state = CaseState.CONTACTING if case.state == CaseState.ALLOCATED else None
    record_event(
        case,
        EventCode.CONTACT_ATTEMPT,
        user,
        new_state=new_state,
        payload={"contact_attempt_id": attempt.pk, "method": method, "outcome": outcome},
    )
    return attempt


@transaction.atomic
def record_visit(
    *,
    user: User,
    case: Case | int,
    visited_on: date,
    present: str,
    needs: str = "",
    support_offered: bool = False,
) -> Visit:
    """A visit made with the family's agreement: who was there, what they need, and whether
    the charity's support was offered."""
    case = _lock_case(user, case)
    _require_allocated_actor(user, case)
    _require_open(case)
    if case.state not in (
        CaseState.ALLOCATED,
        CaseState.CONTACTING,
        CaseState.VISITED,
        CaseState.SUPPORT_OFFERED,
    ):
        raise ValidationError("A visit is recorded after allocation and before a decision.")
    present = _required_text(present, "present", "Say who was present.")
    if isinstance(visited_on, datetime):
        visited_on = visited_on.date()
    check_entered_date(case, visited_on, "visited_on", "The date of the visit")
    visit = Visit.objects.create(
        case=case,
        visited_on=visited_on,
        present=present,
        needs=(needs or "").strip(),
        support_offered=bool(support_offered),
        recorded_by=user,
    )
    if case.state in (CaseState.ALLOCATED, CaseState.CONTACTING):
        record_event(case, EventCode.VISIT, user, new_state=CaseState.VISITED,
                     payload={"visit_id": visit.pk})
    else:
        record_event(case, EventCode.VISIT, user, payload={"visit_id": visit.pk})
    if support_offered and case.state == CaseState.VISITED:
        record_event(case, EventCode.SUPPORT_OFFERED, user, new_state=CaseState.SUPPORT_OFFERED,
                     payload={"visit_id": visit.pk})
    return visit


@transaction.atomic
def record_support_offered(*, user: User, case: Case | int, note: str = "") -> Case:
    """The charity's support was offered to the family (at or after the visit)."""
    case = _lock_case(user, case)
    _require_allocated_actor(user, case)
    check_transition(case, CaseState.SUPPORT_OFFERED)
    record_event(case, EventCode.SUPPORT_OFFERED, user, new_state=CaseState.SUPPORT_OFFERED,
                 payload={"note": (note or "").strip()})
    return case


# ---------------------------------------------------------------------------------------
# Agreement, refusal, withdrawal


@transaction.atomic
def record_agreement(
    *,
    user: User,
    case: Case | int,
    agreed_by_name: str,
    agreed_by_relationship: str,
    agreed_at: datetime,
    children: Sequence[CaseChild | int],
    may_share: Iterable[str],
    note: str = "",
    recipients: Sequence[RecipientTerms] = (),
) -> ReferralAgreement:
    """The family's agreement to a referral: who agreed, when, for which children and what
    may be shared with the charity. The referral pack will hold nothing beyond it. The
    family may name more recipients (`recipients`: the child's school's designated
    safeguarding lead, the health visitor or school nurse), each for some of these children
    and with its own items (`services.recipients`, `services.sharing`)."""
    case = _lock_case(user, case)
    _require_allocated_actor(user, case)
    check_transition(case, CaseState.AGREED)
    name = _required_text(agreed_by_name, "agreed_by_name", "Say who agreed.")
    relationship = _required_text(
        agreed_by_relationship, "agreed_by_relationship", "Say who they are to the children."
    )
    check_entered_date(case, agreed_at, "agreed_at", "The date they agreed")
    child_ids = {c.pk if isinstance(c, CaseChild) else int(c) for c in children}
    if not child_ids:
        raise ValidationError({"children": "Choose the children the agreement covers."})
    chosen = list(case.case_children.filter(pk__in=child_ids))
    if len(chosen) != len(child_ids):
        raise ValidationError({"children": "Choose children of this case only."})
    if any(cc.verdict == REJECTED for cc in chosen):
        raise ValidationError({"children": "A rejected child is not part of the family's "
                                           "approach: leave them out."})
    share = sorted(set(may_share))
    if not share:
        raise ValidationError({"may_share": "Choose what may be shared with the charity."})
    if any(item not in CHARITY_SHARE_ITEMS for item in share):
        raise ValidationError({"may_share": "Choose items from the list."})
    for terms in recipients:
        check_recipient_terms(terms, chosen)
    agreement = ReferralAgreement.objects.create(
        case=case,
        agreed_by_name=name,
        agreed_by_relationship=relationship,
        agreed_at=agreed_at,
        may_share=share,
        note=(note or "").strip(),
        recorded_by=user,
    )
    agreement.children.set(chosen)
    also = add_recipients(agreement, chosen, recipients, agreed_at=agreed_at, user=user)
    record_event(
        case,
        EventCode.AGREEMENT_RECORDED,
        user,
        new_state=CaseState.AGREED,
        payload={
            "agreement_id": agreement.pk,
            "children": [c.child.pseudonym for c in chosen],
            "may_share": share,
            # Who else the family agreed to (kinds and items; never an address or email).
            "recipients": [{"kind": r.kind, "may_share": r.may_share} for r in also],
        },
    )
    return agreement


def _moment_of(day: date) -> datetime:
    """A day the user gave as a moment: now for today, else noon that day."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12)))


@transaction.atomic
def record_refusal(
    *, user: User, case: Case | int, note: str = "", declined_on: date | None = None
) -> Case:
    """The family declined the referral (their choice; not a failure of the work), on
    `declined_on` if the user gives it (else today), checked like every entered date."""
    case = _lock_case(user, case)
    _require_allocated_actor(user, case)
    check_transition(case, CaseState.DECLINED)
    payload = {"note": (note or "").strip()}
    if declined_on is not None:
        payload["declined_on"] = check_entered_date(
            case, declined_on, "declined_on", "The date they declined").isoformat()
    record_event(case, EventCode.REFUSAL_RECORDED, user, new_state=CaseState.DECLINED,
                 payload=payload)
    return case


@transaction.atomic
def withdraw_agreement(
    *, user: User, agreement: ReferralAgreement | int, note: str = "",
    withdrawn_on: date | None = None,
) -> ReferralAgreement:
    """The family withdrew their agreement: the partner stops seeing the referral at once.
    The champion, a supervisor, or the partner the family told may record it, with the day
    the family withdrew (`withdrawn_on`, else today): an entered date, and not before the
    agreement."""
    pk = agreement.pk if isinstance(agreement, ReferralAgreement) else agreement
    found = ReferralAgreement.objects.filter(pk=pk).first()
    if found is None:
        raise PermissionDenied("This agreement is not yours to change.")
    if user.role == Role.PARTNER:
        if not visible_referrals(user).filter(agreement_id=found.pk).exists():
            raise PermissionDenied("This agreement is not yours to change.")
        case = Case.objects.select_for_update().get(pk=found.case_id)
    else:
        case = _lock_case(user, found.case_id)
        _require_allocated_actor(user, case)
    if found.withdrawn_at is not None:
        raise ValidationError("This agreement was already withdrawn.", code="withdrawn")
    when = timezone.now()
    if withdrawn_on is not None:
        day = check_entered_date(case, withdrawn_on, "withdrawn_on", "The date they withdrew")
        agreed = timezone.localdate(found.agreed_at)
        if day < agreed:
            raise ValidationError({"withdrawn_on": "The date they withdrew cannot be before "
                                                   f"they agreed ({agreed.day} {agreed:%B %Y})."})
        when = _moment_of(day)
    ReferralAgreement.objects.filter(pk=found.pk).update(
        withdrawn_at=when, withdrawal_note=(note or "").strip(), withdrawal_recorded_by=user
    )
    found.refresh_from_db()
    new_state = CaseState.DECLINED if case.state in (CaseState.AGREED, CaseState.REFERRED) else None
    record_event(case, EventCode.AGREEMENT_WITHDRAWN, user, new_state=new_state,
                 payload={"agreement_id": found.pk})
    return found


# ---------------------------------------------------------------------------------------
# Referral


def _partner_for(case: Case, organisation: PartnerOrganisation | int | None) -> PartnerOrganisation:
    partners = PartnerOrganisation.objects.filter(force_id=case.force_id)
    if organisation is not None:
        pk = organisation.pk if isinstance(organisation, PartnerOrganisation) else organisation
        found = partners.filter(pk=pk).first()
        if found is None:
            raise ValidationError({"organisation": "Choose a partner of this force."})
        return found
    found = list(partners[:2])
    if len(found) != 1:
        raise ValidationError({"organisation": "Choose the partner to refer to."})
    return found[0]


def build_referral_pack(
    case: Case, children: Iterable[CaseChild], may_share: Iterable[str]
) -> dict:
    """The referral pack: for the agreed children, only the agreed items. A child rejected
    since (not the prisoner's child, `services.verdicts`) is left out."""
    share = set(may_share)
    pack: dict = {"reference": case.reference, "children": []}
    for cc in children:
        if cc.verdict == REJECTED:
            continue
        child = cc.child
        item: dict = {"pseudonym": child.pseudonym}
        if ShareItem.CHILD_NAMES in share:
            item["forenames"], item["surname"] = child.forenames, child.surname
        if ShareItem.CHILD_DATES_OF_BIRTH in share and child.date_of_birth:
            item["date_of_birth"] = child.date_of_birth.isoformat()
        if ShareItem.ADDRESS in share:
            item["address"], item["postcode"] = cc.address, cc.postcode
        if ShareItem.PRISON in share and cc.reception.reception_date:
            item["reception_date"] = cc.reception.reception_date.isoformat()
        pack["children"].append(item)
    if ShareItem.CARER_CONTACT in share and case.carer:
        pack["carer"] = {k: v for k, v in case.carer.items() if v}
    if ShareItem.NEEDS in share:
        pack["needs"] = [v.needs for v in case.visits.all() if v.needs]
    pack["shared"] = sorted(share)
    return pack


# What a safeguarding override may disclose without the family's agreement: enough for the
# charity to know who the children are and reach them, no more. Not the carer's details, the
# needs the family told the champion, the prison, nor the supervisor's written reason (the
# charity asks the supervisor, whose name and email the pack carries).
OVERRIDE_SHARE = (ShareItem.CHILD_NAMES, ShareItem.CHILD_DATES_OF_BIRTH, ShareItem.ADDRESS)


def build_override_pack(case: Case, supervisor: User) -> dict:
    """The pack of a referral the family did not agree to: `OVERRIDE_SHARE` for each child
    of the case (one entry per child, however many receptions), and who decided."""
    children = {}
    approached = case.case_children.exclude(verdict=REJECTED)
    for cc in approached.select_related("child", "reception").order_by("-pk"):
        children.setdefault(cc.child_id, cc)
    pack = build_referral_pack(case, reversed(list(children.values())), OVERRIDE_SHARE)
    pack["basis"] = ReferralBasis.SAFEGUARDING_OVERRIDE
    pack["decided_by"] = {
        "name": supervisor.get_full_name() or supervisor.get_username(),
        "email": supervisor.email,
    }
    return pack


@transaction.atomic
def send_referral(
    *,
    user: User,
    case: Case | int,
    agreement: ReferralAgreement | int | None = None,
    override_reason: str = "",
    organisation: PartnerOrganisation | int | None = None,
) -> Referral:
    """Refer the family to the charity. With the family's agreement (the usual way), the
    pack holds what they agreed to share; without it, only a supervisor may refer, giving a
    significant safeguarding concern as the reason, and the pack holds `OVERRIDE_SHARE`
    only. Either way the partner reads it in Paramount; the email names nothing."""
    case = _lock_case(user, case)
    _require_open(case)
    partner = _partner_for(case, organisation)
    now = timezone.now()
    if agreement is not None:
        _require_allocated_actor(user, case)
        pk = agreement.pk if isinstance(agreement, ReferralAgreement) else agreement
        found = case.agreements.filter(pk=pk).first()
        if found is None:
            raise ValidationError({"agreement": "This agreement is not for this case."})
        if found.withdrawn_at is not None:
            raise ValidationError({"agreement": "The family withdrew this agreement."})
        check_transition(case, CaseState.REFERRED)
        pack = build_referral_pack(
            case, found.children.select_related("child", "reception"), found.may_share
        )
        if not pack["children"]:
            raise ValidationError({"agreement": "Every child this agreement covers was "
                                                "rejected since: there is no one to refer."})
        referral = Referral.objects.create(
            case=case, basis=ReferralBasis.AGREEMENT, agreement=found, organisation=partner,
            pack=pack, sent_at=now, sent_by=user,
        )
    else:
        if not user.has_role(Role.SUPERVISOR):
            raise PermissionDenied(
                "A referral without the family's agreement needs a supervisor."
            )
        reason = _required_text(
            override_reason, "override_reason",
            "Without the family's agreement, give the safeguarding reason.",
        )
        if case.state in (CaseState.NEW, CaseState.CHECKS):
            raise ValidationError("Complete the checks before referring.", code="state")
        if case.state == CaseState.REFERRED:
            raise ValidationError("This case has already been referred.", code="state")
        pack = build_override_pack(case, user)
        referral = Referral.objects.create(
            case=case, basis=ReferralBasis.SAFEGUARDING_OVERRIDE, organisation=partner,
            override_reason=reason, override_supervisor=user, pack=pack, sent_at=now,
            sent_by=user,
        )
    record_event(
        case,
        EventCode.REFERRAL_SENT,
        user,
        new_state=CaseState.REFERRED,
        payload={"referral_id": referral.pk, "basis": referral.basis, "organisation": partner.pk},
        audit_action=AuditAction.DISCLOSE,
        recipient=partner.name,
    )
    notifications.referral_arrived(case, partner)
    return referral


@transaction.atomic
def acknowledge_referral(*, user: User, referral: Referral | int) -> Referral:
    """The partner confirms it has received the referral."""
    _require_role(user, Role.PARTNER)
    pk = referral.pk if isinstance(referral, Referral) else referral
    found = visible_referrals(user).filter(pk=pk).first()
    if found is None:
        raise PermissionDenied("This referral is not yours to see.")
    if found.acknowledged_at is not None:
        raise ValidationError("This referral was already acknowledged.")
    Referral.objects.filter(pk=found.pk).update(acknowledged_at=timezone.now(),
                                                acknowledged_by=user)
    found.refresh_from_db()
    case = Case.objects.get(pk=found.case_id)
    record_event(case, EventCode.REFERRAL_ACKNOWLEDGED, user, payload={"referral_id": found.pk})
    return found


# ---------------------------------------------------------------------------------------
# Notes and closing


@transaction.atomic
def add_case_note(*, user: User, case: Case | int, text: str) -> Case:
    _require_role(user, Role.CHECKER, Role.CHAMPION, Role.SUPERVISOR)
    case = _lock_case(user, case)
    text = _required_text(text, "text", "Write the note.")
    record_event(case, EventCode.NOTE, user, payload={"text": text})
    return case


def _retention_review_date(closed_at: datetime) -> date:
    return timezone.localdate(closed_at) + timedelta(days=settings.PARAMOUNT_RETENTION_DAYS)


@transaction.atomic
def close_case(*, user: User, case: Case | int, outcome: str, note: str = "") -> Case:
    """Close with an outcome code; the retention review date is set from the closing day."""
    case = _lock_case(user, case)
    _require_allocated_actor(user, case)
    _require_open(case)
    _choice(outcome, Outcome, "outcome")
    note = (note or "").strip()
    if outcome == Outcome.NOT_APPROACHED:
        raise ValidationError({"outcome": "Record why the family is not approached instead."})
    if outcome == Outcome.REFERRED and not case.referrals.exists():
        raise ValidationError({"outcome": "No referral has been sent for this case."})
    if outcome == Outcome.OTHER and not note:
        raise ValidationError({"note": "Say what the outcome was."})
    if case.state == CaseState.AGREED and outcome != Outcome.DECLINED:
        raise ValidationError("The family agreed to a referral: send it, or record a refusal.")
    now = timezone.now()
    case.outcome = outcome
    case.outcome_note = note
    case.closed_at = now
    case.review_date = _retention_review_date(now)
    case.save()
    record_event(case, EventCode.CLOSED, user, new_state=CaseState.CLOSED,
                 payload={"outcome": outcome})
    return case
