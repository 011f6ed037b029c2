"""Request checks every page shares: the second factor, required for every page but the
sign-in pages (off only in the demo); control characters refused with a 400."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict


class SecondFactorRequiredMiddleware:
    """Send a signed-in user whose session has not passed a TOTP check to the verify page.

    django-otp's `OTPMiddleware` (before this one) sets `request.user.is_verified()`. The
    exempt prefixes (`PARAMOUNT_SECOND_FACTOR_EXEMPT`) hold the sign-in, device set-up and
    verify pages, health checks and static files.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.PARAMOUNT_REQUIRE_SECOND_FACTOR
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not any(request.path.startswith(p) for p in settings.PARAMOUNT_SECOND_FACTOR_EXEMPT)
        ):
            target = settings.PARAMOUNT_SECOND_FACTOR_URL
            return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


# C0 control characters and DEL. A path may hold none; a query or form value may hold tab,
# line feed and carriage return (a textarea's lines), nothing else.
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_VALUE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _bad_values(data: QueryDict) -> bool:
    return any(
        _VALUE_CONTROL.search(key) or any(_VALUE_CONTROL.search(v) for v in values)
        for key, values in data.lists()
    )


class RejectControlCharactersMiddleware:
    """Answer 400 to a request whose path, query, cookies or form fields hold a NUL byte or
    another control character, before anything reads the database.

    PostgreSQL cannot store or even compare a string holding NUL (psycopg refuses it), so
    such a value reaching a lookup or an insert was a 500 on any page; no page has a use for
    control characters. One check here covers every URL, converter and form, present and
    future. Nothing of the request is logged (a value may be a child's name).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            _PATH_CONTROL.search(request.path)
            or _bad_values(request.GET)
            or any(
                _PATH_CONTROL.search(k) or _PATH_CONTROL.search(v)
                for k, v in request.COOKIES.items()
            )
            or (request.method == "POST" and _bad_values(request.POST))
        ):
            return _bad_request(request)
        return self.get_response(request)


def _bad_request(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.models import AnonymousUser

    from paramount.casework.web.rendering import render

    # Rendered before sessions and sign-in are read: the page shows no one as signed in.
    request.user = AnonymousUser()
    return render(request, "400.html", status=400)


# The key in the session holding when its expiry was last pushed on (seconds since the epoch).
SESSION_REFRESHED_KEY = "_refreshed"


class IdleSessionMiddleware:
    """The idle timeout, refreshed at most once a minute instead of on every request.

    `SESSION_SAVE_EVERY_REQUEST` wrote the session row back on every page (a tenth of the
    case list's time under load) only to move its expiry on. Here a signed-in session is
    marked modified, so `SessionMiddleware` saves it with a fresh expiry of
    `SESSION_COOKIE_AGE`, when its last refresh is older than a minute (or a thirtieth of
    the limit, if that is shorter). The expiry is therefore never later than the idle limit
    after the last request, and at most a minute earlier. Anonymous requests get no session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.contrib.auth import SESSION_KEY

        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) is not None:
            now = int(time.time())
            every = min(60, settings.SESSION_COOKIE_AGE // 30)
            if now - int(session.get(SESSION_REFRESHED_KEY, 0)) >= every:
                session[SESSION_REFRESHED_KEY] = now
        return self.get_response(request)
