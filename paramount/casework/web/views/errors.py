"""The error pages Django calls for a whole request: 403 for every refusal.

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
