"""The error pages Django calls for a whole request: 403 for every refusal, a forged or
stale form (CSRF) included.

`handler403` (set in the root URLconf) sees every `PermissionDenied` raised anywhere while a
request is handled (a service, a selector, a view, a middleware), so the refusal's audit
record is written here, at one depth, after the view's own work has finished.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from paramount.casework.services.access import record_refusal
from paramount.casework.web.rendering import render


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The GOV.UK 403 page, with the refusal's reason, after recording the attempt."""
    record_refusal(request)
    reason = str(exception) if exception is not None else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`CSRF_FAILURE_VIEW`: a form not sent from this site is a refusal too, recorded."""
    record_refusal(request, refusal="csrf")
    return render(
        request,
        "403.html",
        {
            "reason": "The form had expired or did not come from this service. Go back, "
            "reload the page and try again."
        },
        status=403,
    )
