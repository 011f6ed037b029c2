# ruff: noqa: RUF012
"""The audit log and the erasure record refuse UPDATE and DELETE in PostgreSQL itself, so not
even SQL run with the application's own credentials can rewrite them.

TRUNCATE is left to privileges (a production role should not hold it), since row triggers do
not fire on it and test databases are emptied with it. On other databases this migration
does nothing; the models refuse changes there.
"""

from __future__ import annotations

from django.db import migrations

TABLES = ("casework_auditrecord", "casework_erasurerecord")

FUNCTION = """
CREATE OR REPLACE FUNCTION casework_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION casework_refuse_change()"
        )


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS casework_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
