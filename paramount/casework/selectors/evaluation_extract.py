"""The evaluators' extract (issue 14): one row per child per case, with no direct identifier,
k-anonymous on its quasi-identifiers.

- **Pseudonyms** are keyed: HMAC-SHA256 of the force and the internal key of the child, the
  case and the prisoner, under a secret made for one evaluation (`new_key`) and kept by the
  force, never in the extract. The same key gives the same pseudonyms (an evaluation
  repeated next quarter joins its earlier extract); another key gives pseudonyms nobody can
  join to these without the force's keys. The child's stored `pseudonym` is not used: it is
  one for all time, and would join every evaluation.
- **Nothing direct**: no name, date of birth, address, postcode, person id, prisoner number,
  booking id or case reference. Ages are bands, dates are months (and days between stages),
  areas are codes.
- **Quasi-identifiers** (what someone could know of a family from outside): the area, the
  month of the reception, the child's age band and sex, and how many children the case has.
  Every combination published is shared by at least `k` rows (5): a row in a smaller cell is
  generalised step by step (month to quarter, area to force, quarter to year, then sex and
  household size dropped) and, still in a cell under `k`, suppressed (left out and
  counted). Each row says how far it was generalised (`generalised`).

Not covered (stated in the data dictionary): the rows of one case together (the ages and
sexes of a family's children, seen through the case pseudonym) are a further description
of a household that row-level k-anonymity does not protect.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from paramount.casework.codes import FUNNEL, ContactOutcome, EventCode
from paramount.casework.models import CaseChild, CaseEvent, Force

K = 5
KEY_BYTES = 32
AGE_BANDS = ("0-4", "5-10", "11-15", "16-17", "unknown")
CONFIDENCE_BANDS = (0.5, 0.8, 0.9, 0.95, 0.99)  # lower bounds, as verdicts' honesty table
# The workflow stages after identification, as the funnel names them and their event code.
STAGES = tuple((stage, code) for stage, code in FUNNEL if stage != "identified")
SPOKE = frozenset(
    {
        ContactOutcome.SPOKE_VISIT_AGREED,
        ContactOutcome.SPOKE_VISIT_DECLINED,
        ContactOutcome.SPOKE_CALL_BACK,
    }
)
QUASI_IDENTIFIERS = (
    "lpa_code",
    "reception_period",
    "child_age_band",
    "child_sex",
    "children_in_case",
)
ANY = "any"


def _stage_columns() -> list[tuple[str, str]]:
    columns = []
    for stage, code in STAGES:
        reached = f"1 if the case reached '{stage}' (its `{code}` event is logged), else 0."
        columns.append((stage, reached))
        columns.append(
            (
                f"days_to_{stage}",
                f"Whole days from the child's reception to the case's first `{code}` event; "
                "empty if not reached or the reception date is not known.",
            )
        )
    return columns


# (column, meaning) in the extract's order: the data dictionary is made from this.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("evaluation_id", "This evaluation's id (the same for every extract made with its key)."),
    ("child_pseudonym", "The child, keyed to this evaluation (HMAC-SHA256)."),
    ("case_pseudonym", "The case (one family's episode of support), keyed to this evaluation."),
    (
        "prisoner_pseudonym",
        "The prisoner whose reception brought the child into the case (the earliest, if "
        "several), keyed to this evaluation.",
    ),
    (
        "lpa_code",
        "Quasi-identifier. The case's local policing area code; the force's code where "
        "generalised (`generalised` 2 or more); `unknown` if none.",
    ),
    (
        "reception_period",
        "Quasi-identifier. The month of the child's reception (YYYY-MM); its quarter "
        "(YYYY-Qn) at `generalised` 1 and 2, its year (YYYY) from 3; `unknown` if not known.",
    ),
    (
        "child_age_band",
        "Quasi-identifier. The child's age at the reception: 0-4, 5-10, 11-15, 16-17, or "
        "unknown (an age of 18 or over, a listing in error, is unknown too); never "
        "generalised.",
    ),
    ("child_sex", "Quasi-identifier. F, M or unknown; `any` at `generalised` 4."),
    (
        "children_in_case",
        "Quasi-identifier. Children in the case: 1, 2 or 3+; `any` at `generalised` 4.",
    ),
    (
        "generalised",
        "How far this row's quasi-identifiers were generalised to share a cell with at "
        f"least {K} rows: 0 none, 1 month to quarter, 2 and area to force, 3 and quarter to "
        "year, 4 and sex and household size dropped.",
    ),
    (
        "routes",
        "How the engine found the child (its `sources`: the routes, `;`-separated).",
    ),
    (
        "confidence_band",
        "The engine's confidence that this is the prisoner's child, banded: <0.50, "
        "0.50-0.80, 0.80-0.90, 0.90-0.95, 0.95-0.99, 0.99-1.00, or unknown.",
    ),
    (
        "delivery_model",
        "How the family is worked with: named_champion, neighbourhood_team, charity_worker, "
        "other (chosen at allocation; empty if never allocated).",
    ),
    *_stage_columns(),
    (
        "reached",
        "1 if the family was reached (a contact attempt in which someone was spoken to, or a "
        "visit), else 0.",
    ),
    ("state", "Where the case stands now (the workflow's state code)."),
    ("outcome", "The closed case's outcome code; empty while open."),
    ("verdict", "CONFIRMED or REJECTED (is this the prisoner's child?); empty if none yet."),
    ("verdict_reason", "The contract's reason for a rejection; empty otherwise."),
)
HEADER = tuple(name for name, _ in COLUMNS)


def new_key() -> bytes:
    """A fresh secret for one evaluation (the force keeps it; the extract never holds it)."""
    return secrets.token_bytes(KEY_BYTES)


def evaluation_id(key: bytes) -> str:
    """The evaluation's public id, derived from its key: the same key, the same id."""
    return "E" + hmac.new(key, b"paramount-evaluation-id", hashlib.sha256).hexdigest()[:10]


def pseudonym(key: bytes, force: Force, kind: str, pk: int) -> str:
    """`ch`, `ca` or `pr` and 80 bits of the HMAC of the force and the record's key."""
    message = f"{force.code}:{kind}:{pk}".encode()
    return kind[:2] + hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


@dataclass
class Extract:
    evaluation_id: str
    rows: list[dict[str, Any]]
    generalised: Counter = field(default_factory=Counter)  # rows by level > 0
    suppressed: int = 0
    k: int = K
    # The references of the cases with a row in the extract: for the audit only, never written.
    case_refs: list[str] = field(default_factory=list)

    @property
    def rows_generalised(self) -> int:
        return sum(self.generalised.values())


def age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    if age <= 4:
        return "0-4"
    if age <= 10:
        return "5-10"
    if age <= 15:
        return "11-15"
    if age <= 17:
        return "16-17"
    return "unknown"  # an adult was listed in error: no band of its own, it would stand out


def confidence_band(value: float | None) -> str:
    if value is None:
        return "unknown"
    lows = [b for b in CONFIDENCE_BANDS if value >= b]
    if not lows:
        return "<0.50"
    low = lows[-1]
    following = [b for b in CONFIDENCE_BANDS if b > low]
    high = following[0] if following else 1.0
    return f"{low:.2f}-{high:.2f}"


def _sex(value: str) -> str:
    value = (value or "").strip().upper()
    return value if value in ("F", "M") else "unknown"


def _household(n: int) -> str:
    return "3+" if n >= 3 else str(n)


def _quarter(month: str) -> str:
    if month == "unknown":
        return month
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def _year(month: str) -> str:
    return month if month == "unknown" else month[:4]


def _ladder(force_code: str) -> list[Callable[[dict[str, str]], tuple[str, ...]]]:
    """The published quasi-identifiers at each level of generalisation, from a row's own."""

    def level(area: bool, period: Callable[[str], str], people: bool):
        def published(q: dict[str, str]) -> tuple[str, ...]:
            return (
                q["lpa_code"] if area else force_code,
                period(q["reception_period"]),
                q["child_age_band"],
                q["child_sex"] if people else ANY,
                q["children_in_case"] if people else ANY,
            )

        return published

    return [
        level(True, str, True),
        level(True, _quarter, True),
        level(False, _quarter, True),
        level(False, _year, True),
        level(False, _year, False),
    ]


def k_anonymise(
    rows: list[dict[str, Any]], force_code: str, k: int = K
) -> tuple[list[dict[str, Any]], Counter, int]:
    """Local recoding: rows whose published quasi-identifiers are shared by at least `k`
    rows stay at the finest level; the rest are generalised a level and grouped again, and
    what is still in a cell under `k` after the last level is suppressed. Each level's values
    are written differently (a month, a quarter, a year; an area, the force), so every
    published cell is exactly one level's group, of `k` rows or more. Returns the kept rows
    (their quasi-identifiers replaced), the count generalised by level, and the number
    suppressed."""
    remaining = list(rows)
    kept: list[dict[str, Any]] = []
    generalised: Counter = Counter()
    for number, published in enumerate(_ladder(force_code)):
        cells: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in remaining:
            cells[published(row)].append(row)
        remaining = []
        for values, members in cells.items():
            if len(members) < k:
                remaining.extend(members)
                continue
            for row in members:
                kept.append(
                    {
                        **row,
                        **dict(zip(QUASI_IDENTIFIERS, values, strict=True)),
                        "generalised": number,
                    }
                )
            if number:
                generalised[number] += len(members)
    return kept, generalised, len(remaining)


def _day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _first_events(case_ids: Iterable[int]) -> dict[int, dict[str, date]]:
    """Each case's first day at each stage (and `reached`), from the event log."""
    codes = {code: stage for stage, code in STAGES}
    first: dict[int, dict[str, date]] = defaultdict(dict)
    events = CaseEvent.objects.filter(case_id__in=list(case_ids), code__in=list(codes)).order_by(
        "at", "id"
    )
    for case_id, code, at, payload in events.values_list("case_id", "code", "at", "payload"):
        day = _day(at)
        first[case_id].setdefault(codes[code], day)
        spoke = code == EventCode.CONTACT_ATTEMPT and payload.get("outcome") in SPOKE
        if spoke or code == EventCode.VISIT:
            first[case_id].setdefault("reached", day)
    return first


def evaluation_extract(force: Force, key: bytes, *, k: int = K) -> Extract:
    """The extract of `force` under `key` (the caller, `services.evaluation_extract`, decides
    who may have it and audits the disclosure). Rows in a stable order (by case pseudonym,
    then child pseudonym), so the order says nothing of when cases opened."""
    links = (
        CaseChild.objects.filter(case__force=force)
        .order_by("case_id", "child_id", "reception__reception_date", "pk")
        .values_list(
            "case_id",
            "child_id",
            "reception__prisoner_id",
            "reception__reception_date",
            "child_age",
            "child__sex",
            "sources",
            "confidence",
            "verdict",
            "verdict_reason",
            "verdict_at",
            "case__lpa__code",
            "case__reference",
            "case__state",
            "case__outcome",
            "case__delivery_model",
            "case__champion_id",
        )
    )
    # One row per child per case: the earliest reception's row, routes of all of them, the
    # highest confidence, the latest verdict.
    grouped: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for link in links:
        grouped[(link[0], link[1])].append(link)
    children_in: Counter = Counter(case_id for case_id, _ in grouped)
    first = _first_events(children_in)
    eid = evaluation_id(key)
    rows = []
    refs: dict[int, str] = {}
    for (case_id, child_id), members in grouped.items():
        (_, _, prisoner_id, received, age, sex, _, _, _, _, _, lpa, ref, state, outcome,
         model, champion) = members[0]  # fmt: skip
        refs[case_id] = ref
        routes = sorted({r.strip() for m in members for r in (m[6] or "").split(";") if r.strip()})
        confidences = [m[7] for m in members if m[7] is not None]
        judged = [m for m in members if m[8]]
        latest = max(judged, key=lambda m: m[10]) if judged else None
        stages = first.get(case_id, {})
        row: dict[str, Any] = {
            "_case": case_id,  # for the audit's references; never written
            "evaluation_id": eid,
            "child_pseudonym": pseudonym(key, force, "child", child_id),
            "case_pseudonym": pseudonym(key, force, "case", case_id),
            "prisoner_pseudonym": pseudonym(key, force, "prisoner", prisoner_id),
            "lpa_code": lpa or "unknown",
            "reception_period": received.strftime("%Y-%m") if received else "unknown",
            "child_age_band": age_band(age),
            "child_sex": _sex(sex),
            "children_in_case": _household(children_in[case_id]),
            "routes": ";".join(routes),
            "confidence_band": confidence_band(max(confidences) if confidences else None),
            "delivery_model": model if "allocated" in stages or champion else "",
        }
        for stage in [s for s, _ in STAGES] + ["reached"]:
            day = stages.get(stage)
            row[stage] = int(day is not None)
            if stage != "reached":
                row[f"days_to_{stage}"] = (day - received).days if day and received else ""
        row.update(
            state=state,
            outcome=outcome or "",
            verdict=latest[8] if latest else "",
            verdict_reason=latest[9] if latest else "",
        )
        rows.append(row)
    kept, generalised, suppressed = k_anonymise(rows, force.code, k)
    kept.sort(key=lambda r: (r["case_pseudonym"], r["child_pseudonym"]))
    return Extract(
        evaluation_id=eid,
        rows=[{name: r[name] for name in HEADER} for r in kept],
        generalised=generalised,
        suppressed=suppressed,
        k=k,
        case_refs=[refs[c] for c in sorted({r["_case"] for r in kept})],
    )
