"""The decision model a run learns from the whole force, kept on the force database and
reused by later runs while it still applies.

Learning the model costs what a short window does not: every candidate pair of the force,
their comparison vectors, EM over the whole comparison space, the force-wide shares (minors,
lone police links, paths through the other parent) and the competition feature's m and u.
None of that depends on which receptions the run identifies, only on the force's records and
on the window's dates (who is a child on its first day, whose home is current on its last).
So a run that learns the model keeps its tables (the pipeline's `LEARNT` steps) on the force
database, and a later run reuses them when

- the key is the same: the method, the decision settings, the SQL of every step up to the
  model's last table (rendered at one fixed date, so a new version of the model relearns),
  the stored load's and identity resolution's fingerprints and every window-free table's key
  (`pipeline.inputs_key`, `pm_step_state`): any change to the extract or its resolution
  relearns, as it rebuilds the window-free evidence;
- each end of the run's window is within `MAX_AGE_DAYS` of the ends the model was learnt
  for (the model's age, in the days its reference dates have moved);
- the run was not asked to relearn (`identify --relearn`).

A reused model's run builds the force-wide steps (`SCOPED`: the pairs, and so the
comparison vectors, scores, the adults' own parents) for its candidates' children only. That
is exact: a pair's comparison vector and score read only the pair's evidence and the model,
and a row's competition and generation factors read only the other adults of the same child
and the adult's own parents, all of which the scope keeps. So with the model learnt for the
same dates the reusing run lists the same rows with the same confidences as learning afresh;
with dates up to `MAX_AGE_DAYS` apart, the parameters are those of a force a few weeks
younger (tests/engine/test_model_store.py bounds the difference).

The database keeps the `MODELS_KEPT` most recent models (a daily run's and, say, the year's
window that a run with verdicts identifies again), in tables `pm_model_<id>_<step>` listed
in `pm_model_state`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from paramount.db.backend import Backend
from paramount.engine.pipeline import LEARNT, Pipeline, RunParameters, Step, inputs_key
from paramount.engine.sql import ident, literal

MODEL_STATE = "pm_model_state"
MAX_AGE_DAYS = 31  # a month's daily runs reuse one model; a monthly run relearns
MODELS_KEPT = 3
# The date every step's SQL is rendered at for the key: the key names the model's definition,
# its dates are kept beside it.
_KEY_DATE = date(2000, 1, 1)


@dataclass
class ModelStore:
    """Decides whether a run reuses a kept model (`plan`), copies its tables back
    (`restore`), keeps a learnt one (`keep`), and says which happened (`outcome`, for the
    manifest)."""

    relearn: bool = False  # learn afresh even when a kept model applies
    max_age_days: int = MAX_AGE_DAYS
    run: str | None = None  # the run's name (its output folder), kept with a learnt model
    outcome: dict[str, Any] = field(default_factory=dict)
    _key: str | None = None
    _chosen: str | None = None

    def plan(
        self, backend: Backend, pipeline: Pipeline, params: RunParameters, kept: dict[str, str]
    ) -> bool:
        """Whether the run reuses a kept model (True) or learns it (False); says why in
        `outcome`. `kept`: the window-free tables' keys, as the run built or kept them."""
        self._key = model_key(backend, pipeline, params, kept)
        if self._key is None:
            self.outcome = {"model": "learnt", "why": "no stored load: the model is not kept"}
            return False
        if self.relearn:
            self.outcome = {"model": "learnt", "why": "asked to relearn"}
            return False
        stored = _stored(backend)
        same = [m for m in stored if m["key"] == self._key and _complete(backend, m)]
        if not same:
            why = (
                "the extract, its resolution or the model's definition changed since the kept "
                "model was learnt"
                if stored
                else "no model kept on this database"
            )
            self.outcome = {"model": "learnt", "why": why}
            return False
        best = min(same, key=lambda m: (_age(m, params), -m["learnt_at"].timestamp()))
        age = _age(best, params)
        if age > self.max_age_days:
            self.outcome = {
                "model": "learnt",
                "why": (
                    f"the kept model was learnt for {best['window_from']} to "
                    f"{best['window_to']}, {age} days from this window (more than "
                    f"{self.max_age_days})"
                ),
            }
            return False
        self._chosen = best["model_id"]
        self.outcome = {"model": "reused", **_described(best), "age_days": age}
        return True

    def restore(self, backend: Backend, step: str, table: str) -> None:
        """The reused model's table of `step` as the run's `table`."""
        assert self._chosen is not None, "restore before a model was chosen"
        backend.create_table(table, f"SELECT * FROM {ident(model_table(self._chosen, step))}")

    def keep(self, backend: Backend, pipeline: Pipeline, params: RunParameters) -> None:
        """Keep the model this run learnt (its `LEARNT` tables) under its key and dates;
        models under another key (never reusable again) and all but the `MODELS_KEPT` most
        recent are removed."""
        if self._key is None:
            return
        steps = [s.name for s in pipeline.steps if isinstance(s, Step) and s.model == LEARNT]
        model_id = hashlib.sha256(
            f"{self._key}\n{params.window_from}\n{params.window_to}".encode()
        ).hexdigest()[:12]
        for step in steps:
            source = params.table(step)
            backend.create_table(model_table(model_id, step), f"SELECT * FROM {ident(source)}")
        if not backend.table_exists(MODEL_STATE):
            backend.execute(
                f"CREATE TABLE {MODEL_STATE} (model_id VARCHAR, key VARCHAR, method VARCHAR, "
                "window_from DATE, window_to DATE, learnt_at TIMESTAMPTZ, steps VARCHAR, "
                "run VARCHAR)"
            )
        learnt_at = datetime.now().astimezone()
        others = [m for m in _stored(backend) if m["model_id"] != model_id]
        stale = [m for m in others if m["key"] != self._key]
        fresh = sorted((m for m in others if m["key"] == self._key), key=lambda m: m["learnt_at"])
        dropped = stale + fresh[: max(0, len(fresh) - (MODELS_KEPT - 1))]
        for m in dropped:
            for step in json.loads(m["steps"]):
                backend.drop_table(model_table(m["model_id"], step))
        gone = ", ".join(map(literal, [model_id, *(m["model_id"] for m in dropped)]))
        # replaced, not deleted from: a Parquet table (Spark's) takes no DELETE
        backend.create_table(
            MODEL_STATE, f"SELECT * FROM {MODEL_STATE} WHERE model_id NOT IN ({gone})"
        )
        backend.execute(
            f"INSERT INTO {MODEL_STATE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                model_id,
                self._key,
                params.method,
                params.window_from,
                params.window_to,
                learnt_at,
                json.dumps(steps),
                self.run,
            ],
        )
        self.outcome = {
            **self.outcome,
            "kept_as": model_id,
            "learnt_at": learnt_at.isoformat(timespec="seconds"),
        }


def model_table(model_id: str, step: str) -> str:
    return f"pm_model_{model_id}_{step}"


def model_key(
    backend: Backend, pipeline: Pipeline, params: RunParameters, kept: dict[str, str]
) -> str | None:
    """What the model is learnt from and how, or None when the database cannot say what it
    holds (no stored load), in which case nothing is kept or reused."""
    inputs = inputs_key(backend)
    if inputs is None:
        return None
    at = RunParameters(
        _KEY_DATE,
        _KEY_DATE,
        method=params.method,
        table_prefix=params.table_prefix,
        decision=params.decision,
    )
    steps = list(pipeline.steps)
    last = max(i for i, s in enumerate(steps) if isinstance(s, Step) and s.model == LEARNT)
    sql = {
        s.name: s.sql(at)
        for s in steps[: last + 1]
        if isinstance(s, Step) and not s.window_free  # the window-free: by their keys
    }
    parts = {
        "method": params.method,
        "decision": params.decision.to_dict(),
        "sql": sql,
        "window_free": dict(sorted(kept.items())),
        "inputs": inputs,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _stored(backend: Backend) -> list[dict[str, Any]]:
    if not backend.table_exists(MODEL_STATE):
        return []
    return backend.fetch_rows(f"SELECT * FROM {MODEL_STATE} ORDER BY learnt_at")


def _complete(backend: Backend, model: dict[str, Any]) -> bool:
    """Every table of the kept model is there (none dropped by hand)."""
    return all(
        backend.table_exists(model_table(model["model_id"], s)) for s in json.loads(model["steps"])
    )


def _age(model: dict[str, Any], params: RunParameters) -> int:
    """Days between the window's ends and the ends the model was learnt for (the larger)."""
    return max(
        abs((params.window_from - model["window_from"]).days),
        abs((params.window_to - model["window_to"]).days),
    )


def _described(model: dict[str, Any]) -> dict[str, Any]:
    """The kept model for the manifest: which, learnt when, by a run of which window."""
    return {
        "model_id": model["model_id"],
        "learnt_at": model["learnt_at"].isoformat(timespec="seconds"),
        "learnt_by": {
            "run": model["run"],
            "method": model["method"],
            "window_from": model["window_from"].isoformat(),
            "window_to": model["window_to"].isoformat(),
        },
    }
