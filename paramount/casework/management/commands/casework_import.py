"""`manage.py casework_import OUT/ --force CODE`: import an identification run."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from paramount.casework.models import Force, User
from paramount.casework.services.importing import import_run
from paramount.casework.services.users import DEMO_FORCE

CREATE_FORCE = 'paramount casework force create CODE "Force name" --areas EXTRACT/force_area.csv'


def resolve_force(code: str | None) -> Force:
    """The named force, or the only one there is; in the demo, on a database with no force
    yet, the demo force. Otherwise an error that says what to do."""
    codes = list(Force.objects.order_by("code").values_list("code", flat=True)[:20])
    if code:
        force = Force.objects.filter(code=code).first()
        if force is None:
            here = f" This database holds: {', '.join(codes)}." if codes else ""
            raise CommandError(
                f"No force with code {code!r}.{here} Create it with `{CREATE_FORCE}`."
            )
        return force
    if len(codes) == 1:
        return Force.objects.get(code=codes[0])
    if not codes:
        if settings.DEMO:
            force, _ = Force.objects.get_or_create(
                code=DEMO_FORCE[0], defaults={"name": DEMO_FORCE[1]}
            )
            return force
        raise CommandError(
            "No force in the casework database yet. Create it first with "
            f"`{CREATE_FORCE}`, then import again (with --force CODE, or without it while "
            "it is the only force)."
        )
    raise CommandError(
        f"This database holds {len(codes)} forces ({', '.join(codes)}): say which with "
        "--force CODE."
    )


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
