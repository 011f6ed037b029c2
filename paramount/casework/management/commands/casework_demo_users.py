"""`manage.py casework_demo_users`: one demo account per role (PARAMOUNT_DEMO only)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from paramount.casework.services.users import DEMO_FORCE, create_demo_users


class Command(BaseCommand):
    help = "Create demo users for each role, with known passwords, and print them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", dest="force_code", default=DEMO_FORCE[0])
        parser.add_argument("--force-name", default=DEMO_FORCE[1])

    def handle(self, *args, force_code: str, force_name: str, **options) -> None:
        try:
            logins = create_demo_users(force_code=force_code, force_name=force_name)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Demo logins (force {force_code}; demo data only):")
        for login in logins:
            self.stdout.write(f"  {login.role:<14} {login.username:<11} {login.password}")
