"""Quoting helpers: every name and literal that reaches SQL goes through these (one copy, in
`paramount.db.sql`; `lit` is its `literal`)."""

from __future__ import annotations

from paramount.db.sql import ident
from paramount.db.sql import literal as lit

__all__ = ["ident", "lit"]
