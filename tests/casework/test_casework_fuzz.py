# ruff: noqa: F811 (the fixtures imported from test_web_pages are redefined as arguments)
"""No URL and no form input gives a 500, on PostgreSQL: every URL pattern the resolver knows,
each path parameter filled with odd values (NUL and other control bytes, very long, unicode,
`../`, `%`, a quote, negative and huge numbers) while the others hold real references, GET
with an odd query and POST with odd bytes in every form field the pages have, as each of a
few roles and signed out."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from django import forms as django_forms
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from test_web_pages import Cases, cases, client_for  # noqa: F401 (fixtures)

from paramount.casework.models import ReviewTask
from paramount.casework.web import forms as web_forms

pytestmark = pytest.mark.django_db(transaction=True)  # a 500 must not spoil the next request

ODD = [
    "\x00",
    "PM\x00X",
    "\x01\x1f\x7f",
    "A" * 3000,
    "ü日本\u202e\U0001f600",
    "../../etc/passwd",
    "%",
    "%00",
    "' OR '1'='1",
    "-1",
    "0",
    "9" * 40,
    "\ud800",  # a lone surrogate (sent as its replacement by the client's encoding)
]
# Odd values a form field gets (NUL and control bytes, long, numbers out of range...).
ODD_FORM = ["\x00", "x\x00y", "\x08\x1b[2J", "A" * 20000, "9" * 40, "-1", "'\"<>%", "ü\u202e"]
ROLES = [
    "analyst",
    "checker",
    "champion",
    "supervisor",
    "partner",
    "evaluator",
    "auditor",
    "admin",
    None,
]
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _patterns(resolvers=None, prefix: str = "") -> Iterator[str]:
    """Every route the resolver knows, as its route text (`cases/<str:reference>/...`)."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _paths(route: str, real: dict[str, str]) -> Iterator[str]:
    names = [m["name"] for m in _PARAM.finditer(route)]

    def fill(values: dict[str, str]) -> str:
        return "/" + _PARAM.sub(lambda m: _encode(values[m["name"]]), route)

    if not names:
        yield fill({})
        return
    for name in names:
        for odd in ODD:
            yield fill({**{n: real.get(n, "1") for n in names}, name: odd})
    yield fill(dict.fromkeys(names, "\x00"))


def _form_fields() -> set[str]:
    fields = {"next", "token", "csrfmiddlewaretoken"}
    for _, form in inspect.getmembers(web_forms, inspect.isclass):
        if issubclass(form, django_forms.BaseForm) and hasattr(form, "base_fields"):
            fields |= set(form.base_fields)
    return fields


def test_no_url_and_no_form_input_gives_a_500(cases: Cases, settings) -> None:
    assert connection.vendor == "postgresql"
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    settings.DEBUG = False
    world = cases.world
    task = ReviewTask.objects.first()
    agreement = cases.north.agreements.first()
    real = {
        "reference": cases.north.reference,
        "case_child_id": str(cases.north.case_children.first().pk),
        "agreement_id": str(agreement.pk),
        "slug": "note",
        "task_id": str(task.pk),
        "referral_id": str(cases.referral.pk),
        "username": "champion2",
        "action": "unlock",
    }
    routes = list(_patterns())
    assert len(routes) > 20 and any("<str:reference>" in r for r in routes)
    fields = sorted(_form_fields())
    odd_query = urlencode({f: ODD_FORM[i % len(ODD_FORM)] for i, f in enumerate(fields)})
    failures: list[str] = []
    requests = 0
    for role in ROLES:
        client = client_for(world, role) if role else Client()
        client.raise_request_exception = False
        for route in routes:
            for n, path in enumerate(_paths(route, real)):
                response = client.get(path + ("?" + odd_query if n % 2 else ""))
                requests += 1
                if response.status_code >= 500:
                    failures.append(f"{role} GET {path[:120]!r} -> {response.status_code}")
                # POST every form field with odd bytes, a different odd value per pass.
                data = {f: ODD_FORM[(i + n) % len(ODD_FORM)] for i, f in enumerate(fields)}
                response = client.post(path, data)
                requests += 1
                if response.status_code >= 500:
                    failures.append(f"{role} POST {path[:120]!r} -> {response.status_code}")
                if role and "_auth_user_id" not in client.session:  # signed out: sign in again
                    client.force_login(world[role])
    assert requests > 1000
    assert not failures, f"{len(failures)} of {requests} requests gave a 500:\n" + "\n".join(
        sorted(set(failures))[:60]
    )


def test_control_characters_get_the_400_page_and_line_breaks_still_pass(
    cases: Cases, settings
) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    client = client_for(cases.world, "supervisor")
    for response in (
        client.get("/cases/PM%00X/"),
        client.get("/cases/", {"q": "Fic\x00tus"}),
        client.post(f"/cases/{cases.south.reference}/note/", {"text": "a\x00b"}),
        client.post(f"/cases/{cases.south.reference}/note/", {"text": "bell\x07"}),
    ):
        assert response.status_code == 400
        assert "characters that cannot be used" in response.content.decode()
    assert not cases.south.events.filter(code="note").exists()
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/cases/").status_code == 400
    client = client_for(cases.world, "supervisor")
    response = client.post(
        f"/cases/{cases.south.reference}/note/", {"text": "First line\r\n\tsecond line"}
    )
    assert response.status_code == 302, response.content
    assert cases.south.events.filter(code="note").count() == 1
