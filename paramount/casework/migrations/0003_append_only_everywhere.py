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
  migration that makes SQLite rebuild one of these tables drops its triggers, so such a
  migration must run `sqlite_statements()` again.

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

APPEND_ONLY = ("casework_auditrecord", "casework_erasurerecord", "casework_caseevent")

# The case an event belongs to has been recorded as erased and is closed.
ERASED_CASE = (
    "SELECT 1 FROM casework_case c JOIN casework_force f ON f.id = c.force_id "
    "JOIN casework_erasurerecord e ON e.case_reference = c.reference AND e.force_code = f.code "
    "WHERE c.id = OLD.case_id AND c.state = 'closed'"
)

PG_EVENT_GUARD = f"""
CREATE OR REPLACE FUNCTION casework_caseevent_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS ({ERASED_CASE}) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

# casework_refuse_change() comes from 0002; it is made again here so this migration stands
# alone when the coordinator re-chains migrations.
PG_REFUSE = """
CREATE OR REPLACE FUNCTION casework_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def postgresql_statements() -> list[str]:
    statements = [PG_REFUSE, PG_EVENT_GUARD]
    statements.append(
        "CREATE TRIGGER casework_caseevent_append_only BEFORE UPDATE OR DELETE ON "
        "casework_caseevent FOR EACH ROW EXECUTE FUNCTION casework_caseevent_guard()"
    )
    for table in APPEND_ONLY:
        statements.append(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION casework_refuse_change()"
        )
    return statements


def sqlite_statements() -> list[str]:
    statements = []
    for table in APPEND_ONLY:
        for op in ("UPDATE", "DELETE"):
            when = (
                f" WHEN NOT EXISTS ({ERASED_CASE})"
                if (table == "casework_caseevent" and op == "DELETE")
                else ""
            )
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}"
                f"{when} BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {op} refused'); END"
            )
    return statements


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
