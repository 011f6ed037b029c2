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

from paramount.casework.codes import FUNNEL, AuditAction, Outcome, Role
from paramount.casework.models import Case, CaseChild, CaseEvent, User
from paramount.casework.selectors.scope import visible_cases
from paramount.casework.services.audit import audit

LEAD_ROLES = (Role.SUPERVISOR, Role.ANALYST)


def cases_in(
    user: User, date_from: date | None, date_to: date | None, lpa_code: str | None
) -> QuerySet[Case]:
    qs = visible_cases(user)
    if date_from:
        qs = qs.filter(opened_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(opened_at__date__lte=date_to)
    if lpa_code:
        qs = qs.filter(lpa__code=lpa_code)
    return qs


def stage_counts(cases: QuerySet[Case]) -> dict[str, int]:
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


def funnel(
    user: User,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    lpa_code: str | None = None,
) -> Funnel:
    """The funnel (identified, checked, allocated, contacted, visited, offered, agreed,
    referred) for cases opened in the window, overall and by LPA."""
    if not user.has_role(*LEAD_ROLES):
        audit(user, AuditAction.REFUSED, "report", detail={"selector": "funnel"})
        raise PermissionDenied("Your role cannot see the dashboard.")
    cases = cases_in(user, date_from, date_to, lpa_code)
    by_lpa: dict[str, dict[str, int]] = {}
    for code in sorted(set(cases.values_list("lpa__code", flat=True)), key=lambda c: c or ""):
        by_lpa[code or ""] = stage_counts(cases.filter(lpa__code=code))
    result = Funnel(
        children_identified=CaseChild.objects.filter(case__in=cases)
        .values("child")
        .distinct()
        .count(),
        stages=stage_counts(cases),
        outcomes=dict(Counter(o for o in cases.values_list("outcome", flat=True) if o)),
        by_lpa=by_lpa,
    )
    audit(
        user,
        AuditAction.VIEW,
        "report",
        object_ref="funnel",
        detail={"from": str(date_from or ""), "to": str(date_to or ""), "lpa": lpa_code or ""},
    )
    return result


@dataclass
class ContactTimes:
    """Days from reception to first contact attempt: median and count, by LPA and by
    champion (the champion's display name, for a lead who manages them)."""

    overall: dict[str, float | int | None]
    by_lpa: dict[str, dict[str, float | int | None]]
    by_champion: dict[str, dict[str, float | int | None]]


def days_to_first_contact(cases: QuerySet[Case], *fields: str) -> list[tuple]:
    """(days, *fields) for each case with a first contact attempt and a reception: whole
    days from its earliest reception to that attempt (the dashboard's, the delivery
    models' and the board report's one measure of time to first contact)."""
    rows = (
        cases.filter(first_contact_at__isnull=False)
        .annotate(received=Min("case_children__reception__reception_date"))
        .values_list("first_contact_at", "received", *fields)
    )
    return [
        ((contacted.date() - received).days, *rest)
        for contacted, received, *rest in rows
        if received is not None
    ]


def time_to_first_contact(
    user: User, *, date_from: date | None = None, date_to: date | None = None
) -> ContactTimes:
    if not user.has_role(*LEAD_ROLES):
        audit(user, AuditAction.REFUSED, "report", detail={"selector": "time_to_first_contact"})
        raise PermissionDenied("Your role cannot see the dashboard.")
    timed = days_to_first_contact(
        cases_in(user, date_from, date_to, None),
        "lpa__code", "champion__first_name", "champion__last_name", "champion__username",
    )
    overall: list[int] = []
    lpa: dict[str, list[int]] = defaultdict(list)
    champion: dict[str, list[int]] = defaultdict(list)
    for days, lpa_code, first, last, username in timed:
        overall.append(days)
        lpa[lpa_code or ""].append(days)
        if username:  # the champion's display name, as get_full_name() gives it
            champion[f"{first} {last}".strip() or username].append(days)

    def summary(values: list[int]) -> dict[str, float | int | None]:
        return {"cases": len(values), "median_days": median(values) if values else None}

    audit(user, AuditAction.VIEW, "report", object_ref="time_to_first_contact", detail={})
    return ContactTimes(
        overall=summary(overall),
        by_lpa={k: summary(v) for k, v in sorted(lpa.items())},
        by_champion={k: summary(v) for k, v in sorted(champion.items())},
    )


AGE_BANDS = ("0-4", "5-11", "12-17", "unknown")  # in order of age


def _age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    if age <= 4:
        return "0-4"
    if age <= 11:
        return "5-11"
    return "12-17"


def _sex_order(sex: str) -> tuple[int, str]:
    return (1, sex) if sex == "unknown" else (0, sex)


def _recoverable(counts: dict[str, int], hidden: set[str]) -> bool:
    """Whether a hidden cell's count follows from the table's total and its shown cells: one
    hidden cell alone, or hidden cells that can only all be 1 (their sum, total less the shown
    cells, equals their number, and no hidden cell is below 1 as only non-zero counts are
    hidden for being small)."""
    if not hidden:
        return False
    return len(hidden) == 1 or sum(counts[k] for k in hidden) == len(hidden)


def protect_counts(counts: dict[str, int], threshold: int) -> tuple[dict[str, int | None], bool]:
    """Primary suppression (counts from 1 to `threshold` - 1 hidden), then complementary
    suppression: while a hidden count could be worked out from the total and the shown cells,
    hide the smallest shown cell too (a non-zero one first). Returns the cells (None for
    hidden) and whether the table is safe with its total shown; it is not only when every
    cell is hidden and still recoverable (say, five cells of 1), and then the total goes."""
    hidden = {k for k, v in counts.items() if 0 < v < threshold}
    while _recoverable(counts, hidden):
        shown = sorted(((v == 0, v, k) for k, v in counts.items() if k not in hidden))
        if not shown:
            break
        hidden.add(shown[0][2])
    cells = {k: (None if k in hidden else v) for k, v in counts.items()}
    return cells, not _recoverable(counts, hidden)


def _small(total: int, threshold: int) -> bool:
    return 0 < total < threshold


def evaluator_summary(user: User) -> dict:
    """Pseudonymised aggregates of the evaluator's force: no personal field at all.

    Units: the case tables (stages, outcomes, areas) count cases; the children tables (age
    band, sex, month) count children, each child once however many cases or receptions
    they are in: at the age and in the month they were first identified (their earliest
    case). So each children table sums to "children" and the area table to "cases", and the
    outcome table to "closed" (closed cases). Counts from 1 to `PARAMOUNT_EVALUATOR_SUPPRESS_
    BELOW` - 1 are hidden (None), and so are complementary cells, so that no hidden count can
    be worked out from a total and the shown cells; a total that is itself small is hidden
    everywhere it appears. Stages are not a partition (a case reaches several), so each is
    hidden only when small. Every table is in its natural order: stages in funnel order, age
    bands by age, months by date."""
    if not user.has_role(Role.EVALUATOR) or user.force_id is None:
        audit(user, AuditAction.REFUSED, "report", detail={"selector": "evaluator_summary"})
        raise PermissionDenied("Only an evaluator reads the evaluation summary.")
    threshold = settings.PARAMOUNT_EVALUATOR_SUPPRESS_BELOW
    cases = Case.objects.filter(force_id=user.force_id)

    # Each child once: their earliest link (by the case's opening, then the link's id).
    first: dict[int, tuple] = {}
    links = (
        CaseChild.objects.filter(case__in=cases)
        .order_by("case__opened_at", "pk")
        .values_list("child_id", "child_age", "child__sex", "case__opened_at")
    )
    for child_id, age, sex, opened in links:
        first.setdefault(child_id, (age, sex, opened))
    ages: Counter = Counter()
    sexes: Counter = Counter()
    months: Counter = Counter()
    for age, sex, opened in first.values():
        ages[_age_band(age)] += 1
        sexes[sex or "unknown"] += 1
        months[opened.strftime("%Y-%m")] += 1
    by_age = {band: ages[band] for band in AGE_BANDS if ages[band]}
    by_sex = {k: sexes[k] for k in sorted(sexes, key=_sex_order)}
    by_month = {k: months[k] for k in sorted(months)}
    outcome_counts = Counter(o for o in cases.values_list("outcome", flat=True) if o)
    outcomes = {o: outcome_counts[o] for o in Outcome.values if outcome_counts[o]}
    outcomes.update({o: n for o, n in outcome_counts.items() if o not in Outcome.values})
    area_counts = Counter(c or "" for c in cases.values_list("lpa__code", flat=True))
    by_lpa = {k: area_counts[k] for k in sorted(area_counts, key=lambda c: (c == "", c))}

    n_cases, n_children, n_closed = cases.count(), len(first), sum(outcome_counts.values())
    protected = {}
    safe = {"cases": True, "children": True, "closed": True}
    for name, counts, unit in (
        ("by_lpa", by_lpa, "cases"),
        ("outcomes", outcomes, "closed"),
        ("children_by_age_band", by_age, "children"),
        ("children_by_sex", by_sex, "children"),
        ("children_by_month_identified", by_month, "children"),
    ):
        protected[name], ok = protect_counts(counts, threshold)
        safe[unit] = safe[unit] and ok

    def total(n: int, unit: str) -> int | None:
        return None if _small(n, threshold) or not safe[unit] else n

    shown_cases = total(n_cases, "cases")
    # A stage is hidden when small, or when it would show a hidden total (every case is
    # "identified").
    stages = {
        k: (None if _small(v, threshold) or (shown_cases is None and v == n_cases) else v)
        for k, v in stage_counts(cases).items()
    }
    summary = {
        "cases": shown_cases,
        "children": total(n_children, "children"),
        "closed": total(n_closed, "closed"),
        "stages": stages,
        **protected,
        "suppressed_below": threshold,
    }
    audit(user, AuditAction.VIEW, "report", object_ref="evaluator_summary", detail={})
    return summary
