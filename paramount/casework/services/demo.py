"""The demo's casework: walk a deterministic share of the demo force's new cases through the
real workflow services, as the demo users, so the lead's dashboard has something to show.

Every step is a call to `services.workflow` (no model is written directly), so the case
events, audit records and emails are the ones real work would make. The share of cases that
stops at each stage is fixed (see `STOPS`), drawn per case from `seed` and the case's id, so
the funnel tapers: about 80 % checked, 60 % allocated, 45 % contacted, 30 % visited, 15 %
referred. Only cases still `new` are touched, so running it again changes nothing.

Dates: the demo reads like a live force that has run Paramount every day. Each case is
walked along its own timeline from the day it was opened (checks within a day or two,
allocation a day or two later, first contact a few days after that, a visit within the
week, a referral soon after), every step done at its moment on `demo_clock`; a step whose
moment has not come yet is not done, so recent cases are still at their early stages, as
they would be. `import_run_daily` imports a run as the daily runs would have, each day's
receptions opened on the next morning. The services' own date checks are untouched: the
demo moves only the clock they read, and only when PARAMOUNT_DEMO is set.
"""

from __future__ import annotations

import csv
import json
import random
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from paramount.casework.codes import (
    REJECTED,
    CaseState,
    ContactMethod,
    ContactOutcome,
    DeliveryModel,
    NotApproachedReason,
    Outcome,
    Role,
    ShareItem,
    SocialCareStatus,
)
from paramount.casework.models import Case, Force, User
from paramount.casework.services import verdicts, workflow
from paramount.casework.services.importing import import_run
from paramount.casework.services.users import DEMO_FORCE

# Where a case stops, by the upper bound of its draw in [0, 1): cumulative, in order.
STOPS: tuple[tuple[float, str], ...] = (
    (0.15, "new"),
    (0.20, "checks_started"),
    (0.24, "not_approached"),
    (0.40, "ready"),
    (0.55, "allocated"),  # no contact yet: overdue once the due days pass
    (0.60, "closed_no_contact"),
    (0.70, "contacting"),
    (0.74, "visited"),
    (0.77, "declined_closed"),
    (0.80, "declined"),
    (0.83, "offered"),
    (0.85, "agreed"),
    (0.90, "referred_closed"),
    (1.00, "referred"),
)
CHAMPIONS = ("champion", "champion2")
# How the demo's allocated cases are worked with (a pilot's mix), so the dashboard's
# comparison of delivery models has every row; drawn by a generator of its own per case,
# so the stages each case reaches are those the seed gave before.
DELIVERY_MIX: tuple[tuple[float, str], ...] = (
    (0.45, DeliveryModel.NAMED_CHAMPION),
    (0.70, DeliveryModel.NEIGHBOURHOOD_TEAM),
    (0.95, DeliveryModel.CHARITY_WORKER),
    (1.00, DeliveryModel.OTHER),
)
SHARED = [ShareItem.CHILD_NAMES, ShareItem.CHILD_DATES_OF_BIRTH, ShareItem.ADDRESS,
          ShareItem.CARER_CONTACT, ShareItem.NEEDS]


@dataclass
class DemoProgress:
    cases: int = 0
    stopped_at: Counter = field(default_factory=Counter)


def _stop_for(rng: random.Random) -> str:
    draw = rng.random()
    for bound, name in STOPS:
        if draw < bound:
            return name
    return STOPS[-1][1]


def _demo_user(force: Force, username: str, role: str) -> User:
    user = User.objects.filter(username=username, force=force, role=role, is_active=True).first()
    if user is None:
        raise ImproperlyConfigured(
            f"No demo user {username!r} ({role}) in force {force.code}: run demo-users first."
        )
    return user


@contextmanager
def demo_clock(moment: datetime, *, allow: bool = False) -> Iterator[None]:
    """Demo only: Django's clock (`timezone.now`, `localdate`, and the model fields that
    default to it) reads `moment` inside the block, so what the demo makes carries the dates
    a live force's work would have. Refused outside PARAMOUNT_DEMO: real users' records are
    always stamped by the real clock."""
    if not (settings.DEMO or allow):
        raise ImproperlyConfigured("The demo's clock is only moved when PARAMOUNT_DEMO is set.")
    real = timezone.now

    def fixed() -> datetime:
        return moment

    defaulted = [
        f
        for model in apps.get_app_config("casework").get_models()
        for f in model._meta.concrete_fields
        if getattr(f, "default", None) is real
    ]
    timezone.now = fixed
    for f in defaulted:
        f.default = fixed
        f.__dict__.pop("_get_default", None)  # Django caches the default's callable
    try:
        yield
    finally:
        timezone.now = real
        for f in defaulted:
            f.default = real
            f.__dict__.pop("_get_default", None)


def _morning_after(day: date, now: datetime) -> datetime:
    """When a daily run would have opened a case for `day`'s receptions (never the future)."""
    moment = timezone.make_aware(datetime.combine(day + timedelta(days=1), time(7)))
    return min(moment, now - timedelta(minutes=1))


def import_run_daily(folder: str | Path, *, force: Force, allow: bool = False) -> Counter:
    """Import a run folder as daily runs would have (PARAMOUNT_DEMO only): one import per
    reception day, at 07:00 the next morning on `demo_clock`, each its own run. Idempotent,
    as every import is."""
    if not (settings.DEMO or allow):
        raise ImproperlyConfigured("A back-dated import is only made when PARAMOUNT_DEMO is set.")
    folder = Path(folder)
    now = timezone.now()
    days: dict[date, dict[str, list[dict[str, str]]]] = defaultdict(
        lambda: {"children.csv": [], "review.csv": [], "figures.csv": []}
    )
    fields: dict[str, list[str]] = {}
    last = timezone.localdate(now) - timedelta(days=1)
    for name in ("children.csv", "review.csv", "figures.csv"):
        path = folder / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            fields[name] = list(reader.fieldnames or [])
            for row in reader:
                try:
                    day = date.fromisoformat((row.get("reception_date") or "")[:10])
                except ValueError:
                    day = last
                days[min(day, last)][name].append(row)
    counts: Counter = Counter()
    with tempfile.TemporaryDirectory(prefix="paramount-demo-day-") as scratch:
        for day in sorted(days):
            day_folder = Path(scratch) / day.isoformat()
            day_folder.mkdir()
            for name, rows in days[day].items():
                if name in fields:  # a day of receptions and no child still has its files
                    with (day_folder / name).open("w", encoding="utf-8", newline="") as f:
                        writer = csv.DictWriter(f, fieldnames=fields[name], lineterminator="\n")
                        writer.writeheader()
                        writer.writerows(rows)
            moment = _morning_after(day, now)
            (day_folder / "manifest.json").write_text(
                json.dumps(
                    {
                        "paramount_version": "demo",
                        "started_at": moment.isoformat(),
                        "parameters": {
                            "command": "run",
                            "window_from": day.isoformat(),
                            "window_to": day.isoformat(),
                            "method": "full",
                        },
                    }
                )
            )
            with demo_clock(moment, allow=allow):
                counts.update(import_run(day_folder, force=force).counts)
            counts["days"] += 1
    return counts


# What the checkers would find (the demo's synthetic truth): (booking id, a police person id
# of the child) -> True when the row is right, False when it is not the prisoner's child.
Judged = dict[tuple[str, str], bool]


def judged_rows(run: Path) -> Judged:
    """The demo's checkers' knowledge: `paramount evaluate --verdicts RUN/judged.csv` judged
    each row of `RUN/children.csv` against the synthetic truth (RIGHT, DUPLICATE, WRONG ...);
    a checker confirms a RIGHT row and rejects the rest. Rows with no police id are left
    unjudged (the demo's checkers match on ids)."""
    with (run / "children.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    judged: Judged = {}
    with (run / "judged.csv").open(encoding="utf-8", newline="") as f:
        for line in csv.DictReader(f):
            if not line["row_id"]:
                continue  # a missed child: no row to judge
            row = rows[int(line["row_id"]) - 1]
            for person_id in filter(None, row["child_person_ids"].split(";")):
                judged[(row["booking_id"], person_id)] = line["verdict"] == "RIGHT"
    return judged


def progress_demo_cases(
    *,
    force_code: str = DEMO_FORCE[0],
    seed: int = 7,
    allow: bool = False,
    judged: Judged | None = None,
) -> DemoProgress:
    """Walk the force's new cases through the workflow (PARAMOUNT_DEMO only). With `judged`
    (`judged_rows`), the checker records each checked child's verdict as the truth has it:
    confirmed, or rejected as not the prisoner's child."""
    if not (settings.DEMO or allow):
        raise ImproperlyConfigured("Demo casework is only made when PARAMOUNT_DEMO is set.")
    force = Force.objects.filter(code=force_code).first()
    if force is None:
        raise ImproperlyConfigured(f"No force {force_code!r}: import a run first.")
    checker = _demo_user(force, "checker", Role.CHECKER)
    supervisor = _demo_user(force, "supervisor", Role.SUPERVISOR)
    champions = [_demo_user(force, name, Role.CHAMPION) for name in CHAMPIONS]
    result = DemoProgress()
    cases = Case.objects.filter(force=force, state=CaseState.NEW).order_by("pk")
    now = timezone.now()
    for case in cases:
        rng = random.Random(f"{seed}:{case.pk}")
        stop = _stop_for(rng)
        walk = _Walk(case, rng, now, allow, judged or {})
        draw = random.Random(f"{seed}:{case.pk}:delivery").random()
        walk.delivery_model = next(m for bound, m in DELIVERY_MIX if draw < bound)
        with transaction.atomic():
            reached = walk.run(stop, checker, supervisor, rng.choice(champions))
        result.cases += 1
        result.stopped_at[reached] += 1
    return result


class _Walk:
    """One case's timeline: each step happens a believable while after the one before, on
    the demo clock; a step not yet due (its moment after now) ends the walk there."""

    def __init__(
        self, case: Case, rng: random.Random, now: datetime, allow: bool, judged: Judged
    ) -> None:
        self.case, self.rng, self.now, self.allow = case, rng, now, allow
        self.judged = judged
        self.at = case.opened_at

    def verdict(self, checker: User, case_child) -> None:
        """The checker's verdict on a child row the truth judged (by any of its police ids)."""
        booking = case_child.reception.booking_id
        ids = case_child.child.identifiers.filter(kind="rms").values_list("value", flat=True)
        right = {self.judged[(booking, i)] for i in ids if (booking, i) in self.judged}
        if len(right) != 1:
            return  # unjudged, or judged both ways (two rows merged): left to a person
        if right.pop():
            self.do(verdicts.record_verdict, user=checker, case_child=case_child,
                    verdict="CONFIRMED")
        else:
            self.do(verdicts.record_verdict, user=checker, case_child=case_child,
                    verdict="REJECTED", reason="NOT_RELATED",
                    note="Not the prisoner's child (demo: the synthetic truth).")
        self.delivery_model: str = DeliveryModel.NAMED_CHAMPION

    def later(self, low_hours: float, high_hours: float) -> bool:
        """Move the clock on; False when that moment has not come yet."""
        at = self.at + timedelta(hours=self.rng.uniform(low_hours, high_hours))
        if at > self.now:
            return False
        self.at = at
        return True

    def do(self, step, **kwargs):
        with demo_clock(self.at, allow=self.allow):
            return step(**kwargs)

    def run(self, stop: str, checker: User, supervisor: User, champion: User) -> str:
        """Walk towards `stop`; return where the case did stop."""
        if stop == "new" or not self.later(2, 30):
            return "new"
        case = self.case
        children = list(case.case_children.order_by("pk"))
        # Checks: one child only for cases stopping part way through.
        for cc in children[:1] if stop == "checks_started" else children:
            open_to_help = self.rng.random() < 0.1
            self.do(
                workflow.record_child_check,
                user=checker, case_child=cc,
                social_care_status=(SocialCareStatus.EARLY_HELP if open_to_help
                                    else SocialCareStatus.NOT_KNOWN),
                social_worker_name="Demo Worker" if open_to_help else "",
                social_worker_email="early.help@council.example" if open_to_help else "",
                note="Checked against social care and intelligence systems (demo).",
            )  # fmt: skip
            self.verdict(checker, cc)
        if stop == "checks_started":
            return stop
        if not self.later(0.5, 8):
            return "checks_started"
        if not case.case_children.exclude(verdict=REJECTED).exists():
            self.do(
                workflow.record_not_approached,
                user=supervisor, case=case, reason=NotApproachedReason.NOT_AFFECTED,
                note="The checks found no child of the prisoner's here (demo).",
            )  # fmt: skip
            return "not_approached"
        self.do(workflow.complete_checks, user=checker, case=case)
        if stop == "not_approached":
            self.do(
                workflow.record_not_approached,
                user=supervisor, case=case, reason=NotApproachedReason.ALREADY_SUPPORTED,
                note="Already supported by a local service (demo).",
            )  # fmt: skip
            return stop
        if stop == "ready" or not self.later(4, 48):
            return "ready"
        self.do(workflow.allocate_case, user=supervisor, case=case, champion=champion,
                delivery_model=self.delivery_model)
        if stop == "allocated" or not self.later(20, 120):
            return "allocated"
        return self.contact(stop, champion, children)

    def contact(self, stop: str, champion: User, children: list) -> str:
        case = self.case
        reached = stop not in ("closed_no_contact", "contacting")
        attempts = [(ContactMethod.PHONE, ContactOutcome.NO_ANSWER)]
        if self.rng.random() < 0.5:
            attempts.append((ContactMethod.TEXT, ContactOutcome.MESSAGE_LEFT))
        if reached:
            attempts.append((ContactMethod.PHONE, ContactOutcome.SPOKE_VISIT_AGREED))
        elif stop == "closed_no_contact":
            attempts.append((ContactMethod.DOORSTEP, ContactOutcome.NO_ANSWER))
        for n, (method, outcome) in enumerate(attempts):
            if n and not self.later(3, 30):
                return "contacting"
            self.do(
                workflow.record_contact_attempt,
                user=champion, case=case, at=self.at, method=method, outcome=outcome,
                note="Demo contact attempt.",
            )  # fmt: skip
        if stop == "closed_no_contact":
            if not self.later(24, 96):
                return "contacting"
            self.do(workflow.close_case, user=champion, case=case, outcome=Outcome.NO_CONTACT,
                    note="No answer after several attempts (demo).")  # fmt: skip
            return stop
        if stop == "contacting" or not self.later(24, 96):
            return "contacting"
        offered = stop != "visited"
        self.do(
            workflow.record_visit,
            user=champion, case=case, visited_on=timezone.localdate(self.at),
            present="Parent or carer and the children (demo)",
            needs="Help explaining the imprisonment to the children; prison visits (demo).",
            support_offered=offered,
        )  # fmt: skip
        if not offered:
            return "visited"
        if stop in ("declined", "declined_closed"):
            self.do(workflow.record_refusal, user=champion, case=case,
                    note="The family would rather manage on their own (demo).")  # fmt: skip
            if stop == "declined_closed" and self.later(1, 48):
                self.do(workflow.close_case, user=champion, case=case, outcome=Outcome.DECLINED)
                return stop
            return "declined"
        if stop == "offered" or not self.later(0.5, 4):
            return "offered"
        agreement = self.do(
            workflow.record_agreement,
            user=champion, case=case, agreed_by_name="The children's carer (demo)",
            agreed_by_relationship="Parent", agreed_at=self.at,
            children=children, may_share=SHARED,
        )  # fmt: skip
        if stop == "agreed" or not self.later(1, 48):
            return "agreed"
        self.do(workflow.send_referral, user=champion, case=case, agreement=agreement)
        if stop == "referred_closed" and self.later(24, 240):
            self.do(workflow.close_case, user=champion, case=case, outcome=Outcome.REFERRED)
            return stop
        return "referred"
