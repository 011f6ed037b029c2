"""Who may see what, as query filters: every selector and service starts from these, so a
boundary is part of the SQL rather than a check after the fact.

- Case readers (analyst, checker, champion, supervisor) see their force's cases and, where
  their account names LPAs, only those LPAs' cases; a champion only the cases allocated to
  them.
- A partner sees referrals to their organisation in their force (and LPAs): those made on
  the family's agreement while it is not withdrawn, and those a supervisor made on a
  safeguarding override (whose pack holds less; see `services.workflow.send_referral`);
  nothing else.
- Evaluators, auditors and administrators see no case at all (they have their own selectors:
  aggregates, the audit log, retention metadata).
- Accounts: whoever may manage accounts grants at most the force and areas they hold
  (`area_ids`; the rules are `selectors.accounts`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from paramount.casework.codes import CASE_READERS, ReferralBasis, Role
from paramount.casework.models import Case, Referral, ReviewTask, User


def _lpa_ids(user: User) -> list[int]:
    return list(user.lpas.values_list("id", flat=True))


def area_ids(user: User) -> frozenset[int]:
    """The LPAs an account is limited to; empty means the whole of its force (or, for an
    administrator with no force, of every force)."""
    return frozenset(_lpa_ids(user))


def case_filter(user: User) -> Q | None:
    """The cases `user` may read, as a Q on `Case`; None for none at all."""
    if not user.is_active or user.role not in CASE_READERS or user.force_id is None:
        return None
    q = Q(force_id=user.force_id)
    lpas = _lpa_ids(user)
    if lpas:
        q &= Q(lpa_id__in=lpas)
    if user.role == Role.CHAMPION:
        q &= Q(champion_id=user.pk)
    return q


def visible_cases(user: User) -> QuerySet[Case]:
    q = case_filter(user)
    return Case.objects.filter(q) if q is not None else Case.objects.none()


def visible_referrals(user: User) -> QuerySet[Referral]:
    """Referrals a partner user may read: agreed by the family and not withdrawn, or sent
    on a supervisor's safeguarding override (no agreement to withdraw)."""
    if (
        not user.is_active
        or user.role != Role.PARTNER
        or user.force_id is None
        or user.organisation_id is None
    ):
        return Referral.objects.none()
    agreed = Q(
        basis=ReferralBasis.AGREEMENT,
        agreement__isnull=False,
        agreement__withdrawn_at__isnull=True,
    )
    override = Q(
        basis=ReferralBasis.SAFEGUARDING_OVERRIDE,
        override_supervisor__isnull=False,
    ) & ~Q(override_reason="")
    q = Q(organisation_id=user.organisation_id, case__force_id=user.force_id) & (
        agreed | override
    )
    lpas = _lpa_ids(user)
    if lpas:
        q &= Q(case__lpa_id__in=lpas)
    return Referral.objects.filter(q)


def visible_review_tasks(user: User) -> QuerySet[ReviewTask]:
    """Review tasks are analysts' (and supervisors') work, in their force and LPAs."""
    if (
        not user.is_active
        or user.role not in (Role.ANALYST, Role.SUPERVISOR)
        or user.force_id is None
    ):
        return ReviewTask.objects.none()
    q = Q(force_id=user.force_id)
    codes = list(user.lpas.values_list("code", flat=True))
    if codes:
        q &= Q(lpa_code__in=codes)
    return ReviewTask.objects.filter(q)
