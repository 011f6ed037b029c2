"""`manage.py casework_grants ROLE`: the application role's privileges on PostgreSQL.

Run as the owner role (the one that runs migrations) after every `migrate`: it is idempotent.
The application role gets only what the web pages need, so a stolen application password
cannot rewrite history:

- every table: SELECT, INSERT, UPDATE, DELETE;
- the append-only tables (every model built on `AppendOnlyModel`: the audit log, the erasure
  record, the case event log): SELECT and INSERT only;
- `django_migrations`: SELECT only (so `migrate` with nothing to do, and `showmigrations`,
  can run as the application);
- sequences: USAGE and SELECT; the schema: USAGE.

Nothing else: no TRUNCATE, REFERENCES or TRIGGER, and, not being the owner, no ALTER or DROP.
Disposal under retention deletes a case's events with it, so `casework retention --dispose`
runs as the owner role.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from paramount.casework.models.cases import AppendOnlyModel

READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY = "SELECT, INSERT"
READ_ONLY = "SELECT"


def append_only_tables() -> set[str]:
    """Tables whose rows are written once, from the models that say so."""
    return {
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, AppendOnlyModel) and not model._meta.proxy
    }


def planned_grants() -> dict[str, str]:
    """Each existing table of the current schema and the privileges the application gets."""
    append_only = append_only_tables()
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor, include_views=False)
    plan = {}
    for table in sorted(tables):
        if table == "django_migrations":
            plan[table] = READ_ONLY
        elif table in append_only:
            plan[table] = APPEND_ONLY
        else:
            plan[table] = READ_WRITE
    return plan


class Command(BaseCommand):
    help = (
        "Grant the application's PostgreSQL role its least privileges (append-only tables: "
        "SELECT and INSERT only). Run as the owner role after every migrate."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("role", help="The application's login role (not the owner).")

    def handle(self, *args, role: str, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("casework_grants is for PostgreSQL only.")
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_schema()")
            owner, schema = cursor.fetchone()
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"No such role: {role}")
        if role == owner:
            raise CommandError("The application role must not be the owner that migrates.")
        plan = planned_grants()
        who = quote(role)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {who}")
            for table, privileges in plan.items():
                cursor.execute(f"REVOKE ALL ON TABLE {quote(table)} FROM {who}")
                cursor.execute(f"GRANT {privileges} ON TABLE {quote(table)} TO {who}")
            cursor.execute(
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {who}"
            )
        append_only = sum(1 for p in plan.values() if p == APPEND_ONLY)
        self.stdout.write(
            f"Role {role}: {len(plan)} tables in {schema}, {append_only} of them append-only."
        )
