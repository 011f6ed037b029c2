"""Recording how to reach a family (phone, email, safe times to call, language, whether an
interpreter is needed). The case event says which details changed, never their values: the
event log is read more widely than the details themselves."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from paramount.casework.codes import OPEN_STATES, EventCode, Role
from paramount.casework.models import Case, FamilyContact, User
from paramount.casework.selectors.scope import visible_cases
from paramount.casework.services.events import record_event

_PHONE = re.compile(r"^\+?[\d\s().-]+$")


def may_record_family_contact(user: User, case: Case) -> bool:
    """Checkers and supervisors, and the champion the case is allocated to."""
    if user.role in (Role.CHECKER, Role.SUPERVISOR):
        return True
    return user.role == Role.CHAMPION and case.champion_id == user.pk


def _phone(value: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    if not _PHONE.match(value) or not 7 <= len(digits) <= 15:
        raise ValidationError(
            {"phone": "Enter a phone number, like 01632 960 001 or +44 7700 900 982"}
        )
    return value


def _email(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError as error:
            raise ValidationError(
                {"email": "Enter an email address in the correct format, like name@example.org"}
            ) from error
    return value


@transaction.atomic
def record_family_contact(
    *,
    user: User,
    case: Case | int,
    phone: str = "",
    email: str = "",
    safe_times: str = "",
    language: str = "",
    interpreter_needed: bool = False,
) -> FamilyContact:
    """Set how to reach the family (replacing what was recorded before)."""
    pk = case.pk if isinstance(case, Case) else case
    found = visible_cases(user).select_for_update().filter(pk=pk).first()
    if found is None or not may_record_family_contact(user, found):
        raise PermissionDenied("This case is not yours to change.")
    if found.state not in OPEN_STATES:
        raise ValidationError("This case is closed.", code="closed")
    values = {
        "phone": _phone(phone),
        "email": _email(email),
        "safe_times": " ".join((safe_times or "").split())[:300],
        "language": " ".join((language or "").split())[:100],
        "interpreter_needed": bool(interpreter_needed),
    }
    if not any(values.values()):
        raise ValidationError("Enter at least one way to reach the family.", code="empty")
    contact = FamilyContact.objects.filter(case=found).first()
    before = {f: getattr(contact, f) for f in FamilyContact.FIELDS} if contact else {}
    changed = [
        f
        for f in FamilyContact.FIELDS
        if before.get(f, "" if f != "interpreter_needed" else False) != values[f]
    ]
    if contact is None:
        contact = FamilyContact(case=found)
    for name, value in values.items():
        setattr(contact, name, value)
    contact.updated_by = user
    contact.save()
    if changed:
        record_event(found, EventCode.CONTACT_DETAILS_UPDATED, user, payload={"fields": changed})
    return contact
