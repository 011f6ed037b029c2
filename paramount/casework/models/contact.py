"""How to reach a family: what a checker (or the champion) finds out before the first call.
Personal data: only the roles that make contact read it (`selectors.cases.case_detail`),
each read audited; changes are logged as an event without the values."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paramount.casework.models.cases import Case


class FamilyContact(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="family_contact")
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    safe_times = models.CharField(
        max_length=300, blank=True, help_text="When it is safe to call or visit."
    )
    language = models.CharField(max_length=100, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    FIELDS = ("phone", "email", "safe_times", "language", "interpreter_needed")

    def __str__(self) -> str:
        return f"contact details for {self.case.reference}"
