"""Who works where: forces, local policing areas, the partner charity, and users with a role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from paramount.casework.codes import Role


class Force(models.Model):
    """A police force: the outer boundary of everything a user may see."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class LPA(models.Model):
    """A local policing area of a force (the `lpa` code of the data contract)."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="lpas")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "local policing area"
        constraints = (models.UniqueConstraint(fields=["force", "code"], name="lpa_unique_code"),)

    def __str__(self) -> str:
        return self.name or self.code


class PartnerOrganisation(models.Model):
    """The charity that receives referrals (only with the family's agreement)."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="partners")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["force", "name"], name="partner_unique_name"),
        )

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: one role, one force, optionally some LPAs (none = all of the
    force's), and for partner users their organisation."""

    role = models.CharField(max_length=20, choices=Role.choices)
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    lpas = models.ManyToManyField(LPA, blank=True, related_name="users")
    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        )

    def clean(self) -> None:
        super().clean()
        if self.role != Role.ADMINISTRATOR and self.force_id is None:
            raise ValidationError({"force": "Every user but an administrator needs a force."})
        if self.role == Role.PARTNER and self.organisation_id is None:
            raise ValidationError({"organisation": "A partner user needs an organisation."})

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else ""
