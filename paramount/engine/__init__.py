"""The identification engine: from a loaded extract to the list of affected children.

Public surface (the rest is internal):

    identify(backend, window_from, window_to, method="full", reporter=None, decision=None)
        -> IdentificationResult
    DuckDBBackend, Backend, METHODS, DEFAULT_METHOD, RunParameters, DecisionSettings

A whole run (load, identify, outputs, manifest) is `paramount.run.identify_extract`.

A method is a `Pipeline` of named SQL steps (`engine/methods.py`); the runner materialises
each step as a table on the backend, so every intermediate result can be inspected, and
records its row count and time for the run manifest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa

from paramount.db import Backend, DuckDBBackend, EngineError
from paramount.engine.decision.correction import Correction
from paramount.engine.figures import figure_inputs, reception_figures
from paramount.engine.methods import METHODS, get_method
from paramount.engine.model_store import ModelStore
from paramount.engine.pipeline import Pipeline, RunParameters, Step, StepResult, run_pipeline
from paramount.engine.settings import DEFAULT_DECISION, DecisionSettings
from paramount.engine.sql import ident
from paramount.privacy import PartnerKey
from paramount.progress import Reporter

# The best method: what `paramount identify` runs unless told otherwise. `baseline` (the
# original process) stays selectable as the ruler every method is measured against.
DEFAULT_METHOD = "full"

__all__ = [
    "DEFAULT_DECISION",
    "DEFAULT_METHOD",
    "METHODS",
    "Backend",
    "DecisionSettings",
    "DuckDBBackend",
    "EngineError",
    "IdentificationResult",
    "Pipeline",
    "RunParameters",
    "Step",
    "StepResult",
    "identify",
]


@dataclass
class IdentificationResult:
    """The children found, where they are stored, and what each step did."""

    method: str
    window_from: date
    window_to: date
    decision: DecisionSettings
    table: str  # the result table on the backend
    children: pa.Table
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0
    # Candidates below the worklist threshold, for an analyst (methods with a decision step;
    # None for the baseline, which has no confidence to fall short of).
    review: pa.Table | None = None
    # Uncertain identity matches touching the run's prisoners and listed children (methods
    # with probabilistic identity; None otherwise).
    identity_review: pa.Table | None = None
    # Whether the decision model was learnt or reused, why, and which (methods with a
    # decision; None for the baseline): `engine/model_store.py`.
    model: dict | None = None
    # Counts per reception day (`engine/figures.py`): receptions, parents and children
    # found, and what the baseline would have found, for casework's reports.
    figures: pa.Table | None = None
    # The tables those figures were counted from (`engine/figures.py`, `figure_inputs`), left
    # on the backend: a national run counts them again for each force.
    figure_tables: dict[str, str] | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {s.name: s.rows for s in self.steps}

    def to_dict(self) -> dict:
        """For the manifest: parameters, per-step counts and timings (no rows)."""
        return {
            "method": self.method,
            "window_from": self.window_from.isoformat(),
            "window_to": self.window_to.isoformat(),
            "decision": self.decision.to_dict(),
            "result_table": self.table,
            "children": self.children.num_rows,
            "review": None if self.review is None else self.review.num_rows,
            "identity_review": (
                None if self.identity_review is None else self.identity_review.num_rows
            ),
            "model": self.model,
            "steps": [s.to_dict() for s in self.steps],
            "seconds": self.seconds,
        }


def identify(
    backend: Backend,
    window_from: date,
    window_to: date,
    method: str = DEFAULT_METHOD,
    reporter: Reporter | None = None,
    decision: DecisionSettings | None = None,
    verdicts: Correction | None = None,
    relearn: bool = False,
    run: str | None = None,
    partner_key: PartnerKey | None = None,
) -> IdentificationResult:
    """Run a method over receptions from `window_from` to `window_to` (both inclusive), the
    decision model (methods that have one) set by `decision` (default: the recommended).
    `verdicts`: the correction fitted on the force's checkers' verdicts, with the table
    `verdicts_held` on the backend (`paramount.verdicts` makes both); ignored by the
    baseline. The decision model kept on the database by an earlier run is reused while it
    applies (`engine/model_store.py`); `relearn` learns it afresh regardless. `run`: the
    run's name (its output folder), kept with a model it learns. `partner_key`: the key the
    partner data was encoded with (identity resolution encodes the police side with it)."""
    decision = decision or DEFAULT_DECISION
    if method == "baseline":
        verdicts = None
    pipeline = get_method(method, decision, with_verdicts=verdicts is not None)
    params = RunParameters(
        window_from=window_from,
        window_to=window_to,
        method=method,
        decision=decision,
        verdicts=verdicts,
        partner_key=partner_key,
    )
    started = time.perf_counter()
    models = ModelStore(relearn=relearn, run=run)
    steps = run_pipeline(pipeline, backend, params, reporter, models)
    table = pipeline.result_step.output_table(params)
    children = backend.fetch_arrow(
        f"SELECT * FROM {ident(table)} "
        "ORDER BY reception_date, prisoner_number, booking_id, child_age, child_person_ids"
    )
    made = {s.output_table(params) for s in pipeline.steps}
    figures = reception_figures(backend, params, table, reporter)

    def fetch_if_made(step: str) -> pa.Table | None:
        table = params.table(step)
        return backend.fetch_arrow(f"SELECT * FROM {ident(table)}") if table in made else None

    return IdentificationResult(
        method=method,
        window_from=window_from,
        window_to=window_to,
        decision=decision,
        table=table,
        children=children,
        steps=steps,
        seconds=round(time.perf_counter() - started, 4),
        review=fetch_if_made("review"),
        identity_review=fetch_if_made("run_identity_review"),
        model=models.outcome or None,
        figures=figures,
        figure_tables=figure_inputs(params, table),
    )
