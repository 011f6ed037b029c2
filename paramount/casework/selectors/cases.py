"""Reading cases and children. Each selector takes the user, filters by `scope` in the query
itself, returns evaluated results (so what is logged is what was read) and writes the audit
record of the read. Out-of-scope objects look exactly like missing ones (`Case.DoesNotExist`,
`Child.DoesNotExist`), and the refusal is logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from paramount.casework.codes import (
    CASE_READERS,
    OPEN_STATES,
    AuditAction,
    CaseState,
    EventCode,
    Role,
)
from paramount.casework.models import (
    Case,
    CaseChild,
    CaseEvent,
    Child,
    ContactAttempt,
    FamilyContact,
    ReferralAgreement,
    User,
)
from paramount.casework.selectors import search as search_terms
from paramount.casework.selectors.scope import case_filter, visible_cases
from paramount.casework.services.audit import audit, audit_list, audit_many


def _require_reader(user: User, selector: str) -> None:
    if not user.is_active or user.role not in CASE_READERS:
        audit(user, AuditAction.REFUSED, "case", detail={"selector": selector})
        raise PermissionDenied("Your role cannot read cases.")


def one_per_child(case_children) -> list[CaseChild]:
    """A case's children once each: a child with two receptions in one case (the other
    parent received while the case was open) has a `CaseChild` row per reception; the
    newest reception's row stands for the child (their latest address and evidence)."""
    newest: dict[int, CaseChild] = {}
    for cc in case_children:
        kept = newest.get(cc.child_id)
        if kept is None or _reception_order(cc) > _reception_order(kept):
            newest[cc.child_id] = cc
    return sorted(newest.values(), key=lambda cc: cc.pk)


def _reception_order(cc: CaseChild) -> tuple:
    received = cc.reception.reception_date
    return (received is not None, received or cc.added_at.date(), cc.pk)


@dataclass
class Page:
    items: list
    total: int
    limit: int
    offset: int


def _with_children(qs):
    return qs.select_related("lpa", "champion").prefetch_related(
        Prefetch(
            "case_children",
            queryset=CaseChild.objects.select_related(
                "child", "reception__prisoner", "verdict_by", "duplicate_of__child"
            ),
        )
    )


# What a row of the case list shows of each child (`web/cases/_table.html`, `one_per_child`):
# the name or pseudonym, age, reception date. Not the evidence, carer, address or checks.
_LIST_CHILD_FIELDS = (
    "id", "case_id", "child_id", "reception_id", "child_age", "added_at",
    "child__id", "child__pseudonym", "child__forenames", "child__surname",
    "reception__id", "reception__reception_date",
)


def _with_list_children(qs):
    """`_with_children` for a list: each child's row with only the columns the list shows
    (a child's row carries its evidence text, carer and extra JSON, which a list of 25
    cases would otherwise load and decode for nothing)."""
    return qs.select_related("lpa", "champion").prefetch_related(
        Prefetch(
            "case_children",
            queryset=CaseChild.objects.select_related("child", "reception").only(
                *_LIST_CHILD_FIELDS
            ),
        )
    )


def case_list(
    user: User,
    *,
    states: list[str] | None = None,
    lpa_code: str | None = None,
    champion_id: int | None = None,
    overdue_only: bool = False,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Cases the user may see, newest first, filtered; `search` (see `selectors.search`)
    matches a name or part of one, a postcode, a date of birth, a case reference, a
    pseudonym or a prison number, and is logged as a search with its terms."""
    _require_reader(user, "case_list")
    qs = visible_cases(user)
    if states:
        qs = qs.filter(state__in=states)
    if lpa_code:
        qs = qs.filter(lpa__code=lpa_code)
    if champion_id:
        qs = qs.filter(champion_id=champion_id)
    if overdue_only:
        qs = qs.filter(_overdue_q())
    try:
        terms = search_terms.parse(search or "")
    except search_terms.NotARealDate:  # the form refuses it; here, identifiers only
        terms = search_terms.SearchTerms(text=" ".join((search or "").split()))
    text = terms.text
    if text:
        qs = qs.filter(search_terms.case_search_q(terms))
    total = qs.count()
    limit = max(1, min(limit, 500))
    items = list(_with_list_children(qs.order_by("-opened_at", "-pk"))[offset : offset + limit])
    audit_list(
        user,
        AuditAction.SEARCH if text else AuditAction.LIST,
        "case",
        [c.reference for c in items],
        detail={
            "selector": "case_list",
            "states": states or [],
            "lpa": lpa_code or "",
            "overdue_only": overdue_only,
            "search": bool(text),
            # What was searched for: the audit log is where it belongs (access-controlled,
            # append-only), never a URL or the server's logs.
            **({"terms": text, "kinds": terms.kinds} if text else {}),
            "total": total,
        },
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


# Who reads a family's phone, email and safe times: the roles that reach the family.
CONTACT_READERS = frozenset({Role.CHECKER, Role.CHAMPION, Role.SUPERVISOR})


@dataclass
class CaseDetail:
    case: Case
    children: list[CaseChild]  # one per child (`one_per_child`)
    events: list[CaseEvent]
    contact_attempts: list[ContactAttempt]
    visits: list
    agreements: list[ReferralAgreement]
    referrals: list
    # Each child's other cases the user may also see: pseudonym -> [(reference, state)].
    history: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    overdue: bool = False
    # How to reach the family, for the roles that make contact (None for others, or none).
    family_contact: FamilyContact | None = None
    # Every child's row for every reception (the prisoners, the evidence of each).
    links: list[CaseChild] = field(default_factory=list)
    # What was shared with the school or health service, with whom and when
    # (`services.sharing`).
    disclosures: list = field(default_factory=list)


def case_detail(user: User, reference: str) -> CaseDetail:
    """One case with everything on it; raises `Case.DoesNotExist` outside the user's scope."""
    _require_reader(user, "case_detail")
    case = _with_children(visible_cases(user)).filter(reference=reference).first()
    if case is None:
        audit(user, AuditAction.REFUSED, "case", object_ref=str(reference)[:64],
              detail={"selector": "case_detail"})
        raise Case.DoesNotExist("No such case.")
    links = list(case.case_children.all())
    children = one_per_child(links)
    history: dict[str, list[tuple[str, str]]] = {}
    child_ids = [cc.child_id for cc in children]
    others = (
        visible_cases(user)
        .filter(case_children__child_id__in=child_ids)
        .exclude(pk=case.pk)
        .values_list("case_children__child__pseudonym", "reference", "state")
        .distinct()
    )
    for pseudonym, ref, state in others:
        if pseudonym is not None:
            history.setdefault(pseudonym, []).append((ref, state))
    detail = CaseDetail(
        case=case,
        children=children,
        events=list(case.events.select_related("actor")),
        contact_attempts=list(case.contact_attempts.select_related("recorded_by")),
        visits=list(case.visits.select_related("recorded_by")),
        agreements=list(case.agreements.prefetch_related(
            "children__child", "recipients__children__child")),
        referrals=list(case.referrals.select_related("organisation")),
        history=history,
        links=links,
        disclosures=list(case.disclosures.select_related("shared_by")),
        overdue=Case.objects.filter(pk=case.pk).filter(_overdue_q()).exists(),
    )
    audit(user, AuditAction.VIEW, "case", case_ref=case.reference,
          detail={"selector": "case_detail"})
    if user.role in CONTACT_READERS:
        detail.family_contact = FamilyContact.objects.filter(case=case).first()
        if detail.family_contact is not None:
            audit(user, AuditAction.VIEW, "family_contact", case_ref=case.reference,
                  detail={"selector": "case_detail"})
    audit_many(user, AuditAction.VIEW, "child",
               [(case.reference, cc.child.pseudonym) for cc in children],
               detail={"selector": "case_detail"})
    return detail


@dataclass
class ChildDetail:
    child: Child
    links: list[CaseChild]  # this child's place in each case the user may see


def child_detail(user: User, pseudonym: str) -> ChildDetail:
    """A child and their history across the cases the user may see."""
    _require_reader(user, "child_detail")
    pseudonym = str(pseudonym)
    q = case_filter(user) if "\x00" not in pseudonym else None  # PostgreSQL refuses NUL
    links = list(
        CaseChild.objects.filter(child__pseudonym=pseudonym, case__in=Case.objects.filter(q))
        .select_related("case", "child", "reception__prisoner")
        .order_by("case__opened_at")
    ) if q is not None else []
    if not links:
        audit(user, AuditAction.REFUSED, "child",
              object_ref=pseudonym.replace("\x00", "\\x00")[:64],
              detail={"selector": "child_detail"})
        raise Child.DoesNotExist("No such child.")
    audit_many(user, AuditAction.VIEW, "child",
               [(cc.case.reference, cc.child.pseudonym) for cc in links],
               detail={"selector": "child_detail"})
    return ChildDetail(child=links[0].child, links=links)


# How long each wait may last before it is overdue, in days: contact after allocation
# (`PARAMOUNT_CONTACT_DUE_DAYS`), checks after the case opened, allocation after the checks.
DEFAULT_CHECKS_DUE_DAYS = 5
DEFAULT_ALLOCATION_DUE_DAYS = 3
WAITING_FOR = {
    CaseState.NEW: "checks",
    CaseState.CHECKS: "checks",
    CaseState.READY: "allocation",
    CaseState.ALLOCATED: "first contact",
}


def _due_days(days: int | None) -> dict[str, int]:
    if days is not None:
        return {"checks": days, "allocation": days, "first contact": days}
    return {
        "checks": getattr(settings, "PARAMOUNT_CHECKS_DUE_DAYS", DEFAULT_CHECKS_DUE_DAYS),
        "allocation": getattr(settings, "PARAMOUNT_ALLOCATION_DUE_DAYS",
                              DEFAULT_ALLOCATION_DUE_DAYS),
        "first contact": settings.PARAMOUNT_CONTACT_DUE_DAYS,
    }


def _overdue_q(days: int | None = None) -> Q:
    """Waiting too long: for checks (new, or checks begun, since it opened), for allocation
    (ready since its checks were completed), or for a first contact attempt (allocated)."""
    due = _due_days(days)
    now = timezone.now()
    checked_recently = CaseEvent.objects.filter(
        case=OuterRef("pk"), code=EventCode.CHECKS_COMPLETED,
        at__gte=now - timedelta(days=due["allocation"]),
    )
    return (
        Q(state__in=(CaseState.NEW, CaseState.CHECKS),
          opened_at__lt=now - timedelta(days=due["checks"]))
        | (Q(state=CaseState.READY) & ~Q(Exists(checked_recently)))
        | Q(state=CaseState.ALLOCATED, first_contact_at__isnull=True,
            allocated_at__lt=now - timedelta(days=due["first contact"]))
    )


def overdue_cases(user: User, *, days: int | None = None) -> list[Case]:
    """Work a supervisor should chase, longest wait first: cases waiting for checks,
    for allocation or for a first contact attempt beyond its allowed days (`days` for all
    three, else `_due_days`). Each case carries `waiting_for`, `waiting_since` and
    `days_waited`. Champions see their own (so only first contacts)."""
    if not user.has_role(Role.SUPERVISOR, Role.CHAMPION):
        audit(user, AuditAction.REFUSED, "case", detail={"selector": "overdue_cases"})
        raise PermissionDenied("Your role cannot see overdue work.")
    items = list(_with_children(visible_cases(user).filter(_overdue_q(days))))
    ready = [c.pk for c in items if c.state == CaseState.READY]
    checked = dict(
        CaseEvent.objects.filter(case_id__in=ready, code=EventCode.CHECKS_COMPLETED)
        .values("case_id").annotate(last=Max("at")).values_list("case_id", "last")
    )
    now = timezone.now()
    for case in items:
        case.waiting_for = WAITING_FOR[case.state]
        case.waiting_since = {
            CaseState.READY: checked.get(case.pk, case.opened_at),
            CaseState.ALLOCATED: case.allocated_at,
        }.get(case.state, case.opened_at)
        case.days_waited = (now - case.waiting_since).days
    items.sort(key=lambda c: (c.waiting_since, c.pk))
    audit_list(user, AuditAction.LIST, "case", [c.reference for c in items],
               detail={"selector": "overdue_cases", "days": days})
    return items


def champions_for(user: User, case: Case) -> list[User]:
    """Champions a supervisor may allocate this case to (same force; covering its LPA),
    each with `open_cases` (how many open cases they hold now, across the force) and
    `area_names` (their LPAs; empty for the whole force), so the supervisor sees the load."""
    if not user.has_role(Role.SUPERVISOR):
        raise PermissionDenied("Only a supervisor allocates cases.")
    if not visible_cases(user).filter(pk=case.pk).exists():
        raise Case.DoesNotExist("No such case.")
    champions = User.objects.filter(role=Role.CHAMPION, is_active=True, force_id=case.force_id)
    champions = champions.filter(Q(lpas__isnull=True) | Q(lpas=case.lpa_id)).distinct()
    open_cases = (
        Case.objects.filter(champion_id=OuterRef("pk"), state__in=OPEN_STATES)
        .order_by().values("champion_id").annotate(n=Count("pk")).values("n")
    )
    found = list(
        champions.annotate(open_cases=Coalesce(Subquery(open_cases), 0))
        .prefetch_related("lpas").order_by("last_name", "first_name", "username")
    )
    for champion in found:
        champion.area_names = sorted(lpa.name or lpa.code for lpa in champion.lpas.all())
    return found
