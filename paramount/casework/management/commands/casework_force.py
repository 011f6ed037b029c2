"""`manage.py casework_force CODE NAME [--partner NAME --partner-email ADDR]`: the force
and its partner without areas (`paramount casework force create --areas` adds those)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from paramount.casework.selectors.accounts import DEPLOYER
from paramount.casework.services.forces import set_up_force


class Command(BaseCommand):
    help = "Create or rename a force, optionally with its partner charity."

    def add_arguments(self, parser) -> None:
        parser.add_argument("code")
        parser.add_argument("name")
        parser.add_argument("--partner", default=None)
        parser.add_argument("--partner-email", default="")

    def handle(self, *args, code: str, name: str, partner: str | None, partner_email: str,
               **options) -> None:
        result = set_up_force(code=code, name=name, areas=None, by=DEPLOYER,
                              partner_name=partner, partner_email=partner_email)
        self.stdout.write(f"Force {result.force.code}: {result.force.name}")
