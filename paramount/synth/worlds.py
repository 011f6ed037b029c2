"""Worlds: synthetic forces that differ the way real forces do, drawn from ranges.

A world is a `SynthParams` sampled from `WORLD_RANGES`, each figure uniform between a low and
a high that spans what real forces plausibly do (the reasons are beside each parameter in
`params.py`). Development uses worlds 1 to 20; reported figures come from worlds 101 and
above, never developed on, so a method is judged on forces whose habits it has not seen.
"""

from __future__ import annotations

import dataclasses
import zlib

import numpy as np

from paramount.synth.params import DEFAULT_PARAMS, SynthParams

# parameter -> (low, high); "household_shares.X" sets one household type's share.
# Ranges revised once (commit after d7c1c96) from the first sweep's wrong rows (worlds 101 to
# 110): adult children made 34 % of them and siblings 15 %, against 7 % and 36 % on the
# independent forces, so adult children declared were ranged lower, young adults at home
# and at the family's incidents higher, an ex-partner's child recorded as his lower.
WORLD_RANGES: dict[str, tuple[float, float]] = {
    # how often links are recorded, and in which direction
    "p_da_record_parent_link": (0.06, 0.35),
    "p_cp_record_parent_link": (0.15, 0.6),
    "p_missing_nok_link": (0.15, 0.6),
    "p_custody_child_link": (0.01, 0.08),
    "p_intel_child_link": (0.005, 0.06),
    "p_link_from_parent": (0.2, 0.8),
    "p_link_both_directions": (0.0, 0.3),
    "p_link_on_duplicate": (0.1, 0.4),
    # young adults at the family home with younger siblings
    "p_young_adult_at_home": (0.15, 0.40),
    "young_adult_max_age": (24.0, 30.0),
    "p_sibling_at_arrest": (0.2, 0.8),
    "p_sibling_link_recorded": (0.1, 0.7),
    "p_sibling_recorded_as_parent": (0.0, 0.15),
    "p_young_adult_at_family_da": (0.1, 0.8),
    "young_adult_offending_factor": (1.5, 4.0),
    # step-families, how often they end, how stale their records stay
    "ex_step_offending_factor": (2.0, 6.0),
    "household_shares.STEP_FAMILY": (0.02, 0.06),
    "p_ex_step": (0.05, 0.30),
    "p_ex_step_old_link": (0.3, 0.9),
    "p_move_not_recorded": (0.0, 0.6),
    "p_contact_ex_step_child": (0.0, 0.4),
    # wrong links: a single unrelated adult, an ex-partner's child by another father
    "p_prisoner_wrong_parent_link": (0.0, 0.06),
    "p_ex_partner_child_wrong_link": (0.0, 0.15),
    "p_lone_mother_child_other_father": (0.0, 0.3),
    # children reachable only through the other parent
    "p_only_via_other_parent": (0.0, 0.5),
    # what prisoners declare
    "p_contact_child": (0.2, 0.6),
    "p_contact_child_dob": (0.15, 0.7),
    "p_contact_adult_child": (0.1, 0.6),
    "p_contact_adult_child_dob": (0.05, 0.5),
    "p_prisoner_declares_adult_child": (0.0, 0.06),
    "p_contact_partner": (0.4, 0.8),
    "p_contact_name_variant": (0.1, 0.4),
    "p_contact_typo": (0.01, 0.1),
    "p_contact_child_prisoner_surname": (0.0, 0.5),
    # duplicate nominals and spelling variants
    "p_duplicate_adult": (0.02, 0.12),
    "p_duplicate_child": (0.05, 0.25),
    "p_nominal_name_variant": (0.01, 0.08),
    "p_nominal_typo": (0.01, 0.05),
    "p_duplicate_name_variant": (0.2, 0.6),
    "p_duplicate_typo": (0.05, 0.3),
    "p_duplicate_child_other_surname": (0.0, 0.4),
    # shared premises
    "p_single_shared_male_young": (0.03, 0.15),
    "p_lone_mother_refuge_hotel": (0.01, 0.08),
    # children's social care coverage
    "p_partner_cp_household": (0.6, 0.95),
    "p_partner_da_household": (0.05, 0.3),
    "p_partner_random_household": (0.005, 0.03),
}

POPULATION_RANGE = (100_000, 300_000)
DEV_WORLDS = range(1, 21)  # developed on; reported worlds are 101 and above


def _draw(world_seed: int, name: str, lo: float, hi: float) -> float:
    # a stream per world and parameter, apart from the force's generation seed, so adding a
    # parameter to the ranges leaves every other parameter of every world as it was
    rng = np.random.Generator(np.random.PCG64([world_seed, zlib.crc32(name.encode())]))
    return round(float(rng.uniform(lo, hi)), 4)


def sample_world(world_seed: int) -> SynthParams:
    """The parameters of world `world_seed`: every figure of WORLD_RANGES drawn uniformly
    (the same on every machine); the rest as default."""
    changes: dict[str, object] = {}
    shares = dict(DEFAULT_PARAMS.household_shares)
    for name, (lo, hi) in WORLD_RANGES.items():
        v = _draw(world_seed, name, lo, hi)
        if name.startswith("household_shares."):
            shares[name.split(".", 1)[1]] = v
        else:
            changes[name] = v
    return dataclasses.replace(DEFAULT_PARAMS, household_shares=shares, **changes)


def world_population(
    world_seed: int, low: int = POPULATION_RANGE[0], high: int = POPULATION_RANGE[1]
) -> int:
    """Residents of world `world_seed`, uniform in [low, high], rounded to thousands."""
    rng = np.random.Generator(np.random.PCG64([world_seed, 0x504F50]))
    return int(round(rng.uniform(low, high) / 1000) * 1000)


def world_values(params: SynthParams) -> dict[str, float]:
    """The sampled figures of a world, by WORLD_RANGES name (for reports)."""
    out = {}
    for name in WORLD_RANGES:
        if name.startswith("household_shares."):
            out[name] = params.household_shares[name.split(".", 1)[1]]
        else:
            out[name] = getattr(params, name)
    return out


def params_json(params: SynthParams) -> dict:
    """Every parameter of a force, JSON-ready (tuples as lists)."""
    return json_ready(dataclasses.asdict(params))


def json_ready(v):
    if isinstance(v, dict):
        return {k: json_ready(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_ready(x) for x in v]
    return v
