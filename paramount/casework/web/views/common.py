"""What every page shares: sign-in required, refusals as GOV.UK 403/404 pages, and service
errors put back on the form they came from."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse

from paramount.casework.web.govuk import error_summary
from paramount.casework.web.rendering import render


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A signed-in page: out-of-scope or missing objects give the 404 page. A refusal
    (`PermissionDenied`) goes on to Django's `handler403` (`views.errors.forbidden`), which
    records it in the audit log and shows the 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except ObjectDoesNotExist:
            return render(request, "404.html", status=404)

    return wrapper


def apply_errors(form: forms.Form, error: ValidationError,
                 field_map: dict[str, str] | None = None) -> None:
    """Put a service's `ValidationError` on the form: its fields' messages on the matching
    fields (renamed by `field_map`), the rest on the form as a whole."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            target = field_map.get(name, name)
            for message in errors:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def form_context(form: forms.Form) -> dict[str, Any]:
    return {"form": form, "errors": error_summary(form) if form.is_bound else []}
