"""Template filters for the pages (a builtin library of the pages' engine)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone

from paramount.casework.codes import (
    VERDICT_LABELS,
    VERDICT_REASON_LABELS,
    CaseState,
    ContactMethod,
    ContactOutcome,
    EventCode,
    NotApproachedReason,
    Outcome,
    RecipientKind,
    ShareItem,
    SocialCareStatus,
)

register = template.Library()

_LABELS = {
    "state": CaseState,
    "event": EventCode,
    "method": ContactMethod,
    "contact_outcome": ContactOutcome,
    "reason": NotApproachedReason,
    "outcome": Outcome,
    "share": ShareItem,
    "recipient": RecipientKind,
    "social_care": SocialCareStatus,
}
# Code lists that are the data contract's (plain dicts of code -> words, not TextChoices).
_WORDS = {"verdict": VERDICT_LABELS, "verdict_reason": VERDICT_REASON_LABELS}

# GOV.UK tag colours by case state.
_STATE_COLOURS = {
    CaseState.NEW: "govuk-tag--blue",
    CaseState.CHECKS: "govuk-tag--light-blue",
    CaseState.READY: "govuk-tag--purple",
    CaseState.ALLOCATED: "govuk-tag--yellow",
    CaseState.CONTACTING: "govuk-tag--orange",
    CaseState.VISITED: "govuk-tag--turquoise",
    CaseState.SUPPORT_OFFERED: "govuk-tag--turquoise",
    CaseState.AGREED: "govuk-tag--green",
    CaseState.DECLINED: "govuk-tag--grey",
    CaseState.REFERRED: "govuk-tag--green",
    CaseState.CLOSED: "govuk-tag--grey",
}


@register.filter
def label(value: Any, kind: str) -> str:
    """The words for a code: `{{ case.state|label:"state" }}`."""
    if kind in _WORDS:
        return _WORDS[kind].get(value, "" if value is None else str(value))
    choices = _LABELS.get(kind)
    if choices is None or value in (None, ""):
        return "" if value is None else str(value)
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.filter
def state_colour(value: str) -> str:
    return _STATE_COLOURS.get(value, "govuk-tag--grey")


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """`{{ mapping|get:key }}`."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def govuk_date(value: date | datetime | None) -> str:
    """4 March 2025 (GOV.UK style)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{value.day} {value:%B %Y}"


@register.filter
def govuk_day(value: date | datetime | None) -> str:
    """4 March 2025, without the time."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return govuk_date(value)


@register.filter
def age_words(age: int | None) -> str:
    if age is None or age == "":
        return "age not known"
    return "under 1" if age == 0 else f"{age}"


@register.filter
def percent(part: int | None, whole: int | None) -> str:
    if not whole or part is None:
        return ""
    return f"{round(100 * part / whole)}%"


@register.filter
def field(bound_field) -> str:
    """A form field as GOV.UK markup: `{{ form.note|field }}`."""
    from paramount.casework.web.govuk import field_html

    return field_html(bound_field)


@register.filter
def one_per_child(case_children) -> list:
    """`{% for cc in case.case_children.all|one_per_child %}`: each child once."""
    from paramount.casework.selectors.cases import one_per_child as once

    return once(case_children)
