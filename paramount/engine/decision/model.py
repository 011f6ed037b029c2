"""The decision model's constants: features and their levels' starting weights, the fixed
factors, and the SQL helpers every part of the model shares (see docs/decision-model.md)."""

from __future__ import annotations

import math

from paramount.engine.sql import literal

ADULT_MIN_AGE = 13
LIKELY = 0.5  # competition: a "likely parent figure" has a posterior above this
COMPETITION_CAP = 2  # competition levels: 0, 1, 2 or more other likely parent figures
SIG_SURPRISE = 6.0  # co-occurrence "significant": p < 1e-6 under independent placement

# feature -> level -> (initial m weight, initial u weight); normalised per feature.
# Starting values only point EM at "parent figure" as the matching class (as Splink's
# defaults do for "same person"); EM re-estimates every one of them.
FEATURES: dict[str, dict[str, tuple[float, float]]] = {
    "rms": {
        "CONFLICT": (0.01, 0.01),
        "PARENT": (0.3, 0.005),
        "STEP": (0.05, 0.002),
        "STEP_ENDED": (0.005, 0.005),
        "GUARDIAN": (0.01, 0.001),
        "GRAND": (0.005, 0.005),
        "NOK": (0.01, 0.005),
        "AGAINST": (0.01, 0.1),
        "NONE": (0.6, 0.87),
    },
    "contact": {
        "PARENT": (0.5, 0.01),
        "STEP": (0.05, 0.005),
        "GUARDIAN": (0.02, 0.002),
        "GRAND": (0.01, 0.01),
        "OTHER": (0.01, 0.05),
        "NONE": (0.4, 0.92),
    },
    "partner": {
        "PARENT": (0.4, 0.01),
        "STEP": (0.05, 0.005),
        "GUARDIAN": (0.02, 0.002),
        "GRAND": (0.01, 0.01),
        "AGAINST": (0.01, 0.1),
        "NONE": (0.5, 0.87),
    },
    "home_occ": {
        f"{r}_{o}": (m_r * m_o, u_r * u_o)
        for r, (m_r, u_r) in {
            "CUR": (0.6, 0.2),
            "PAST": (0.2, 0.2),
            "PRIOR": (0.05, 0.05),
            "SHARED": (0.02, 0.1),
            "NONE": (0.18, 0.5),
        }.items()
        for o, (m_o, u_o) in {"SIG": (0.3, 0.02), "WEAK": (0.3, 0.1), "NONE": (0.4, 0.88)}.items()
    },
    "gap": {
        "LT14": (0.02, 0.5),
        "14_19": (0.08, 0.05),
        "20_45": (0.85, 0.3),
        "46_60": (0.04, 0.1),
        "GT60": (0.01, 0.05),
    },
    "surname": {"SAME": (0.7, 0.3), "DIFF": (0.3, 0.7)},
}
INITIAL_LAMBDA = 0.1
# Levels whose Bayes factor is fixed, not learned (as Splink fixes m probabilities).
# - Records that by definition say the adult is not a current parent figure (a sibling or
#   associate, an ended step-relationship, the prisoner's own word that the child is a nephew
#   or a friend, social care's "not the parent"). EM cannot learn these: it estimates u as the
#   level's share among all pairs (a sibling record is rare among random pairs, so m/u would
#   come out far above 1), while the question is what the record says *given* the rest of the
#   vector, and the rest (a shared home, incidents together, a surname) is exactly what a
#   sibling shares with a parent. So the factor is fixed as a near-veto: such a record makes a
#   parent inference `AGAINST_FACTOR` times as likely, enough to outweigh any amount of
#   co-residence and co-occurrence, not a parent-type record from another source.
# - A gap under 14 years: biology, not a parameter. Without it EM's matching class becomes
#   "close family" (siblings share homes, incidents and surnames with the child).
AGAINST_FACTOR = 1e-3
FIXED_BAYES_FACTORS: dict[tuple[str, str], float] = {
    ("rms", "AGAINST"): AGAINST_FACTOR,
    ("rms", "STEP_ENDED"): AGAINST_FACTOR,
    ("rms", "CONFLICT"): 1.0,
    ("contact", "OTHER"): AGAINST_FACTOR,
    ("partner", "AGAINST"): AGAINST_FACTOR,
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


ROUTE_ORDER = {
    "RMS_RELATIONSHIP": 1,
    "PRISON_CONTACT": 2,
    "PARTNER": 3,
    "CO_OCCURRENCE": 4,
    "CO_RESIDENCE": 5,
}
KIND_ORDER = (
    "CASE e.kind WHEN 'PARENT' THEN 0 WHEN 'STEP' THEN 1 WHEN 'GUARDIAN' THEN 2 "
    "WHEN 'HOME' THEN 3 WHEN 'FAMILY' THEN 3 WHEN 'GRAND' THEN 4 ELSE 5 END"
)
