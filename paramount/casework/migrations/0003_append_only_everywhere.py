# ruff: noqa: RUF012
"""Every append-only table refuses change in the database itself, on PostgreSQL and SQLite.

The append-only tables are `casework_auditrecord`, `casework_erasurerecord` and
`casework_caseevent` (the README's and the models' claims). After this migration:

- **PostgreSQL.** Row triggers refuse UPDATE and DELETE on all three (0002 did the first two),
  and a statement trigger refuses TRUNCATE on all three (row triggers do not fire on
  TRUNCATE, and a `TRUNCATE casework_case CASCADE` reaches the event log too). A trigger
  binds every role, the table's owner included; only a superuser can step round it (by
  `session_replication_role = replica`, or by dropping it), which is why the application's
  role is neither superuser nor owner (docs/deploy.md). The tests empty their database the
  same way, as the superuser, in `SET LOCAL session_replication_role = replica` for the
  flush alone (tests/casework/conftest.py).
- **SQLite** (the demo). BEFORE UPDATE and BEFORE DELETE triggers that RAISE(ABORT). SQLite
  has no TRUNCATE; its `DELETE FROM t` without a WHERE fires the triggers row by row. A later
  migration that makes SQLite rebuild one of these tables drops its triggers;
  `db_guards.ensure_sqlite_triggers` (a `post_migrate` receiver) makes them again after
  every `migrate`.

**Retention's one exception.** Disposal erases a closed case with everything in it, its
event log included (the design keeps only the metadata-only `ErasureRecord` and the audit
log). So a DELETE of a case event is let through only when its case is closed and an
`ErasureRecord` for the case (same reference, same force) already exists: the service writes
that record first, in the same transaction, then deletes the case. The condition is narrow and
leaves its own trace: to delete any event, the erasure record (itself undeletable) must be
written, and an open case's events can never go. UPDATE of an event is never allowed.
"""

from __future__ import annotations

from django.db import migrations, models

from paramount.casework.db_guards import (
    APPEND_ONLY,
    postgresql_statements,
    sqlite_statements,
)


def forwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": postgresql_statements, "sqlite": sqlite_statements}.get(vendor)
    for statement in statements() if statements else ():
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS casework_caseevent_append_only ON casework_caseevent"
        )
        for table in APPEND_ONLY:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS casework_caseevent_guard()")
    elif vendor == "sqlite":
        for table in APPEND_ONLY:
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_audit_append_only")]

    operations = [
        migrations.AlterField(
            model_name="auditrecord",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Consultation: a record read"),
                    ("list", "Consultation: a list"),
                    ("search", "Consultation: a search"),
                    ("collect", "Collection (import)"),
                    ("change", "Alteration"),
                    ("disclose", "Disclosure"),
                    ("export", "Export"),
                    ("combine", "Combination"),
                    ("erase", "Erasure"),
                    ("refused", "Access refused"),
                    ("sign_in", "Signed in (password)"),
                    ("sign_fail", "Sign-in failed"),
                    ("locked_out", "Locked out after failed sign-ins"),
                    ("otp_pass", "Second factor passed"),
                    ("otp_fail", "Second factor failed"),
                    ("sign_out", "Signed out"),
                ],
                db_index=True,
                max_length=10,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
