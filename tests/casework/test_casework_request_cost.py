"""What the request path was made cheaper by (issue 9, load) without weakening a rule: a list
read is one audit record naming every case shown, and the auditor still finds it by a case's
reference; the idle session timeout is refreshed at most once a minute, and still expires."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from casework_factories import child_row, make_world, write_run
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from paramount.casework.codes import AuditAction
from paramount.casework.models import AuditRecord, Case
from paramount.casework.selectors.audit import audit_search
from paramount.casework.selectors.cases import case_list
from paramount.casework.services.importing import import_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path: Path):
    world = make_world()
    rows = [
        child_row(
            child_ids=f"P{i}",
            surname="Fictus",
            forenames=f"Kid{i}",
            lpa="N1",
            prisoner=f"A{i:04d}BC",
            booking=f"B{i}",
        )
        for i in range(3)
    ]
    import_run(write_run(tmp_path / "run", rows), force=world.force)
    return world


def test_a_list_read_is_one_record_naming_every_case_and_the_auditor_finds_it(
    world, settings
) -> None:
    references = set(Case.objects.filter(force=world.force).values_list("reference", flat=True))
    assert len(references) == 3
    last = AuditRecord.objects.latest("pk").pk
    page = case_list(world["checker"])
    assert {c.reference for c in page.items} == references
    records = list(AuditRecord.objects.filter(pk__gt=last))
    assert len(records) == 1  # one record for the page, not one a case
    (record,) = records
    assert record.action == AuditAction.LIST and record.actor == world["checker"]
    assert set(record.detail["refs"]) == references and record.detail["results"] == 3

    # The auditor searching any one of those references finds the list that showed it,
    # typed in lower case or with spaces too; a reference that is a prefix of none does not.
    for reference in references:
        for typed in (reference, f" {reference.lower()} "):
            found = audit_search(world["auditor"], case_ref=typed)
            assert record in found, typed
    assert record not in audit_search(world["auditor"], case_ref=next(iter(references))[:-1])
    # The audit page shows it.
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    client = Client()
    client.force_login(world["auditor"])
    page = client.get("/audit/", {"case_ref": next(iter(references))})
    assert page.status_code == 200
    assert "(a list of 3)" in page.content.decode()


def test_an_empty_list_read_is_still_recorded(world) -> None:
    before = AuditRecord.objects.count()
    case_list(world["checker"], states=["closed"])
    assert AuditRecord.objects.count() == before + 1
    record = AuditRecord.objects.latest("pk")
    assert record.detail["refs"] == [] and record.detail["results"] == 0


def _expiry(client: Client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_idle_session_is_refreshed_at_most_once_a_minute_and_still_expires(
    world, settings
) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    client = Client()
    client.force_login(world["checker"])
    assert client.get("/cases/").status_code == 200
    first = _expiry(client)
    assert first - timezone.now() > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)

    # Activity within the minute leaves the session row alone (no write a request).
    assert client.get("/cases/").status_code == 200
    assert _expiry(client) == first

    # Activity after the minute pushes the expiry on by the idle limit.
    session = client.session
    session["_refreshed"] = session["_refreshed"] - 61
    session.save()
    assert client.get("/cases/").status_code == 200
    second = _expiry(client)
    assert second > first
    assert second - timezone.now() > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)

    # A short limit (3 s, so the refresh is every request): activity keeps the session
    # past its first expiry; idle past the limit, it has expired and the next page asks for
    # a sign-in.
    settings.SESSION_COOKIE_AGE = 3
    idle = Client()
    idle.force_login(world["checker"])
    assert idle.get("/cases/").status_code == 200
    time.sleep(2)
    assert idle.get("/cases/").status_code == 200
    time.sleep(2)  # past the login's expiry, not past the last activity's
    assert idle.get("/cases/").status_code == 200
    time.sleep(3.5)
    response = idle.get("/cases/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_anonymous_request_makes_no_session(world) -> None:
    before = Session.objects.count()
    assert Client().get("/health/").status_code == 200
    assert Client().get("/accounts/login/").status_code == 200
    assert Session.objects.count() == before


def test_the_case_list_loads_no_column_lazily(world, settings, tmp_path) -> None:
    """The list's children are loaded with only the columns it shows: a column it shows but
    did not load would be one more query a row. The queries stay the same with more rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    client = Client()
    client.force_login(world["checker"])
    client.get("/cases/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/cases/")
        assert page.status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    rows = [
        child_row(
            child_ids=f"Q{i}", surname="Imago", lpa="N1", prisoner=f"B{i:04d}CD", booking=f"C{i}"
        )
        for i in range(4)
    ]
    import_run(write_run(tmp_path / "more", rows), force=world.force)
    assert Case.objects.count() > 3
    html = client.get("/cases/").content.decode()
    assert "Imago" in html and "Fictus" in html
    assert queries() == few
