"""The Django app of casework (label `casework`)."""

from __future__ import annotations

from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "paramount.casework"
    label = "casework"
    verbose_name = "Paramount casework"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Signal receivers that keep the audit log append-only, even against bulk deletes.
        from paramount.casework.models import audit  # noqa: F401
        from paramount.casework.services import access

        # Sign-ins, sign-outs, failures and lockouts in the audit log.
        access.connect()

        # SQLite drops a table's triggers when a migration rebuilds it: make them again.
        from django.db.models.signals import post_migrate

        from paramount.casework.db_guards import ensure_sqlite_triggers

        post_migrate.connect(
            ensure_sqlite_triggers, sender=self, dispatch_uid="paramount-append-only-triggers"
        )
