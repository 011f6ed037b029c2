"""The root: each role to its own first page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from paramount.casework.web.navigation import home_for
from paramount.casework.web.views.common import page


@page
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(home_for(request.user.role))
