"""What a route is: one object holding everything the engine needs to know about it.

A `Route` names its evidence step(s), the columns it adds to a candidate pair (`pairs`), the
decision features it feeds (their levels, starting weights, applicability and fixed factors),
its place in the evidence text and its contract name. The registry (`registry.py`) lists the
routes in pipeline order; the decision model (`engine/decision/`) reads them from there and
from nowhere else, so a route is added with one module and one registry entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from paramount.engine.pipeline import Step

# A record that says the adult is not a current parent figure: a near-veto (see
# `engine/decision/model.py` for why such factors are fixed rather than learned).
AGAINST_FACTOR = 1e-3

# When a route feature applies to a pair: the comparison vector's column that says so (made by
# `engine/decision/comparisons.py`) -> the same condition's key in `em_population`'s counts of
# the pairs no route connects. A feature that does not apply has no level (NULL), not NONE.
APPLICABILITY: Mapping[str, str] = {
    "rms_applicable": "rms_app",  # adult and child both have a police (RMS) nominal
    "adult_declared": "decl",  # the adult is a prisoner who declared contacts
    "partner_applicable": "part_app",  # adult and child both have a social-care record
    # every pair: a couple's and a parent's records can reach any child (the route through
    # the other parent); its level is left out where a direct route connects the pair
    "through_applicable": "thr_app",
}


@dataclass(frozen=True)
class PairColumn:
    """A column a route adds to each candidate (adult, child) pair, aggregated over the pair's
    evidence rows `e`: a 0/1 flag (`sql` is a condition) or a value (`sql` is an aggregate)."""

    name: str
    sql: str
    flag: bool = True


@dataclass(frozen=True)
class Feature:
    """One feature of the comparison vector (column `l_<name>`).

    `levels`: level -> (initial m, initial u) weights, only EM's starting point. `levels_sql`:
    the SQL expression of the level from the comparison row (NULL where it does not apply).
    `applies`: a key of `APPLICABILITY`. `none_level`: the level of a pair no route connects.
    `fixed`: level -> Bayes factor fixed, not learned. `record`: the feature's levels name a
    relationship (PARENT, STEP, GUARDIAN, GRAND), read by the final list's relationship and
    the minors' share. `alone`: a level of it means no other route connects the pair."""

    name: str
    levels: Mapping[str, tuple[float, float]]
    levels_sql: str
    applies: str
    none_level: str = "NONE"
    fixed: Mapping[str, float] = field(default_factory=dict)
    record: bool = False
    # Its learned levels (not `none_level`, not fixed) mean "no other route connects the
    # pair": the other route features are then left out (`engine/decision/comparisons.py`).
    alone: bool = False


@dataclass(frozen=True)
class Route:
    """One route to a child. `features` may be shared between routes (co-residence and
    co-occurrence feed one combined feature); each route must feed at least one."""

    name: str
    contract_name: str
    steps: tuple[Step, ...]
    features: tuple[Feature, ...]
    list_order: int
    pair_columns: tuple[PairColumn, ...] = ()
    # Columns that depend on the reference date of each comparison (the window's end for the
    # force-wide pairs, the reception date for a reception's candidates): over the route's own
    # rows `r` of its first step and the unit `u` (`u.ref_date`), grouped as CTE `dated_alias`.
    dated_columns: tuple[PairColumn, ...] = ()
    dated_alias: str = ""
    # A condition on an evidence row `e` that makes it a "shared home or incidents" basis for
    # the share of minors among children of unknown age (`engine/decision/scoring.py`).
    shared_basis: str = ""
    # How the dates of the route's clause read in the evidence text: (condition on `e`, SQL
    # text appended to the clause); none: the clause carries its own dates, or none.
    clause_dates: tuple[str, str] | None = None
    # For a route whose feature is `alone`: a decision step giving `p` by `l_surname` (and a
    # row with none, over all), the chance
    # that a pair at one of the feature's learned levels is what the level claims, estimated
    # from the force's own cases where the answer is on record; such a pair's confidence is
    # multiplied by it (as an unknown age is by the share of minors). EM cannot learn this:
    # nothing else in such a pair's vector tells the classes apart.
    share: Step | None = None

    @property
    def record(self) -> bool:
        """A route of records naming a relationship (police, prison, social care)."""
        return any(f.record for f in self.features)
