"""Figures for leads and evaluators, built from the case event log.

`funnel` and `time_to_first_contact` are for supervisors and analysts, within their scope.
`evaluator_summary` is the evaluator's only view: counts by stage, outcome, area, month, age
band and sex, never a name, date of birth, address or reference, with small counts hidden.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from statistics import median

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Min, QuerySet

from paramount.casework.codes import FUNNEL, AuditAction, Role
from paramount.casework.models import Case, CaseChild, CaseEvent, User
from paramount.casework.selectors.scope import visible_cases
from paramount.casework.services.audit import audit

LEAD_ROLES = (Role.SUPERVISOR, Role.ANALYST)


def _cases_in(user: User, date_from: date | None, date_to: date | None,
              lpa_code: str | None) -> QuerySet[Case]:
    qs = visible_cases(user)
    if date_from:
        qs = qs.filter(opened_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(opened_at__date__lte=date_to)
    if lpa_code:
        qs = qs.filter(lpa__code=lpa_code)
    return qs


def _stage_counts(cases: QuerySet[Case]) -> dict[str, int]:
    """Cases that reached each stage (an event of that code exists), in funnel order."""
    reached = Counter(
        code
        for code, _ in CaseEvent.objects.filter(case__in=cases, code__in=[c for _, c in FUNNEL])
        .order_by()  # the model's ordering would make DISTINCT count events, not cases
        .values_list("code", "case_id")
        .distinct()
    )
    return {stage: reached.get(code, 0) for stage, code in FUNNEL}


@dataclass
class Funnel:
    children_identified: int
    stages: dict[str, int]  # cases reaching each stage, in order
    outcomes: dict[str, int]
    by_lpa: dict[str, dict[str, int]]


def funnel(user: User, *, date_from: date | None = None, date_to: date | None = None,
           lpa_code: str | None = None) -> Funnel:
    """The funnel (identified, checked, allocated, contacted, visited, offered, agreed,
    referred) for cases opened in the window, overall and by LPA."""
    if not user.has_role(*LEAD_ROLES):
        audit(user, AuditAction.REFUSED, "report", detail={"selector": "funnel"})
        raise PermissionDenied("Your role cannot see the dashboard.")
    cases = _cases_in(user, date_from, date_to, lpa_code)
    by_lpa: dict[str, dict[str, int]] = {}
    for code in sorted(set(cases.values_list("lpa__code", flat=True)), key=lambda c: c or ""):
        by_lpa[code or ""] = _stage_counts(cases.filter(lpa__code=code))
    result = Funnel(
        children_identified=CaseChild.objects.filter(case__in=cases).values("child").distinct()
        .count(),
        stages=_stage_counts(cases),
        outcomes=dict(Counter(o for o in cases.values_list("outcome", flat=True) if o)),
        by_lpa=by_lpa,
    )
    audit(user, AuditAction.VIEW, "report", object_ref="funnel",
          detail={"from": str(date_from or ""), "to": str(date_to or ""), "lpa": lpa_code or ""})
    return result


@dataclass
class ContactTimes:
    """Days from reception to first contact attempt: median and count, by LPA and by
    champion (the champion's display name, for a lead who manages them)."""

    overall: dict[str, float | int | None]
    by_lpa: dict[str, dict[str, float | int | None]]
    by_champion: dict[str, dict[str, float | int | None]]


def time_to_first_contact(user: User, *, date_from: date | None = None,
                          date_to: date | None = None) -> ContactTimes:
    if not user.has_role(*LEAD_ROLES):
        audit(user, AuditAction.REFUSED, "report", detail={"selector": "time_to_first_contact"})
        raise PermissionDenied("Your role cannot see the dashboard.")
    cases = (
        _cases_in(user, date_from, date_to, None)
        .filter(first_contact_at__isnull=False)
        .annotate(received=Min("case_children__reception__reception_date"))
        .select_related("lpa", "champion")
    )
    overall: list[int] = []
    lpa: dict[str, list[int]] = defaultdict(list)
    champion: dict[str, list[int]] = defaultdict(list)
    for case in cases:
        if case.received is None:
            continue
        days = (case.first_contact_at.date() - case.received).days
        overall.append(days)
        lpa[case.lpa.code if case.lpa else ""].append(days)
        if case.champion:
            champion[case.champion.get_full_name() or case.champion.get_username()].append(days)

    def summary(values: list[int]) -> dict[str, float | int | None]:
        return {"cases": len(values), "median_days": median(values) if values else None}

    audit(user, AuditAction.VIEW, "report", object_ref="time_to_first_contact", detail={})
    return ContactTimes(
        overall=summary(overall),
        by_lpa={k: summary(v) for k, v in sorted(lpa.items())},
        by_champion={k: summary(v) for k, v in sorted(champion.items())},
    )


def _age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    if age <= 4:
        return "0-4"
    if age <= 11:
        return "5-11"
    return "12-17"


def evaluator_summary(user: User) -> dict:
    """Pseudonymised aggregates of the evaluator's force: no personal field at all. Counts
    from 1 to `PARAMOUNT_EVALUATOR_SUPPRESS_BELOW` are shown as None (suppressed)."""
    if not user.has_role(Role.EVALUATOR) or user.force_id is None:
        audit(user, AuditAction.REFUSED, "report", detail={"selector": "evaluator_summary"})
        raise PermissionDenied("Only an evaluator reads the evaluation summary.")
    threshold = settings.PARAMOUNT_EVALUATOR_SUPPRESS_BELOW
    cases = Case.objects.filter(force_id=user.force_id)

    def hide(counter: dict) -> dict:
        return {str(k): (None if 0 < v < threshold else v) for k, v in sorted(counter.items(),
                key=lambda kv: str(kv[0]))}

    links = CaseChild.objects.filter(case__in=cases).values_list(
        "child_age", "child__sex", "case__lpa__code", "case__opened_at"
    )
    ages: Counter = Counter()
    sexes: Counter = Counter()
    months: Counter = Counter()
    for age, sex, _lpa, opened in links:
        ages[_age_band(age)] += 1
        sexes[sex or "unknown"] += 1
        months[opened.strftime("%Y-%m")] += 1
    summary = {
        "cases": cases.count(),
        "children": CaseChild.objects.filter(case__in=cases).values("child").distinct().count(),
        "stages": hide(_stage_counts(cases)),
        "outcomes": hide(Counter(o for o in cases.values_list("outcome", flat=True) if o)),
        "by_lpa": hide(Counter(c or "" for c in cases.values_list("lpa__code", flat=True))),
        "children_by_age_band": hide(ages),
        "children_by_sex": hide(sexes),
        "children_by_month_identified": hide(months),
        "suppressed_below": threshold,
    }
    audit(user, AuditAction.VIEW, "report", object_ref="evaluator_summary", detail={})
    return summary
