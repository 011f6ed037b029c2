"""Writing the audit log: one function for every read, change, disclosure and erasure."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from paramount.casework.models import AuditRecord, User

SYSTEM = "paramount-system"
# The command line's actor when no user is named (`--as`): the force itself.
CLI_ACTOR = "cli"


def _actor_fields(user: User | None, system_name: str = SYSTEM) -> dict[str, Any]:
    if user is None:
        return {"actor": None, "actor_username": system_name, "actor_role": "system"}
    return {"actor": user, "actor_username": user.get_username(), "actor_role": user.role}


def audit(
    user: User | None,
    action: str,
    object_type: str,
    *,
    object_ref: str = "",
    case_ref: str = "",
    child_ref: str = "",
    recipient: str = "",
    detail: Mapping[str, Any] | None = None,
    system_name: str = SYSTEM,
) -> AuditRecord:
    """Append one audit record. `detail` holds operation names, filters as codes, counts,
    ids; the one exception is a search's own terms (`selectors.cases.case_list`), which
    belong here and nowhere else."""
    return AuditRecord.objects.create(
        **_actor_fields(user, system_name),
        action=action,
        object_type=object_type[:32],
        object_ref=_cut(object_ref or case_ref or child_ref, 64),
        case_ref=_cut(case_ref, 16),
        child_ref=_cut(child_ref, 16),
        recipient=_cut(recipient, 254),
        detail=dict(detail or {}),
    )


def _cut(value: str, length: int) -> str:
    """A reference cut to its column: a refusal may name whatever was typed in a URL, and
    recording it must not fail (a reference longer than its column is no reference)."""
    return str(value or "")[:length]


def audit_list(
    user: User | None,
    action: str,
    object_type: str,
    references: Iterable[str],
    *,
    detail: Mapping[str, Any] | None = None,
    system_name: str = SYSTEM,
) -> AuditRecord:
    """Append ONE record for a list read (a page of cases, a search's results), naming every
    reference shown in `detail["refs"]`, in the order shown. One row a page rather than one
    a listed case: a page of 50 was 50 inserts into a table of many indexes, a fifth of the
    case list's time. The auditor's search (`selectors.audit.audit_search`) matches a case
    reference in `refs` as well as in `case_ref`. An empty list still leaves its record."""
    refs = [str(r) for r in references]
    return AuditRecord.objects.create(
        **_actor_fields(user, system_name),
        action=action,
        object_type=object_type[:32],
        detail={**dict(detail or {}), "refs": refs, "results": len(refs)},
    )


def audit_many(
    user: User | None,
    action: str,
    object_type: str,
    refs: Iterable[tuple[str, str]],
    *,
    detail: Mapping[str, Any] | None = None,
    system_name: str = SYSTEM,
) -> uuid.UUID:
    """Append one record per object read in one go (a list, a search), sharing a batch id;
    `refs` are (case_ref, child_ref) pairs. An empty result still leaves one record, so a
    search that found nothing is logged too."""
    batch = uuid.uuid4()
    actor = _actor_fields(user, system_name)
    detail = dict(detail or {})
    rows = [
        AuditRecord(
            **actor,
            action=action,
            object_type=object_type,
            object_ref=case_ref or child_ref,
            case_ref=case_ref,
            child_ref=child_ref,
            detail=detail,
            batch=batch,
        )
        for case_ref, child_ref in refs
    ]
    if not rows:
        rows = [
            AuditRecord(
                **actor,
                action=action,
                object_type=object_type,
                detail={**detail, "results": 0},
                batch=batch,
            )
        ]
    AuditRecord.objects.bulk_create(rows, batch_size=500)
    return batch
