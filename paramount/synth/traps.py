"""Counts of the situations that fool naive methods, so a generated force can show (and a
test can check) that each one is really there."""

from __future__ import annotations

import numpy as np

from paramount.contract.tables import RELATIONSHIPS, SHARED_PREMISES
from paramount.synth.geography import PREMISES
from paramount.synth.offending import DAY_S, Bookings
from paramount.synth.police import RO, LinkIndex, Police
from paramount.synth.police_records import RMS
from paramount.synth.population import L_EX_STEP, World
from paramount.synth.prison import PrisonOut
from paramount.synth.timeutil import YEAR, age_on


def count_traps(
    w: World, bk: Bookings, police: Police, rms: RMS, prison: PrisonOut, aff: dict[str, np.ndarray]
) -> dict[str, int]:
    ev = police.events
    rec_person = prison.receptions["person"].to_numpy()
    rec_day = prison.receptions["start"].to_numpy() // DAY_S
    out: dict[str, int] = {}
    # bookings begun before the window whose later movements are in it
    moved = set(prison.movements["booking_id"].to_pylist())
    out["bookings_begun_before_window"] = sum(
        1 for b, s in zip(bk.booking_id, bk.start, strict=True) if s < w.ws * DAY_S and b in moved
    )
    out["recall_receptions"] = int(
        np.isin(bk.reason[bk.start >= w.ws * DAY_S], ["L", "B", "Y"]).sum()
    )
    out["out_of_area_receptions"] = int((~w.hh_in_area[w.household[rec_person]]).sum())
    # a received prisoner named as offender at an occurrence with an unrelated child victim
    links = LinkIndex(w)
    received = np.zeros(w.n, bool)
    received[rec_person] = True
    off = ((ev.p_role == RO["OFFENDER"]) | (ev.p_role == RO["SUSPECT"])) & received[ev.p_ind]
    offenders: dict[int, list[int]] = {}
    for o, i in zip(ev.p_occ[off].tolist(), ev.p_ind[off].tolist(), strict=True):
        offenders.setdefault(o, []).append(i)
    day = ev.o_time[ev.p_occ] // DAY_S
    cv = (
        (ev.p_role == RO["VICTIM"])
        & ((day - w.dob[ev.p_ind]) < 18 * YEAR)
        & np.isin(ev.p_occ, np.fromiter(offenders, dtype=np.int64, count=len(offenders)))
    )
    n = 0
    for o, c in zip(ev.p_occ[cv].tolist(), ev.p_ind[cv].tolist(), strict=True):
        for p in offenders[o]:
            if links.kind_of(np.array([p]), np.array([c]))[0] < 0:
                n += 1
    out["prisoner_with_unrelated_child_victim"] = n
    # shared premises where unrelated adults and children with police records live
    has_nom = np.zeros(w.n, bool)
    has_nom[rms.nominal_ind] = True
    prem = w.addresses.arr("premises")[w.cur_addr]
    shared = np.isin(prem, [PREMISES[p] for p in SHARED_PREMISES])
    child = (w.E - w.dob) < 18 * YEAR
    kid_addr = np.unique(w.cur_addr[shared & child & has_nom])
    adult_single = shared & ~child & has_nom & (w.household != -1)
    hh_with_kids = np.zeros(len(w.hh_type), bool)
    hh_with_kids[w.household[child]] = True
    lone_adults = adult_single & ~hh_with_kids[w.household]
    out["shared_premises_children_and_unrelated_adults"] = int(
        np.isin(kid_addr, w.cur_addr[lone_adults]).sum()
    )
    # young prisoners (18-21) received while living with younger brothers and sisters
    young = age_on(w.dob[rec_person], rec_day) <= 21
    sib_hh = {}
    for i in np.flatnonzero(child):
        sib_hh.setdefault(int(w.household[i]), []).append(int(i))
    n = 0
    for p in rec_person[young].tolist():
        for c in sib_hh.get(int(w.household[p]), []):
            if (w.mother[c] >= 0 and w.mother[c] == w.mother[p]) or (
                w.father[c] >= 0 and w.father[c] == w.father[p]
            ):
                n += 1
                break
    out["young_prisoner_living_with_siblings"] = n
    # an ended step-father received, recorded in the RMS as the child's step-parent
    a, b, code = rms.rel_ind
    step = np.isin(code, [RELATIONSHIPS.index("STEP_PARENT"), RELATIONSHIPS.index("STEP_CHILD")])
    nn = np.int64(w.n)
    keys = set((a[step].astype(np.int64) * nn + b[step]).tolist()) | set(
        (b[step].astype(np.int64) * nn + a[step]).tolist()
    )
    ex = w.l_kind == L_EX_STEP
    ex_pairs = {}
    for pp, c in zip(w.l_parent[ex].tolist(), w.l_child[ex].tolist(), strict=True):
        ex_pairs.setdefault(pp, []).append(c)
    n = 0
    for p, d in zip(rec_person.tolist(), rec_day.tolist(), strict=True):
        for c in ex_pairs.get(p, []):
            if (p * nn + c) in keys and (d - w.dob[c]) < 18 * YEAR:
                n += 1
    out["ended_step_parent_received_with_recorded_link"] = n
    # twins among the affected children of one reception
    if len(aff["child"]):
        key = aff["rec"].astype(np.int64) * 10**6 + (w.dob[aff["child"]] - w.dob.min())
        _, counts = np.unique(key, return_counts=True)
        out["affected_twins"] = int((counts >= 2).sum())
    else:
        out["affected_twins"] = 0
    cdob = w.dob[child]
    ck = w.household[child].astype(np.int64) * 10**6 + (cdob - w.dob.min())
    _, counts = np.unique(ck, return_counts=True)
    out["twin_pairs"] = int((counts >= 2).sum())
    return out
