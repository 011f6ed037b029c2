"""The audit of access itself: signing in and out (with failures, lockouts and the second
factor) and every refused request.

Sign-ins come from Django's `user_logged_in`, `user_logged_out` and `user_login_failed`
signals and django-axes' `user_locked_out` (connected in `CaseworkConfig.ready`); the second
factor from the verify and set-up pages. A failure records the username as it was typed (an
account name) and the client's address, never a password. A refusal records who, which page
(its URL name, method) and the references in its URL, never the query string (it may hold a
search term) nor a URL part that is not the shape of a reference.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.urls import Resolver404, resolve

from paramount.casework.codes import AuditAction
from paramount.casework.models import AuditRecord, User

ANONYMOUS = "anonymous"
# URL parts kept in a refusal's record, each only when it has the shape of a reference.
_CASE_REFERENCE = re.compile(r"^PM-[0-9A-Z]{4}-[0-9A-Z]{4}$")
_SAFE = {
    "reference": _CASE_REFERENCE,
    "slug": re.compile(r"^[a-z0-9-]{1,40}$"),
    "username": re.compile(r"^[\w.@+-]{1,150}$"),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def client_address(request: HttpRequest | None) -> str:
    """The client's address as django-axes sees it (the same one its lockout keys on)."""
    if request is None:
        return ""
    from axes.helpers import get_client_ip_address

    return str(getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or "")


def _record(
    user: User | None,
    action: str,
    *,
    username: str = "",
    object_type: str = "account",
    object_ref: str = "",
    case_ref: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditRecord:
    if user is not None and user.is_authenticated:
        actor = {"actor": user, "actor_username": user.get_username(), "actor_role": user.role}
    else:
        actor = {"actor": None, "actor_username": username or ANONYMOUS, "actor_role": ""}
    return AuditRecord.objects.create(
        **actor,
        action=action,
        object_type=object_type,
        object_ref=object_ref[:64],
        case_ref=case_ref,
        detail=detail or {},
    )


def _typed(username: Any) -> str:
    """A typed username, as typed but for control characters, cut to the field's length."""
    return _CONTROL.sub("?", str(username or ""))[:150]


def record_sign_in(request: HttpRequest | None, user: User) -> AuditRecord:
    return _record(
        user,
        AuditAction.SIGN_IN,
        object_ref=user.get_username(),
        detail={"ip": client_address(request)},
    )


def record_sign_out(request: HttpRequest | None, user: User | None) -> AuditRecord | None:
    if user is None or not user.is_authenticated:
        return None
    return _record(
        user,
        AuditAction.SIGN_OUT,
        object_ref=user.get_username(),
        detail={"ip": client_address(request)},
    )


def record_sign_in_failed(request: HttpRequest | None, username: Any) -> AuditRecord:
    typed = _typed(username)
    return _record(
        None,
        AuditAction.SIGN_IN_FAILED,
        username=typed,
        object_ref=typed,
        detail={"ip": client_address(request)},
    )


def record_locked_out(request: HttpRequest | None, username: Any, ip_address: Any) -> AuditRecord:
    typed = _typed(username)
    return _record(
        None,
        AuditAction.LOCKED_OUT,
        username=typed,
        object_ref=typed,
        detail={"ip": str(ip_address or client_address(request))},
    )


def record_second_factor(request: HttpRequest, user: User, *, passed: bool) -> AuditRecord:
    action = AuditAction.SECOND_FACTOR if passed else AuditAction.SECOND_FACTOR_FAILED
    return _record(
        user, action, object_ref=user.get_username(), detail={"ip": client_address(request)}
    )


def record_refusal(request: HttpRequest, *, refusal: str = "permission") -> AuditRecord:
    """One record for a refused request: the page (URL name), the method, the URL's
    references that have a reference's shape, and what refused it (`permission`: a role or
    scope check; `csrf`: a form not sent from this site)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    url_name = (match.view_name if match else "") or ""
    references: dict[str, str] = {}
    for name, value in match.kwargs.items() if match else ():
        text = str(value)
        pattern = _SAFE.get(name)
        if isinstance(value, int) or (pattern is not None and pattern.match(text)):
            references[name] = text[:64]
        else:
            references[name] = "(not a reference)"
    case_ref = references.get("reference", "")
    case_ref = case_ref if _CASE_REFERENCE.match(case_ref) else ""
    user = getattr(request, "user", None)
    return _record(
        user,
        AuditAction.REFUSED,
        object_type="page",
        object_ref=url_name,
        case_ref=case_ref,
        detail={
            "page": url_name,
            "method": request.method,
            "url": references,
            "refusal": refusal,
            "ip": client_address(request),
        },
    )


def connect() -> None:
    """Connect the sign-in receivers (called once, from the app's `ready`)."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(_logged_in, dispatch_uid="paramount-audit-sign-in")
    user_logged_out.connect(_logged_out, dispatch_uid="paramount-audit-sign-out")
    user_login_failed.connect(_login_failed, dispatch_uid="paramount-audit-sign-in-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="paramount-audit-locked-out")


def _logged_in(sender, request=None, user=None, **kwargs) -> None:
    if user is not None:
        record_sign_in(request, user)


def _logged_out(sender, request=None, user=None, **kwargs) -> None:
    record_sign_out(request, user)


def _login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; only the username is read.
    record_sign_in_failed(request, (credentials or {}).get("username", ""))


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    record_locked_out(request, username, ip_address)
