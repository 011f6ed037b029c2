"""95 % intervals for a pilot's small counts, so a lead reads "7 of 9" as the range it is.

`wilson` is the score interval of a share (the verdicts' measured precision by band, the
board report, the delivery models); `median_interval`
is the distribution-free interval of a median from its order statistics (the sign test's
binomial), which needs no assumption about how days to contact are spread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of k/n; (0, 1) when n is 0 (nothing is known)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def median_rank(n: int, level: float = 0.95) -> int | None:
    """The rank j (1-based) such that [x_(j), x_(n+1-j)] covers the median with at least
    `level`: the largest j with P(B <= j - 1) <= (1 - level) / 2 for B ~ Binomial(n, 1/2).
    None when even [min, max] covers less (n < 6 at 95 %). Exact integer arithmetic."""
    tail = Fraction(1 - Fraction(str(level))) / 2
    limit = tail * 2**n  # compare counts of outcomes, not floating probabilities
    rank, cumulative, term = 0, 0, 1  # term = C(n, k)
    for k in range(n):
        cumulative += term
        if cumulative > limit:
            break
        rank = k + 1
        term = term * (n - k) // (k + 1)
    return rank or None


def median_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float] | None:
    """The distribution-free `level` interval of the median of `values` from their order
    statistics; None when there are too few values for any such interval."""
    rank = median_rank(len(values), level)
    if rank is None:
        return None
    ordered = sorted(values)
    return ordered[rank - 1], ordered[len(ordered) - rank]
