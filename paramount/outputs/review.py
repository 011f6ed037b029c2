"""`review.csv`: candidates the decision did not put on the worklist but would not drop.

A child whose confidence falls below the worklist threshold but above the review floor is
neither taken nor dropped silently: an analyst reads the evidence (for and against, in plain
words) and decides. The file has the worklist's columns (contract columns first, then the
decision's extras: `decision`, `threshold`, `levels`, the carer), so the same tools read it.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from paramount.outputs.children_csv import write_children_csv

REVIEW_FILE = "review.csv"


def write_review(review: pa.Table | None, out_dir: str | Path) -> Path | None:
    """Write `OUT/review.csv` (header only when there is nothing to review); nothing at all
    for a method without a review list (the baseline), so its run folder is unchanged."""
    if review is None:
        return None
    return write_children_csv(review, Path(out_dir) / REVIEW_FILE)
