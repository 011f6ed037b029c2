"""What agreed and what disagreed in a scored pair, in plain words (never the values)."""

from __future__ import annotations

from collections.abc import Sequence

from paramount.linkage.models import COMPARISONS, Comparison


def explanation_sql(prefix: str = "", comparisons: Sequence[Comparison] = COMPARISONS) -> str:
    """A SQL expression turning a pair's gamma columns into words, e.g. "forename the same in
    another form; surname the same; date of birth the same with day and month swapped"
    (the clear comparisons', or those given: the encoded partner model's)."""
    parts = []
    for c in comparisons:
        whens = " ".join(
            f"WHEN {g} THEN '{w.replace(chr(39), chr(39) * 2)}'"
            for g, w in sorted(c.gamma_words().items(), reverse=True)
        )
        parts.append(f"CASE {prefix}gamma_{c.name} {whens} END")
    return f"concat_ws('; ', {', '.join(parts)})"


# gamma values with a meaning the resolution uses directly
FORENAME_DIFFERENT = 0  # the forename's else level
IDS_PNC, IDS_CRO = 2, 1


def named_probability_sql(prefix: str = "") -> str:
    """An aggregate over the scored pairs of two people's records: the best probability among
    the pairs whose forenames are not plainly different (the twins' guard reads this, so that
    an alias under another forename that happens to score highest holds nothing back)."""
    return (
        f"max({prefix}match_probability) "
        f"FILTER (WHERE {prefix}gamma_forename <> {FORENAME_DIFFERENT})"
    )
