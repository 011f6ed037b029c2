"""The demo's casework: walk a deterministic share of the demo force's new cases through the
real workflow services, as the demo users, so the lead's dashboard has something to show.

Every step is a call to `services.workflow` (no model is written directly), so the case
events, audit records and emails are the ones real work would make. The share of cases that
stops at each stage is fixed (see `STOPS`), drawn per case from `seed` and the case's id, so
the funnel tapers: about 80 % checked, 60 % allocated, 45 % contacted, 30 % visited, 15 %
referred. Only cases still `new` are touched, so running it again changes nothing.

Dates: contact attempts, visits and agreements are back-dated to a few days after the
child's reception where the service accepts that date; the services refuse anything before
the case was opened (less a day) or in the future, so dates are kept within those bounds.
Allocation is stamped "now" by the service, so the cases left allocated without contact
become overdue once `PARAMOUNT_CONTACT_DUE_DAYS` have passed.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from paramount.casework.codes import (
    CaseState,
    ContactMethod,
    ContactOutcome,
    NotApproachedReason,
    Outcome,
    Role,
    ShareItem,
    SocialCareStatus,
)
from paramount.casework.models import Case, Force, User
from paramount.casework.services import workflow
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


def progress_demo_cases(
    *, force_code: str = DEMO_FORCE[0], seed: int = 7, allow: bool = False
) -> DemoProgress:
    """Walk the force's new cases through the workflow (PARAMOUNT_DEMO only)."""
    if not (settings.DEMO or allow):
        raise ImproperlyConfigured("Demo casework is only made when PARAMOUNT_DEMO is set.")
    force = Force.objects.filter(code=force_code).first()
    if force is None:
        raise ImproperlyConfigured(f"No force {force_code!r}: import a run first.")
    checker = _demo_user(force, "checker", Role.CHECKER)
    supervisor = _demo_user(force, "supervisor", Role.SUPERVISOR)
    champions = [_demo_user(force, name, Role.CHAMPION) for name in CHAMPIONS]
    result = DemoProgress()
    cases = (
        Case.objects.filter(force=force, state=CaseState.NEW)
        .annotate(received=Min("case_children__reception__reception_date"))
        .order_by("pk")
    )
    for case in cases:
        rng = random.Random(f"{seed}:{case.pk}")
        stop = _stop_for(rng)
        result.cases += 1
        result.stopped_at[stop] += 1
        if stop != "new":
            with transaction.atomic():
                _walk(case, stop, rng, checker, supervisor, rng.choice(champions))
    return result


def _walk(case: Case, stop: str, rng: random.Random, checker: User, supervisor: User,
          champion: User) -> None:
    children = list(case.case_children.order_by("pk"))
    # Checks: one child only for cases stopping part way through.
    for cc in children[:1] if stop == "checks_started" else children:
        open_to_help = rng.random() < 0.1
        workflow.record_child_check(
            user=checker, case_child=cc,
            social_care_status=(SocialCareStatus.EARLY_HELP if open_to_help
                                else SocialCareStatus.NOT_KNOWN),
            social_worker_name="Demo Worker" if open_to_help else "",
            social_worker_email="early.help@council.example" if open_to_help else "",
            note="Checked against social care and intelligence systems (demo).",
        )
    if stop == "checks_started":
        return
    workflow.complete_checks(user=checker, case=case)
    if stop == "not_approached":
        workflow.record_not_approached(
            user=supervisor, case=case, reason=NotApproachedReason.ALREADY_SUPPORTED,
            note="Already supported by a local service (demo).",
        )
        return
    if stop == "ready":
        return
    workflow.allocate_case(user=supervisor, case=case, champion=champion)
    if stop == "allocated":
        return

    # Contact: a few days after reception, within what the service accepts.
    now = timezone.now()
    earliest = case.opened_at - timedelta(days=1) + timedelta(minutes=5)
    wanted = earliest
    if case.received is not None:
        wanted = timezone.make_aware(
            datetime.combine(case.received + timedelta(days=rng.randint(2, 6)), time(10))
        )
    at = min(max(wanted, earliest), now)
    reached = stop not in ("closed_no_contact", "contacting")
    attempts = [(ContactMethod.PHONE, ContactOutcome.NO_ANSWER)]
    if rng.random() < 0.5:
        attempts.append((ContactMethod.TEXT, ContactOutcome.MESSAGE_LEFT))
    if reached:
        attempts.append((ContactMethod.PHONE, ContactOutcome.SPOKE_VISIT_AGREED))
    elif stop == "closed_no_contact":
        attempts.append((ContactMethod.DOORSTEP, ContactOutcome.NO_ANSWER))
    for method, outcome in attempts:
        workflow.record_contact_attempt(
            user=champion, case=case, at=at, method=method, outcome=outcome,
            note="Demo contact attempt.",
        )
        at = min(at + timedelta(hours=rng.randint(3, 30)), now)
    if stop == "closed_no_contact":
        workflow.close_case(user=champion, case=case, outcome=Outcome.NO_CONTACT,
                            note="No answer after several attempts (demo).")
        return
    if stop == "contacting":
        return

    offered = stop != "visited"
    visit_at = min(at + timedelta(days=rng.randint(1, 4)), now)
    workflow.record_visit(
        user=champion, case=case, visited_on=timezone.localdate(visit_at),
        present="Parent or carer and the children (demo)",
        needs="Help explaining the imprisonment to the children; prison visits (demo).",
        support_offered=offered,
    )
    if not offered:
        return
    if stop in ("declined", "declined_closed"):
        workflow.record_refusal(user=champion, case=case,
                                note="The family would rather manage on their own (demo).")
        if stop == "declined_closed":
            workflow.close_case(user=champion, case=case, outcome=Outcome.DECLINED)
        return
    if stop == "offered":
        return
    agreement = workflow.record_agreement(
        user=champion, case=case, agreed_by_name="The children's carer (demo)",
        agreed_by_relationship="Parent", agreed_at=visit_at,
        children=children, may_share=SHARED,
    )
    if stop == "agreed":
        return
    workflow.send_referral(user=champion, case=case, agreement=agreement)
    if stop == "referred_closed":
        workflow.close_case(user=champion, case=case, outcome=Outcome.REFERRED)
