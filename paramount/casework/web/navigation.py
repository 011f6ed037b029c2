"""The service navigation for each role (a context processor for the pages' engine)."""

from __future__ import annotations

from django.http import HttpRequest

from paramount.casework.codes import Role

# (label, path, roles that see it)
ITEMS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("Cases", "/cases/", frozenset({Role.ANALYST, Role.CHECKER, Role.CHAMPION, Role.SUPERVISOR})),
    ("Overdue", "/overdue/", frozenset({Role.SUPERVISOR, Role.CHAMPION})),
    ("Review", "/review/", frozenset({Role.ANALYST, Role.SUPERVISOR})),
    ("Dashboard", "/dashboard/", frozenset({Role.ANALYST, Role.SUPERVISOR})),
    ("Referrals", "/referrals/", frozenset({Role.PARTNER})),
    ("Evaluation", "/evaluation/", frozenset({Role.EVALUATOR})),
    ("Audit log", "/audit/", frozenset({Role.AUDITOR})),
    ("Administration", "/administration/", frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR})),
)


def home_for(role: str) -> str:
    """Where a role lands after signing in."""
    for _label, path, roles in ITEMS:
        if role in roles:
            return path
    return "/accounts/login/"


def navigation(request: HttpRequest) -> dict:
    """`nav`: the links the signed-in user's role may follow, the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = [
        {"label": label, "href": path, "current": request.path.startswith(path)}
        for label, path, roles in ITEMS
        if user.role in roles
    ]
    return {"nav": items}
