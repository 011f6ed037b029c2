"""The second factor, required for every page but the sign-in pages (off only in the demo)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect


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
