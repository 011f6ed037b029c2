"""URLs: the health check here; the pages come from `paramount.casework.web.urls` (the UI),
included at the root when that module exists."""

from __future__ import annotations

from importlib.util import find_spec

from django.urls import include, path

from paramount.casework.health import health

urlpatterns = [path("health/", health, name="health")]

# Every refusal, from any view, is recorded and shown as the GOV.UK 403 page.
handler403 = "paramount.casework.web.views.errors.forbidden"

if find_spec("paramount.casework.web") and find_spec("paramount.casework.web.urls"):
    urlpatterns.append(path("", include("paramount.casework.web.urls")))
