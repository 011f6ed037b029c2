"""The database triggers that make the append-only tables append-only (audit log, erasure
record, case event log): created by migration 0003, and on SQLite made again after every
`migrate` (`ensure_sqlite_triggers`, a `post_migrate` receiver), since SQLite drops a table's
triggers whenever a later migration rebuilds the table. See migration 0003 for the design,
retention's one exception included.
"""

from __future__ import annotations

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


def ensure_sqlite_triggers(sender=None, using: str = "default", **kwargs) -> None:
    """Make any missing SQLite trigger again (`CREATE TRIGGER IF NOT EXISTS`); nothing on
    other databases. Connected to `post_migrate`."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    if not set(APPEND_ONLY) <= tables or "casework_case" not in tables:
        return
    with connection.cursor() as cursor:
        for statement in sqlite_statements():
            cursor.execute(statement)
