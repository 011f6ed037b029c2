"""An id that names a row of another table which is not there (a relationship to a person in
no `persons` row, a movement of a prisoner in no `prisoners` row) is never silent: the row is
kept, as the contract keeps a row whose own id and essential fields are sound, and each such
reference is a warning (file, row, field) counted in the load report and the run manifest."""

from __future__ import annotations

import csv
from pathlib import Path

from paramount.db import DuckDBBackend
from paramount.loading import load_extract
from paramount.loading.rules import REFERENCES


def _append(path: Path, row: list[str]) -> int:
    """Append a data row; return its 1-based data row number."""
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(row)
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def test_unresolved_references_are_kept_warned_and_counted(extract: Path, load) -> None:
    clean = load(extract).report
    assert clean.unresolved_references == 0 and clean.warnings == 0
    rel_row = _append(
        extract / "relationships.csv", ["P9999", "P0002", "PARENT", "OTHER", "", "2023-01-01"]
    )
    both_row = _append(extract / "relationships.csv", ["P9998", "P9997", "CHILD", "OTHER", "", ""])
    move_row = _append(
        extract / "prison_movements.csv",
        [
            "Z9999ZZ",
            "B9009",
            "ADM",
            "IN",
            "N",
            "2024-05-01T10:00:00",
            "X",
            "BZI",
            "BULLINGDON (HMP)",
        ],
    )
    loaded = load(extract)
    report = loaded.report
    rels, moves = report.tables["relationships"], report.tables["prison_movements"]
    # Kept: nothing set aside, the counts still reconcile.
    assert report.reconciles and rels.rejected == 0 and moves.rejected == 0
    assert rels.loaded == clean.tables["relationships"].loaded + 2
    assert loaded.rows("SELECT count(*) FROM prison_movements WHERE prisoner_number = 'Z9999ZZ'")
    assert (rels.unresolved_references, rels.warnings) == (3, 3)
    assert (moves.unresolved_references, moves.warnings) == (1, 1)
    warned = sorted(
        (w["table"], w["file"], int(w["row"]), w["field"], w["reason"]) for w in loaded.warnings()
    )
    assert warned == sorted(
        [
            (
                "prison_movements",
                "prison_movements.csv",
                move_row,
                "prisoner_number",
                "prisoner_number not in prisoners",
            ),
            (
                "relationships",
                "relationships.csv",
                rel_row,
                "person_id",
                "person_id not in persons",
            ),
            (
                "relationships",
                "relationships.csv",
                both_row,
                "person_id",
                "person_id not in persons",
            ),
            (
                "relationships",
                "relationships.csv",
                both_row,
                "related_person_id",
                "related_person_id not in persons",
            ),
        ]
    )
    manifest = report.to_dict()
    assert manifest["totals"]["unresolved_references"] == 4
    assert manifest["totals"]["warnings"] == len(loaded.warnings())
    assert manifest["tables"]["relationships"]["unresolved_references"] == 3


def test_a_reused_load_reports_the_same_unresolved_references(
    extract: Path, tmp_path: Path
) -> None:
    _append(extract / "relationships.csv", ["P9999", "P0002", "PARENT", "OTHER", "", ""])
    db = DuckDBBackend.open(tmp_path / "force.duckdb")
    first = load_extract(extract, db, quarantine_dir=tmp_path / "q1", reuse=True)
    again = load_extract(extract, db, quarantine_dir=tmp_path / "q2", reuse=True)
    assert again.reused and again.unresolved_references == first.unresolved_references == 1
    warnings = list(csv.DictReader((tmp_path / "q2" / "warnings.csv").open(newline="")))
    assert [w["reason"] for w in warnings] == ["person_id not in persons"]


def test_every_reference_names_real_contract_columns() -> None:
    from paramount.contract.tables import EXTRACT_TABLES

    for ref in REFERENCES:
        assert ref.column in EXTRACT_TABLES[ref.table].column_names
        assert ref.target_column in EXTRACT_TABLES[ref.target].key, ref
