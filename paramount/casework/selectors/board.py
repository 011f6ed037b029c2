"""The board report's figures for one force and period: what was found, what was done, how
long it took, what came of it, against what the original process would have found, and how
often the force's own checkers found the list right.

The period is of reception days: a child counts in the month its parent or carer was
received, and a case counts when one of its children's receptions falls in the period. The
counts are exact here; `paramount.casework.board_report` shows counts under 5 as "<5"
wherever the report may leave the force. Only supervisors and analysts of the force (or the command
line, as the force) read them, and every reading is audited.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum

from paramount.casework.codes import REJECTED, AuditAction, Outcome, Role
from paramount.casework.models import Case, CaseChild, DayFigure, Force, User
from paramount.casework.selectors.delivery import DeliveryModelFigures, delivery_figures
from paramount.casework.selectors.reports import days_to_first_contact, stage_counts
from paramount.casework.services.audit import audit
from paramount.intervals import wilson
from paramount.verdicts.learning import BANDS

BOARD_ROLES = (Role.SUPERVISOR, Role.ANALYST)


@dataclass(frozen=True)
class BandPrecision:
    """Listed children the checkers judged, in one band of stated confidence."""

    low: float
    high: float
    judged: int
    confirmed: int
    stated: float  # the mean confidence the list stated for them
    interval: tuple[float, float]  # Wilson 95 % interval of the share confirmed

    @property
    def label(self) -> str:
        return f"{self.low:.2f} to {min(self.high, 1.0):.2f}"

    @property
    def measured(self) -> float:
        return self.confirmed / self.judged if self.judged else 0.0


@dataclass(frozen=True)
class AreaContact:
    lpa: str
    cases: int
    median_days: float | None


@dataclass
class BoardFigures:
    force_code: str
    force_name: str
    date_from: date
    date_to: date
    months: list[str]  # YYYY-MM, every month of the period in order
    identified_by_month: dict[str, int]  # children (one per child per reception)
    baseline_by_month: dict[str, int | None]  # None: no imported run covered the month
    receptions_by_month: dict[str, int | None]
    routes: dict[str, int]  # children found by each route (a child may have several)
    funnel: dict[str, int]  # cases reaching each stage, in order
    first_contact: list[AreaContact]  # by LPA, then "all areas" last
    outcomes: dict[str, int]  # closed cases by outcome label
    precision: list[BandPrecision]  # bands the checkers judged, low to high
    rejected: int  # listed children the checkers rejected
    # per delivery model, every model in order (selectors.delivery)
    delivery: list[DeliveryModelFigures] = field(default_factory=list)

    @property
    def identified(self) -> int:
        return sum(self.identified_by_month.values())

    @property
    def baseline(self) -> int | None:
        known = [n for n in self.baseline_by_month.values() if n is not None]
        return sum(known) if known else None


def _months(date_from: date, date_to: date) -> list[str]:
    months, year, month = [], date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _day_figures(
    force: Force, date_from: date, date_to: date, months: list[str]
) -> dict[str, dict[str, int | None]]:
    """Each measure of the imported runs' figures by month, in one read; None for a month
    no run covered."""
    totals: dict[str, Counter] = defaultdict(Counter)
    covered: set[str] = set()
    rows = (
        DayFigure.objects.filter(force=force, day__range=(date_from, date_to))
        .values_list("measure", "day")
        .annotate(n=Sum("count"))
    )
    for measure, day, n in rows:
        month = day.strftime("%Y-%m")
        covered.add(month)
        totals[measure][month] += n
    return {
        measure: {m: (totals[measure][m] if m in covered else None) for m in months}
        for measure in ("baseline_children", "receptions")
    }


def _first_contact(cases: QuerySet[Case]) -> list[AreaContact]:
    """Days from the earliest reception of a case to its first contact attempt, by LPA."""
    days: dict[str, list[int]] = defaultdict(list)
    for elapsed, lpa in days_to_first_contact(cases, "lpa__code"):
        days[lpa or "unknown"].append(elapsed)
    areas = [AreaContact(k, len(v), median(v)) for k, v in sorted(days.items())]
    everyone = [d for v in days.values() for d in v]
    return [*areas, AreaContact("All areas", len(everyone), median(everyone) if everyone else None)]


def _precision(links: QuerySet[CaseChild]) -> list[BandPrecision]:
    judged = links.exclude(verdict="").exclude(confidence__isnull=True)
    rows = list(judged.values_list("confidence", "verdict"))
    bands = []
    for low, high in itertools.pairwise(BANDS):
        inside = [(c, v) for c, v in rows if low <= c < high]
        if not inside:
            continue
        confirmed = sum(1 for _, v in inside if v != REJECTED)
        bands.append(
            BandPrecision(
                low=low,
                high=high,
                judged=len(inside),
                confirmed=confirmed,
                stated=sum(c for c, _ in inside) / len(inside),
                interval=wilson(confirmed, len(inside)),
            )
        )
    return bands


def board_figures_for_force(force: Force, date_from: date, date_to: date) -> BoardFigures:
    """The figures, unscoped within the force: for the command line run as the force (the
    caller audits), and for `board_figures` once it has checked the reader."""
    if date_to < date_from:
        raise ValueError(f"the period ends ({date_to}) before it starts ({date_from})")
    links = CaseChild.objects.filter(
        case__force=force, reception__reception_date__range=(date_from, date_to)
    )
    cases = Case.objects.filter(pk__in=links.values("case_id"))
    months = _months(date_from, date_to)
    day_figures = _day_figures(force, date_from, date_to, months)
    by_month: Counter = Counter()
    routes: Counter = Counter()
    for received, sources in links.values_list("reception__reception_date", "sources"):
        by_month[received.strftime("%Y-%m")] += 1
        for route in {s for s in (sources or "").split(";") if s}:
            routes[route] += 1
    labels = dict(Outcome.choices)
    outcomes = Counter(labels.get(o, o) for o in cases.values_list("outcome", flat=True) if o)
    return BoardFigures(
        force_code=force.code,
        force_name=force.name,
        date_from=date_from,
        date_to=date_to,
        months=months,
        identified_by_month={m: by_month[m] for m in months},
        baseline_by_month=day_figures["baseline_children"],
        receptions_by_month=day_figures["receptions"],
        routes=dict(routes.most_common()),
        funnel=stage_counts(cases),
        first_contact=_first_contact(cases),
        outcomes=dict(outcomes.most_common()),
        precision=_precision(links),
        rejected=links.filter(verdict=REJECTED).count(),
        delivery=delivery_figures(cases),
    )


def board_figures(user: User, date_from: date, date_to: date) -> BoardFigures:
    """The figures of the reader's force, for a supervisor or analyst; refused and audited
    for anyone else."""
    if not user.has_role(*BOARD_ROLES) or user.force is None:
        audit(user, AuditAction.REFUSED, "report", detail={"selector": "board_figures"})
        raise PermissionDenied("Only a supervisor or analyst of a force makes its board report.")
    figures = board_figures_for_force(user.force, date_from, date_to)
    audit(
        user,
        AuditAction.VIEW,
        "report",
        object_ref="board_report",
        detail={"from": date_from.isoformat(), "to": date_to.isoformat()},
    )
    return figures

