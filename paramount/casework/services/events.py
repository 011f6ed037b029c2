"""The case event log: the one way a case's state changes, and the replay that proves the
stored state is what the log says."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from paramount.casework.codes import (
    TRANSITIONS,
    AuditAction,
    CaseState,
    DeliveryModel,
    EventCode,
)
from paramount.casework.models import Case, CaseEvent, User
from paramount.casework.services.audit import audit


def check_transition(case: Case, new_state: str) -> None:
    """Refuse a move the workflow does not allow, naming both states (no personal data)."""
    if new_state not in TRANSITIONS.get(case.state, frozenset()):
        raise ValidationError(
            f"A case that is '{CaseState(case.state).label}' cannot become "
            f"'{CaseState(new_state).label}'.",
            code="invalid_transition",
        )


def record_event(
    case: Case,
    code: str,
    user: User | None,
    *,
    new_state: str | None = None,
    payload: Mapping[str, Any] | None = None,
    at=None,
    audit_action: str = AuditAction.CHANGE,
    recipient: str = "",
    audit_detail: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """Append an event (moving the case to `new_state` if given, already validated by the
    caller) and its audit record (`audit_detail` added to its detail: a disclosure's
    recipient and items). Call inside the service's transaction."""
    before = case.state
    if new_state is not None and new_state != before:
        case.state = new_state
        case.save(update_fields=["state", "updated_at"])
    event = CaseEvent.objects.create(
        case=case,
        code=code,
        at=at or timezone.now(),
        actor=user,
        state_before=before,
        state_after=case.state,
        payload=dict(payload or {}),
    )
    audit(
        user,
        audit_action,
        "case",
        case_ref=case.reference,
        recipient=recipient,
        detail={**dict(audit_detail or {}), "event": code, "state": case.state},
    )
    return event


def replay_state(case: Case) -> dict[str, Any]:
    """Rebuild a case's state, champion, delivery model and key dates from its event log
    alone."""
    state: str = CaseState.NEW
    champion_id = None
    allocated_at = first_contact_at = closed_at = None
    outcome = ""
    delivery_model = DeliveryModel.NAMED_CHAMPION  # the field's default before allocation
    for event in CaseEvent.objects.filter(case=case).order_by("at", "id"):
        if event.state_after:
            state = event.state_after
        if event.code == "allocated":
            champion_id = event.payload.get("champion_id")
            allocated_at = allocated_at or event.at
            delivery_model = event.payload.get("delivery_model") or delivery_model
        elif event.code == EventCode.DELIVERY_MODEL_CHANGED:
            delivery_model = event.payload["delivery_model"]
        elif event.code == "contact_attempt" and first_contact_at is None:
            first_contact_at = event.at
        elif event.code in ("closed", "not_approached"):
            closed_at = event.at
            outcome = event.payload.get("outcome", "")
    return {
        "state": state,
        "champion_id": champion_id,
        "allocated_at": allocated_at,
        "first_contact_at": first_contact_at,
        "closed_at": closed_at,
        "outcome": outcome,
        "delivery_model": delivery_model,
    }


def replay_verdicts(case: Case) -> dict[int, dict[str, Any]]:
    """Each child row's current verdict from the event log alone (the latest
    `verdict_recorded` event of the row wins): case child id -> verdict, reason,
    duplicate_of, at, actor_id. What `CaseChild.verdict*` must agree with."""
    current: dict[int, dict[str, Any]] = {}
    events = CaseEvent.objects.filter(case=case, code=EventCode.VERDICT_RECORDED)
    for event in events.order_by("at", "id"):
        current[event.payload["case_child"]] = {
            "verdict": event.payload["verdict"],
            "reason": event.payload.get("reason", ""),
            "duplicate_of": event.payload.get("duplicate_of"),
            "at": event.at,
            "actor_id": event.actor_id,
        }
    return current
