"""Counts of the situations that fool naive methods, so a generated force can show (and a
test can check) that each one is really there."""

from __future__ import annotations

import numpy as np

from paramount.contract.tables import RELATIONSHIPS, SHARED_PREMISES
from paramount.synth.geography import PREMISES
from paramount.synth.offending import DAY_S, Bookings
from paramount.synth.police import (
    RO,
    TRAP_EX_PARTNER_CHILD,
    TRAP_SIBLING_AS_CHILD,
    TRAP_WRONG_LINK,
    LinkIndex,
    Police,
)
from paramount.synth.police_records import RMS
from paramount.synth.population import L_EX_STEP, World
from paramount.synth.prison import PrisonOut
from paramount.synth.timeutil import YEAR, age_on


def count_traps(
    w: World, bk: Bookings, police: Police, rms: RMS, prison: PrisonOut, aff: dict[str, np.ndarray]
) -> tuple[dict[str, int], dict[str, int]]:
    """(the traps every force holds, the issue-11 failure classes a world may turn on)."""
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
    world = _issue11_traps(w, police, rms, prison, aff, rec_person, rec_day, sib_hh, ex_pairs)
    return out, world


def _issue11_traps(
    w: World,
    police: Police,
    rms: RMS,
    prison: PrisonOut,
    aff: dict[str, np.ndarray],
    rec_person: np.ndarray,
    rec_day: np.ndarray,
    sib_hh: dict[int, list[int]],
    ex_pairs: dict[int, list[int]],
) -> dict[str, int]:
    """The failure classes other forces showed (issue 11), one count each."""
    ev = police.events
    out: dict[str, int] = {}
    nn = np.int64(w.n)
    received = np.zeros(w.n, bool)
    received[rec_person] = True
    # young prisoners (18-29) at the family home with brothers or sisters under 18, and
    # those of them named at the same occurrence as such a sibling
    young = (age_on(w.dob[rec_person], rec_day) <= 29) & (age_on(w.dob[rec_person], rec_day) >= 18)
    sibs: dict[int, set[int]] = {}
    for p, d in zip(rec_person[young].tolist(), rec_day[young].tolist(), strict=True):
        for c in sib_hh.get(int(w.household[p]), []):
            same = (w.mother[c] >= 0 and w.mother[c] == w.mother[p]) or (
                w.father[c] >= 0 and w.father[c] == w.father[p]
            )
            if same and c != p and (d - w.dob[c]) < 18 * YEAR:
                sibs.setdefault(p, set()).add(c)
    out["young_prisoner_18_29_living_with_siblings"] = len(sibs)
    occ_of: dict[int, set[int]] = {}
    who = np.isin(ev.p_ind, np.fromiter(sibs, np.int64, len(sibs)))
    for o, i in zip(ev.p_occ[who].tolist(), ev.p_ind[who].tolist(), strict=True):
        occ_of.setdefault(i, set()).add(o)
    allsib = np.fromiter((c for v in sibs.values() for c in v), np.int64)
    sm = np.isin(ev.p_ind, allsib)
    sib_occ: dict[int, set[int]] = {}
    for o, i in zip(ev.p_occ[sm].tolist(), ev.p_ind[sm].tolist(), strict=True):
        sib_occ.setdefault(i, set()).add(o)
    out["young_prisoner_at_incident_with_sibling"] = sum(
        1 for p, cs in sibs.items() if any(occ_of.get(p, set()) & sib_occ.get(c, set()) for c in cs)
    )
    # planted wrong links whose adult was received
    for kind, name in (
        (TRAP_WRONG_LINK, "single_wrong_parent_link_received"),
        (TRAP_EX_PARTNER_CHILD, "ex_partner_child_recorded_as_prisoners"),
        (TRAP_SIBLING_AS_CHILD, "sibling_recorded_as_prisoners_child"),
    ):
        m = (ev.t_kind == kind) & received[ev.t_a] if len(ev.t_kind) else np.zeros(0, bool)
        out[name] = len(np.unique(ev.t_a[m].astype(np.int64) * nn + ev.t_b[m]))
    # ended step-fathers received whose old family home is still their open home row
    stale = set() if rms.stale_home_ind is None else set(rms.stale_home_ind.tolist())
    out["ended_step_parent_received_home_row_open"] = sum(
        1 for p in set(rec_person.tolist()) if p in ex_pairs and p in stale
    )
    # prisoner contacts: ended step-children declared, undated adult children declared
    ct = prison.contacts
    tc = prison.truth_contacts["individual"].to_numpy()
    pn = {v: k for k, v in prison.prisoner_number.items()}
    code = ct["relationship_code"].to_pylist()
    pris = [pn[x] for x in ct["prisoner_number"].to_pylist()]
    undated = ct["date_of_birth"].is_null().to_numpy(zero_copy_only=False)
    ex_set = {(p, c) for p, cs in ex_pairs.items() for c in cs}
    out["ended_step_child_declared"] = sum(
        1
        for p, c, k in zip(pris, tc.tolist(), code, strict=True)
        if k in ("SSON", "SDAU") and (p, c) in ex_set
    )
    adult = (w.E - w.dob[tc]) >= 18 * YEAR if len(tc) else np.zeros(0, bool)
    out["undated_adult_child_declared"] = int(
        sum(
            1
            for k, a, u in zip(code, adult.tolist(), undated.tolist(), strict=True)
            if k in ("SON", "DAU") and a and u
        )
    )
    out["grown_children_declared_outside_families"] = int(prison.grown_children)
    out["children_declared_under_prisoners_surname"] = int(prison.own_surname_children)
    other = rms.other_surname_ind if rms.other_surname_ind is not None else np.zeros(0, np.int64)
    out["affected_with_nominal_under_other_surname"] = int(
        np.isin(aff["child"], other).sum() if len(aff["child"]) else 0
    )
    # affected children reachable only through the other parent
    if len(aff["child"]) and len(police.via_other_parent):
        key = aff["parent"].astype(np.int64) * nn + aff["child"]
        out["affected_only_via_other_parent"] = int(
            (np.isin(key, police.via_other_parent) & aff["in_area"]).sum()
        )
    else:
        out["affected_only_via_other_parent"] = 0
    # affected children declared by the prisoner, and with a duplicate nominal
    if len(aff["child"]):
        dk = set((np.array(pris, np.int64) * nn + tc).tolist()) if len(tc) else set()
        key = aff["parent"].astype(np.int64) * nn + aff["child"]
        out["affected_declared"] = int(sum(1 for k in key.tolist() if k in dk))
        out["affected_with_duplicate_nominal"] = int((rms.n_nominals[aff["child"]] > 1).sum())
    else:
        out["affected_declared"] = out["affected_with_duplicate_nominal"] = 0
    # recorded parent-type links by direction: from the adult (PARENT) or the child (CHILD)
    _, _, rcode = rms.rel_ind
    out["links_recorded_parent_side"] = int((rcode == RELATIONSHIPS.index("PARENT")).sum())
    out["links_recorded_child_side"] = int((rcode == RELATIONSHIPS.index("CHILD")).sum())
    return out
