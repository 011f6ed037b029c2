"""`identify_extract`, the library's whole run: what the command line and a daily job call."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from paramount.contract.tables import VERDICT_COLUMNS
from paramount.engine import DecisionSettings
from paramount.run import identify_extract
from paramount.synth import generate_force

pytestmark = pytest.mark.slow
WINDOW = (date(2025, 1, 1), date(2025, 12, 31))


class RecordingReporter:
    """Keeps every task opened and every note said, as a progress display would show them."""

    def __init__(self) -> None:
        self.tasks: list[str] = []
        self.notes: list[tuple[str, str]] = []

    @contextmanager
    def task(self, description: str, total: float | None = None) -> Iterator[RecordingTask]:
        self.tasks.append(description)
        yield RecordingTask(self, description)


class RecordingTask:
    def __init__(self, reporter: RecordingReporter, description: str) -> None:
        self._reporter = reporter
        self._description = description

    def advance(self, amount: float = 1) -> None:
        return None

    def note(self, text: str) -> None:
        self._reporter.notes.append((self._description, text))


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("run")
    generate_force(20_000, 35, root / "force")
    return root / "force" / "extract"


def _rows(path: Path) -> int:
    with path.open(newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def test_a_full_run_writes_every_output_and_reports_splinks_progress(
    extract: Path, tmp_path: Path
) -> None:
    reporter = RecordingReporter()
    result = identify_extract(
        extract, tmp_path / "out", date_from=WINDOW[0], date_to=WINDOW[1], reporter=reporter
    )
    assert result.identification.method == "full"  # the default: the best method
    for path in (*result.outputs, result.manifest):
        assert path.exists() and path.parent == tmp_path / "out"
    assert result.review_csv is not None and result.identity_review_csv is not None
    assert _rows(result.children_csv) == result.counts["children"] > 0
    assert _rows(result.review_csv) == result.counts["review"]
    assert _rows(result.identity_review_csv) == result.counts["identity_review"]
    assert set(result.seconds) == {"load", "identify", "outputs", "total"}
    # every long step reaches the reporter: the load, each identity phase and Splink itself
    assert any(t.startswith("load ") for t in reporter.tasks)
    assert "Identity: deduplicating nominals" in reporter.tasks
    assert any(task.startswith("Identity:") for task, _ in reporter.notes)
    manifest = json.loads(result.manifest.read_text())
    assert manifest["parameters"]["decision"] == DecisionSettings().to_dict()
    assert manifest["identification"]["decision"] == DecisionSettings().to_dict()
    assert manifest["parameters"]["method"] == "full"
    listed = {o["file"] for o in manifest["outputs"]}
    assert listed == {p.name for p in result.outputs}


def test_decision_settings_reach_the_model_and_the_manifest(extract: Path, tmp_path: Path) -> None:
    settings = DecisionSettings(em_iterations=3, target_precision=0.99)
    result = identify_extract(
        extract,
        tmp_path / "out",
        date_from=WINDOW[0],
        date_to=WINDOW[1],
        method="routes-exact",
        decision=settings,
    )
    steps = [s.name for s in result.identification.steps]
    assert [s for s in steps if s[3:].isdigit()] == ["em_00", "em_01", "em_02", "em_03"]
    manifest = json.loads(result.manifest.read_text())
    assert manifest["parameters"]["decision"]["em_iterations"] == 3
    assert manifest["parameters"]["decision"]["target_precision"] == 0.99
    with result.children_csv.open(newline="") as f:
        thresholds = {float(r["threshold"]) for r in csv.DictReader(f) if r.get("threshold")}
    default = identify_extract(
        extract, tmp_path / "default", date_from=WINDOW[0], date_to=WINDOW[1],
        method="routes-exact",
    )  # fmt: skip
    with default.children_csv.open(newline="") as f:
        default_thresholds = {float(r["threshold"]) for r in csv.DictReader(f) if r["threshold"]}
    assert thresholds and default_thresholds
    assert min(thresholds) >= min(default_thresholds)  # a stricter target, a higher bar


def test_a_bad_window_or_method_is_refused_before_any_work(extract: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown method"):
        identify_extract(extract, tmp_path / "a", date_from=WINDOW[0], date_to=WINDOW[1],
                         method="guesswork")  # fmt: skip
    with pytest.raises(ValueError, match="before it starts"):
        identify_extract(extract, tmp_path / "b", date_from=WINDOW[1], date_to=WINDOW[0])
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_run_with_verdicts_learns_from_every_row_it_can_match(
    extract: Path, tmp_path: Path
) -> None:
    """One half-year listed and judged (every row confirmed but the first, rejected as a
    sibling), the next half-year listed with those verdicts: every verdict is matched and
    used, the rejected pair is not listed, and the earlier list's measured precision is in
    the manifest and `verdicts/precision_by_band.csv`, band by band."""
    first_half = (WINDOW[0], WINDOW[0].replace(month=6, day=30))
    first = identify_extract(
        extract, tmp_path / "first", date_from=first_half[0], date_to=first_half[1],
        method="routes-exact",
    )  # fmt: skip
    with first.children_csv.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 5
    verdicts = tmp_path / "verdicts.csv"
    with verdicts.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=(*VERDICT_COLUMNS, "stated_confidence"))
        writer.writeheader()
        for i, r in enumerate(rows):
            writer.writerow(
                {c: r.get(c, "") for c in VERDICT_COLUMNS}
                | {"verdict": "REJECTED" if i == 0 else "CONFIRMED",
                   "reason": "SIBLING" if i == 0 else "", "checked_on": r["reception_date"],
                   "stated_confidence": r["confidence"]}
            )
    result = identify_extract(
        extract, tmp_path / "again", date_from=first_half[0], date_to=WINDOW[1],
        method="routes-exact", verdicts=[verdicts],
    )  # fmt: skip
    manifest = json.loads(result.manifest.read_text())["verdicts"]
    assert manifest["rows_matched"] == manifest["labels_used"] == len(rows)
    assert manifest["rows_set_aside"] == 0 and manifest["pairs_held"] == 1
    assert sum(b["rows"] for b in manifest["measured_precision_by_band"]) == len(rows)
    with result.children_csv.open(newline="") as f:
        listed = {(r["booking_id"], r["child_person_ids"]) for r in csv.DictReader(f)}
    assert (rows[0]["booking_id"], rows[0]["child_person_ids"]) not in listed
    assert (rows[1]["booking_id"], rows[1]["child_person_ids"]) in listed
    with (result.out_dir / "verdicts" / "precision_by_band.csv").open(newline="") as f:
        bands = list(csv.DictReader(f))
    assert [b["band"] for b in bands] == [b["band"] for b in manifest["measured_precision_by_band"]]


def _figures(path: Path) -> dict[tuple[str, str, str], int]:
    """Counts summed over days: (measure, parent_sex, child_age_band) -> count."""
    totals: dict[tuple[str, str, str], int] = {}
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            assert WINDOW[0].isoformat() <= row["reception_date"] <= WINDOW[1].isoformat()
            key = (row["measure"], row["parent_sex"], row["child_age_band"])
            totals[key] = totals.get(key, 0) + int(row["count"])
    return totals


def _measure(totals: dict[tuple[str, str, str], int], measure: str) -> int:
    return sum(n for (m, _, _), n in totals.items() if m == measure)


def test_a_run_counts_each_day_beside_what_the_original_process_would_have_found(
    extract: Path, tmp_path: Path
) -> None:
    full = identify_extract(
        extract, tmp_path / "full", date_from=WINDOW[0], date_to=WINDOW[1], method="full"
    )
    baseline = identify_extract(
        extract, tmp_path / "baseline", date_from=WINDOW[0], date_to=WINDOW[1], method="baseline"
    )
    assert full.figures_csv is not None and baseline.figures_csv is not None
    mine, theirs = _figures(full.figures_csv), _figures(baseline.figures_csv)
    # children found are the rows listed, parents the receptions with a child listed
    with full.children_csv.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert _measure(mine, "children_found") == len(rows) > 0
    assert _measure(mine, "parents_found") == len({r["booking_id"] for r in rows})
    # the baseline run beside the full method counts what the baseline method lists alone,
    # and both runs see the same receptions of the force
    assert _measure(mine, "baseline_children") == baseline.counts["children"]
    assert _measure(theirs, "baseline_children") == _measure(theirs, "children_found")
    assert _measure(mine, "receptions") == _measure(theirs, "receptions")
    assert _measure(mine, "receptions") >= _measure(mine, "parents_found")
    # the full method finds more than the original process on a synthetic force
    assert _measure(mine, "children_found") > _measure(mine, "baseline_children")
    # the children's age bands and the parents' sexes add up to the same rows
    bands = {band for (m, _, band) in mine if m == "children_found"}
    assert bands <= {"0-4", "5-9", "10-15", "16-17", ""} and len(bands) >= 3
    assert {sex for (m, sex, _) in mine if m == "receptions"} >= {"M", "F"}
    # the full run's own tables are untouched by the baseline beside it
    manifest = json.loads(full.manifest.read_text())
    assert manifest["identification"]["children"] == len(rows)
    assert "figures.csv" in {o["file"] for o in manifest["outputs"]}
