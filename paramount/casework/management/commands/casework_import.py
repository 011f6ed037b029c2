"""`manage.py casework_import OUT/ --force CODE`: import an identification run."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from paramount.casework.models import Force, User
from paramount.casework.services.importing import import_run


def resolve_force(code: str | None) -> Force:
    """The named force, or the only one there is."""
    if code:
        force = Force.objects.filter(code=code).first()
        if force is None:
            raise CommandError(f"No force with code {code!r} (create it with casework_force).")
        return force
    forces = list(Force.objects.all()[:2])
    if len(forces) != 1:
        raise CommandError("Say which force with --force CODE.")
    return forces[0]


class Command(BaseCommand):
    help = "Import an identification run folder (children.csv, review.csv, manifest.json)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder")
        parser.add_argument("--force", dest="force_code", default=None)
        parser.add_argument("--as", dest="username", default=None,
                            help="The analyst importing (recorded in the audit log).")

    def handle(self, *args, folder: str, force_code: str | None, username: str | None,
               **options) -> None:
        force = resolve_force(force_code)
        user = None
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
        try:
            result = import_run(folder, force=force, user=user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        again = " (this run was imported before; nothing duplicated)" if (
            result.already_imported) else ""
        self.stdout.write(f"Imported into {force.code}{again}: {result.summary()}")
