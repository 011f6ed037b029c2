"""The decision model's constants: features and their levels' starting weights, the fixed
factors, and the SQL helpers every part of the model shares (see docs/decision-model.md)."""

from __future__ import annotations

import math

from paramount.engine.decision import moved_on
from paramount.engine.routes.registry import ROUTE_FEATURES, ROUTES, RouteError
from paramount.engine.sql import literal

ADULT_MIN_AGE = 13
LIKELY = 0.5  # competition: a "likely parent figure" has a posterior above this
COMPETITION_CAP = 2  # competition levels: 0, 1, 2 or more other likely parent figures

# feature -> level -> (initial m weight, initial u weight); normalised per feature.
# Starting values only point EM at "parent figure" as the matching class (as Splink's
# defaults do for "same person"); EM re-estimates every one of them. The routes' features
# come from the route registry (`engine/routes/registry.py`); the age gap and the surname are
# features of every pair, not routes, and are the model's own.
PAIR_FEATURES: dict[str, dict[str, tuple[float, float]]] = {
    "gap": {
        "LT14": (0.02, 0.5),
        "14_19": (0.08, 0.05),
        "20_45": (0.85, 0.3),
        "46_60": (0.04, 0.1),
        "GT60": (0.01, 0.05),
    },
    "surname": {"SAME": (0.7, 0.3), "DIFF": (0.3, 0.7)},
}
# Features that apply only to some candidate pairs and never to a pair no route connects
# (NULL there, so `em_population` leaves them out): their m and u are learned among the
# pairs they apply to. `moved_on`: a recorded parent figure replaced, rivalled or recorded as
# an ex; `recency`: how old the pair's newest dated record is.
CONDITIONAL_FEATURES: dict[str, dict[str, tuple[float, float]]] = {
    moved_on.NAME: moved_on.LEVELS,
    moved_on.RECENCY: moved_on.RECENCY_LEVELS,
}
_clash = sorted({f.name for f in ROUTE_FEATURES} & {*PAIR_FEATURES, *CONDITIONAL_FEATURES})
if _clash:
    raise RouteError(f"route features named as the model's pair features: {_clash}")
FEATURES: dict[str, dict[str, tuple[float, float]]] = {
    **{f.name: dict(f.levels) for f in ROUTE_FEATURES},
    **PAIR_FEATURES,
    **CONDITIONAL_FEATURES,
}
# The features whose levels name a relationship (police, prison and social-care records).
RECORD_FEATURES: tuple[str, ...] = tuple(f.name for f in ROUTE_FEATURES if f.record)
INITIAL_LAMBDA = 0.1
# Levels whose Bayes factor is fixed, not learned (as Splink fixes m probabilities).
# - Records that by definition say the adult is not a current parent figure (a sibling or
#   associate, an ended step-relationship, the prisoner's own word that the child is a nephew
#   or a friend, social care's "not the parent"). EM cannot learn these: it estimates u as the
#   level's share among all pairs (a sibling record is rare among random pairs, so m/u would
#   come out far above 1), while the question is what the record says *given* the rest of the
#   vector, and the rest (a shared home, incidents together, a surname) is exactly what a
#   sibling shares with a parent. So the factor is fixed as a near-veto: such a record makes a
#   parent inference `AGAINST_FACTOR` (`engine/routes/route.py`) times as likely, enough to
#   outweigh any amount of co-residence and co-occurrence, not a parent-type record from
#   another source.
# - A gap under 14 years: biology, not a parameter. Without it EM's matching class becomes
#   "close family" (siblings share homes, incidents and surnames with the child).
# Each route declares its features' fixed factors (`Feature.fixed`); the gap's is the model's.
FIXED_BAYES_FACTORS: dict[tuple[str, str], float] = {
    **{(f.name, level): bf for f in ROUTE_FEATURES for level, bf in f.fixed.items()},
    ("gap", "LT14"): 1e-2,
}


def log_bf_sql(alias: str) -> str:
    """ln(m/u) of a parameter row, or the fixed value for a fixed level."""
    whens = " ".join(
        f"WHEN {alias}.feature = {literal(f)} AND {alias}.level = {literal(lv)} "
        f"THEN {math.log(bf)!r}"
        for (f, lv), bf in FIXED_BAYES_FACTORS.items()
    )
    return f"CASE {whens} ELSE ln({alias}.m) - ln({alias}.u) END"


_F = "CASE WHEN {c} THEN 1 ELSE 0 END"


def flag_sql(cond: str) -> str:
    return f"max({_F.format(c=cond)})"


# The order of the routes' clauses in a child's evidence text.
ROUTE_ORDER: dict[str, int] = {
    r.contract_name: r.list_order for r in sorted(ROUTES, key=lambda r: r.list_order)
}
KIND_ORDER = (
    "CASE e.kind WHEN 'PARENT' THEN 0 WHEN 'STEP' THEN 1 WHEN 'GUARDIAN' THEN 2 "
    "WHEN 'HOME' THEN 3 WHEN 'FAMILY' THEN 3 WHEN 'GRAND' THEN 4 ELSE 5 END"
)
