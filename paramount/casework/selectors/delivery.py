"""Delivery models compared (issue 14): for each way a case is delivered (named champion,
neighbourhood team, charity worker, other), how many families were reached, how many took
up the offer, and how soon the first contact came, each with its count and a 95 % interval,
so a small pilot is not over-read.

Units and definitions (all from the case event log, like the dashboard's funnel):
- **cases**: cases opened in the window (and area, and the reader's scope) that have been
  allocated, by their current delivery model (`Case.delivery_model`, chosen at allocation
  and changed only by a logged event). A case never allocated has no delivery model yet.
- **reached**: of those cases, the ones with a successful contact (a contact attempt whose
  outcome is one of the "Spoke" outcomes) or a visit. Share of cases, Wilson interval.
- **offered**: cases where the charity's support was offered (`support_offered`), or whose
  family agreed (an agreement implies the offer). **accepted**: of those, the cases with an
  `agreement_recorded` event (a later withdrawal does not undo it). Share of offered.
- **days to first contact**: from the case's earliest reception to its first contact
  attempt, whole days, as `reports.time_to_first_contact`; the median with a
  distribution-free 95 % interval from the order statistics (None under six cases).

Supervisors and analysts only, as the funnel; a refusal is audited, and so is every read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from statistics import median

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from paramount.casework.codes import AuditAction, ContactOutcome, DeliveryModel, EventCode
from paramount.casework.models import Case, CaseEvent, User
from paramount.casework.selectors.reports import LEAD_ROLES, cases_in, days_to_first_contact
from paramount.casework.services.audit import audit
from paramount.intervals import median_interval, wilson

# Contact attempts in which someone in the family was spoken to.
SPOKE = frozenset(
    {
        ContactOutcome.SPOKE_VISIT_AGREED,
        ContactOutcome.SPOKE_VISIT_DECLINED,
        ContactOutcome.SPOKE_CALL_BACK,
    }
)


@dataclass(frozen=True)
class DeliveryModelFigures:
    """One delivery model's figures. Shares are None when their denominator is 0, and each
    interval is then (0, 1): nothing is known."""

    code: str
    label: str
    cases: int  # allocated cases delivered this way
    offered: int
    accepted: int  # agreement recorded, of `offered`
    accepted_share: float | None
    accepted_low: float
    accepted_high: float
    reached: int  # a successful contact or a visit, of `cases`
    reached_share: float | None
    reached_low: float
    reached_high: float
    contacted: int  # cases with a first contact and a reception date: the median's count
    median_days: float | None
    median_low: float | None  # the median's 95 % interval; None under six cases
    median_high: float | None


def compare_delivery_models(
    user: User,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    lpa_code: str | None = None,
) -> list[DeliveryModelFigures]:
    """One `DeliveryModelFigures` per delivery model, in `DeliveryModel`'s order (every model,
    with or without cases), for cases opened in the window and area the reader may see."""
    if not user.has_role(*LEAD_ROLES):
        audit(user, AuditAction.REFUSED, "report", detail={"selector": "compare_delivery_models"})
        raise PermissionDenied("Your role cannot see the dashboard.")
    result = delivery_figures(cases_in(user, date_from, date_to, lpa_code))
    audit(
        user,
        AuditAction.VIEW,
        "report",
        object_ref="delivery_models",
        detail={"from": str(date_from or ""), "to": str(date_to or ""), "lpa": lpa_code or ""},
    )
    return result


def delivery_figures(cases: QuerySet[Case]) -> list[DeliveryModelFigures]:
    """The comparison over `cases`, unscoped and unaudited: for `compare_delivery_models`
    once it has checked the reader, and for the board report's period."""
    allocated = set(
        CaseEvent.objects.filter(case__in=cases, code=EventCode.ALLOCATED)
        .order_by()
        .values_list("case_id", flat=True)
        .distinct()
    )
    chosen = cases.filter(pk__in=allocated)
    model_of: dict[int, str] = dict(chosen.values_list("pk", "delivery_model"))
    days: dict[str, list[int]] = defaultdict(list)
    for elapsed, model in days_to_first_contact(chosen, "delivery_model"):
        days[model].append(elapsed)
    reached: set[int] = set()
    offered: set[int] = set()
    accepted: set[int] = set()
    events = CaseEvent.objects.filter(
        case_id__in=list(model_of),
        code__in=[
            EventCode.CONTACT_ATTEMPT,
            EventCode.VISIT,
            EventCode.SUPPORT_OFFERED,
            EventCode.AGREEMENT_RECORDED,
        ],
    ).order_by()
    for case_id, code, payload in events.values_list("case_id", "code", "payload"):
        if code == EventCode.VISIT or (
            code == EventCode.CONTACT_ATTEMPT and payload.get("outcome") in SPOKE
        ):
            reached.add(case_id)
        elif code == EventCode.SUPPORT_OFFERED:
            offered.add(case_id)
        elif code == EventCode.AGREEMENT_RECORDED:
            offered.add(case_id)
            accepted.add(case_id)
    result = []
    for model in DeliveryModel:
        members = {pk for pk, m in model_of.items() if m == model}
        result.append(
            _figures(
                model,
                members,
                reached & members,
                offered & members,
                accepted & members,
                days[model],
            )
        )
    return result


def _figures(
    model: DeliveryModel,
    members: set[int],
    reached: set[int],
    offered: set[int],
    accepted: set[int],
    days: list[int],
) -> DeliveryModelFigures:
    n, r, o, a = len(members), len(reached), len(offered), len(accepted)
    reached_low, reached_high = wilson(r, n)
    accepted_low, accepted_high = wilson(a, o)
    interval = median_interval(days)
    return DeliveryModelFigures(
        code=model.value,
        label=model.label,
        cases=n,
        offered=o,
        accepted=a,
        accepted_share=a / o if o else None,
        accepted_low=accepted_low,
        accepted_high=accepted_high,
        reached=r,
        reached_share=r / n if n else None,
        reached_low=reached_low,
        reached_high=reached_high,
        contacted=len(days),
        median_days=median(days) if days else None,
        median_low=interval[0] if interval else None,
        median_high=interval[1] if interval else None,
    )


# The three measures, as (name, the interval's ends) for `told_apart`.
MEASURES = {
    "reached": ("reached_low", "reached_high", "cases"),
    "accepted": ("accepted_low", "accepted_high", "offered"),
    "days": ("median_low", "median_high", "contacted"),
}


def told_apart(
    figures: list[DeliveryModelFigures], measure: str
) -> tuple[list[str], list[tuple[str, str]]]:
    """Which models can be compared on `measure` ("reached", "accepted", "days"), and which
    pairs of them the figures tell apart: (the models with an interval, the pairs whose 95 %
    intervals do not overlap, the lower first). Intervals that overlap do not show a
    difference; this is the cautious reading a pilot needs (non-overlap is a stricter test
    than a test of the difference)."""
    low_name, high_name, count_name = MEASURES[measure]
    known = [f for f in figures if getattr(f, count_name) and getattr(f, low_name) is not None]
    apart = []
    for one, two in combinations(known, 2):
        if getattr(one, high_name) < getattr(two, low_name):
            apart.append((one.code, two.code))
        elif getattr(two, high_name) < getattr(one, low_name):
            apart.append((two.code, one.code))
    return [f.code for f in known], apart


MEASURE_WORDS = {
    "reached": ("the share of families reached", "allocated cases"),
    "accepted": ("the share accepting the offer", "offers"),
    "days": ("the median days to first contact", "cases contacted"),
}


def comparison_in_words(figures: list[DeliveryModelFigures]) -> list[str]:
    """Plain words for each measure: which models differ beyond doubt, or that the
    intervals are too wide to tell them apart."""
    labels = {f.code: f.label.lower() for f in figures}
    words = []
    for measure, (what, unit) in MEASURE_WORDS.items():
        known, apart = told_apart(figures, measure)
        if len(known) < 2:
            words.append(f"On {what}, fewer than two delivery models have {unit} with an "
                         "interval yet: there is nothing to compare.")
        elif not apart:
            words.append(f"On {what}, the 95% intervals overlap: the figures are too few to "
                         "tell the delivery models apart. Do not read a difference into them.")
        else:
            pairs = "; ".join(f"{labels[lo]} lower than {labels[hi]}" for lo, hi in apart)
            words.append(f"On {what}, some intervals do not overlap ({pairs}). Any other "
                         "pair cannot be told apart.")
    return words
