"""National figures: one force's quarters in a shape a national body can sum across forces
and set beside the Ministry of Justice's estimate of children with a parent in prison.

From the imported runs' day figures (`DayFigure`, the latest run's for each reception day):
receptions of the force's residents, received prisoners found to be parents or carers (a
reception with at least one child listed), and children found, by the parent's sex and the
child's age band, with children per 100 receptions. Long form, one count a row: a national
body concatenates the forces' files and sums `count` by quarter, measure, sex and band. Each
row says how many of the quarter's days an imported run covered, so a partial quarter is
never mistaken for a whole one. Counts from 1 to 4 are blank and marked suppressed (with
complementary suppression within each breakdown), the totals kept wherever they are 5 or
more, so sums across forces stay exact for totals and are lower bounds for breakdowns.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import partial

from paramount.casework.models import DayFigure, Force, IdentificationRun
from paramount.casework.selectors.reports import protect_counts

SUPPRESS_BELOW = 5
ALL = "ALL"
MEASURES = ("receptions", "parents_found", "children_found")
SEXES = ("M", "F", "U")
AGE_BANDS = ("0-4", "5-9", "10-15", "16-17", "unknown")
COLUMNS = (
    "force", "quarter", "days_covered", "days_in_quarter", "measure", "parent_sex",
    "child_age_band", "count", "suppressed",
)
# The Ministry of Justice's estimate (July 2024): children with a parent in prison in England
# and Wales, and the parents they were counted from.
MOJ_CHILDREN, MOJ_PARENTS = 192_912, 108_990


@dataclass(frozen=True)
class FigureRow:
    force: str
    quarter: str  # 2025-Q1
    days_covered: int
    days_in_quarter: int
    measure: str
    parent_sex: str  # M, F, U or ALL
    child_age_band: str  # a band, unknown or ALL ("ALL" for receptions and parents)
    count: int | None  # None: suppressed
    suppressed: bool

    def as_csv(self) -> list[str]:
        return [
            self.force, self.quarter, str(self.days_covered), str(self.days_in_quarter),
            self.measure, self.parent_sex, self.child_age_band,
            "" if self.count is None else str(self.count), "Y" if self.suppressed else "N",
        ]


@dataclass(frozen=True)
class QuarterSummary:
    quarter: str
    days_covered: int
    days_in_quarter: int
    receptions: int
    parents_found: int
    children_found: int

    @property
    def per_100_receptions(self) -> float | None:
        return 100 * self.children_found / self.receptions if self.receptions else None

    @property
    def children_per_parent(self) -> float | None:
        return self.children_found / self.parents_found if self.parents_found else None


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _quarter_days(quarter: str, date_from: date, date_to: date) -> int:
    year, q = int(quarter[:4]), int(quarter[-1])
    first = date(year, 3 * q - 2, 1)
    last_month = 3 * q
    last = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return (min(last, date_to) - max(first, date_from)).days + 1


def _covered(force: Force, date_from: date, date_to: date) -> dict[str, int]:
    """Days of each quarter inside the window of a run whose figures were imported (a day
    on which no one was received is covered all the same)."""
    days: set[date] = set()
    runs = IdentificationRun.objects.filter(
        pk__in=DayFigure.objects.filter(force=force).values("run_id")
    ).values_list("window_from", "window_to")
    for start, end in runs:
        if start and end:
            days.update(_days(max(start, date_from), min(end, date_to)))
    covered: dict[str, int] = defaultdict(int)
    for day in days:
        covered[quarter_of(day)] += 1
    return covered


def _counts(force: Force, date_from: date, date_to: date):
    """(quarter, measure) -> {(sex, band): count}."""
    counts: dict[tuple[str, str], dict[tuple[str, str], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    rows = DayFigure.objects.filter(force=force, day__range=(date_from, date_to)).values_list(
        "day", "measure", "parent_sex", "child_age_band", "count"
    )
    for day, measure, sex, band, n in rows:
        quarter = quarter_of(day)
        if measure in MEASURES:
            counts[(quarter, measure)][(sex or "U", band or "unknown")] += n
    return counts


def quarterly_figures(
    force: Force, date_from: date, date_to: date
) -> tuple[list[FigureRow], list[QuarterSummary]]:
    """The force's table (rows, suppressed) and each quarter's exact totals for the summary
    the force itself reads."""
    counts, covered = _counts(force, date_from, date_to), _covered(force, date_from, date_to)
    quarters = sorted({quarter_of(d) for d in _days(date_from, date_to)})
    rows: list[FigureRow] = []
    summaries: list[QuarterSummary] = []
    for quarter in quarters:
        days = covered.get(quarter, 0)
        span = _quarter_days(quarter, date_from, date_to)
        totals = {}

        row = partial(FigureRow, force.code, quarter, days, span)

        for measure in MEASURES:
            cells = counts.get((quarter, measure), {})
            total = sum(cells.values())
            totals[measure] = total
            small = 0 < total < SUPPRESS_BELOW
            rows.append(row(measure, ALL, ALL, None if small else total, small))
            by_sex = {s: sum(n for (x, _), n in cells.items() if x == s) for s in SEXES}
            for sex, n in _protected(by_sex, small).items():
                rows.append(row(measure, sex, ALL, n, n is None))
            if measure != "children_found":
                continue
            by_band = {b: sum(n for (_, x), n in cells.items() if x == b) for b in AGE_BANDS}
            for band, n in _protected(by_band, small).items():
                rows.append(row(measure, ALL, band, n, n is None))
            for sex in SEXES:
                grid = {b: cells.get((sex, b), 0) for b in AGE_BANDS}
                sex_hidden = 0 < by_sex[sex] < SUPPRESS_BELOW or small
                for band, n in _protected(grid, sex_hidden).items():
                    rows.append(row(measure, sex, band, n, n is None))
        summaries.append(
            QuarterSummary(quarter, days, span, totals["receptions"], totals["parents_found"],
                           totals["children_found"])
        )
    return rows, summaries


def _protected(cells: dict[str, int], total_hidden: bool) -> dict[str, int | None]:
    """A breakdown with small counts hidden, and more cells where the total would give one
    away; every non-zero cell hidden when the total itself is."""
    if total_hidden:
        return {k: (None if v else 0) for k, v in cells.items()}
    protected, _safe = protect_counts(cells, SUPPRESS_BELOW)
    return protected


def _days(date_from: date, date_to: date) -> list[date]:
    return [date.fromordinal(o) for o in range(date_from.toordinal(), date_to.toordinal() + 1)]
