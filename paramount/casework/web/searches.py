"""Case searches kept on the server, so no search term ever reaches a URL (and so the
server's and proxy's access logs, the browser's history, a Referer header).

The search form is a POST (CSRF-protected); its criteria are kept in the user's session
(stored in the database, gone when the session ends) under a random id, and the browser is
sent to `/cases/?search=<id>`, which pages and links carry instead of the terms. An id only
means something in the session that made it.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

_KEY = "paramount_case_searches"
KEEP = 10  # the newest searches of a session; older ids are forgotten
FIELDS = ("q", "state", "lpa", "overdue")


def remember(session: SessionBase, criteria: dict[str, Any]) -> str:
    """Keep `criteria` (the cleaned search form) and return its opaque id."""
    kept: dict[str, dict] = dict(session.get(_KEY) or {})
    search_id = secrets.token_urlsafe(9)
    kept[search_id] = {k: criteria.get(k) for k in FIELDS if criteria.get(k)}
    session[_KEY] = dict(list(kept.items())[-KEEP:])
    return search_id


def recall(session: SessionBase, search_id: str | None) -> dict[str, Any] | None:
    """The criteria kept under `search_id` in this session, or None if unknown."""
    if not search_id:
        return None
    found = (session.get(_KEY) or {}).get(str(search_id)[:32])
    return dict(found) if found is not None else None
