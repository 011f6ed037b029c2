"""`manage.py casework_force CODE NAME [--partner NAME --partner-email ADDR]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from paramount.casework.models import Force, PartnerOrganisation


class Command(BaseCommand):
    help = "Create or rename a force, optionally with its partner charity."

    def add_arguments(self, parser) -> None:
        parser.add_argument("code")
        parser.add_argument("name")
        parser.add_argument("--partner", default=None)
        parser.add_argument("--partner-email", default="")

    def handle(self, *args, code: str, name: str, partner: str | None, partner_email: str,
               **options) -> None:
        force, _ = Force.objects.update_or_create(code=code, defaults={"name": name})
        if partner:
            PartnerOrganisation.objects.update_or_create(
                force=force, name=partner, defaults={"email": partner_email}
            )
        self.stdout.write(f"Force {force.code}: {force.name}")
