"""Rendering the pages' templates from `web/templates` with their own Django template
engine, so the pages need nothing from the project's `TEMPLATES` setting."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.backends.django import DjangoTemplates

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def engine() -> DjangoTemplates:
    """The pages' template engine (request, auth, messages and CSP nonce in every context)."""
    return DjangoTemplates(
        {
            "NAME": "paramount-web",
            "DIRS": [str(TEMPLATE_DIR)],
            "APP_DIRS": False,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.template.context_processors.csrf",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                    "csp.context_processors.nonce",
                    "paramount.casework.web.navigation.navigation",
                ],
                "builtins": ["paramount.casework.web.templatetags"],
            },
        }
    )


def render(
    request: HttpRequest, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """Render `web/<name>` to a response."""
    html = engine().get_template(f"web/{name}").render(context or {}, request)
    return HttpResponse(html, status=status)
