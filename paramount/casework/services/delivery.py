"""How a case is delivered (`codes.DeliveryModel`): chosen by the supervisor at allocation
(`services.workflow.allocate_case`), changed afterwards only here, as a
`delivery_model_changed` event, so the comparison of delivery models
(`selectors.delivery`) reads a history nobody can rewrite."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from paramount.casework.codes import DELIVERY_MODEL_RULE, DeliveryModel, EventCode
from paramount.casework.models import Case, User
from paramount.casework.selectors.scope import visible_cases
from paramount.casework.services.events import record_event


def may_change_delivery_model(user: User, case: Case) -> bool:
    return user.is_active and DELIVERY_MODEL_RULE.allows(user.role, case.state)


@transaction.atomic
def change_delivery_model(
    *, user: User, case: Case | int, delivery_model: str, note: str = ""
) -> Case:
    """A supervisor says the family is now worked with another way (a charity worker takes
    over from the champion, say): the case's delivery model and an event with the old and
    new models and the reason, in one transaction."""
    if user.role not in DELIVERY_MODEL_RULE.states_by_role:
        raise PermissionDenied("Your role cannot change how a case is delivered.")
    pk = case.pk if isinstance(case, Case) else case
    found = visible_cases(user).select_for_update().filter(pk=pk).first()
    if found is None:
        raise PermissionDenied("This case is not yours to change.")
    if not DELIVERY_MODEL_RULE.allows(user.role, found.state):
        raise ValidationError(
            "How a case is delivered changes only while it is allocated and open.",
            code="state",
        )
    if delivery_model not in DeliveryModel.values:
        raise ValidationError({"delivery_model": "Choose how the case is delivered."})
    if delivery_model == found.delivery_model:
        raise ValidationError({"delivery_model": "The case is already delivered this way."})
    previous = found.delivery_model
    found.delivery_model = delivery_model
    found.save(update_fields=["delivery_model", "updated_at"])
    record_event(
        found,
        EventCode.DELIVERY_MODEL_CHANGED,
        user,
        payload={
            "delivery_model": delivery_model,
            "previous_delivery_model": previous,
            "note": (note or "").strip(),
        },
    )
    return found
