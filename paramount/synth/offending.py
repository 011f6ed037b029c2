"""Who offends and who is received into custody, and each custody episode (booking).

Offending propensity rises with being young, male, living apart from one's children, and
an individual factor with a long tail (a few people commit much of the crime). Prisoners
are drawn by that propensity until the force's receptions reach the target rate, so the
rate is right by construction and the mix (sex, age, parenthood) follows from the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paramount.synth.params import SynthParams
from paramount.synth.population import (
    L_CARER,
    L_EX_STEP,
    R_EX_STEP,
    R_GRANDPARENT,
    R_NEW_PARTNER,
    R_PARENT,
    R_PARTNER,
    R_SEP_FATHER,
    R_SEP_MOTHER,
    R_SINGLE,
    R_STEP_FATHER,
    R_YOUNG_ADULT,
    World,
)
from paramount.synth.timeutil import YEAR

DAY_S = 86_400

# (text, occurrence type, weight): the offence that brought a booking about
OFFENCES: tuple[tuple[str, str, float], ...] = (
    ("Assault occasioning actual bodily harm", "VIOLENCE", 10),
    ("Wounding with intent to do grievous bodily harm", "VIOLENCE", 4),
    ("Possession of an offensive weapon in a public place", "VIOLENCE", 4),
    ("Robbery", "THEFT", 6),
    ("Theft from a shop", "THEFT", 9),
    ("Burglary (dwelling)", "BURGLARY", 7),
    ("Possession with intent to supply a Class A drug", "DRUGS", 9),
    ("Being concerned in the supply of a Class B drug", "DRUGS", 3),
    ("Assault by beating of a partner", "DOMESTIC_ABUSE", 7),
    ("Controlling or coercive behaviour in an intimate relationship", "DOMESTIC_ABUSE", 3),
    ("Breach of a non-molestation order", "DOMESTIC_ABUSE", 4),
    ("Driving while disqualified", "ROAD_TRAFFIC", 3),
    ("Dangerous driving", "ROAD_TRAFFIC", 2),
    ("Affray", "PUBLIC_ORDER", 4),
    ("Sexual assault", "SEXUAL_OFFENCE", 2),
    ("Rape", "SEXUAL_OFFENCE", 1),
    ("Fraud by false representation", "OTHER", 3),
    ("Breach of a suspended sentence order", "OTHER", 5),
    ("Criminal damage", "OTHER", 3),
)


@dataclass
class Bookings:
    """One row per custody episode."""

    person: np.ndarray  # individual
    start: np.ndarray  # reception datetime, seconds since epoch
    release: np.ndarray  # release datetime, -1 if still in custody at the extract date
    reason: np.ndarray  # admission reason code (str objects)
    offence: np.ndarray  # index into OFFENCES
    seq: np.ndarray  # 0 for a prisoner's first booking in our history
    booking_id: np.ndarray  # str objects, assigned in time order


def propensity(w: World, rng: np.random.Generator, params: SynthParams) -> np.ndarray:
    """Relative chance of offending (and of custody) per individual."""
    mid = (w.ws + w.E) / 2
    age = (mid - w.dob) / YEAR
    a = np.interp(age, [15, 18, 21, 30, 40, 50, 60, 70], [0, 0.9, 1.2, 1.1, 0.75, 0.35, 0.1, 0.02])
    a[age < 15] = 0
    role = w.role
    r = np.ones(w.n)
    r[role == R_SEP_FATHER] = 3.5
    r[role == R_EX_STEP] = params.ex_step_offending_factor
    r[role == R_SINGLE] = 1.4
    r[role == R_YOUNG_ADULT] = params.young_adult_offending_factor
    r[role == R_STEP_FATHER] = 2.0
    hh_kids = np.zeros(len(w.hh_type), bool)
    hh_kids[w.household[(w.E - w.dob) < 18 * YEAR]] = True
    r[role == R_PARTNER] = np.where(hh_kids[w.household[role == R_PARTNER]], 1.0, 0.6)
    r[role == R_GRANDPARENT] = 1.0
    r[role == R_NEW_PARTNER] = 1.2
    female = w.sex == 1
    r[female & (role == R_PARENT)] = 2.0  # lone mothers
    r[female & (role == R_SEP_MOTHER)] = params.absent_mother_offending_boost
    s = np.where(female, params.female_offending_factor, 1.0)
    indiv = rng.lognormal(0.0, 1.0, w.n)
    return a * r * s * indiv


def _duration_days(rng: np.random.Generator, params: SynthParams) -> float:
    u = rng.random()
    if u < 0.18:
        return rng.uniform(5, 120)  # remanded, then bailed or acquitted
    if u < 0.18 + params.p_short_sentence:
        return rng.uniform(10, 95)  # short sentence: half of 6 months or less served
    if u < 0.85:
        return rng.uniform(95, 460)
    if u < 0.97:
        return rng.uniform(460, 1500)
    return rng.uniform(1500, 5000)


def trap_candidates(w: World, rng: np.random.Generator, target: float) -> np.ndarray:
    """A few prisoners placed on purpose, so every trap exists even in a small force:
    young men living with younger siblings, ended step-fathers of children still young,
    fathers of twins, grandparents bringing up a grandchild."""
    ia = w.in_area
    age_ws = (w.ws - w.dob) / YEAR
    child = (w.E - w.dob) < 16 * YEAR
    hh_kids = np.zeros(len(w.hh_type), bool)
    hh_kids[w.household[child]] = True
    ya = np.flatnonzero(
        ia
        & (w.role == R_YOUNG_ADULT)
        & (age_ws >= 18)
        & (age_ws < 20.5)
        & (w.sex == 0)
        & hh_kids[w.household]
    )
    ex = w.l_kind == L_EX_STEP
    exs = np.unique(w.l_parent[ex & (w.dob[w.l_child] > w.E - 14 * YEAR)])
    exs = exs[ia[exs] & ((w.ws - w.dob[exs]) > 18 * YEAR)]
    key = w.household.astype(np.int64) * 100_000 + (w.dob - w.dob.min())
    kids = np.flatnonzero(child & ia & (w.father >= 0))
    k, cnt = np.unique(key[kids], return_counts=True)
    twin_kids = kids[np.isin(key[kids], k[cnt >= 2])]
    tf = np.unique(w.father[twin_kids])
    tf = tf[(w.ws - w.dob[tf]) > 18 * YEAR]
    gp = np.unique(w.l_parent[(w.l_kind == L_CARER) & (w.dob[w.l_child] > w.E - 15 * YEAR)])
    gp = gp[ia[gp] & ((w.ws - w.dob[gp]) < 62 * YEAR)]
    out = []
    for pool, share in ((ya, 0.004), (exs, 0.003), (tf, 0.002), (gp, 0.001)):
        n = min(len(pool), max(2, round(target * share)))
        if n:
            out.append(rng.choice(pool, size=n, replace=False))
    return np.unique(np.concatenate(out)) if out else np.zeros(0, np.int64)


def make_bookings(
    w: World, rng: np.random.Generator, params: SynthParams, prop: np.ndarray
) -> Bookings:
    """Draw prisoners by propensity, in each area, until receptions reach the target."""
    E_s, ws_s = w.E * DAY_S, w.ws * DAY_S
    years = (w.E - w.ws) / YEAR
    rows: list[tuple] = []
    off_w = np.array([o[2] for o in OFFENCES])
    off_p = off_w / off_w.sum()
    adult = (w.ws - w.dob) >= 18 * YEAR
    for in_area in (True, False):
        residents = int((w.in_area == in_area).sum())
        target = params.receptions_per_1000_per_year / 1000 * residents * years
        cand = np.flatnonzero(adult & (w.in_area == in_area) & (prop > 0))
        keys = rng.exponential(size=len(cand)) / prop[cand]  # Efraimidis-Spirakis order
        order = cand[np.argsort(keys, kind="stable")]
        forced = trap_candidates(w, rng, target) if in_area else np.zeros(0, np.int64)
        order = np.concatenate([forced, order[~np.isin(order, forced)]])
        received = 0
        for k, person in enumerate(order):
            if received >= target:
                break
            pre = k >= len(forced) and rng.random() < params.p_pre_window_booking
            if pre:
                start = ws_s - rng.uniform(10, 2.5 * YEAR) * DAY_S
            else:
                start = ws_s + rng.uniform(0, (w.E - w.ws)) * DAY_S
            seq = 0
            while start <= E_s and seq < 5:
                dur = _duration_days(rng, params)
                if pre and seq == 0:
                    dur = max(dur, (ws_s - start) / DAY_S + rng.uniform(5, 500))
                recall = rng.random() < (
                    params.p_recall_first if seq == 0 else params.p_recall_rebook
                )
                if recall:
                    young = (start / DAY_S - w.dob[person]) < 22 * YEAR
                    reason = rng.choice(
                        ["L", "B", "Y"] if young else ["L", "B"],
                        p=[0.7, 0.2, 0.1] if young else [0.78, 0.22],
                    )
                else:
                    reason = rng.choice(["N", "V", "I"], p=[0.5, 0.12, 0.38])
                start = int(
                    start // DAY_S * DAY_S + rng.integers(13, 21) * 3600 + rng.integers(0, 3600)
                )
                release = int(start + dur * DAY_S)
                release = (
                    release // DAY_S * DAY_S
                    + int(rng.integers(8, 12)) * 3600
                    + int(rng.integers(0, 3600))
                )
                offence = int(rng.choice(len(OFFENCES), p=off_p))
                rows.append(
                    (
                        int(person),
                        start,
                        release if release <= E_s else -1,
                        str(reason),
                        offence,
                        seq,
                    )
                )
                if start >= ws_s:
                    received += 1
                if release > E_s or rng.random() >= params.p_rebooked:
                    break
                start = release + (30 + rng.exponential(240)) * DAY_S
                seq += 1
    person, start, release, reason, offence, seq = (np.array(c) for c in zip(*rows, strict=True))
    order = np.argsort(start, kind="stable")
    ids = 1_100_000 + np.cumsum(rng.integers(1, 40, len(order)))
    booking_id = np.empty(len(order), dtype=object)
    booking_id[order] = ids.astype(str)
    return Bookings(
        person=person.astype(np.int32),
        start=start.astype(np.int64),
        release=release.astype(np.int64),
        reason=reason.astype(object),
        offence=offence.astype(np.int16),
        seq=seq.astype(np.int16),
        booking_id=booking_id,
    )
