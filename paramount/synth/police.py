"""The police records management system (POLE): who came to notice, in which events, with
which recorded relationships, at which addresses.

Occurrences are generated first, each naming true individuals in roles; the people named
become nominal records (some more than once: duplicates), so a person has a police record
only if something brought them to notice, as in a real force. Parent-child links are
recorded only at some family events (domestic abuse, child protection, missing children,
custody), in either direction or both, sometimes against a duplicate nominal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from paramount.contract.tables import (
    OCCURRENCE_ROLES,
    OCCURRENCE_TYPES,
    RELATIONSHIP_SOURCES,
    RELATIONSHIPS,
)
from paramount.synth.geography import DISTRICT_LPA_IDX, LPA_CODES
from paramount.synth.offending import DAY_S, OFFENCES, Bookings
from paramount.synth.params import SynthParams
from paramount.synth.population import (
    HH_COUPLE,
    L_BIRTH,
    L_CARER,
    L_EX_STEP,
    L_STEP,
    R_YOUNG_ADULT,
    World,
)
from paramount.synth.timeutil import YEAR

# planted traps recorded in Events.t_*: a wrong single PARENT link from an unrelated adult,
# an ex-partner's child by another father recorded as the prisoner's, a young adult's
# sibling recorded as his child
TRAP_WRONG_LINK, TRAP_EX_PARTNER_CHILD, TRAP_SIBLING_AS_CHILD = 0, 1, 2

OT = {name: i for i, name in enumerate(OCCURRENCE_TYPES)}
RO = {name: i for i, name in enumerate(OCCURRENCE_ROLES)}
RC = {name: i for i, name in enumerate(RELATIONSHIPS)}
RS = {name: i for i, name in enumerate(RELATIONSHIP_SOURCES)}
LINK_CODE = {
    L_BIRTH: RC["PARENT"],
    L_STEP: RC["STEP_PARENT"],
    L_EX_STEP: RC["STEP_PARENT"],
    L_CARER: RC["CARER"],
}

_GENERIC = {  # type: (share, P(no offender), mean victims, mean witnesses)
    "THEFT": (0.24, 0.55, 1.0, 0.3),
    "VIOLENCE": (0.20, 0.15, 1.05, 0.8),
    "ASB": (0.14, 0.45, 0.5, 0.4),
    "BURGLARY": (0.06, 0.7, 1.0, 0.2),
    "DRUGS": (0.07, 0.0, 0.0, 0.2),
    "PUBLIC_ORDER": (0.08, 0.25, 0.5, 0.6),
    "ROAD_TRAFFIC": (0.08, 0.05, 0.3, 0.5),
    "SEXUAL_OFFENCE": (0.025, 0.2, 1.0, 0.2),
    "OTHER": (0.105, 0.4, 0.5, 0.3),
}


@dataclass
class Events:
    """Occurrences, the people in them, and relationships recorded, all by individual."""

    o_type: list[np.ndarray] = field(default_factory=list)
    o_time: list[np.ndarray] = field(default_factory=list)
    o_addr: list[np.ndarray] = field(default_factory=list)
    o_lpa: list[np.ndarray] = field(default_factory=list)
    o_child: list[np.ndarray] = field(default_factory=list)
    n_occ: int = 0
    p_occ: list[np.ndarray] = field(default_factory=list)
    p_ind: list[np.ndarray] = field(default_factory=list)
    p_role: list[np.ndarray] = field(default_factory=list)
    r_a: list[np.ndarray] = field(default_factory=list)
    r_b: list[np.ndarray] = field(default_factory=list)
    r_code: list[np.ndarray] = field(default_factory=list)
    r_src: list[np.ndarray] = field(default_factory=list)
    r_occ: list[np.ndarray] = field(default_factory=list)
    r_day: list[np.ndarray] = field(default_factory=list)
    # planted traps (truth only): adult, child, kind (see TRAP_KINDS)
    t_a: list[np.ndarray] = field(default_factory=list)
    t_b: list[np.ndarray] = field(default_factory=list)
    t_kind: list[np.ndarray] = field(default_factory=list)
    p_fwd: float = 0.5  # share of parent-type links recorded from the adult's record
    p_both: float = 0.15  # share recorded from both

    def trap(self, a: np.ndarray, b: np.ndarray, kind: int) -> None:
        m = (a >= 0) & (b >= 0)
        self.t_a.append(a[m].astype(np.int32))
        self.t_b.append(b[m].astype(np.int32))
        self.t_kind.append(np.full(int(m.sum()), kind, np.int8))

    def occ(
        self,
        typ: np.ndarray,
        t: np.ndarray,
        addr: np.ndarray,
        lpa: np.ndarray,
        child: np.ndarray | None = None,
    ) -> np.ndarray:
        n = len(t)
        self.o_type.append(np.broadcast_to(typ, n).astype(np.int8))
        self.o_time.append(t.astype(np.int64))
        self.o_addr.append(addr.astype(np.int32))
        self.o_lpa.append(lpa.astype(np.int16))
        self.o_child.append(np.full(n, -1, np.int8) if child is None else child.astype(np.int8))
        idx = np.arange(self.n_occ, self.n_occ + n, dtype=np.int32)
        self.n_occ += n
        return idx

    def person(self, occ: np.ndarray, ind: np.ndarray, role: np.ndarray | int) -> None:
        m = ind >= 0
        self.p_occ.append(occ[m])
        self.p_ind.append(ind[m].astype(np.int32))
        self.p_role.append(np.broadcast_to(role, len(ind))[m].astype(np.int8))

    def rel(
        self,
        a: np.ndarray,
        b: np.ndarray,
        code: np.ndarray | int,
        src: int,
        occ: np.ndarray,
        day: np.ndarray,
    ) -> None:
        m = (a >= 0) & (b >= 0)
        n = len(a)
        self.r_a.append(a[m].astype(np.int32))
        self.r_b.append(b[m].astype(np.int32))
        self.r_code.append(np.broadcast_to(code, n)[m].astype(np.int8))
        self.r_src.append(np.full(int(m.sum()), src, np.int8))
        self.r_occ.append(np.broadcast_to(occ, n)[m].astype(np.int32))
        self.r_day.append(np.broadcast_to(day, n)[m].astype(np.int32))

    def directed(
        self,
        rng: np.random.Generator,
        parent: np.ndarray,
        child: np.ndarray,
        code: np.ndarray,
        src: int,
        occ: np.ndarray,
        day: np.ndarray,
    ) -> None:
        """A parent-type link as forces record it: one direction, the other, or both."""
        u = rng.random(len(parent))
        code = np.broadcast_to(code, len(parent)).copy()
        guardian = (code == RC["CARER"]) & (rng.random(len(parent)) < 0.4)
        code[guardian] = RC["GUARDIAN"]
        fwd = u < self.p_fwd
        back = u >= self.p_fwd - self.p_both
        inv = np.array([_inverse(c) for c in range(len(RELATIONSHIPS))], dtype=np.int8)
        self.rel(np.where(fwd, parent, -1), child, code, src, occ, day)
        self.rel(np.where(back, child, -1), parent, inv[code], src, occ, day)

    def cat(self) -> None:
        for name in list(self.__dataclass_fields__):
            v = getattr(self, name)
            if isinstance(v, list):
                setattr(self, name, np.concatenate(v) if v else np.zeros(0, np.int32))


def _inverse(code: int) -> int:
    from paramount.contract.tables import INVERSE_RELATIONSHIP

    name = RELATIONSHIPS[code]
    return RC[INVERSE_RELATIONSHIP.get(name, name)]


class LinkIndex:
    """Look up the true link between (parent, child) pairs, vectorised."""

    def __init__(self, w: World) -> None:
        self.n = np.int64(w.n)
        key = w.l_parent.astype(np.int64) * self.n + w.l_child
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        self.kind = w.l_kind[order]

    def kind_of(self, parent: np.ndarray, child: np.ndarray) -> np.ndarray:
        key = parent.astype(np.int64) * self.n + child
        pos = np.searchsorted(self.key, key).clip(0, max(len(self.key) - 1, 0))
        hit = (len(self.key) > 0) & (self.key[pos] == key) & (parent >= 0) & (child >= 0)
        return np.where(hit, self.kind[pos], -1)


def _lpa_of(w: World, addr: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    d = w.addresses.arr("district")
    lpa = np.where(addr >= 0, DISTRICT_LPA_IDX[d[np.maximum(addr, 0)]], -1)
    return np.where(lpa >= 0, lpa, fallback)


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For segments (start, count): (segment index, position) of every element."""
    seg = np.repeat(np.arange(len(counts)), counts)
    offs = np.arange(len(seg)) - np.repeat(np.cumsum(counts) - counts, counts)
    return seg, np.repeat(starts, counts) + offs


@dataclass
class Police:
    events: Events
    charged: np.ndarray  # individuals with a PNC id
    pnc_year: np.ndarray  # per individual (0 if none)
    pnc_serial: np.ndarray
    cro_serial: np.ndarray
    first_seen: np.ndarray  # per individual, day of first police contact (or max)
    last_seen: np.ndarray
    cp_households: np.ndarray  # households with a child protection occurrence
    da_households: np.ndarray  # households with children present at domestic abuse
    # (prisoner, child) keys (prisoner * n + child) whose direct links are never recorded
    via_other_parent: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def build_events(
    w: World,
    rng: np.random.Generator,
    params: SynthParams,
    bk: Bookings,
    prop: np.ndarray,
    reporter_task=None,
) -> Police:
    """Every occurrence of the history, with its people and recorded relationships."""
    ev = Events(p_fwd=params.p_link_from_parent, p_both=params.p_link_both_directions)
    E, hs = w.E, w.hs
    n_in = int(w.in_area.sum())
    yrs = params.history_years
    ia = w.in_area
    age_E = (E - w.dob) / YEAR
    links = LinkIndex(w)
    rand_lpa = lambda n: rng.integers(0, len(LPA_CODES), n)  # noqa: E731

    # household membership (CSR) and each child's resident parent figure
    order = np.argsort(w.household, kind="stable").astype(np.int32)
    hh_start = np.searchsorted(w.household[order], np.arange(len(w.hh_type) + 1)).astype(np.int64)
    carer = np.full(w.n, -1, np.int32)
    m_res = (w.mother >= 0) & (w.household[np.maximum(w.mother, 0)] == w.household)
    carer[m_res] = w.mother[m_res]
    f_res = (carer < 0) & (w.father >= 0) & (w.household[np.maximum(w.father, 0)] == w.household)
    carer[f_res] = w.father[f_res]
    cl = w.l_kind == L_CARER
    nc = carer[w.l_child[cl]] < 0
    carer[w.l_child[cl][nc]] = w.l_parent[cl][nc]
    # family risk: the most offending-prone adult connected to a household's children
    risk = np.zeros(len(w.hh_type))
    np.maximum.at(risk, w.household, np.where(age_E >= 18, prop, 0))
    kid = w.l_kind != L_EX_STEP
    np.maximum.at(risk, w.household[w.l_child[kid]], prop[w.l_parent[kid]])

    def tick():
        if reporter_task is not None:
            reporter_task.advance(1)

    # ---------------------------------------------------------------- generic crime
    n_gen = int(params.generic_occurrences_per_1000_per_year / 1000 * n_in * yrs)
    names = list(_GENERIC)
    shares = np.array([_GENERIC[k][0] for k in names])
    typ_i = rng.choice(len(names), size=n_gen, p=shares / shares.sum())
    p_none = np.array([_GENERIC[k][1] for k in names])[typ_i]
    n_off = np.where(rng.random(n_gen) < p_none, 0, 1 + (rng.random(n_gen) < 0.12))
    # offenders by propensity (neighbours offend here too, less often)
    ow = prop * np.where(ia, 1.0, 0.04) * (age_E >= 13)
    cw = np.cumsum(ow)
    off1 = np.searchsorted(cw, rng.random(n_gen) * cw[-1], side="right").astype(np.int32)
    off2 = np.searchsorted(cw, rng.random(n_gen) * cw[-1], side="right").astype(np.int32)
    off1 = np.where(n_off >= 1, off1, -1)
    off2 = np.where((n_off >= 2) & (off2 != off1), off2, -1)
    lo = np.where(off1 >= 0, np.maximum(hs, w.dob[np.maximum(off1, 0)] + int(12 * YEAR)), hs)
    day = (lo + rng.random(n_gen) * np.maximum(E - lo, 1)).astype(np.int64)
    t = day * DAY_S + rng.integers(0, DAY_S, n_gen)
    # victims: residents, children less often; the occurrence happens where they live,
    # where the offender lives, or in the street
    vw = ia * np.where(age_E < 18, 0.45, 1.0)
    cvw = np.cumsum(vw)
    n_vic = rng.poisson(np.array([_GENERIC[k][2] for k in names])[typ_i]).clip(0, 3)
    vic = np.searchsorted(cvw, rng.random(n_gen) * cvw[-1], side="right").astype(np.int32)
    vic = np.where((n_vic >= 1) & (w.dob[vic] < day) & (vic != off1), vic, -1)
    vic2 = np.searchsorted(cvw, rng.random(n_gen) * cvw[-1], side="right").astype(np.int32)
    vic2 = np.where((n_vic >= 2) & (w.dob[vic2] < day - int(10 * YEAR)), vic2, -1)
    u = rng.random(n_gen)
    burg = typ_i == names.index("BURGLARY")
    addr = np.full(n_gen, -1, np.int32)
    use_vic = (vic >= 0) & (burg | (u < 0.35))
    addr[use_vic] = w.addr_on(vic[use_vic], day[use_vic])
    use_off = (addr < 0) & (off1 >= 0) & (u < 0.6)
    addr[use_off] = w.addr_on(off1[use_off], day[use_off])
    not_area = addr >= 0
    not_area[not_area] = ~np.isin(addr[not_area], w.hh_addr[w.hh_in_area]) & (
        DISTRICT_LPA_IDX[w.addresses.arr("district")[addr[not_area]]] < 0
    )
    addr[not_area] = -1
    fallback = np.where(
        off1 >= 0, _lpa_of(w, w.cur_addr[np.maximum(off1, 0)], rand_lpa(n_gen)), rand_lpa(n_gen)
    )
    lpa = _lpa_of(w, addr, fallback)
    gtypes = np.array([OT[k] for k in names], dtype=np.int8)[typ_i]
    occ = ev.occ(gtypes, t, addr, lpa)
    off_role = np.where(rng.random(n_gen) < 0.55, RO["OFFENDER"], RO["SUSPECT"])
    ev.person(occ, off1, off_role)
    ev.person(occ, off2, off_role)
    ev.person(occ, vic, RO["VICTIM"])
    ev.person(occ, vic2, RO["VICTIM"])
    aw = ia * (age_E >= 16)
    caw = np.cumsum(aw)
    n_wit = rng.poisson(np.array([_GENERIC[k][3] for k in names])[typ_i]).clip(0, 3)
    for k in range(3):
        wi = np.searchsorted(caw, rng.random(n_gen) * caw[-1], side="right").astype(np.int32)
        ok = (n_wit > k) & (w.dob[wi] < day - int(14 * YEAR))
        ev.person(occ, np.where(ok, wi, -1), RO["WITNESS"])
    rep = np.searchsorted(caw, rng.random(n_gen) * caw[-1], side="right").astype(np.int32)
    ev.person(
        occ,
        np.where((rng.random(n_gen) < 0.25) & (w.dob[rep] < day - int(16 * YEAR)), rep, -1),
        RO["PERSON_REPORTING"],
    )
    both = (off1 >= 0) & (off2 >= 0) & (rng.random(n_gen) < 0.25)
    ev.rel(
        np.where(both, off1, -1),
        off2,
        RC["ASSOCIATE"],
        RS["INTELLIGENCE"],
        occ,
        day.astype(np.int32),
    )
    tick()

    # ---------------------------------------------------------------- domestic abuse
    # couples: parents of the same child (together or separated), step-fathers with the
    # mother, ended step-fathers while they lived there, couples without children
    has_both = (w.mother >= 0) & (w.father >= 0)
    pk = w.father[has_both].astype(np.int64) * w.n + w.mother[has_both]
    pk = np.unique(pk)
    c_f = (pk // w.n).astype(np.int32)
    c_m = (pk % w.n).astype(np.int32)
    c_lo = np.full(len(c_f), hs)
    c_hi = np.full(len(c_f), E)
    c_ex = w.household[c_f] != w.household[c_m]
    st = w.l_kind == L_STEP
    s_f = w.l_parent[st]
    s_m = w.mother[w.l_child[st]]
    _, si = np.unique(s_f.astype(np.int64) * w.n + s_m, return_index=True)
    s_f, s_m = s_f[si], s_m[si]
    s_lo = np.maximum(w.l_start[st][si], hs)
    es = w.l_kind == L_EX_STEP
    e_f = w.l_parent[es]
    e_m = w.mother[w.l_child[es]]
    _, ei = np.unique(e_f.astype(np.int64) * w.n + e_m, return_index=True)
    e_f, e_m = e_f[ei], e_m[ei]
    e_lo = np.maximum(w.l_start[es][ei], hs)
    e_hi = w.l_end[es][ei]
    e_ok = e_hi > e_lo + 30
    cp_hh = np.flatnonzero(w.hh_type == HH_COUPLE)
    cp_a = order[hh_start[cp_hh]]
    cp_b = order[hh_start[cp_hh] + 1]
    P_f = np.concatenate([c_f, s_f, e_f[e_ok], cp_a])
    P_m = np.concatenate([c_m, s_m, e_m[e_ok], cp_b])
    P_hh = w.household[P_m]
    P_lo = np.concatenate([c_lo, s_lo, e_lo[e_ok], np.full(len(cp_a), hs)])
    P_hi = np.concatenate([c_hi, np.full(len(s_f), E), e_hi[e_ok], np.full(len(cp_a), E)])
    P_ex = np.concatenate(
        [c_ex, np.zeros(len(s_f), bool), np.ones(int(e_ok.sum()), bool), np.zeros(len(cp_a), bool)]
    )
    P_w = (prop[P_f] + 0.15 * prop[P_m] + 0.02) * ia[P_m] * (P_hi > P_lo)
    P_w *= np.concatenate(
        [
            np.full(len(c_f), 1.0),
            np.full(len(s_f), 1.0),
            np.full(int(e_ok.sum()), 3.0),
            np.full(len(cp_a), 0.4),
        ]
    )
    n_da = int(params.da_occurrences_per_1000_per_year / 1000 * n_in * yrs)
    cpw = np.cumsum(P_w)
    pi = np.searchsorted(cpw, rng.random(n_da) * cpw[-1], side="right")
    da_hh = _domestic(
        ev,
        w,
        rng,
        params,
        links,
        order,
        hh_start,
        P_f[pi],
        P_m[pi],
        P_hh[pi],
        P_lo[pi],
        P_hi[pi],
        P_ex[pi],
    )
    tick()

    # ---------------------------------------------------------------- prisoners' arrests
    in_p = ia[bk.person] & (rng.random(len(bk.person)) < params.p_prisoner_has_nominal)
    arrest_day = (bk.start // DAY_S - rng.integers(0, 30, len(bk.person))).astype(np.int64)
    off_type = np.array([OT[OFFENCES[int(o)][1]] for o in bk.offence], dtype=np.int8)
    da = in_p & (off_type == OT["DOMESTIC_ABUSE"]) & (arrest_day >= hs)
    # domestic offences: against the partner, or the mother of their children
    partner = _partner_of(w, order, hh_start, bk.person[da])
    ok = partner >= 0
    dd = np.flatnonzero(da)[ok]
    _domestic(
        ev,
        w,
        rng,
        params,
        links,
        order,
        hh_start,
        bk.person[dd],
        partner[ok],
        w.household[partner[ok]],
        arrest_day[dd],
        arrest_day[dd] + 1,
        w.household[bk.person[dd]] != w.household[partner[ok]],
    )
    other = in_p & ~np.isin(np.arange(len(bk.person)), dd) & (arrest_day >= hs)
    oi = np.flatnonzero(other)
    t_ar = arrest_day[oi] * DAY_S + rng.integers(0, DAY_S, len(oi))
    pers = bk.person[oi]
    addr = np.where(rng.random(len(oi)) < 0.4, w.addr_on(pers, arrest_day[oi]), -1)
    occ = ev.occ(
        np.where(off_type[oi] == OT["DOMESTIC_ABUSE"], OT["VIOLENCE"], off_type[oi]),
        t_ar,
        addr,
        _lpa_of(w, addr, _lpa_of(w, w.cur_addr[pers], rand_lpa(len(oi)))),
    )
    ev.person(occ, pers, RO["OFFENDER"])
    vic = np.searchsorted(cvw, rng.random(len(oi)) * cvw[-1], side="right").astype(np.int32)
    # now and then the victim is a child of another family: co-occurrence is not kinship
    kw = ia * (age_E < 16) * (age_E > 8)
    ckw = np.cumsum(kw)
    kv = np.searchsorted(ckw, rng.random(len(oi)) * ckw[-1], side="right").astype(np.int32)
    vic = np.where(rng.random(len(oi)) < 0.15, kv, vic)
    has_vic = np.isin(
        off_type[oi], [OT["VIOLENCE"], OT["THEFT"], OT["BURGLARY"], OT["SEXUAL_OFFENCE"]]
    ) & (w.dob[vic] < arrest_day[oi])
    has_vic &= links.kind_of(pers, vic) < 0
    ev.person(occ, np.where(has_vic & (vic != pers), vic, -1), RO["VICTIM"])
    # young adults arrested at the family home: younger brothers and sisters are there,
    # and recorded as siblings (they are not his children)
    ya = np.flatnonzero(w.role[pers] == R_YOUNG_ADULT)
    sib_a, sib_b, sib_o, sib_d = [], [], [], []
    for j in ya.tolist():
        p = int(pers[j])
        h = int(w.household[p])
        for m in order[hh_start[h] : hh_start[h + 1]].tolist():
            if (
                m != p
                and (w.mother[m] == w.mother[p] or w.father[m] == w.father[p])
                and (arrest_day[oi[j]] - w.dob[m]) < 18 * YEAR
                and w.dob[m] < arrest_day[oi[j]]
            ):
                sib_a.append(p)
                sib_b.append(m)
                sib_o.append(occ[j])
                sib_d.append(arrest_day[oi[j]])
    if sib_a:
        sa, sb = np.array(sib_a, np.int32), np.array(sib_b, np.int32)
        so, sd = np.array(sib_o, np.int32), np.array(sib_d, np.int64)
        there = rng.random(len(sa)) < params.p_sibling_at_arrest
        ev.person(so[there], sb[there], RO["INVOLVED_PARTY"])
        rec = rng.random(len(sa)) < params.p_sibling_link_recorded
        code = np.full(len(sa), RC["SIBLING"], np.int8)
        if params.p_sibling_recorded_as_parent > 0:
            wrong = rec & (rng.random(len(sa)) < params.p_sibling_recorded_as_parent)
            code[wrong] = RC["PARENT"]
            ev.trap(np.where(wrong, sa, -1), sb, TRAP_SIBLING_AS_CHILD)
        ev.rel(np.where(rec, sa, -1), sb, code, RS["CUSTODY"], so, sd.astype(np.int32))
    # an ended step-father: the family's old incidents recorded him as the children's
    # step-parent, though he left years before the prison window
    exs = np.flatnonzero(
        np.isin(w.l_parent, bk.person[in_p]) & (w.l_kind == L_EX_STEP) & (w.l_end > hs + 60)
    )
    if len(exs):
        ef, ek = np.unique(w.l_parent[exs], return_index=True)
        ec = w.l_child[exs][ek]
        em = w.mother[ec]
        ok = em >= 0
        lo = np.maximum(w.l_start[exs][ek], hs)
        _domestic(
            ev,
            w,
            rng,
            params,
            links,
            order,
            hh_start,
            ef[ok],
            em[ok],
            w.household[em[ok]],
            lo[ok],
            w.l_end[exs][ek][ok],
            np.ones(int(ok.sum()), bool),
            p_link=params.p_ex_step_old_link,
            p_present=1.0,
        )
    # custody: next of kin taken, and now and then a child named
    ci = np.flatnonzero(in_p & (arrest_day >= hs))
    nok = _partner_of(w, order, hh_start, bk.person[ci])
    nok = np.where(nok >= 0, nok, w.mother[bk.person[ci]])
    take = rng.random(len(ci)) < 0.3
    ev.rel(
        np.where(take, nok, -1),
        bk.person[ci],
        RC["NEXT_OF_KIN"],
        RS["CUSTODY"],
        np.full(len(ci), -1),
        arrest_day[ci].astype(np.int32),
    )
    lp = np.isin(w.l_parent, bk.person[ci]) & (w.l_kind != L_EX_STEP)
    lidx = np.flatnonzero(lp)
    first_arrest = np.full(w.n, np.iinfo(np.int64).max)
    np.minimum.at(first_arrest, bk.person[ci], arrest_day[ci])
    lday = first_arrest[w.l_parent[lidx]]
    keep = (w.dob[w.l_child[lidx]] < lday) & (rng.random(len(lidx)) < params.p_custody_child_link)
    li = lidx[keep]
    ev.directed(
        rng,
        w.l_parent[li],
        w.l_child[li],
        np.array([LINK_CODE[k] for k in w.l_kind[li]], dtype=np.int8),
        RS["CUSTODY"],
        np.full(len(li), -1),
        lday[keep].astype(np.int32),
    )
    # intelligence now and then names an offender's child
    li = lidx[rng.random(len(lidx)) < params.p_intel_child_link]
    lo = np.maximum(w.dob[w.l_child[li]], hs)
    iday = (lo + rng.random(len(li)) * np.maximum(E - lo, 1)).astype(np.int32)
    ok = iday < E
    li, iday = li[ok], iday[ok]
    ev.directed(
        rng,
        w.l_parent[li],
        w.l_child[li],
        np.array([LINK_CODE[k] for k in w.l_kind[li]], dtype=np.int8),
        RS["INTELLIGENCE"],
        np.full(len(li), -1),
        iday,
    )
    if params.p_prisoner_wrong_parent_link > 0:
        _wrong_links(ev, w, rng, params, links, order, hh_start, np.unique(bk.person[in_p]))
    tick()

    # ---------------------------------------------------------------- child protection
    kids_hh = np.flatnonzero(np.bincount(w.household[age_E < 18], minlength=len(w.hh_type)))
    kids_hh = kids_hh[w.hh_in_area[kids_hh]]
    hw = 0.05 + risk[kids_hh]
    n_cp = int(params.cp_occurrences_per_1000_per_year / 1000 * n_in * yrs)
    chw = np.cumsum(hw)
    cph = kids_hh[np.searchsorted(chw, rng.random(n_cp) * chw[-1], side="right")]
    cday = (hs + rng.random(n_cp) * (E - hs)).astype(np.int64)
    _child_protection(ev, w, rng, params, links, order, hh_start, carer, cph, cday)
    tick()

    # ---------------------------------------------------------------- missing children
    teen = ia & (w.dob + int(18 * YEAR) > hs) & (w.dob + int(12 * YEAR) < E)
    tw = teen * (0.05 + risk[w.household])
    ctw = np.cumsum(tw)
    n_mp = int(params.missing_per_1000_per_year / 1000 * n_in * yrs)
    mp = np.searchsorted(ctw, rng.random(n_mp) * ctw[-1], side="right").astype(np.int32)
    lo = np.maximum(w.dob[mp] + int(12 * YEAR), hs)
    hi = np.minimum(w.dob[mp] + int(18 * YEAR) - 1, E)
    mday = (lo + rng.random(n_mp) * np.maximum(hi - lo, 1)).astype(np.int64)
    addr = w.addr_on(mp, mday)
    occ = ev.occ(
        OT["MISSING_PERSON"],
        mday * DAY_S + rng.integers(0, DAY_S, n_mp),
        addr,
        _lpa_of(w, addr, rand_lpa(n_mp)),
    )
    ev.person(occ, mp, RO["MISSING_PERSON"])
    rep = carer[mp]
    ev.person(occ, rep, RO["PERSON_REPORTING"])
    kind = links.kind_of(rep, mp)
    rec = (rng.random(n_mp) < params.p_missing_nok_link) & (kind >= 0)
    code = (
        np.array([LINK_CODE.get(int(k), RC["OTHER"]) for k in kind], dtype=np.int8)
        if n_mp
        else np.zeros(0, np.int8)
    )
    ev.directed(
        rng, np.where(rec, rep, -1), mp, code, RS["OCCURRENCE_NOK"], occ, mday.astype(np.int32)
    )
    tick()

    # ---------------------------------------------------------------- concern for welfare
    n_cw = int(params.welfare_per_1000_per_year / 1000 * n_in * yrs)
    cwp = np.searchsorted(cvw, rng.random(n_cw) * cvw[-1], side="right").astype(np.int32)
    wday = (
        np.maximum(hs, w.dob[cwp])
        + rng.random(n_cw) * np.maximum(E - np.maximum(hs, w.dob[cwp]), 1)
    ).astype(np.int64)
    addr = w.addr_on(cwp, wday)
    occ = ev.occ(
        OT["CONCERN_FOR_WELFARE"],
        wday * DAY_S + rng.integers(0, DAY_S, n_cw),
        addr,
        _lpa_of(w, addr, rand_lpa(n_cw)),
    )
    ev.person(
        occ,
        cwp,
        np.where((wday - w.dob[cwp]) < 18 * YEAR, RO["VULNERABLE_CHILD"], RO["INVOLVED_PARTY"]),
    )
    ev.person(occ, np.where(rng.random(n_cw) < 0.5, carer[cwp], -1), RO["PERSON_REPORTING"])
    via = np.zeros(0, np.int64)
    if params.p_only_via_other_parent > 0:
        via = _via_other_parent(ev, w, rng, params, links, order, hh_start, bk)
    tick()
    ev.cat()
    if len(via):
        _drop_direct_links(ev, via, np.int64(w.n))

    # ---------------------------------------------------------------- identities
    ind = np.concatenate([ev.p_ind, ev.r_a, ev.r_b])
    day_of = np.concatenate([ev.o_time[ev.p_occ] // DAY_S, ev.r_day, ev.r_day])
    first_seen = np.full(w.n, np.iinfo(np.int64).max)
    last_seen = np.full(w.n, np.iinfo(np.int64).min)
    np.minimum.at(first_seen, ind, day_of)
    np.maximum.at(last_seen, ind, day_of)
    offend = (ev.p_role == RO["OFFENDER"]) | (ev.p_role == RO["SUSPECT"])
    first_off = np.full(w.n, np.iinfo(np.int64).max)
    np.minimum.at(first_off, ev.p_ind[offend], (ev.o_time[ev.p_occ] // DAY_S)[offend])
    cand = np.flatnonzero(first_off < np.iinfo(np.int64).max)
    cand = cand[(first_off[cand] - w.dob[cand]) > 10 * YEAR]
    charged_m = np.zeros(w.n, bool)
    charged_m[cand[rng.random(len(cand)) < params.p_offender_charged]] = True
    charged_m[bk.person] = True
    first_off[bk.person] = np.minimum(first_off[bk.person], bk.start // DAY_S)
    charged = np.flatnonzero(charged_m)
    year = first_off[charged].astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    year = np.maximum(
        year,
        (w.dob[charged] + int(10 * YEAR))
        .astype("datetime64[D]")
        .astype("datetime64[Y]")
        .astype(int)
        + 1970,
    )
    pnc_year = np.zeros(w.n, np.int32)
    pnc_serial = np.zeros(w.n, np.int64)
    cro_serial = np.zeros(w.n, np.int64)
    pnc_year[charged] = year
    pnc_serial[charged] = rng.choice(9_999_999, size=len(charged), replace=False) + 1
    has_cro = charged[rng.random(len(charged)) < params.p_cro]
    cro_serial[has_cro] = rng.choice(999_999, size=len(has_cro), replace=False) + 1
    return Police(
        ev,
        charged,
        pnc_year,
        pnc_serial,
        cro_serial,
        first_seen,
        last_seen,
        np.unique(cph),
        np.unique(da_hh),
        via,
    )


def _partner_of(
    w: World, order: np.ndarray, hh_start: np.ndarray, people: np.ndarray
) -> np.ndarray:
    """A co-resident adult of the other sex who is not their parent or child, else the
    other parent of their children, else -1."""
    out = np.full(len(people), -1, np.int32)
    size = (hh_start[w.household[people] + 1] - hh_start[w.household[people]]).astype(np.int64)
    seg, pos = _expand(hh_start[w.household[people]], size)
    m = order[pos]
    p = people[seg]
    ok = (
        (m != p)
        & (w.sex[m] != w.sex[p])
        & ((w.E - w.dob[m]) > 18 * YEAR)
        & (w.mother[p] != m)
        & (w.father[p] != m)
        & (w.mother[m] != p)
        & (w.father[m] != p)
    )
    out[seg[ok][::-1]] = m[ok][::-1]
    # separated: the other parent of one of their children
    lk = np.isin(w.l_parent, people) & (w.l_kind == L_BIRTH)
    ch = w.l_child[lk]
    par = w.l_parent[lk]
    other = np.where(w.mother[ch] == par, w.father[ch], w.mother[ch])
    first = {}
    for a, b in zip(par.tolist(), other.tolist(), strict=True):
        if b >= 0 and a not in first:
            first[a] = b
    miss = out < 0
    out[miss] = [first.get(int(x), -1) for x in people[miss]]
    return out


def _domestic(
    ev: Events,
    w: World,
    rng: np.random.Generator,
    params: SynthParams,
    links: LinkIndex,
    order: np.ndarray,
    hh_start: np.ndarray,
    perp: np.ndarray,
    vict: np.ndarray,
    hh: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    ex: np.ndarray,
    p_link: float | None = None,
    p_present: float | None = None,
) -> np.ndarray:
    """Domestic abuse incidents: perpetrator, victim, and the children of the victim's
    household present (Encompass: the school is told; links recorded for some)."""
    n = len(perp)
    if n == 0:
        return np.zeros(0, np.int32)
    swap = rng.random(n) < 0.12  # the woman is the perpetrator in some incidents
    a = np.where(swap, vict, perp)
    v = np.where(swap, perp, vict)
    day = (lo + rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64)
    addr = w.addr_on(vict, day)
    # children living in the victim's household that day
    size = hh_start[hh + 1] - hh_start[hh]
    seg, pos = _expand(hh_start[hh], size)
    c = order[pos]
    age = day[seg] - w.dob[c]
    present_occ = rng.random(n) < (params.p_da_child_present if p_present is None else p_present)
    kid = (age >= 0) & (age < 18 * YEAR) & present_occ[seg] & (c != perp[seg]) & (c != vict[seg])
    any_kid = np.zeros(n, bool)
    any_kid[seg[kid]] = True
    occ = ev.occ(
        OT["DOMESTIC_ABUSE"],
        day * DAY_S + rng.integers(0, DAY_S, n),
        addr,
        _lpa_of(w, addr, rng.integers(0, len(LPA_CODES), n)),
        child=any_kid.astype(np.int8),
    )
    ev.person(occ, a, np.where(rng.random(n) < 0.6, RO["OFFENDER"], RO["SUSPECT"]))
    ev.person(occ, v, RO["VICTIM"])
    if params.p_young_adult_at_family_da > 0:
        # a young adult of the household (a brother of the children) is there too
        yad = (
            (w.role[c] == R_YOUNG_ADULT)
            & (age >= 18 * YEAR)
            & present_occ[seg]
            & (c != perp[seg])
            & (c != vict[seg])
            & (rng.random(len(c)) < params.p_young_adult_at_family_da)
        )
        ev.person(
            occ[seg[yad]],
            c[yad],
            np.where(rng.random(int(yad.sum())) < 0.5, RO["WITNESS"], RO["INVOLVED_PARTY"]),
        )
    ks, kc = seg[kid], c[kid]
    named = rng.random(len(kc)) < 0.85
    ks, kc = ks[named], kc[named]
    role = rng.choice(
        [RO["WITNESS"], RO["INVOLVED_PARTY"], RO["VULNERABLE_CHILD"]],
        size=len(kc),
        p=[0.3, 0.4, 0.3],
    )
    ev.person(occ[ks], kc, role)
    # Encompass: parent figures of the children present, as police understood them
    for adult in (perp, vict):
        ad = adult[ks]
        kind = links.kind_of(ad, kc)
        p = params.p_da_record_parent_link if p_link is None else p_link
        rec = (kind >= 0) & (rng.random(len(kc)) < p)
        code = np.array([LINK_CODE.get(int(k), RC["OTHER"]) for k in kind], dtype=np.int8)
        ev.directed(
            rng, np.where(rec, ad, -1), kc, code, RS["ENCOMPASS"], occ[ks], day[ks].astype(np.int32)
        )
        if adult is perp and params.p_ex_partner_child_wrong_link > 0:
            # officers take the mother's former partner for the father of every child there
            wrong = (
                (kind < 0)
                & ex[ks]
                & (rng.random(len(kc)) < params.p_ex_partner_child_wrong_link)
                & (w.mother[kc] == vict[ks])
            )
            ev.directed(
                rng,
                np.where(wrong, ad, -1),
                kc,
                RC["PARENT"],
                RS["ENCOMPASS"],
                occ[ks],
                day[ks].astype(np.int32),
            )
            ev.trap(np.where(wrong, ad, -1), kc, TRAP_EX_PARTNER_CHILD)
    # partners, and brothers and sisters present together
    pr = rng.random(n) < 0.25
    ev.rel(
        np.where(pr, perp, -1),
        vict,
        np.where(ex, RC["EX_PARTNER"], RC["PARTNER"]),
        RS["ENCOMPASS"],
        occ,
        day.astype(np.int32),
    )
    if len(ks) > 1:
        same = ks[1:] == ks[:-1]
        sib = same & (rng.random(len(same)) < 0.15)
        ev.rel(
            np.where(sib, kc[:-1], -1),
            kc[1:],
            RC["SIBLING"],
            RS["ENCOMPASS"],
            occ[ks[1:]],
            day[ks[1:]].astype(np.int32),
        )
    return hh[any_kid]


def _child_protection(
    ev: Events,
    w: World,
    rng: np.random.Generator,
    params: SynthParams,
    links: LinkIndex,
    order: np.ndarray,
    hh_start: np.ndarray,
    carer: np.ndarray,
    hh: np.ndarray,
    day: np.ndarray,
) -> None:
    """Child protection investigations: the household's children and their carers."""
    n = len(hh)
    size = hh_start[hh + 1] - hh_start[hh]
    seg, pos = _expand(hh_start[hh], size)
    m = order[pos]
    age = day[seg] - w.dob[m]
    child = (age >= 0) & (age < 18 * YEAR)
    adult = age >= 18 * YEAR
    has = np.zeros(n, bool)
    has[seg[child]] = True
    addr = w.hh_addr[hh]
    occ = ev.occ(
        OT["CHILD_PROTECTION"],
        day * DAY_S + rng.integers(0, DAY_S, n),
        addr,
        _lpa_of(w, addr, rng.integers(0, len(LPA_CODES), n)),
    )
    ev.person(occ[seg[child]], m[child], RO["VULNERABLE_CHILD"])
    ad_role = np.where(rng.random(int(adult.sum())) < 0.25, RO["SUSPECT"], RO["INVOLVED_PARTY"])
    ev.person(occ[seg[adult]], m[adult], ad_role)
    # links: each child to each resident adult who is truly their parent figure
    cs = np.flatnonzero(child)
    for_adult = np.flatnonzero(adult)
    # pair children with adults of the same occurrence (households are small)
    a_by_seg = {}
    for i in for_adult.tolist():
        a_by_seg.setdefault(int(seg[i]), []).append(int(m[i]))
    pc, pa_ = [], []
    for i in cs.tolist():
        for a in a_by_seg.get(int(seg[i]), ()):
            pc.append(i)
            pa_.append(a)
    pc = np.array(pc, dtype=np.int64)
    pa_ = np.array(pa_, dtype=np.int32)
    if len(pc):
        kc = m[pc]
        kind = links.kind_of(pa_, kc)
        rec = (kind >= 0) & (rng.random(len(pc)) < params.p_cp_record_parent_link)
        code = np.array([LINK_CODE.get(int(k), RC["OTHER"]) for k in kind], dtype=np.int8)
        ev.directed(
            rng,
            np.where(rec, pa_, -1),
            kc,
            code,
            RS["CHILD_PROTECTION"],
            occ[seg[pc]],
            day[seg[pc]].astype(np.int32),
        )
        # grandparents bringing up a grandchild: also recorded as such
        gp = rec & (kind == L_CARER) & (rng.random(len(pc)) < 0.5)
        ev.directed(
            rng,
            np.where(gp, pa_, -1),
            kc,
            RC["GRANDPARENT"],
            RS["CHILD_PROTECTION"],
            occ[seg[pc]],
            day[seg[pc]].astype(np.int32),
        )
    del carer


def _wrong_links(
    ev: Events,
    w: World,
    rng: np.random.Generator,
    params: SynthParams,
    links: LinkIndex,
    order: np.ndarray,
    hh_start: np.ndarray,
    prisoners: np.ndarray,
) -> None:
    """A single wrong PARENT row: a prisoner recorded once as the parent of a child he is
    not related to (the mother's boyfriend, a neighbour, a family friend), little else."""
    pick = prisoners[rng.random(len(prisoners)) < params.p_prisoner_wrong_parent_link]
    n = len(pick)
    if not n:
        return
    kid = np.flatnonzero(w.in_area & ((w.E - w.dob) < 16 * YEAR) & ((w.E - w.dob) > YEAR))
    c = kid[rng.integers(0, len(kid), n)]
    ok = (links.kind_of(pick, c) < 0) & (w.household[pick] != w.household[c])
    pick, c = pick[ok], c[ok]
    n = len(pick)
    lo = np.maximum(w.dob[c], w.hs)
    day = (lo + rng.random(n) * np.maximum(w.E - 30 - lo, 1)).astype(np.int32)
    src = rng.choice(
        [RS["CHILD_PROTECTION"], RS["OCCURRENCE_NOK"], RS["INTELLIGENCE"], RS["OTHER"]],
        size=n,
        p=[0.4, 0.25, 0.25, 0.1],
    )
    for s in np.unique(src):
        m = src == s
        ev.directed(rng, pick[m], c[m], RC["PARENT"], int(s), np.full(int(m.sum()), -1), day[m])
    # the mother's boyfriend: sometimes also recorded as her partner
    boy = (w.mother[c] >= 0) & (rng.random(n) < 0.3)
    ev.rel(
        np.where(boy, pick, -1),
        np.where(boy, w.mother[c], -1),
        RC["PARTNER"],
        RS["OTHER"],
        np.full(n, -1),
        day,
    )
    ev.trap(pick, c, TRAP_WRONG_LINK)


def _via_other_parent(
    ev: Events,
    w: World,
    rng: np.random.Generator,
    params: SynthParams,
    links: LinkIndex,
    order: np.ndarray,
    hh_start: np.ndarray,
    bk: Bookings,
) -> np.ndarray:
    """Non-resident birth parents whose children police reach only through the other
    parent: the prisoner recorded with that parent (ex-partner row, or her domestic
    incidents), that parent recorded as the child's. Returns the (prisoner, child) keys
    whose direct links are to be dropped everywhere."""
    pris = np.unique(bk.person[w.in_area[bk.person]])
    pris = pris[rng.random(len(pris)) < params.p_only_via_other_parent]
    m = np.isin(w.l_parent, pris) & (w.l_kind == L_BIRTH)
    par, ch = w.l_parent[m], w.l_child[m]
    apart = w.household[par] != w.household[ch]
    par, ch = par[apart], ch[apart]
    other = np.where(w.mother[ch] == par, w.father[ch], w.mother[ch])
    ok = other >= 0
    par, ch, other = par[ok], ch[ok], other[ok]
    n = len(par)
    if not n:
        return np.zeros(0, np.int64)
    # the other parent recorded as the child's parent (child protection, missing, NOK)
    lo = np.maximum(w.dob[ch], w.hs)
    day = (lo + rng.random(n) * np.maximum(w.E - 30 - lo, 1)).astype(np.int32)
    ev.directed(rng, other, ch, RC["PARENT"], RS["CHILD_PROTECTION"], np.full(n, -1), day)
    # the prisoner and the other parent: an ex-partner row, or a domestic incident
    _, first = np.unique(par.astype(np.int64) * w.n + other, return_index=True)
    pp, oo = par[first], other[first]
    k = len(pp)
    lo2 = np.maximum(w.dob[ch[first]] - int(YEAR), w.hs)
    d2 = (lo2 + rng.random(k) * np.maximum(w.E - 30 - lo2, 1)).astype(np.int32)
    row = rng.random(k) < 0.6
    code = np.where(rng.random(k) < 0.75, RC["EX_PARTNER"], RC["PARTNER"])
    ev.rel(np.where(row, pp, -1), oo, code, RS["ENCOMPASS"], np.full(k, -1), d2)
    da = ~row | (rng.random(k) < 0.3)
    if da.any():
        _domestic(
            ev,
            w,
            rng,
            params,
            links,
            order,
            hh_start,
            pp[da],
            oo[da],
            w.household[oo[da]],
            d2[da].astype(np.int64),
            d2[da].astype(np.int64) + 1,
            np.ones(int(da.sum()), bool),
        )
    return np.unique(par.astype(np.int64) * w.n + ch)


def _drop_direct_links(ev: Events, keys: np.ndarray, n: np.int64) -> None:
    """Remove every recorded relationship between the given (adult, child) pairs."""
    a, b = ev.r_a.astype(np.int64), ev.r_b.astype(np.int64)
    hit = np.isin(a * n + b, keys) | np.isin(b * n + a, keys)
    for name in ("r_a", "r_b", "r_code", "r_src", "r_occ", "r_day"):
        setattr(ev, name, getattr(ev, name)[~hit])
