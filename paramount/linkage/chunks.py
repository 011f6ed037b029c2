"""Splink's prediction cut into as many pieces as the database's memory needs.

Splink scores every pair its blocking rules make, and with an exploding rule (surname parts,
associates) it first gathers all blocked pairs to drop the repeats. At 2.4 million people
that is tens of millions of pairs and, in one piece, some 16 GB. Splink can predict in
chunks: the left side's records cut into `k` parts by a hash of their id, each part blocked
against all the right side's records and scored, the parts' scores then put together. The
pairs are the same; what one piece holds is a `k`-th. So `k` comes from the pairs the rules
will make, counted the way Splink counts them (on a sample of the records, a cheap estimate),
and from the memory the database may use: one piece when the force fits.
"""

from __future__ import annotations

import logging
import math
import warnings

from splink.blocking_analysis import count_comparisons_from_blocking_rules
from splink.internals.splink_dataframe import SplinkDataFrame

from paramount.db.backend import Backend
from paramount.linkage.models import TrainedModel

logger = logging.getLogger("splink")  # its notes reach the progress line with Splink's own

# What one blocked pair costs at the peak of a prediction in one piece, per pair as Splink's
# sampled count states them: at 2.4 million people, 16.3 GB for 156 million (docs/benchmarks.md,
# issue 13). In nine pieces held to 4 GB the same prediction peaked at 2.4 GB, so the cost
# is nearly all in the pairs and falls with the pieces.
BYTES_PER_PAIR = 100
# The share of the database's memory one piece may take: the records, Splink's own tables and
# the scored pairs of earlier pieces need the rest.
PIECE_SHARE = 0.7
# The sample of each side that the count of pairs is estimated from: a twentieth, or all of a
# small force's records (a sample of a few hundred says little).
COUNT_SAMPLE = 0.05
COUNT_SAMPLE_RECORDS = 50_000


def blocked_pairs(db: Backend, model: TrainedModel, tables: list[str]) -> int:
    """The pairs the model's prediction rules will make, after repeats, as Splink estimates
    them from a sample of the records on each side."""
    inputs: list[SplinkDataFrame] = [model.db_api.register(t) for t in tables]
    records = sum(db.count(t) for t in tables)
    sample = min(1.0, max(COUNT_SAMPLE, COUNT_SAMPLE_RECORDS / max(records, 1)))
    saved = model.linker.misc.save_model_to_json()
    with warnings.catch_warnings():  # Splink warns of small samples; the count is an estimate
        warnings.simplefilter("ignore", UserWarning)
        counts = count_comparisons_from_blocking_rules(
            inputs[0] if len(inputs) == 1 else inputs,
            blocking_rules=saved["blocking_rules_to_generate_predictions"],
            link_type=saved["link_type"],
            record_sample_proportion=sample,
        )
    return int(counts[-1]["cumulative_comparison_count"]) if counts else 0


def chunks_for(pairs: int, memory_bytes: int | None, bytes_per_pair: int = BYTES_PER_PAIR) -> int:
    """How many pieces make `pairs` fit: one when the memory is unbounded or enough."""
    if memory_bytes is None or memory_bytes <= 0:
        return 1
    return max(1, math.ceil(pairs * bytes_per_pair / (memory_bytes * PIECE_SHARE)))


def predict(
    db: Backend,
    model: TrainedModel,
    tables: list[str],
    *,
    threshold: float,
    pieces: int | None = None,
    bytes_per_pair: int = BYTES_PER_PAIR,
) -> SplinkDataFrame:
    """The model's scored pairs at or above `threshold`, in `pieces` (default: as many as
    the database's memory needs, a pair costing `bytes_per_pair` at the peak)."""
    if pieces is None:
        memory = db.memory_bytes()
        pieces = (
            1
            if memory is None
            else chunks_for(blocked_pairs(db, model, tables), memory, bytes_per_pair)
        )
    if pieces == 1:
        return model.linker.inference.predict(threshold_match_probability=threshold)
    logger.info(f"Scoring in {pieces} pieces to stay within the database's memory")
    return model.linker.inference.predict(
        threshold_match_probability=threshold, num_chunks_left=pieces, num_chunks_right=1
    )
