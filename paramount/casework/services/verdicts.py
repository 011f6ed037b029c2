"""Verdicts: is each listed child really the prisoner's child? The research and intelligence
check and the champion's first contact find out; a supervisor may too (`codes.VERDICT_RULE`).

A verdict is a `verdict_recorded` event in the case log (who, when, the verdict, the
contract's reason, the row a DUPLICATE duplicates) and the child row's current verdict,
written together; a later event replaces the current verdict, the log keeps both. A REJECTED
child is out of the family's approach: no social care check or email about them, not in an
agreement, a referral pack or an override's pack (`services.workflow`), shown as rejected on
the case page.

`export_verdicts` writes `verdicts.csv` (the contract's columns and Paramount's optional
ones) for one force, for the identification run to read back, audited as a disclosure.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from paramount.casework.codes import (
    DUPLICATE,
    OPEN_STATES,
    REJECTED,
    VERDICT_EXPORTERS,
    VERDICT_REASON_LABELS,
    VERDICT_RULE,
    AuditAction,
    EventCode,
)
from paramount.casework.models import Case, CaseChild, Force, User
from paramount.casework.selectors.scope import visible_cases
from paramount.casework.selectors.verdicts import VERDICT_HEADER, verdict_rows
from paramount.casework.services.audit import CLI_ACTOR, audit
from paramount.casework.services.events import record_event
from paramount.contract.tables import VERDICT_REASONS, VERDICTS


def _lock_case(user: User, pk: int) -> Case:
    found = visible_cases(user).select_for_update().filter(pk=pk).first()
    if found is None:
        raise PermissionDenied("This case is not yours to change.")
    return found


@transaction.atomic
def record_verdict(
    *,
    user: User,
    case_child: CaseChild | int,
    verdict: str,
    reason: str = "",
    duplicate_of: CaseChild | int | None = None,
    note: str = "",
) -> CaseChild:
    """Record whether this child row (this child, for this reception) is the prisoner's
    child: CONFIRMED, or REJECTED with one of the contract's reasons; a DUPLICATE names the
    other row of the same case it duplicates; OTHER needs a note. Appends the event, keeps
    the row's current verdict, and audits the change of the child."""
    if user.role not in VERDICT_RULE.states_by_role:
        raise PermissionDenied("Your role cannot record whether a child is the prisoner's.")
    pk = case_child.pk if isinstance(case_child, CaseChild) else case_child
    cc = CaseChild.objects.filter(pk=pk).select_related("child", "reception").first()
    if cc is None:
        raise PermissionDenied("This case is not yours to change.")
    case = _lock_case(user, cc.case_id)
    if case.state not in OPEN_STATES:
        raise ValidationError("This case is closed.", code="closed")
    if not VERDICT_RULE.allows(user.role, case.state):
        raise PermissionDenied("At this stage of the case, someone else records this.")
    if verdict not in VERDICTS:
        raise ValidationError({"verdict": "Say whether this is the prisoner's child."})
    reason = (reason or "").strip()
    note = (note or "").strip()
    other: CaseChild | None = None
    if verdict == REJECTED:
        if reason not in VERDICT_REASONS:
            raise ValidationError({"reason": "Choose why the child is rejected."})
        if reason == DUPLICATE:
            other = _duplicated_row(case, cc, duplicate_of)
        elif duplicate_of not in (None, ""):
            raise ValidationError({"duplicate_of": "Name a duplicate only for a duplicate."})
        if reason == "OTHER" and not note:
            raise ValidationError({"note": "Say why the child is rejected."})
    elif reason or duplicate_of not in (None, ""):
        raise ValidationError({"reason": "A confirmed child has no reason to reject."})
    previous = cc.verdict
    now = timezone.now()
    cc.verdict, cc.verdict_reason = verdict, reason if verdict == REJECTED else ""
    cc.verdict_at, cc.verdict_by, cc.duplicate_of = now, user, other
    cc.save(update_fields=["verdict", "verdict_reason", "verdict_at", "verdict_by", "duplicate_of"])
    payload = {
        "child": cc.child.pseudonym,
        "case_child": cc.pk,
        "verdict": verdict,
        "reason": cc.verdict_reason,
        "previous": previous,
        "note": note,
    }
    if other is not None:
        payload.update(duplicate_of=other.pk, duplicate_of_child=other.child.pseudonym)
    record_event(case, EventCode.VERDICT_RECORDED, user, payload=payload, at=now)
    audit(
        user,
        AuditAction.CHANGE,
        "child",
        case_ref=case.reference,
        child_ref=cc.child.pseudonym,
        detail={
            "operation": "record_verdict",
            "verdict": verdict,
            "reason": cc.verdict_reason,
            "previous": previous,
            # A rejected child is taken out of the family's approach; a confirmed one back.
            "approach": "removed" if verdict == REJECTED else "included",
        },
    )
    return cc


def _duplicated_row(case: Case, cc: CaseChild, duplicate_of: CaseChild | int | None) -> CaseChild:
    if duplicate_of in (None, ""):
        raise ValidationError({"duplicate_of": "Choose the child this one duplicates."})
    other_pk = duplicate_of.pk if isinstance(duplicate_of, CaseChild) else duplicate_of
    try:
        other_pk = int(other_pk)
    except (TypeError, ValueError):
        other_pk = -1
    if other_pk == cc.pk:
        raise ValidationError({"duplicate_of": "A child cannot duplicate themself."})
    other = CaseChild.objects.filter(pk=other_pk, case=case).select_related("child").first()
    if other is None:
        raise ValidationError({"duplicate_of": "Choose another child of this case."})
    if other.verdict_reason == DUPLICATE and other.duplicate_of_id == cc.pk:
        raise ValidationError(
            {"duplicate_of": "That child is recorded as a duplicate of this one."}
        )
    return other


def reason_words(reason: str) -> str:
    return VERDICT_REASON_LABELS.get(reason, reason)


# ---------------------------------------------------------------------------------------
# Export


@dataclass(frozen=True)
class VerdictExport:
    rows: int
    confirmed: int
    rejected: int
    cases: int

    def summary(self) -> str:
        return (
            f"{self.rows} verdicts ({self.confirmed} confirmed, {self.rejected} rejected) "
            f"from {self.cases} cases"
        )


def may_export_verdicts(user: User) -> bool:
    return user.is_active and user.role in VERDICT_EXPORTERS and user.force_id is not None


def export_verdicts(
    out: TextIO,
    *,
    force: Force,
    user: User | None = None,
    since: date | None = None,
    destination: str = "verdicts.csv",
) -> VerdictExport:
    """Write `verdicts.csv` for `force` to `out`: `VERDICT_COLUMNS` then
    `VERDICT_EXTRA_COLUMNS`, one row per child row with a current verdict dated `since` or
    later. `user` is the signed-in exporter (an analyst or supervisor of that force, limited
    to the cases they may see); None is the command line's deployer (the whole force). One
    audit record, a disclosure, names every case whose rows left."""
    if user is not None and (not may_export_verdicts(user) or user.force_id != force.pk):
        audit(user, AuditAction.REFUSED, "verdicts", detail={"operation": "export_verdicts"})
        raise PermissionDenied("Your role cannot export the force's verdicts.")
    with transaction.atomic():
        rows = verdict_rows(force=force, user=user, since=since)
        writer = csv.DictWriter(out, fieldnames=list(VERDICT_HEADER), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row.values)
        refs = _unique(r.case_ref for r in rows)
        result = VerdictExport(
            rows=len(rows),
            confirmed=sum(r.values["verdict"] != REJECTED for r in rows),
            rejected=sum(r.values["verdict"] == REJECTED for r in rows),
            cases=len(refs),
        )
        audit(
            user,
            AuditAction.DISCLOSE,
            "verdicts",
            object_ref=force.code,
            recipient=destination,
            detail={
                "operation": "export_verdicts",
                "force": force.code,
                "since": since.isoformat() if since else "",
                "rows": result.rows,
                "confirmed": result.confirmed,
                "rejected": result.rejected,
                # The cases whose children left (the auditor's search finds a case by them).
                "refs": refs,
            },
            system_name=CLI_ACTOR,
        )
        return result


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
