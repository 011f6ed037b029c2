"""`review.csv`: candidates the decision did not put on the worklist but would not drop.

A child whose confidence falls below the worklist threshold but above the review floor is
neither taken nor dropped silently: an analyst reads the evidence (for and against, in plain
words) and decides. The file has the worklist's columns (contract columns first, then the
decision's extras: `decision`, `threshold`, `levels`, the carer), so the same tools read it.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from paramount.outputs.children_csv import write_children_csv

REVIEW_FILE = "review.csv"
IDENTITY_REVIEW_FILE = "identity_review.csv"


def write_review(review: pa.Table | None, out_dir: str | Path) -> Path | None:
    """Write `OUT/review.csv` (header only when there is nothing to review); nothing at all
    for a method without a review list (the baseline), so its run folder is unchanged."""
    if review is None:
        return None
    return write_children_csv(review, Path(out_dir) / REVIEW_FILE)


def write_identity_review(pairs: pa.Table | None, out_dir: str | Path) -> Path | None:
    """Write `OUT/identity_review.csv`: the uncertain identity matches touching the run's
    prisoners and listed children, with the reception, the role, both records, the match
    probability and what agreed (nothing for a method without probabilistic identity)."""
    if pairs is None:
        return None
    path = Path(out_dir) / IDENTITY_REVIEW_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(pairs, path)
    return path
