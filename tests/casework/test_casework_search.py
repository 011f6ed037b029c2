"""Case search: by POST, kept on the server, so no term reaches a URL; the terms are in the
audit record; each kind of search (forename, surname, part of a name, postcode, date of
birth, case reference) finds its case and nothing outside the user's scope."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from casework_factories import child_row, make_world, write_run
from django.test import Client

from paramount.casework.codes import AuditAction
from paramount.casework.models import AuditRecord, Case
from paramount.casework.selectors import cases as case_sel
from paramount.casework.selectors.search import NotARealDate, parse
from paramount.casework.services.importing import import_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path: Path):
    world = make_world()
    import_run(
        write_run(
            tmp_path / "tst",
            [
                child_row(
                    child_ids="PR",
                    surname="Robinson",
                    forenames="Maisie",
                    dob="2014-06-09",
                    lpa="N1",
                    postcode="NT1 4QX",
                    address="4 Quay Row",
                ),
                child_row(
                    child_ids="PS",
                    surname="Okafor-Smith",
                    forenames="Daniel",
                    dob="2017-11-23",
                    lpa="S1",
                    prisoner="B2222BB",
                    booking="BB",
                    postcode="ST9 2ZZ",
                    address="9 South Street",
                ),
            ],
        ),
        force=world.force,
    )
    import_run(
        write_run(
            tmp_path / "oth",
            [
                child_row(
                    child_ids="PO",
                    surname="Robinson",
                    forenames="Maisie",
                    dob="2014-06-09",
                    lpa="X1",
                    prisoner="D4444DD",
                    booking="BD",
                    postcode="NT1 4QX",
                ),
            ],
        ),
        force=world.other_force,
    )
    return world


def _refs(user, text: str) -> set[str]:
    return {c.reference for c in case_sel.case_list(user, search=text).items}


def test_parse_reads_each_kind() -> None:
    assert parse(" 9/6/2014 ").date_of_birth.isoformat() == "2014-06-09"
    assert parse("2014-06-09").date_of_birth.isoformat() == "2014-06-09"
    assert parse("09-06-2014").date_of_birth.isoformat() == "2014-06-09"
    assert parse("nt1 4qx").postcode == "NT14QX"
    assert parse("NT1").postcode == "NT1"
    assert parse("maisie rob").name_parts == ("maisie", "rob")
    assert parse("A1234BC").name_parts == ()
    with pytest.raises(NotARealDate):
        parse("31/2/2014")


def test_each_kind_of_search_finds_its_case_within_scope(world) -> None:
    north = Case.objects.get(force=world.force, lpa=world.north).reference
    south = Case.objects.get(force=world.force, lpa=world.south).reference
    supervisor = world["supervisor"]
    searches = {
        "Maisie": {north},  # forename
        "robinson": {north},  # surname, any case
        "Robin": {north},  # part of a surname
        "aisi": {north},  # part of a forename
        "maisie robinson": {north},  # both names
        "Okafor": {south},  # part of a double-barrelled surname
        "Maisie Okafor": set(),  # every part must match the same child
        "nt14qx": {north},  # postcode without its space, lower case
        "NT1 4QX": {north},
        "ST9": {south},  # the first half of a postcode
        "9/6/2014": {north},  # date of birth, day/month/year
        "2017-11-23": {south},  # date of birth, ISO
        north.lower(): {north},  # case reference
        "B2222BB": {south},  # prison number
        "Nobody": set(),
    }
    for text, expected in searches.items():
        assert _refs(supervisor, text) == expected, text
    # Nothing outside the user's scope: another force's Maisie Robinson never, the south
    # supervisor not the north's, a champion only their own.
    assert _refs(world["other_supervisor"], "Maisie Robinson") == {
        Case.objects.get(force=world.other_force).reference
    }
    for text in ("Robinson", "NT1 4QX", "9/6/2014", north):
        assert _refs(world["supervisor_south"], text) == set(), text
    assert _refs(world["champion"], "Robinson") == set()


def test_the_audit_record_of_a_search_holds_its_terms(world) -> None:
    case_sel.case_list(world["supervisor"], search="  Maisie   Robinson ")
    record = AuditRecord.objects.filter(action=AuditAction.SEARCH).latest("pk")
    assert record.detail["terms"] == "Maisie Robinson"
    assert "name" in record.detail["kinds"] and record.detail["search"] is True
    case_sel.case_list(world["supervisor"], search="NT1 4QX")
    record = AuditRecord.objects.filter(action=AuditAction.SEARCH).latest("pk")
    assert record.detail["terms"] == "NT1 4QX" and "postcode" in record.detail["kinds"]


def _urls(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


def test_search_is_a_post_and_no_term_reaches_a_url(world, settings) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    north = Case.objects.get(force=world.force, lpa=world.north).reference
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["supervisor"])
    page = client.get("/cases/")
    html = page.content.decode()
    assert re.search(r'<form method="post" action="/cases/"', html)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert client.post("/cases/", {"q": "Robinson"}).status_code == 403  # no CSRF token
    terms = {"q": "Maisie Robinson", "lpa": "N1", "csrfmiddlewaretoken": token}
    response = client.post("/cases/", terms)
    assert response.status_code == 302
    location = response["Location"]
    assert re.fullmatch(r"/cases/\?search=[\w-]+", location)
    for word in ("Maisie", "Robinson", "maisie", "robinson", "N1"):
        assert word not in location
    result = client.get(location)
    html = result.content.decode()
    assert north in html  # found
    assert 'value="Maisie Robinson"' in html  # the box shows the search, from the session
    for url in _urls(html):
        assert "Maisie" not in url and "Robinson" not in url and "q=" not in url, url
    record = AuditRecord.objects.filter(
        action=AuditAction.SEARCH, actor=world["supervisor"]
    ).latest("pk")
    assert record.detail["terms"] == "Maisie Robinson" and record.detail["lpa"] == "N1"
    # The id means nothing in another session; a term in the query string is ignored.
    other = Client()
    other.force_login(world["supervisor"])
    assert "That search has ended" in other.get(location).content.decode()
    html = client.get("/cases/", {"q": "Okafor"}).content.decode()
    assert 'value="Okafor"' not in html
    # Every kind of search, POSTed: the redirect carries none of it.
    for text in ("NT1 4QX", "9/6/2014", "2014-06-09", north, "aisi"):
        response = client.post("/cases/", {"q": text, "csrfmiddlewaretoken": token})
        assert response.status_code == 302 and text not in response["Location"]
        assert north in client.get(response["Location"]).content.decode(), text
    # Odd bytes: a NUL anywhere is refused before the view (400); an odd id or page is ignored.
    assert client.post("/cases/", {"q": "a\x00b", "csrfmiddlewaretoken": token}).status_code == 400
    assert client.get("/cases/?search=%00&page=%00").status_code == 400
    assert client.get("/cases/?search=nope&page=-1").status_code == 200
    # A date of birth that is not a real date: a GOV.UK error, no redirect.
    response = client.post("/cases/", {"q": "31/2/2014", "csrfmiddlewaretoken": token})
    assert response.status_code == 400
    assert "must be a real date" in response.content.decode()


def test_pages_of_a_search_carry_only_its_id(world, settings, tmp_path: Path) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    rows = [
        child_row(
            child_ids=f"PX{i}",
            surname="Pagesurname",
            forenames=f"Kid{i}",
            prisoner=f"X{i:04d}XX",
            booking=f"BX{i}",
            lpa="N1",
        )
        for i in range(30)
    ]
    import_run(write_run(tmp_path / "many", rows), force=world.force)
    client = Client()
    client.force_login(world["supervisor"])
    location = client.post("/cases/", {"q": "pagesurname"})["Location"]
    html = client.get(location).content.decode()
    assert "of 30 cases" in html
    pages = [u for u in _urls(html) if "page=" in u]
    assert pages and all("pagesurname" not in u.lower() for u in pages)
    second = client.get("/cases/" + pages[-1].replace("&amp;", "&"))
    text = second.content.decode()
    assert "Showing 26 to 30 of 30 cases" in text
