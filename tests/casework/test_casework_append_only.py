"""Every append-only table (audit log, erasure record, case event log) refuses change in the
database itself: raw UPDATE, DELETE and TRUNCATE on PostgreSQL, UPDATE and DELETE on SQLite
(the demo), bulk changes through the ORM; only retention's disposal of a closed case, after
its erasure record, takes the case's events with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from casework_factories import child_row, make_world, write_run
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from paramount.casework.codes import CaseState, NotApproachedReason
from paramount.casework.models import AuditRecord, Case, CaseEvent, ErasureRecord
from paramount.casework.services import workflow as wf
from paramount.casework.services.importing import import_run
from paramount.casework.services.retention import dispose_due

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("casework_auditrecord", "casework_erasurerecord", "casework_caseevent")


@pytest.fixture
def world(tmp_path):
    world = make_world()
    import_run(write_run(tmp_path / "a", [child_row(child_ids="P1")]), force=world.force)
    ErasureRecord.objects.create(force_code="TST", case_reference="PM-TEST-0000", reason="t")
    return world


def _refused(sql: str) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


@pytest.mark.django_db(transaction=True)  # committed rows: TRUNCATE as a real session sees it
def test_postgresql_refuses_update_delete_and_truncate_on_every_append_only_table(world) -> None:
    """(This test's own flush at teardown also shows the tests' superuser flush works.)"""
    assert connection.vendor == "postgresql"
    counts = (AuditRecord.objects.count(), ErasureRecord.objects.count(), CaseEvent.objects.count())
    assert all(counts), counts
    _refused("UPDATE casework_caseevent SET payload = '{}'")
    _refused("DELETE FROM casework_caseevent")
    for table in TABLES:
        _refused(f"TRUNCATE {table}")
    _refused("TRUNCATE casework_case CASCADE")  # would take the event log with it
    assert (
        AuditRecord.objects.count(),
        ErasureRecord.objects.count(),
        CaseEvent.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_orm_refuses_bulk_changes_to_case_events(world) -> None:
    case = Case.objects.get()
    n = CaseEvent.objects.filter(case=case).count()
    assert n
    with pytest.raises(ValidationError):
        CaseEvent.objects.filter(case=case).delete()
    with pytest.raises(ValidationError):
        CaseEvent.objects.filter(case=case).update(payload={})
    with pytest.raises(ValidationError):
        CaseEvent.objects.bulk_update(list(CaseEvent.objects.all()), ["payload"])
    with pytest.raises(ValidationError):
        case.events.all().delete()
    event = CaseEvent.objects.first()
    event.payload = {"changed": True}
    with pytest.raises(ValidationError):
        event.save()
    assert CaseEvent.objects.filter(case=case).count() == n


@pytest.mark.django_db
def test_events_go_only_with_a_closed_case_that_has_its_erasure_record(world) -> None:
    case = Case.objects.get()
    # An open case's events stay, even with an erasure record naming it.
    ErasureRecord.objects.create(force_code="TST", case_reference=case.reference, reason="t")
    _refused(f"DELETE FROM casework_caseevent WHERE case_id = {case.pk}")
    wf.record_not_approached(
        user=world["supervisor"], case=case, reason=NotApproachedReason.CHILD_VICTIM, note="t"
    )
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    # Closed, but this erasure record is another force's: still refused.
    other = Case.objects.create(
        force=world.other_force,
        household_key="h",
        review_date=date.today(),
        state=CaseState.CLOSED,
        outcome="other",
    )
    CaseEvent.objects.create(case=other, code="note")
    ErasureRecord.objects.create(force_code="TST", case_reference=other.reference, reason="t")
    _refused(f"DELETE FROM casework_caseevent WHERE case_id = {other.pk}")
    # Retention's disposal (erasure record first, then the case) takes the events.
    Case.objects.filter(pk=case.pk).update(review_date=date.today() - timedelta(days=1))
    assert dispose_due(user=world["supervisor"]) == [case.reference]
    assert not CaseEvent.objects.filter(case_id=case.pk).exists()
    assert CaseEvent.objects.filter(case=other).exists()


@pytest.mark.django_db(transaction=True)
def test_the_application_role_cannot_step_round_the_triggers() -> None:
    """Even granted every table privilege, a role that is neither superuser nor owner cannot
    TRUNCATE, switch triggers off for its session, or disable them."""
    settings = connection.settings_dict
    dsn = (
        f"host={settings['HOST']} port={settings['PORT']} dbname={settings['NAME']} "
        f"user={settings['USER']}"
    )
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(
            "DO $$ BEGIN CREATE ROLE paramount_app_side LOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        admin.execute("GRANT USAGE ON SCHEMA public TO paramount_app_side")
        admin.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO paramount_app_side")
    app_dsn = dsn.replace(f"user={settings['USER']}", "user=paramount_app_side")
    try:
        with psycopg.connect(app_dsn, autocommit=True) as app:
            for table in TABLES:
                with pytest.raises(psycopg.Error, match="append-only"):
                    app.execute(f"TRUNCATE {table}")
            with pytest.raises(psycopg.Error, match="permission denied"):
                app.execute("SET session_replication_role = replica")
            with pytest.raises(psycopg.Error, match="must be owner"):
                app.execute("ALTER TABLE casework_auditrecord DISABLE TRIGGER ALL")
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM paramount_app_side")
            admin.execute("REVOKE USAGE ON SCHEMA public FROM paramount_app_side")
            admin.execute("DROP ROLE paramount_app_side")


SQLITE_SCRIPT = textwrap.dedent(
    """
    import json, sqlite3
    from datetime import date
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    call_command("migrate", verbosity=0)
    from paramount.casework.models import Case, CaseEvent, ErasureRecord, Force
    from paramount.casework.services.audit import audit
    force = Force.objects.create(code="TST", name="Test")
    case = Case.objects.create(force=force, household_key="h", review_date=date.today())
    CaseEvent.objects.create(case=case, code="note")
    audit(None, "view", "case", case_ref=case.reference)
    ErasureRecord.objects.create(force_code="TST", case_reference="PM-X", reason="t")
    results = {}
    statements = [
        "UPDATE casework_auditrecord SET action = 'change'",
        "DELETE FROM casework_auditrecord",
        "UPDATE casework_erasurerecord SET reason = 'x'",
        "DELETE FROM casework_erasurerecord",
        "UPDATE casework_caseevent SET code = 'x'",
        "DELETE FROM casework_caseevent",
    ]
    for sql in statements:
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
            results[sql] = "done"
        except Exception as error:
            results[sql] = str(error)
    # Retention's path: a closed case with its erasure record first.
    Case.objects.filter(pk=case.pk).update(state="closed", outcome="other")
    ErasureRecord.objects.create(force_code="TST", case_reference=case.reference, reason="t")
    case.refresh_from_db()
    case.delete()
    results["events after disposal"] = CaseEvent.objects.count()
    # A later migration that rebuilds a table drops its SQLite triggers: migrate makes
    # them again.
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER casework_auditrecord_no_delete")
    call_command("migrate", verbosity=0)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM casework_auditrecord")
        results["delete after a rebuild"] = "done"
    except Exception as error:
        results["delete after a rebuild"] = str(error)
    print(json.dumps(results))
    """
)


def test_sqlite_refuses_update_and_delete_on_every_append_only_table(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    env.update(
        DJANGO_SETTINGS_MODULE="paramount.casework.settings",
        SECRET_KEY="test-only-" + "x" * 50,
        PARAMOUNT_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        PARAMOUNT_SECURE="0",
    )
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for sql, outcome in results.items():
        if sql == "events after disposal":
            assert outcome == 0
        else:
            assert "append-only" in outcome and "refused" in outcome, (sql, outcome)
