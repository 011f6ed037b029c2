"""Emails straight to the people who act: the champion a case is allocated to, the social
worker of a child open to social care, the partner when a referral arrives, the supervisors
when a daily run opens cases.

Each email is queued as a `Notification` in the transaction that calls for it and sent once
that transaction commits (never for a change that rolled back). A failure is kept (the
error's type only) and `casework_notify` retries. Champions' emails carry a case reference
and a link, never a child's details; partners' emails only a link (no reference either);
the social worker's names the child, because it exists to let them find the child in their
own records.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from paramount.casework.codes import NotificationStatus, Role
from paramount.casework.models import (
    Case,
    CaseChild,
    Force,
    Notification,
    PartnerOrganisation,
    User,
)

log = logging.getLogger(__name__)

# A set-password link is a credential until used: once the email is sent, the outbox keeps
# the message without it.
_SET_PASSWORD_LINK = re.compile(r"\S+/accounts/set-password/\S+")


def _kept_body(notification: Notification) -> str:
    if notification.kind == Notification.Kind.SET_PASSWORD:
        return _SET_PASSWORD_LINK.sub("[the link, not kept once sent]", notification.body)
    return notification.body


def case_url(case: Case) -> str:
    return f"{settings.PARAMOUNT_BASE_URL}/cases/{case.reference}/"


def queue(kind: str, to_email: str, subject: str, body: str, case: Case | None) -> Notification:
    """Queue an email and send it after the current transaction commits."""
    notification = Notification.objects.create(
        case=case, kind=kind, to_email=to_email, subject=subject, body=body
    )
    transaction.on_commit(lambda: send_notifications([notification.pk]))
    return notification


def champion_allocated(case: Case, champion: User) -> Notification:
    children = case.case_children.count()
    area = case.lpa.name if case.lpa_id and case.lpa else "your area"
    body = (
        f"Hello {champion.first_name or champion.get_username()},\n\n"
        f"A family has been allocated to you in Paramount: case {case.reference} "
        f"({children} {'child' if children == 1 else 'children'}, {area}).\n\n"
        f"Please make a first contact within {settings.PARAMOUNT_CONTACT_DUE_DAYS} days and "
        f"record each attempt on the case.\n\n{case_url(case)}\n"
    )
    return queue(
        Notification.Kind.CHAMPION_ALLOCATED,
        champion.email,
        f"Paramount: case {case.reference} allocated to you",
        body,
        case,
    )


def social_worker_told(case_child: CaseChild) -> Notification:
    child = case_child.child
    received = case_child.reception.reception_date
    born = child.date_of_birth.strftime("%d %B %Y") if child.date_of_birth else "not known"
    body = (
        f"Dear {case_child.social_worker_name or 'colleague'},\n\n"
        "Police records indicate that a parent or carer of a child open to your service has "
        f"been received into prison{' on ' + received.strftime('%d %B %Y') if received else ''}."
        f"\n\nChild: {child.display_name}, born {born}.\nPolice reference: "
        f"{case_child.case.reference}.\n\n"
        "This is shared to support your safeguarding work under the local agreement for "
        "children open to social care or early help. Please reply to this address if you "
        "need more, quoting the reference.\n"
    )
    return queue(
        Notification.Kind.SOCIAL_WORKER,
        case_child.social_worker_email,
        f"Paramount {case_child.case.reference}: parent or carer received into prison",
        body,
        case_child.case,
    )


def referral_arrived(case: Case, organisation: PartnerOrganisation) -> Notification | None:
    """Tell the partner a referral is waiting. The email carries no case reference, name or
    area: a family under a safeguarding override did not agree to be named to the charity,
    and email is not the place for it either way; the referral is read in Paramount."""
    if not organisation.email:
        return None
    body = (
        "You have a new referral waiting in Paramount. Sign in to see it; its details are "
        "not sent by email.\n\n"
        f"{settings.PARAMOUNT_BASE_URL}/referrals/\n"
    )
    return queue(
        Notification.Kind.REFERRAL,
        organisation.email,
        "Paramount: you have a new referral",
        body,
        case,
    )


def send_notifications(ids: list[int] | None = None, limit: int = 200) -> tuple[int, int]:
    """Send the given (or all pending and failed) notifications; return (sent, failed)."""
    todo = Notification.objects.exclude(status=NotificationStatus.SENT)
    if ids is not None:
        todo = todo.filter(pk__in=ids)
    sent = failed = 0
    for notification in todo.order_by("pk")[:limit]:
        try:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [notification.to_email],
                fail_silently=False,
            )
        except Exception as error:  # the outbox keeps it for a retry
            Notification.objects.filter(pk=notification.pk).update(
                status=NotificationStatus.FAILED,
                attempts=notification.attempts + 1,
                last_error=type(error).__name__,
            )
            log.warning("notification %s not sent: %s", notification.pk, type(error).__name__)
            failed += 1
        else:
            Notification.objects.filter(pk=notification.pk).update(
                status=NotificationStatus.SENT,
                attempts=notification.attempts + 1,
                sent_at=timezone.now(),
                last_error="",
                body=_kept_body(notification),
            )
            sent += 1
    return sent, failed


def supervisors_new_cases(
    force: Force, case_ids: list[int], *, window_from: date | None, window_to: date | None
) -> list[Notification]:
    """Tell each active supervisor of `force` how many of `case_ids` (cases a daily run
    opened) are theirs to see, one email each: counts by area and a link, no reference and
    nothing about a family, since email leaves the system."""
    from paramount.casework.selectors.scope import visible_cases

    queued: list[Notification] = []
    if not case_ids:
        return queued
    window = _window_text(window_from, window_to)
    supervisors = (
        User.objects.filter(force=force, role=Role.SUPERVISOR, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    for supervisor in supervisors:
        mine = visible_cases(supervisor).filter(pk__in=case_ids)
        by_area = Counter(
            name or code or "no area recorded"
            for name, code in mine.values_list("lpa__name", "lpa__code")
        )
        total = sum(by_area.values())
        if not total:
            continue
        areas = "".join(f"  {area}: {n}\n" for area, n in sorted(by_area.items()))
        body = (
            f"Hello {supervisor.first_name or supervisor.get_username()},\n\n"
            f"Paramount's daily run for receptions {window} opened {total} new "
            f"{'case' if total == 1 else 'cases'} in your areas:\n{areas}\n"
            "They are waiting for checks and allocation. Sign in to see them; their details "
            f"are not sent by email.\n\n{settings.PARAMOUNT_BASE_URL}/cases/\n"
        )
        queued.append(
            queue(
                Notification.Kind.SUPERVISOR_NEW_CASES,
                supervisor.email,
                f"Paramount: {total} new {'case' if total == 1 else 'cases'} ({window})",
                body,
                None,
            )
        )
    return queued


def _window_text(window_from: date | None, window_to: date | None) -> str:
    if window_from is None or window_to is None:
        return "of the latest run"
    if window_from == window_to:
        return f"of {_day(window_from)}"
    return f"from {_day(window_from)} to {_day(window_to)}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
