"""A run that reuses the decision model kept on the force database lists what a run that learns
it afresh lists: exactly, for the window it was learnt for; within a stated bound, for a day
up to a month from it (`engine/model_store.py`). On a synthetic force, through
`identify_extract` as the daily run calls it."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from paramount.db import DuckDBBackend
from paramount.run import identify_extract
from paramount.synth import generate_force

pytestmark = pytest.mark.slow
MONTH = (date(2025, 10, 1), date(2025, 10, 31))
# A day's confidences under the month's model and under its own differ by no more than this.
# The two models are learnt from the same records at reference dates up to a month apart (who
# is a child on the window's first day, whose home is current on its last), so their
# parameters differ by the few pairs whose ages or homes change in that month; measured on
# this force at most 0.005, on a 100,000-person force at most 0.02 (docs/benchmarks.md).
BOUND = 0.05


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(extract, force database, the month's run folder): the month identified once on a
    force database, which resolves the extract and learns and keeps the model."""
    root = tmp_path_factory.mktemp("reuse")
    generate_force(20_000, 35, root / "force")
    extract, db = root / "force" / "extract", root / "force.duckdb"
    run = identify_extract(extract, root / "month", date_from=MONTH[0], date_to=MONTH[1], db=db)
    assert run.identification.model is not None
    assert run.identification.model["model"] == "learnt"
    return extract, db, root / "month"


def _copy(db: Path, to: Path) -> Path:
    """A copy of the force database (and its identity models), so each run starts alike."""
    shutil.copy(db, to)
    models = db.with_name(db.name + ".models")
    if models.exists():
        shutil.copytree(models, to.with_name(to.name + ".models"))
    return to


def _decided(db: Path) -> dict[tuple[str, str], tuple[float, str]]:
    """Every candidate the run decided on (listed, review or dropped): its confidence."""
    with DuckDBBackend.open(db) as backend:
        rows = backend.fetch_rows(
            "SELECT booking_id, child_key, confidence, decision FROM pm_decided"
        )
    return {(r["booking_id"], r["child_key"]): (r["confidence"], r["decision"]) for r in rows}


def _listed(out: Path) -> list[dict[str, str]]:
    rows = []
    for name in ("children.csv", "review.csv"):
        if (out / name).exists():
            with (out / name).open(newline="") as f:
                rows += [{**r, "file": name} for r in csv.DictReader(f)]
    return rows


def _model(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())["identification"]["model"]


def test_the_window_the_model_was_learnt_for_lists_the_same_rows(
    force: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    extract, db, month = force
    again = _copy(db, tmp_path / "again.duckdb")
    out = tmp_path / "again"
    identify_extract(extract, out, date_from=MONTH[0], date_to=MONTH[1], db=again)
    model = _model(out)
    assert model["model"] == "reused"
    assert model["learnt_by"]["window_from"] == MONTH[0].isoformat()
    assert model["learnt_by"]["run"] == str(month)
    assert model["model_id"] == _model(month)["kept_as"]
    steps = [
        s["name"]
        for s in json.loads((out / "manifest.json").read_text())["identification"]["steps"]
    ]
    assert "em_population" not in steps and "em_01" not in steps  # nothing fitted
    for name in ("children.csv", "review.csv"):
        assert (out / name).read_bytes() == (month / name).read_bytes()
    learnt, reused = _decided(db), _decided(again)
    assert reused.keys() == learnt.keys() and learnt
    for key, (confidence, decision) in reused.items():
        assert decision == learnt[key][1]
        assert confidence == pytest.approx(learnt[key][0], abs=1e-9)  # the order of a sum


def test_a_day_reusing_the_months_model_lists_what_learning_afresh_lists(
    force: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    extract, db, month = force
    days = sorted({date.fromisoformat(r["reception_date"]) for r in _listed(month)})
    assert days, "the month lists no child: no day to compare"
    for day in days:
        reusing = _copy(db, tmp_path / f"{day}-reusing.duckdb")
        fresh = _copy(db, tmp_path / f"{day}-fresh.duckdb")
        out_reusing, out_fresh = tmp_path / f"{day}-reusing", tmp_path / f"{day}-fresh"
        identify_extract(extract, out_reusing, date_from=day, date_to=day, db=reusing)
        identify_extract(extract, out_fresh, date_from=day, date_to=day, db=fresh, relearn=True)
        assert _model(out_reusing)["model"] == "reused"
        assert _model(out_fresh)["why"] == "asked to relearn"

        a, b = _decided(reusing), _decided(fresh)
        assert a.keys() == b.keys() and a
        for key in a:
            assert a[key][1] == b[key][1]  # the same decision: listed, review or dropped
            assert abs(a[key][0] - b[key][0]) <= BOUND
        listed_a, listed_b = _listed(out_reusing), _listed(out_fresh)
        assert [(r["file"], r["child_entity"]) for r in listed_a] == [
            (r["file"], r["child_entity"]) for r in listed_b
        ]
