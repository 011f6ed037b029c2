"""Scores that judge a list beyond precision and recall: whether its confidence is honest
(per-bin calibration, expected calibration error), how well the nominal index was
deduplicated (pairwise precision and recall against the truth), and whether children whose
names are not of British origin are found as often as the rest.

Plain functions over plain inputs, so each can be checked on a hand-made handful of rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

# Confidence bins: finer at the top, where the list's rows mostly are and where an analyst
# reads "0.99" as "certain". Each is [low, high); the last includes 1.0.
CALIBRATION_EDGES: tuple[float, ...] = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
CALIBRATION_MIN_ROWS = 30  # a bin this full must be right within the tolerance
CALIBRATION_TOLERANCE = 0.03

# name pools counted as of British origin (the rest: not of British origin)
BRITISH_ORIGINS = frozenset({"WHITE_BRITISH"})


def calibration_bins(
    rows: Iterable[tuple[float, bool]],
    edges: tuple[float, ...] = CALIBRATION_EDGES,
    min_rows: int = CALIBRATION_MIN_ROWS,
    tolerance: float = CALIBRATION_TOLERANCE,
) -> list[dict]:
    """(stated confidence, right?) pairs binned by confidence: per bin the rows, the mean
    stated, the share right, the gap, and `off` when a bin of `min_rows` or more misses
    what it states by more than `tolerance`. Empty bins are left out."""
    sums: dict[int, list[float]] = {}
    for conf, right in rows:
        b = _bin(conf, edges)
        s = sums.setdefault(b, [0, 0.0, 0])
        s[0] += 1
        s[1] += conf
        s[2] += int(bool(right))
    out = []
    for b in sorted(sums):
        n, total, k = sums[b]
        mean, share = total / n, k / n
        gap = share - mean
        out.append(
            {
                "from": edges[b],
                "to": edges[b + 1],
                "rows": n,
                "mean_confidence": round(mean, 4),
                "share_right": round(share, 4),
                "gap": round(gap, 4),
                "off": n >= min_rows and abs(gap) > tolerance,
            }
        )
    return out


def _bin(conf: float, edges: tuple[float, ...]) -> int:
    for i in range(len(edges) - 2, -1, -1):
        if conf >= edges[i]:
            return i
    return 0


def expected_calibration_error(bins: list[dict]) -> float:
    """The rows-weighted mean of |share right - mean stated| over the bins."""
    n = sum(b["rows"] for b in bins)
    if not n:
        return 0.0
    return round(sum(b["rows"] * abs(b["share_right"] - b["mean_confidence"]) for b in bins) / n, 4)


def pairwise_dedup(pairs: Iterable[tuple[object, object]]) -> dict[str, float | int]:
    """Pairwise precision, recall and F1 of a grouping of records: `pairs` is one
    (predicted group, true individual) per record. A pair of records is predicted when they
    share a group, true when they are one individual."""
    pairs = list(pairs)
    both = Counter(pairs)
    pred = Counter(g for g, _ in pairs)
    true = Counter(i for _, i in pairs)

    def c2(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    right, predicted, actual = c2(both), c2(pred), c2(true)
    precision = right / predicted if predicted else 1.0
    recall = right / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "right_pairs": right,
        "predicted_pairs": predicted,
        "true_pairs": actual,
    }


def recall_by_origin(
    children: Iterable[tuple[str, bool]], origin_of: Mapping[str, str]
) -> dict[str, dict[str, float | int]]:
    """Recall per name origin and for British / not British: `children` is one (individual,
    found?) per identifiable affected child; `origin_of` maps individual to name origin."""
    counts: dict[str, list[int]] = {}
    for ind, found in children:
        origin = origin_of.get(ind, "UNKNOWN")
        group = "BRITISH" if origin in BRITISH_ORIGINS else "NOT_BRITISH"
        for key in (origin, group):
            c = counts.setdefault(key, [0, 0])
            c[0] += 1
            c[1] += int(bool(found))
    return {
        k: {"children": n, "found": f, "recall": round(f / n, 4) if n else 0.0}
        for k, (n, f) in sorted(counts.items())
    }
