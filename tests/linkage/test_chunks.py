"""Splink's prediction in pieces when the database's memory is short (issue 13)."""

from __future__ import annotations

import logging

import pytest
from linkage_world import Resolved

from paramount.db import DuckDBBackend
from paramount.linkage import chunks
from paramount.linkage.models import TrainedModel, build_linker
from paramount.linkage.prepare import NOMINAL_RECORDS


def _model(db: DuckDBBackend, resolved: Resolved) -> TrainedModel:
    return build_linker(
        db, [NOMINAL_RECORDS], link_type="dedupe_only",
        model_path=resolved.models_dir / "nominal.json", retrain=False,
    )  # fmt: skip


def _scored(db: DuckDBBackend, resolved: Resolved, pieces: int | None) -> set[tuple]:
    model = _model(db, resolved)
    predictions = chunks.predict(db, model, [NOMINAL_RECORDS], threshold=0.5, pieces=pieces)
    rows = db.fetch_tuples(
        f"SELECT unique_id_l, unique_id_r, round(match_probability, 12) "
        f"FROM {predictions.physical_name}"
    )
    predictions.drop_table_from_database_and_remove_from_cache()
    return set(rows)


def test_pieces_score_the_same_pairs_as_one(
    resolved: Resolved, caplog: pytest.LogCaptureFixture
) -> None:
    db = DuckDBBackend(resolved.con)
    whole = _scored(db, resolved, None)  # this machine's memory: one piece
    with caplog.at_level(logging.INFO, logger="splink"):
        pieces = _scored(db, resolved, 3)
    assert sum("chunk" in r.getMessage() for r in caplog.records) >= 3
    assert pieces == whole and len(whole) > 1000


def test_the_pieces_follow_the_pairs_and_the_memory(resolved: Resolved) -> None:
    db = DuckDBBackend(resolved.con)
    pairs = chunks.blocked_pairs(db, _model(db, resolved), [NOMINAL_RECORDS])
    scored = _scored(db, resolved, 1)
    assert pairs >= len(scored)  # every scored pair was a blocked pair (counted exactly here)
    assert chunks.chunks_for(pairs, None) == 1
    assert chunks.chunks_for(pairs, 64 * 2**30) == 1
    # 2.4 million people: 156 million pairs; held to 4 GB, in six pieces; 16 GB, in two
    assert chunks.chunks_for(156_000_000, 4 * 10**9) == 6
    assert chunks.chunks_for(156_000_000, 16 * 10**9) == 2
