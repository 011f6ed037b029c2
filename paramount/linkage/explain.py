"""What agreed and what disagreed in a scored pair, in plain words (never the values)."""

from __future__ import annotations

from paramount.linkage.models import COMPARISONS


def explanation_sql(prefix: str = "") -> str:
    """A SQL expression turning a pair's gamma columns into words, e.g. "forename the same in
    another form; surname the same; date of birth the same with day and month swapped"."""
    parts = []
    for c in COMPARISONS:
        whens = " ".join(
            f"WHEN {g} THEN '{w.replace(chr(39), chr(39) * 2)}'"
            for g, w in sorted(c.gamma_words().items(), reverse=True)
        )
        parts.append(f"CASE {prefix}gamma_{c.name} {whens} END")
    return f"concat_ws('; ', {', '.join(parts)})"


# gamma values with a meaning the resolution uses directly
FORENAME_DIFFERENT = 0  # the forename's else level
IDS_PNC, IDS_CRO = 2, 1
