"""The people a case is about, kept stable across identification runs.

A child is one record however many runs, receptions and duplicate police nominals find them:
it is looked up by any of its identifiers (RMS person ids, partner ids, or name and date of
birth), so a new reception for a known child links to the child's history.
"""

from __future__ import annotations

import secrets

from django.db import models

from paramount.casework.models.organisation import LPA, Force

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


def random_token(length: int) -> str:
    """An unguessable token that reads clearly aloud and on paper."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_pseudonym() -> str:
    """The child's pseudonymous id for evaluators: random, so it reveals nothing."""
    return "C" + random_token(11)


class Child(models.Model):
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="children")
    pseudonym = models.CharField(max_length=16, unique=True, default=new_pseudonym)
    surname = models.CharField(max_length=200, blank=True)
    forenames = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=8, blank=True)
    # Where the child is believed to live now (the latest run's word).
    address = models.CharField(max_length=500, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    lpa = models.ForeignKey(LPA, on_delete=models.PROTECT, null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "children"

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.forenames, self.surname) if p)


class ChildIdentifier(models.Model):
    """One way of recognising a child: an RMS person id, a partner id, or a normalised
    name with date of birth. Unique within a force, so two rows can never be two children."""

    class Kind(models.TextChoices):
        RMS = "rms", "RMS person id"
        PARTNER = "partner", "Partner person id"
        NAME_DOB = "name_dob", "Name and date of birth"

    force = models.ForeignKey(Force, on_delete=models.PROTECT)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=300)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["force", "kind", "value"], name="child_identifier_unique"
            ),
        )


class Prisoner(models.Model):
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="prisoners")
    prisoner_number = models.CharField(max_length=16)
    parent_person_ids = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["force", "prisoner_number"], name="prisoner_unique_number"
            ),
        )

    def __str__(self) -> str:
        return self.prisoner_number


class Reception(models.Model):
    """A booking: one custody episode, which began on `reception_date`."""

    prisoner = models.ForeignKey(Prisoner, on_delete=models.PROTECT, related_name="receptions")
    booking_id = models.CharField(max_length=64)
    reception_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["prisoner", "booking_id"], name="reception_unique_booking"
            ),
        )

    def __str__(self) -> str:
        return f"{self.prisoner.prisoner_number}/{self.booking_id}"
