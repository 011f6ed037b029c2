"""The scoring beyond precision and recall, on inputs small enough to count by hand."""

from __future__ import annotations

import pytest

from paramount.evaluation import (
    calibration_bins,
    expected_calibration_error,
    pairwise_dedup,
    recall_by_origin,
)


def test_calibration_bins_count_mean_and_share() -> None:
    rows = [(0.55, True), (0.58, False), (0.995, True), (1.0, True), (0.97, False)]
    bins = calibration_bins(rows)
    assert [(b["from"], b["to"], b["rows"]) for b in bins] == [
        (0.5, 0.6, 2),
        (0.95, 0.99, 1),
        (0.99, 1.0, 2),  # 1.0 falls in the top bin
    ]
    assert bins[0]["mean_confidence"] == pytest.approx(0.565)
    assert bins[0]["share_right"] == 0.5
    assert bins[1]["share_right"] == 0.0
    assert bins[2]["mean_confidence"] == pytest.approx(0.9975)
    assert not any(b["off"] for b in bins)  # too few rows to judge


def test_a_full_bin_more_than_three_points_off_is_flagged() -> None:
    # 40 rows stating 0.99, 36 right (0.90): off; 40 stating 0.9, 35 right (0.875): within 3
    rows = [(0.99, i < 36) for i in range(40)] + [(0.9, i < 35) for i in range(40)]
    bins = {b["from"]: b for b in calibration_bins(rows)}
    assert bins[0.99]["off"] and bins[0.99]["gap"] == pytest.approx(-0.09)
    assert not bins[0.9]["off"]
    # ECE: half the rows 0.09 off, half 0.025 off
    assert expected_calibration_error(list(bins.values())) == pytest.approx(0.0575)


def test_ece_of_a_perfect_list_is_zero_and_of_nothing_is_zero() -> None:
    rows = [(0.75, i < 3) for i in range(4)]
    assert expected_calibration_error(calibration_bins(rows)) == 0.0
    assert expected_calibration_error([]) == 0.0


def test_pairwise_dedup_by_hand() -> None:
    # individuals: A has records 1,2,3; B has 4,5. Predicted groups: {1,2}, {3,4,5}
    pairs = [("g1", "A"), ("g1", "A"), ("g2", "A"), ("g2", "B"), ("g2", "B")]
    d = pairwise_dedup(pairs)
    # predicted pairs: 1 + 3 = 4; true pairs: 3 + 1 = 4; right: (1,2) and (4,5) = 2
    assert (d["predicted_pairs"], d["true_pairs"], d["right_pairs"]) == (4, 4, 2)
    assert d["precision"] == 0.5 and d["recall"] == 0.5 and d["f1"] == 0.5


def test_pairwise_dedup_all_singletons() -> None:
    d = pairwise_dedup([("g1", "A"), ("g2", "A"), ("g3", "B")])
    assert d["precision"] == 1.0  # nothing predicted, nothing wrong
    assert d["recall"] == 0.0


def test_recall_by_origin_groups_british_and_not() -> None:
    children = [("c1", True), ("c2", False), ("c3", True), ("c4", True), ("c5", False)]
    origin = {"c1": "WHITE_BRITISH", "c2": "WHITE_BRITISH", "c3": "POLISH", "c4": "INDIAN"}
    r = recall_by_origin(children, origin)
    assert r["BRITISH"] == {"children": 2, "found": 1, "recall": 0.5}
    assert r["NOT_BRITISH"] == {"children": 3, "found": 2, "recall": 0.6667}
    assert r["POLISH"]["recall"] == 1.0
    assert r["UNKNOWN"]["children"] == 1  # no origin in the truth: counted apart, not British


def test_dedup_scores_read_a_runs_entities_against_the_truth(tmp_path) -> None:
    from paramount.db import DuckDBBackend
    from paramount.evaluation import dedup_scores

    db = DuckDBBackend.open(tmp_path / "run.duckdb")
    db.execute(
        "CREATE TABLE pm_entity_members (entity_id VARCHAR, source VARCHAR, record_id VARCHAR)"
    )
    db.execute(
        "INSERT INTO pm_entity_members VALUES ('e1', 'RMS', 'P1'), ('e1', 'RMS', 'P2'), "
        "('e2', 'RMS', 'P3'), ('e2', 'PRISONER', 'A1234BC')"
    )
    db.close()
    (tmp_path / "rms_persons.csv").write_text(
        "person_id,individual_id\nP1,I1\nP2,I1\nP3,I1\n", encoding="utf-8"
    )
    d = dedup_scores(tmp_path / "run.duckdb", tmp_path)
    # one individual, three records: 3 true pairs, 1 predicted and right; prisoners ignored
    assert (d["true_pairs"], d["predicted_pairs"], d["right_pairs"]) == (3, 1, 1)
    assert d["precision"] == 1.0 and d["recall"] == 0.3333
