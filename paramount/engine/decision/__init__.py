"""Decide: every route's evidence per (child, reception) -> one calibrated confidence.

Record linkage one level up: every (adult entity, child entity) pair of the force is a
comparison vector over the routes (police links, prison contact, social care, co-residence x
co-occurrence, age gap, surname); a two-class latent model (m, u per level, prior lambda) is
fitted by EM in SQL over the whole space (the pairs no route connects as counts per vector,
`em_population`); fixed factors deny a current parent where a record says so; a competition
feature counts the child's other likely parent figures; a generation factor weighs the chance
that the adult's own recorded parent is the child's parent (`generation`); a child of unknown
age is discounted by the force's share of minors (`minor_share`), and a lone police link by
the share of such links the force's surnames bear out (`lone_share`). Per reception, one row per
child; the worklist threshold is chosen from the confidences for the target precision, the
rest above a floor goes to review (settings: `params.decision`, `paramount.engine.settings`).

One module a job: `model` (constants, features, fixed factors), `comparisons` (the
comparison vectors), `moved_on` (the conditional features for records that outlive the
relationship: moved_on and recency), `em` (fitting), `scoring` (confidence, minors,
competition), `generation` (the adult's own parents), `lone_link` (lone police links), `carers`,
`final_list` (the decision, the threshold, the worklist and review), `correction` and
`verdict_decided` (the force's checkers' verdicts: a correction fitted on them, held pairs,
merged duplicates). The within-reception
merging of one child's records is identity work: `engine/reception_candidates.py`. How the
model works in full, and the experiments tried and not kept: `docs/decision-model.md`.
"""

from __future__ import annotations

from paramount.engine.decision.carers import CARERS
from paramount.engine.decision.comparisons import COMPARISONS, PAIRS
from paramount.engine.decision.em import (
    EM_INITIAL,
    EM_PATTERN_LEVELS,
    EM_PATTERNS,
    EM_POPULATION,
    em_step,
)
from paramount.engine.decision.final_list import DECIDE_CHILDREN, DECIDED, REVIEW
from paramount.engine.decision.generation import GENERATION, OWN_PARENTS
from paramount.engine.decision.lone_link import LONE_SHARE
from paramount.engine.decision.model import FEATURES, FIXED_BAYES_FACTORS
from paramount.engine.decision.scoring import COMPETITION, MINOR_SHARE, SCORED, SCORED_BASE
from paramount.engine.decision.verdict_decided import VERDICT_DECIDED
from paramount.engine.pipeline import Step
from paramount.engine.reception_candidates import RECEPTION_CANDIDATES
from paramount.engine.routes.registry import ROUTES
from paramount.engine.settings import DEFAULT_DECISION

__all__ = ["DECIDE_STEPS", "FEATURES", "FIXED_BAYES_FACTORS", "decide_steps"]


def decide_steps(
    em_iterations: int = DEFAULT_DECISION.em_iterations, with_verdicts: bool = False
) -> tuple[Step, ...]:
    """The decision's steps, with one EM step per iteration (`DecisionSettings.em_iterations`:
    a run's parameters must ask for the same number, which `Pipeline.check` enforces), and
    with the checkers' verdicts applied after the decision when a run has them."""
    return (
        PAIRS,
        RECEPTION_CANDIDATES,
        COMPARISONS,
        EM_POPULATION,
        EM_PATTERNS,
        EM_PATTERN_LEVELS,
        EM_INITIAL,
        *(em_step(i, last=i == em_iterations) for i in range(1, em_iterations + 1)),
        MINOR_SHARE,
        *(r.share for r in ROUTES if r.share),
        LONE_SHARE,
        SCORED_BASE,
        OWN_PARENTS,
        COMPETITION,
        GENERATION,
        SCORED,
        CARERS,
        DECIDED,
        *((VERDICT_DECIDED,) if with_verdicts else ()),
        REVIEW,
        DECIDE_CHILDREN,
    )


DECIDE_STEPS: tuple[Step, ...] = decide_steps()
