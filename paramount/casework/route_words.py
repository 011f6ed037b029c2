"""The identification routes in words, for people: one place, so the family's picture, the
link chart and the board report name a route the same way."""

from __future__ import annotations

# contract route code -> (short label, what it means)
ROUTE_WORDS: dict[str, tuple[str, str]] = {
    "RMS_RELATIONSHIP": ("Police record", "a relationship recorded by the police"),
    "PRISON_CONTACT": ("Prison contacts", "the prisoner's declared contacts"),
    "PARTNER": ("Social care record", "a partner agency's record"),
    "CO_OCCURRENCE": ("Police occurrence", "present together at police occurrences"),
    "CO_RESIDENCE": ("Same address", "living at the same address"),
    "THROUGH_PARENT": (
        "Through the other parent",
        "the partner or ex-partner of the child's parent",
    ),
}


def route_words(code: str) -> tuple[str, str]:
    """A route's (label, meaning); an unknown code is shown as itself, title-cased."""
    return ROUTE_WORDS.get(code, (code.replace("_", " ").title(), ""))


def route_label(code: str) -> str:
    return route_words(code)[0]
