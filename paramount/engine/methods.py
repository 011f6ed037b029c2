"""The registry of identification methods: name -> pipeline.

`baseline` is the original Operation Paramount process (exact PNC/CRO identity, recorded
relationships only). It stays selectable for good: every later method (probabilistic
identity, more routes, calibrated decisions) is measured against it on the same extract.
"""

from __future__ import annotations

from paramount.engine.children import CHILDREN
from paramount.engine.decision import decide_steps
from paramount.engine.entities import (
    ENTITY_PRISONER_NOMINALS,
    EXACT_ENTITIES,
    EXACT_ENTITY_MEMBERS,
)
from paramount.engine.identity import PRISONER_NOMINALS
from paramount.engine.identity_review import IDENTITY_REVIEW, IDENTITY_REVIEW_PAIRS
from paramount.engine.pipeline import AnyStep, Pipeline, Step
from paramount.engine.receptions import IN_AREA, RECEPTIONS
from paramount.engine.resolution import resolve_identity_step
from paramount.engine.routes.recorded_relationships import RECORDED_CHILDREN
from paramount.engine.routes.registry import EVIDENCE, ROUTE_STEPS
from paramount.engine.settings import DEFAULT_DECISION, DecisionSettings

baseline_pipeline = Pipeline(
    "baseline",
    (RECEPTIONS, PRISONER_NOMINALS, IN_AREA, RECORDED_CHILDREN, CHILDREN),
    description="Operation Paramount as first run: PNC/CRO identity, recorded relationships",
)


# Every route's evidence step (the route registry, in its order), then their union.
EVIDENCE_STEPS: tuple[Step, ...] = (*ROUTE_STEPS, EVIDENCE)


def _identity_steps() -> tuple[AnyStep, ...]:
    """Probabilistic identity (Splink, `paramount.linkage`), making `pm_entity_members` and
    `pm_entities`. No silent fallback: a method is what its name says."""
    return (resolve_identity_step(),)


# The uncertain identity matches that touch the run's own families.
IDENTITY_REVIEW_STEPS: tuple[Step, ...] = (IDENTITY_REVIEW_PAIRS, IDENTITY_REVIEW)


def _routes_pipeline(
    name: str,
    identity: tuple[AnyStep, ...],
    description: str,
    after_decision: tuple[Step, ...] = (),
    em_iterations: int = DEFAULT_DECISION.em_iterations,
    with_verdicts: bool = False,
) -> Pipeline:
    *deciding, result = decide_steps(em_iterations, with_verdicts)
    return Pipeline(
        name,
        (
            RECEPTIONS,
            *identity,
            ENTITY_PRISONER_NOMINALS,
            IN_AREA,
            *EVIDENCE_STEPS,
            *deciding,
            *after_decision,
            result,
        ),
        description=description,
    )


def _routes_exact(em_iterations: int, with_verdicts: bool = False) -> Pipeline:
    return _routes_pipeline(
        "routes-exact",
        (EXACT_ENTITY_MEMBERS, EXACT_ENTITIES),
        "Every route and the calibrated decision, on exact (PNC/CRO) entities only",
        em_iterations=em_iterations,
        with_verdicts=with_verdicts,
    )


def _full(em_iterations: int, with_verdicts: bool = False) -> Pipeline:
    return _routes_pipeline(
        "full",
        _identity_steps(),
        "Probabilistic identity, every route to a child, calibrated decision",
        after_decision=IDENTITY_REVIEW_STEPS,
        em_iterations=em_iterations,
        with_verdicts=with_verdicts,
    )


routes_exact_pipeline = _routes_exact(DEFAULT_DECISION.em_iterations)
full_pipeline = _full(DEFAULT_DECISION.em_iterations)

METHODS: dict[str, Pipeline] = {
    "baseline": baseline_pipeline,
    "routes-exact": routes_exact_pipeline,
    "full": full_pipeline,
}
_BUILDERS = {"routes-exact": _routes_exact, "full": _full}


def get_method(
    name: str, decision: DecisionSettings = DEFAULT_DECISION, with_verdicts: bool = False
) -> Pipeline:
    """The method's pipeline, with as many EM steps as `decision` asks for, and the
    checkers' verdicts applied after the decision when `with_verdicts` (methods with a
    decision; the baseline has no confidence to correct and ignores them)."""
    if name not in METHODS:
        known = ", ".join(sorted(METHODS))
        raise ValueError(f"unknown method {name!r}; known methods: {known}")
    if name in _BUILDERS and (
        with_verdicts or decision.em_iterations != DEFAULT_DECISION.em_iterations
    ):
        return _BUILDERS[name](decision.em_iterations, with_verdicts)
    return METHODS[name]
