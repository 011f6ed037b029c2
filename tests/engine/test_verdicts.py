"""The force's checkers' verdicts read back into identification (issue 12).

A small force through the real pipeline on DuckDB: prisoner A1234BC is received in March
2024 (booking B1) and again in September (B2, a recall), and his child is listed each time;
prisoner B2345CD, received in September, is the row no verdict speaks of. Verdicts about B1
are read before the second half-year is listed. Every name, id and date is invented.
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

import pytest
from engine_extract import PNC_A, PNC_B, Extract
from test_moved_on import _background

sys.path.insert(0, str(Path(__file__).parent / "routes"))
from family import address, lives

from paramount.contract.tables import VERDICT_COLUMNS, VERDICT_EXTRA_COLUMNS
from paramount.engine import DecisionSettings, IdentificationResult, identify
from paramount.engine.decision.correction import Correction, fit_correction, tokens_sql
from paramount.progress import SilentReporter
from paramount.verdicts import VerdictKnowledge, learn_from_verdicts, read_verdicts

METHOD = "routes-exact"
DECISION = DecisionSettings(em_iterations=4)  # converged enough for these families, and quick
FIRST_HALF = (date(2024, 1, 1), date(2024, 6, 30))
SECOND_HALF = (date(2024, 7, 1), date(2024, 12, 31))
CHECKED = "2024-03-24"


def _force(x: Extract) -> None:
    """P1 (A1234BC) is C1's recorded father and lives with her; received twice. P2
    (B2345CD) is C2's, received once, in September."""
    x.prisoner("A1234BC", pnc=PNC_A)
    x.movement("A1234BC", "B1", "2024-03-10T10:00:00")
    x.movement("A1234BC", "B1", "2024-05-01T10:00:00", movement_type="REL", direction="OUT")
    x.movement("A1234BC", "B2", "2024-09-10T10:00:00")
    x.prisoner("B2345CD", pnc=PNC_B)
    x.movement("B2345CD", "B3", "2024-09-12T10:00:00")
    for nominal, pnc, child, surname in (("P1", PNC_A, "C1", "Oneson"), ("P2", PNC_B, "C2", "Two")):
        x.person(nominal, dob=date(1985, 5, 1), pnc=pnc, surname=surname, forenames="Sam", sex="M")
        x.person(child, dob=date(2015, 4, 1), surname=surname, forenames="Robin", sex="F")
        x.relationship(nominal, child, "PARENT", recorded_at=date(2019, 5, 5))
        address(x, f"H{nominal}", postcode=f"OX4 {nominal[1]}HH")
        for pid in (nominal, child):
            lives(x, pid, f"H{nominal}", since=date(2015, 4, 1))
    _background(x)


@pytest.fixture
def force(extract: Extract) -> Extract:
    _force(extract)
    return extract


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=(*VERDICT_COLUMNS, *VERDICT_EXTRA_COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in (*VERDICT_COLUMNS, *VERDICT_EXTRA_COLUMNS)})
    return path


def _verdict(child: str = "C1", verdict: str = "REJECTED", reason: str = "SIBLING", **kw: str):
    return {
        "booking_id": "B1",
        "prisoner_number": "A1234BC",
        "child_person_ids": child,
        "child_surname": "Oneson",
        "child_forenames": "Robin",
        "child_date_of_birth": "2015-04-01",
        "verdict": verdict,
        "reason": reason if verdict == "REJECTED" else "",
        "checked_on": CHECKED,
        **kw,
    }


def _second_half(
    x: Extract, files: list[Path] | None = None
) -> tuple[IdentificationResult, VerdictKnowledge | None]:
    backend = x.backend()
    knowledge = None
    if files is not None:
        knowledge = learn_from_verdicts(
            backend,
            read_verdicts(files),
            method=METHOD,
            decision=DECISION,
            reporter=SilentReporter(),
        )
    result = identify(
        backend,
        *SECOND_HALF,
        method=METHOD,
        decision=DECISION,
        verdicts=None if knowledge is None else knowledge.correction,
    )
    return result, knowledge


def _listed(result: IdentificationResult) -> dict[tuple[str, str], dict]:
    return {(r["booking_id"], r["child_person_ids"]): r for r in result.children.to_pylist()}


def _reviewed(result: IdentificationResult) -> dict[tuple[str, str], dict]:
    assert result.review is not None
    return {(r["booking_id"], r["child_person_ids"]): r for r in result.review.to_pylist()}


def test_without_verdicts_the_recalled_prisoners_child_is_listed_again(force: Extract) -> None:
    """The ground the other tests stand on: both halves list C1 for A1234BC."""
    first = identify(force.backend(), *FIRST_HALF, method=METHOD, decision=DECISION)
    assert ("B1", "C1") in _listed(first)
    second, _ = _second_half(force)
    assert {("B2", "C1"), ("B3", "C2")} <= set(_listed(second))


@pytest.mark.parametrize("reason", ["SIBLING", "ADULT"])
def test_a_rejected_pair_never_returns(force: Extract, tmp_path: Path, reason: str) -> None:
    """A sibling stays a sibling: the next reception lists the child neither on the
    worklist nor for review; the other prisoner's child is still listed."""
    second, knowledge = _second_half(force, [_write(tmp_path / "v.csv", [_verdict(reason=reason)])])
    assert knowledge is not None and knowledge.held == 1 and knowledge.problems == []
    assert ("B2", "C1") not in _listed(second)
    assert ("B2", "C1") not in _reviewed(second)
    assert ("B3", "C2") in _listed(second)


def test_not_born_holds_for_that_reception_only(force: Extract, tmp_path: Path) -> None:
    """A child not born on an earlier reception day may be born by a later one."""
    second, _ = _second_half(force, [_write(tmp_path / "v.csv", [_verdict(reason="NOT_BORN")])])
    assert ("B2", "C1") in _listed(second)


def test_a_confirmed_child_stays_listed(force: Extract, tmp_path: Path) -> None:
    second, knowledge = _second_half(
        force, [_write(tmp_path / "v.csv", [_verdict(verdict="CONFIRMED")])]
    )
    assert knowledge is not None and knowledge.held == 0 and knowledge.correction.labels == 1
    assert ("B2", "C1") in _listed(second)


def test_an_ended_relationship_stays_ended_without_newer_evidence(
    force: Extract, tmp_path: Path
) -> None:
    second, _ = _second_half(
        force, [_write(tmp_path / "v.csv", [_verdict(reason="RELATIONSHIP_ENDED")])]
    )
    assert ("B2", "C1") not in _listed(second)
    assert ("B2", "C1") not in _reviewed(second)


def test_an_ended_relationship_returns_with_newer_evidence_for_review(
    force: Extract, tmp_path: Path
) -> None:
    """Recorded as her father again in August, after the checker found it had ended in
    March: the pair comes back, to review, saying why, never straight to the worklist."""
    force.relationship("P1", "C1", "PARENT", recorded_at=date(2024, 8, 1))
    second, _ = _second_half(
        force, [_write(tmp_path / "v.csv", [_verdict(reason="RELATIONSHIP_ENDED")])]
    )
    assert ("B2", "C1") not in _listed(second)
    row = _reviewed(second)[("B2", "C1")]
    assert "had ended (checked 24 March 2024)" in row["evidence"]
    assert "1 August 2024" in row["evidence"]


def test_a_duplicate_verdict_merges_two_rows(force: Extract, tmp_path: Path) -> None:
    """C1's second nominal (her mother's surname, a name she is known by, day and month of birth
    swapped) is listed apart; the checker marks it a duplicate of C1: next time, one row
    with both ids."""
    force.person("C9", dob=date(2015, 1, 4), surname="Mumsname", forenames="Sunny", sex="F")
    force.relationship("P1", "C9", "PARENT", recorded_at=date(2020, 6, 6))
    lives(force, "C9", "HP1", since=date(2015, 4, 1))
    first = identify(force.backend(), *FIRST_HALF, method=METHOD, decision=DECISION)
    assert {("B1", "C1"), ("B1", "C9")} <= set(_listed(first))
    verdicts = [
        _verdict(verdict="CONFIRMED"),
        _verdict(
            child="C9",
            reason="DUPLICATE",
            child_surname="Mumsname",
            child_forenames="Sunny",
            duplicate_of_person_ids="C1",
        ),
    ]
    second, knowledge = _second_half(force, [_write(tmp_path / "v.csv", verdicts)])
    assert knowledge is not None and knowledge.correction.labels == 1  # a duplicate: no label
    listed = _listed(second)
    assert ("B2", "C1;C9") in listed
    assert not {("B2", "C1"), ("B2", "C9")} & set(listed)


def test_another_forces_file_is_refused_and_changes_nothing(force: Extract, tmp_path: Path) -> None:
    plain, _ = _second_half(force)
    foreign = _verdict(booking_id="Z99", prisoner_number="Z9999ZZ")
    second, knowledge = _second_half(force, [_write(tmp_path / "other.csv", [foreign])])
    assert knowledge is not None
    assert [(p.row, p.field) for p in knowledge.problems] == [(0, "booking_id")]
    assert "another force" in knowledge.problems[0].reason
    assert second.children.to_pylist() == plain.children.to_pylist()


def test_bad_rows_are_reported_and_change_no_other_row(force: Extract, tmp_path: Path) -> None:
    """An unknown child, an unknown reason, a reception of another prisoner and a date that
    is not one are each reported by file, row and field; the good row acts alone."""
    good = _write(tmp_path / "good.csv", [_verdict()])
    bad = _write(
        tmp_path / "mixed.csv",
        [
            _verdict(),
            _verdict(child="C404"),
            _verdict(reason="COUSIN"),
            _verdict(prisoner_number="B2345CD"),
            _verdict(checked_on="24/03/2024"),
        ],
    )
    alone, _ = _second_half(force, [good])
    mixed, knowledge = _second_half(force, [bad])
    assert knowledge is not None
    assert sorted((p.file, p.row, p.field) for p in knowledge.problems) == [
        (str(bad), 2, "child_person_ids"),
        (str(bad), 3, "reason"),
        (str(bad), 4, "prisoner_number"),
        (str(bad), 5, "checked_on"),
    ]
    assert mixed.children.to_pylist() == alone.children.to_pylist()


def test_a_file_without_a_contract_column_is_set_aside_whole(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text("booking_id,prisoner_number,verdict\nB1,A1234BC,CONFIRMED\n")
    rows = read_verdicts([path])
    assert rows.table.num_rows == 0
    assert [(p.row, p.field) for p in rows.problems] == [(0, "child_person_ids")]


def test_a_folder_stands_for_its_files(tmp_path: Path) -> None:
    _write(tmp_path / "a.csv", [_verdict()])
    _write(tmp_path / "b.csv", [_verdict(verdict="CONFIRMED")])
    rows = read_verdicts([tmp_path])
    assert rows.table.num_rows == 2 and set(rows.rows_read.values()) == {1}


# -- the correction itself ----------------------------------------------------------------


def test_without_labels_the_correction_is_the_model() -> None:
    c = fit_correction([])
    assert c == Correction() and c.sql("x.confidence", "x.tokens") == "x.confidence"


def test_labels_against_a_description_weigh_against_it() -> None:
    """Rows described `lone=yes` are wrong two times in three on the force's verdicts (a
    year's, 150 of them): their corrected confidence falls below one half, beyond doubt;
    the others' stays high."""
    labelled = [(0.99, ["lone=yes"], i % 3 == 0) for i in range(150)]
    labelled += [(0.99, ["lone=no"], True) for _ in range(150)]
    c = fit_correction(labelled)
    assert c.probability(0.99, ["lone=yes"]) < 0.5 < 0.95 < c.probability(0.99, ["lone=no"])
    assert c.doubted(0.99, ["lone=yes"]) and not c.doubted(0.99, ["lone=no"])


def test_a_few_labels_move_no_row_off_the_worklist() -> None:
    """Two wrong rows of two lower the confidence, but do not show beyond doubt that rows
    like them are more often wrong: they stay listed. Forty show it."""
    few = fit_correction([(0.99, ["lone=yes"], False)] * 2 + [(0.99, ["lone=no"], True)] * 20)
    assert few.probability(0.99, ["lone=yes"]) < 0.99
    assert not few.doubted(0.99, ["lone=yes"])
    many = fit_correction([(0.99, ["lone=yes"], i % 3 == 0) for i in range(60)])
    assert many.doubted(0.99, ["lone=yes"])


def test_one_wrong_row_in_twenty_keeps_the_confidence_high() -> None:
    c = fit_correction([(0.99, ["a"], i != 0) for i in range(20)])
    assert 0.9 < c.probability(0.99, ["a"]) < 0.99


def test_the_sql_and_python_corrections_agree(force: Extract) -> None:
    identify(force.backend(), *FIRST_HALF, method=METHOD, decision=DECISION)
    rows = force.rows(f"SELECT confidence, {tokens_sql('d')} AS tokens FROM pm_decided AS d")
    labelled = [(r["confidence"], r["tokens"], i % 4 != 0) for i, r in enumerate(rows)]
    c = fit_correction(labelled)
    sql = force.rows(
        f"SELECT {c.sql('d.confidence', tokens_sql('d'))} AS p, d.confidence, "
        f"{tokens_sql('d')} AS tokens FROM pm_decided AS d"
    )
    for r in sql:
        assert r["p"] == pytest.approx(c.probability(r["confidence"], r["tokens"]), abs=1e-9)
