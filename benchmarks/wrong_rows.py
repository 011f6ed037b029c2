"""What each wrong row of a synthetic world's list really is: the true relation of the row's
child to the prisoner, by the failure classes of issue 11 (ended step-family, a brother or
sister, an adult, an ex-partner's child by another father, someone else in the home, no
relation at all) and duplicates.

The world is rebuilt from its parameters and seed (the population is the first thing the
generator draws, so it comes out the same), then each WRONG or DUPLICATE verdict is looked
up in it. A developer's and the sweep's diagnostic; it never feeds the model.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np

from paramount.synth.params import SynthParams
from paramount.synth.population import L_EX_STEP, build_world
from paramount.synth.timeutil import day, years_before

CLASSES = (
    "ended_step",
    "sibling",
    "adult",
    "ex_partner_child",
    "same_household",
    "unrelated",
    "duplicate",
)


def _ind(individual_id: str) -> int:
    return int(individual_id[1:]) - 100_000_000


def wrong_row_classes(
    params: SynthParams,
    population: int,
    seed: int,
    force: Path,
    verdicts: Path,
    extract_date: date = date(2026, 1, 31),
) -> dict[str, int]:
    """Count the WRONG and DUPLICATE rows of `verdicts` by class (see CLASSES)."""
    out = Counter({c: 0 for c in CLASSES})
    out.update(row_classes(params, population, seed, force, verdicts, extract_date).values())
    return dict(out)


def row_classes(
    params: SynthParams,
    population: int,
    seed: int,
    force: Path,
    verdicts: Path,
    extract_date: date = date(2026, 1, 31),
) -> dict[int, str]:
    """The class (see CLASSES) of each WRONG and DUPLICATE row of `verdicts`, by row_id."""
    rng = np.random.Generator(np.random.PCG64(seed))
    E = day(extract_date)
    ws = day(years_before(extract_date, params.movement_years))
    hs = day(years_before(extract_date, params.history_years))
    w = build_world(rng, params, population, E, ws, hs)
    with (force / "truth" / "prisoners.csv").open(encoding="utf-8") as fh:
        prisoner = {r["prisoner_number"]: _ind(r["individual_id"]) for r in csv.DictReader(fh)}
    with (force / "extract" / "prison_movements.csv").open(encoding="utf-8") as fh:
        booking = {r["booking_id"]: r["prisoner_number"] for r in csv.DictReader(fh)}
    link = {
        (int(p), int(c)): int(k) for p, c, k in zip(w.l_parent, w.l_child, w.l_kind, strict=True)
    }
    out: dict[int, str] = {}
    with verdicts.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["verdict"] == "DUPLICATE":
                out[int(r["row_id"])] = "duplicate"
                continue
            if r["verdict"] != "WRONG" or not r["individual_id"]:
                continue
            c = _ind(r["individual_id"])
            p = prisoner.get(booking.get(r["booking_id"], ""), -1)
            if p < 0:
                continue
            out[int(r["row_id"])] = _classify(w, link, p, c, E)
    return out


def _classify(w, link: dict, p: int, c: int, E: int) -> str:
    kind = link.get((p, c))
    if kind == L_EX_STEP:
        return "ended_step"
    same_mother = w.mother[c] >= 0 and w.mother[c] == w.mother[p]
    same_father = w.father[c] >= 0 and w.father[c] == w.father[p]
    if same_mother or same_father:
        return "sibling"
    if (E - w.dob[c]) >= 18 * 365.25 or kind is not None:
        return "adult"  # linked but 18 or over, or any other true link outside the truth
    mother = int(w.mother[c])
    if mother >= 0 and kind is None:
        # the child's mother had a child with the prisoner: his ex-partner's child
        others = np.flatnonzero(w.mother == mother)
        if any((p, int(x)) in link for x in others):
            return "ex_partner_child"
    if w.household[c] == w.household[p]:
        return "same_household"
    return "unrelated"
