"""The scorer is the ruler every method is measured with: test it against hand-worked cases."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from paramount.contract.tables import CHILDREN_COLUMNS, TRUTH_TABLES
from paramount.evaluation import evaluate


def _write(path: Path, columns: tuple[str, ...] | list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)


@pytest.fixture
def force(tmp_path: Path) -> Path:
    """A tiny truth: prisoner X (booking B1, 2025-03-01, in area) has children C1, C2, C3;
    C1 has two nominals; C3 has no record anywhere; C4 is an affected child of an out-of-area
    booking B2; C5 belongs to a reception outside the window (B3). C6 is known only as a
    prisoner contact of X."""
    truth = tmp_path / "truth"
    t = TRUTH_TABLES
    _write(truth / "individuals.csv", t["individuals"].columns, [])
    _write(
        truth / "rms_persons.csv",
        t["rms_persons"].columns,
        [
            {"person_id": "P1a", "individual_id": "C1"},
            {"person_id": "P1b", "individual_id": "C1"},
            {"person_id": "P2", "individual_id": "C2"},
            {"person_id": "P4", "individual_id": "C4"},
            {"person_id": "P5", "individual_id": "C5"},
            {"person_id": "P9", "individual_id": "STRANGER"},
        ],
    )
    _write(truth / "partner_persons.csv", t["partner_persons"].columns, [])
    _write(
        truth / "contacts.csv",
        t["contacts"].columns,
        [{"prisoner_number": "A1234BC", "row_index": "0", "individual_id": "C6"}],
    )
    _write(truth / "prisoners.csv", t["prisoners"].columns, [])
    aff = []
    for child, booking, day, area in (
        ("C1", "B1", "2025-03-01", "Y"),
        ("C2", "B1", "2025-03-01", "Y"),
        ("C3", "B1", "2025-03-01", "Y"),
        ("C6", "B1", "2025-03-01", "Y"),
        ("C4", "B2", "2025-04-01", "N"),
        ("C5", "B3", "2024-06-01", "Y"),
    ):
        aff.append(
            {
                "child_individual_id": child,
                "parent_individual_id": "X",
                "prisoner_number": "A1234BC",
                "booking_id": booking,
                "reception_date": day,
                "relationship": "STEP_PARENT" if child == "C2" else "BIRTH_PARENT",
                "lives_with": "Y",
                "in_area": area,
            }
        )
    _write(truth / "affected_children.csv", t["affected_children"].columns, aff)
    _write(
        tmp_path / "extract" / "prisoner_contacts.csv",
        ["prisoner_number", "booking_id", "first_name", "last_name", "date_of_birth"],
        [
            {
                "prisoner_number": "A1234BC",
                "booking_id": "B1",
                "first_name": "Ada",
                "last_name": "Quill",
                "date_of_birth": "",
            }
        ],
    )
    return tmp_path


def _children(path: Path, rows: list[dict]) -> Path:
    full = [{c: r.get(c, "") for c in CHILDREN_COLUMNS} for r in rows]
    _write(path, CHILDREN_COLUMNS, full)
    return path


def test_scores_follow_the_contract(force: Path, tmp_path: Path) -> None:
    rows = [
        # C1 through both nominals: one right row
        {"child_person_ids": "P1a;P1b", "booking_id": "B1", "sources": "RMS_RELATIONSHIP"},
        # C1 again through one nominal: a duplicate
        {"child_person_ids": "P1b", "booking_id": "B1", "sources": "CO_RESIDENCE"},
        # an unrelated child: wrong
        {"child_person_ids": "P9", "booking_id": "B1", "sources": "CO_OCCURRENCE"},
        # C4 of an out-of-area booking: wrong (outside)
        {"child_person_ids": "P4", "booking_id": "B2", "sources": "RMS_RELATIONSHIP"},
        # C5 of a reception before the window: wrong (outside)
        {"child_person_ids": "P5", "booking_id": "B3", "sources": "RMS_RELATIONSHIP"},
        # C6 known only as a contact, no ids: matched by name
        {
            "child_surname": "QUILL",
            "child_forenames": "Ada May",
            "prisoner_number": "A1234BC",
            "booking_id": "B1",
            "sources": "PRISON_CONTACT",
        },
        # ids that map to nobody
        {"child_person_ids": "NOPE", "booking_id": "B1", "sources": "CO_OCCURRENCE"},
    ]
    scores = evaluate(
        _children(tmp_path / "children.csv", rows),
        force / "truth",
        date(2025, 1, 1),
        date(2025, 12, 31),
        verdicts_csv=tmp_path / "verdicts.csv",
    )
    with (tmp_path / "verdicts.csv").open() as f:
        verdicts = [(r["row_id"], r["verdict"]) for r in csv.DictReader(f)]
    listed = sorted((int(i), v) for i, v in verdicts if i)
    assert listed == [
        (1, "RIGHT"), (2, "DUPLICATE"), (3, "WRONG"), (4, "OUTSIDE"), (5, "OUTSIDE"),
        (6, "RIGHT"), (7, "UNMATCHED"),
    ]  # fmt: skip
    assert [v for i, v in verdicts if not i] == ["MISSED"]  # C2, identifiable, not listed
    assert scores.rows == 7
    assert scores.right_rows == 2
    assert scores.duplicate_rows == 1
    assert scores.outside_rows == 2
    assert scores.unmatched_rows == 1
    assert scores.precision == pytest.approx(2 / 7, abs=1e-4)
    # affected in area and window: C1, C2, C3, C6; identifiable: C1, C2, C6 (C3 has no record)
    assert scores.affected == 4
    assert scores.identifiable == 3
    assert scores.recall == pytest.approx(2 / 3, abs=1e-4)
    assert scores.coverage == pytest.approx(2 / 4, abs=1e-4)
    assert scores.duplicate_rate == pytest.approx(1 / 7, abs=1e-4)
    assert scores.found_by_route["RMS_RELATIONSHIP"] == 1
    assert scores.found_by_route["CO_RESIDENCE"] == 1  # the duplicate row still shows the route
    assert scores.found_by_route["PRISON_CONTACT"] == 1
    assert scores.recall_by_relationship["STEP_PARENT"] == 0.0
    assert scores.recall_by_relationship["BIRTH_PARENT"] == 1.0


def test_majority_of_ids_decides_the_child(force: Path, tmp_path: Path) -> None:
    rows = [{"child_person_ids": "P9;P1a;P1b", "booking_id": "B1"}]
    scores = evaluate(
        _children(tmp_path / "c.csv", rows), force / "truth", date(2025, 1, 1), date(2025, 12, 31)
    )
    assert scores.right_rows == 1


def test_empty_list_scores_zero(force: Path, tmp_path: Path) -> None:
    scores = evaluate(
        _children(tmp_path / "c.csv", []), force / "truth", date(2025, 1, 1), date(2025, 12, 31)
    )
    assert scores.rows == 0
    assert scores.precision == 0.0
    assert scores.recall == 0.0
    assert scores.identifiable == 3


def test_reliability_bins_compare_stated_confidence_with_share_right(
    force: Path, tmp_path: Path
) -> None:
    rows = [
        {"child_person_ids": "P1a", "booking_id": "B1", "confidence": "0.95"},  # right
        {"child_person_ids": "P2", "booking_id": "B1", "confidence": "0.91"},  # right
        {"child_person_ids": "P9", "booking_id": "B1", "confidence": "0.35"},  # wrong
        {"child_person_ids": "P1b", "booking_id": "B1", "confidence": "0.32"},  # duplicate
    ]
    scores = evaluate(
        _children(tmp_path / "c.csv", rows), force / "truth", date(2025, 1, 1), date(2025, 12, 31)
    )
    bins = {b["from"]: b for b in scores.reliability}
    assert set(bins) == {0.3, 0.9}
    assert bins[0.9]["rows"] == 2
    assert bins[0.9]["share_right"] == 1.0
    assert bins[0.9]["mean_confidence"] == pytest.approx(0.93)
    assert bins[0.3]["share_right"] == 0.0
