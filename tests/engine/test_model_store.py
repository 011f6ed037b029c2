"""The learnt decision model kept on a force database: reused while it applies, relearnt when
it does not, and said which in the run's record (`engine/model_store.py`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlglot
from engine_extract import WINDOW, Extract

from paramount.db import Backend
from paramount.engine import RunParameters
from paramount.engine.methods import get_method
from paramount.engine.model_store import MAX_AGE_DAYS, MODEL_STATE, MODELS_KEPT, ModelStore
from paramount.engine.pipeline import FITTING, LEARNT, SCOPED, Pipeline, Step, run_pipeline

PARAMS = RunParameters(window_from=WINDOW[0], window_to=WINDOW[1], method="full")


def _toy() -> Pipeline:
    """The model's shape in four steps: force-wide rows (scoped when reused), a step that only
    fits, the learnt table, and a step that reads it."""
    return Pipeline(
        "toy",
        (
            Step(
                "rows",
                "force-wide rows",
                lambda p: f"SELECT {int(p.model_reused)} AS scoped, count(*) AS n FROM persons",
                model=SCOPED,
            ),
            Step("fit", "fitting only", lambda p: "SELECT 41 AS x", model=FITTING),
            Step("learnt", "the model", lambda p: "SELECT x + 1 AS y FROM pm_fit", model=LEARNT),
            Step("use", "reads the model", lambda p: "SELECT y FROM pm_learnt"),
        ),
    )


def _force_database(extract: Extract) -> Backend:
    """The extract's database as a force database: it holds a stored load."""
    backend = extract.backend()
    backend.execute("CREATE TABLE pm_load_state AS SELECT 'f1' AS fingerprint, '' AS report")
    return backend


def _run(backend: Backend, params: RunParameters = PARAMS, **kw: bool) -> ModelStore:
    models = ModelStore(**kw)
    run_pipeline(_toy(), backend, params, models=models)
    return models


def _value(backend: Backend, sql: str) -> object:
    return backend.fetch_value(sql)


def test_a_learnt_model_is_kept_and_the_next_run_reuses_it(extract: Extract) -> None:
    backend = _force_database(extract)
    first = _run(backend)
    assert first.outcome["model"] == "learnt"
    assert _value(backend, "SELECT scoped FROM pm_rows") == 0  # learning: every row

    # the kept table, planted: the reusing run must read it, not compute the model again
    kept = first.outcome["kept_as"]
    backend.execute(f"UPDATE pm_model_{kept}_learnt SET y = -1")
    again = _run(backend)
    assert again.outcome["model"] == "reused"
    assert again.outcome["model_id"] == kept
    assert again.outcome["learnt_at"] == first.outcome["learnt_at"]
    assert again.outcome["learnt_by"] == {
        "run": None,
        "method": "full",
        "window_from": WINDOW[0].isoformat(),
        "window_to": WINDOW[1].isoformat(),
    }
    assert _value(backend, "SELECT y FROM pm_use") == -1
    assert _value(backend, "SELECT scoped FROM pm_rows") == 1  # the window's rows only
    assert not backend.table_exists("pm_fit")  # not run, and no stale table left


def test_a_model_is_relearnt_when_asked(extract: Extract) -> None:
    backend = _force_database(extract)
    _run(backend)
    models = _run(backend, relearn=True)
    assert models.outcome == {**models.outcome, "model": "learnt", "why": "asked to relearn"}
    assert _value(backend, "SELECT y FROM pm_use") == 42


def test_a_model_is_relearnt_once_the_window_has_moved_beyond_its_age(extract: Extract) -> None:
    backend = _force_database(extract)
    _run(backend)
    near = timedelta(days=MAX_AGE_DAYS)
    within = replace(PARAMS, window_from=WINDOW[0] + near, window_to=WINDOW[1] + near)
    assert _run(backend, within).outcome["age_days"] == MAX_AGE_DAYS
    beyond = replace(within, window_from=within.window_from + timedelta(days=MAX_AGE_DAYS + 1))
    outcome = _run(backend, beyond).outcome
    assert outcome["model"] == "learnt"
    assert f"{2 * MAX_AGE_DAYS + 1} days from this window" in outcome["why"]


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE pm_load_state SET fingerprint = 'f2'",  # another extract loaded
        # identity resolved again (say, retrained)
        "CREATE TABLE pm_resolution_info AS SELECT 'r2' AS fingerprint",
    ],
)
def test_a_model_is_relearnt_when_its_inputs_change(extract: Extract, change: str) -> None:
    backend = _force_database(extract)
    _run(backend)
    backend.execute(change)
    outcome = _run(backend).outcome
    assert outcome["model"] == "learnt"
    assert "changed since the kept model was learnt" in outcome["why"]
    # the stale model, which can never apply again, is gone with its tables
    assert _value(backend, f"SELECT count(*) FROM {MODEL_STATE}") == 1
    assert _value(backend, "SELECT count(*) FROM pm_use") == 1


def test_a_model_is_relearnt_when_its_definition_changes(extract: Extract) -> None:
    backend = _force_database(extract)
    _run(backend)
    models = ModelStore()
    changed = Pipeline(
        "toy",
        tuple(
            replace(s, sql=lambda p: "SELECT 7 AS x") if s.name == "fit" else s
            for s in _toy().steps
        ),
    )
    run_pipeline(changed, backend, PARAMS, models=models)
    assert models.outcome["model"] == "learnt"
    assert _value(backend, "SELECT y FROM pm_use") == 8


def test_a_database_without_a_stored_load_neither_keeps_nor_reuses(extract: Extract) -> None:
    backend = extract.backend()
    for _ in range(2):
        outcome = _run(backend).outcome
        assert outcome == {"model": "learnt", "why": "no stored load: the model is not kept"}
    assert not backend.table_exists(MODEL_STATE)


def test_the_nearest_of_the_most_recent_models_is_reused(extract: Extract) -> None:
    backend = _force_database(extract)
    days = [WINDOW[0] + timedelta(days=10 * k) for k in range(MODELS_KEPT + 1)]
    for day in days:
        _run(backend, replace(PARAMS, window_from=day, window_to=day), relearn=True)
    assert _value(backend, f"SELECT count(*) FROM {MODEL_STATE}") == MODELS_KEPT
    kept = [t for t in backend.tables() if t.startswith("pm_model_") and t != MODEL_STATE]
    assert len(kept) == MODELS_KEPT
    # the oldest was dropped; a window at it reuses the nearest kept, 10 days on
    outcome = _run(backend, replace(PARAMS, window_from=days[0], window_to=days[0])).outcome
    assert outcome["model"] == "reused"
    assert outcome["age_days"] == 10
    assert outcome["learnt_by"]["window_from"] == days[1].isoformat()


def test_the_full_method_marks_its_model() -> None:
    """What the full method learns force-wide is kept, what only fits it is skipped, and the
    force-wide rows are scoped, step by step as the decision model reads them."""
    steps = {s.name: s.model for s in get_method("full").steps if isinstance(s, Step)}
    final = f"em_{PARAMS.decision.em_iterations:02d}"
    learnt = {"em_patterns", final, "minor_share", "through_share", "lone_share", "competition"}
    assert {n for n, m in steps.items() if m == LEARNT} == learnt
    assert {n for n, m in steps.items() if m == SCOPED} == {"pairs", "own_parents"}
    fitting = {"em_population", "em_pattern_levels", *(f"em_{i:02d}" for i in range(25))}
    assert {n for n, m in steps.items() if m == FITTING} == fitting


def test_the_scoped_steps_transpile_to_spark() -> None:
    scoped = replace(PARAMS, model_reused=True)
    for step in get_method("full").steps:
        if isinstance(step, Step) and step.model == SCOPED:
            sql = step.sql(scoped)
            assert sql != step.sql(PARAMS)
            sqlglot.transpile(
                sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
            )
