"""Individuals and households: who lives with whom, who is whose child, and where.

Everything is built as arrays, household type by household type, so a force of millions
is generated in seconds. The model keeps what decides the truth: birth parents (resident or
not), current and ended step-parents, grandparents who are carers, siblings, twins, and
where each person lived over time (one earlier address at most).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from paramount.synth.geography import DISTRICT_LPA_IDX, AddressBook, sample_districts
from paramount.synth.names import POOLS
from paramount.synth.params import SynthParams
from paramount.synth.timeutil import FAR_FUTURE, YEAR

# household types
HH_SINGLE, HH_COUPLE, HH_COUPLE_KIDS, HH_LONE_MOTHER, HH_LONE_FATHER = 0, 1, 2, 3, 4
HH_STEP_FAMILY, HH_GP_CARER, HH_SEP = 5, 6, 7
HH_NAMES = (
    "SINGLE",
    "COUPLE",
    "COUPLE_KIDS",
    "LONE_MOTHER",
    "LONE_FATHER",
    "STEP_FAMILY",
    "GP_CARER",
    "SEP",
)
# roles in the household
R_SINGLE, R_PARTNER, R_PARENT, R_CHILD, R_YOUNG_ADULT = 0, 1, 2, 3, 4
R_SEP_FATHER, R_SEP_MOTHER, R_EX_STEP, R_STEP_FATHER, R_GRANDPARENT, R_NEW_PARTNER = (
    5,
    6,
    7,
    8,
    9,
    10,
)
# kinds of parent-child link
L_BIRTH, L_STEP, L_EX_STEP, L_CARER = 0, 1, 2, 3

_PEOPLE = (
    "sex",
    "dob",
    "origin",
    "first",
    "middle",
    "surname",
    "household",
    "mother",
    "father",
    "role",
    "prev_addr",
    "move_date",
)


@dataclass
class World:
    """The true state of the synthetic world (never written as such: truth is derived)."""

    E: int  # extract date
    ws: int  # start of the prison movements window
    hs: int  # start of police history
    # individuals
    sex: np.ndarray = field(default=None)  # 0 male, 1 female
    dob: np.ndarray = field(default=None)
    origin: np.ndarray = field(default=None)
    first: np.ndarray = field(default=None)
    middle: np.ndarray = field(default=None)
    surname: np.ndarray = field(default=None)
    household: np.ndarray = field(default=None)
    mother: np.ndarray = field(default=None)
    father: np.ndarray = field(default=None)
    role: np.ndarray = field(default=None)
    prev_addr: np.ndarray = field(default=None)  # an earlier home (-1: none known)
    move_date: np.ndarray = field(default=None)  # when they left prev_addr
    # households
    hh_type: np.ndarray = field(default=None)
    hh_in_area: np.ndarray = field(default=None)
    hh_addr: np.ndarray = field(default=None)
    # parent-child links
    l_parent: np.ndarray = field(default=None)
    l_child: np.ndarray = field(default=None)
    l_kind: np.ndarray = field(default=None)
    l_start: np.ndarray = field(default=None)
    l_end: np.ndarray = field(default=None)
    addresses: AddressBook = field(default_factory=AddressBook)

    @property
    def n(self) -> int:
        return len(self.sex)

    @property
    def in_area(self) -> np.ndarray:
        return self.hh_in_area[self.household]

    @property
    def cur_addr(self) -> np.ndarray:
        return self.hh_addr[self.household]

    def addr_on(self, person: np.ndarray, on: np.ndarray) -> np.ndarray:
        """Where each person lived on a day (their earlier home before they moved)."""
        before = (self.prev_addr[person] >= 0) & (on < self.move_date[person])
        return np.where(before, self.prev_addr[person], self.cur_addr[person])


class _Builder:
    """Accumulates people, households and links as chunks of arrays."""

    def __init__(self) -> None:
        self.p: dict[str, list[np.ndarray]] = {k: [] for k in _PEOPLE}
        self.np = 0
        self.h_type: list[np.ndarray] = []
        self.h_in: list[np.ndarray] = []
        self.nh = 0
        self.links: list[tuple[np.ndarray, ...]] = []

    def households(self, kind: int, in_area: np.ndarray) -> np.ndarray:
        n = len(in_area)
        self.h_type.append(np.full(n, kind, dtype=np.int8))
        self.h_in.append(in_area.astype(bool))
        idx = np.arange(self.nh, self.nh + n, dtype=np.int32)
        self.nh += n
        return idx

    def people(self, **cols: np.ndarray) -> np.ndarray:
        n = len(cols["dob"])
        defaults = {
            "middle": -1,
            "mother": -1,
            "father": -1,
            "prev_addr": -1,
            "move_date": 0,
            "first": -1,
        }
        for k in _PEOPLE:
            v = cols.get(k)
            if v is None:
                v = np.full(n, defaults[k])
            self.p[k].append(np.asarray(v))
        idx = np.arange(self.np, self.np + n, dtype=np.int32)
        self.np += n
        return idx

    def link(
        self,
        parent: np.ndarray,
        child: np.ndarray,
        kind: int,
        start: np.ndarray,
        end: np.ndarray | None = None,
    ) -> None:
        m = parent >= 0
        n = int(m.sum())
        e = np.full(n, FAR_FUTURE, dtype=np.int32) if end is None else end[m]
        self.links.append(
            (
                parent[m],
                child[m],
                np.full(n, kind, np.int8),
                np.asarray(start)[m].astype(np.int32),
                e.astype(np.int32),
            )
        )


def _adult_age_days(
    rng: np.random.Generator, n: int, lo: float, hi: float, old_share: float = 0.3
) -> np.ndarray:
    """Adult ages: working ages flat-ish, a tail of older people."""
    young = rng.uniform(lo, min(hi, 66), n)
    old = rng.uniform(min(hi, 66), hi, n) if hi > 66 else young
    age = np.where(rng.random(n) < old_share, old, young)
    return (age * YEAR).astype(np.int64)


def _sex_pref(rng, n, p_female=0.5):
    return (rng.random(n) < p_female).astype(np.int8)


def _origins(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(len(POOLS.origins), size=n, p=POOLS.origin_weights).astype(np.int8)


def _maybe_mixed(rng: np.random.Generator, origin: np.ndarray, p: float) -> np.ndarray:
    other = _origins(rng, len(origin))
    return np.where(rng.random(len(origin)) < p, other, origin).astype(np.int8)


def _kids(
    rng: np.random.Generator,
    fam: np.ndarray,
    params: SynthParams,
    E: int,
    min_age_years: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Children per family: (family index per child, dob per child); twins share a dob."""
    k = rng.choice(
        np.arange(1, len(params.kids_pmf) + 1),
        size=len(fam),
        p=np.array(params.kids_pmf) / sum(params.kids_pmf),
    )
    fam_of = np.repeat(np.arange(len(fam)), k)
    age = rng.uniform(min_age_years * YEAR, 18 * YEAR - 1, len(fam_of))
    dob = (E - age).astype(np.int64)
    # twins: the second child of some families takes the first's birthday
    first_pos = np.concatenate([[0], np.cumsum(k)[:-1]])
    twin_fam = (k >= 2) & (rng.random(len(fam)) < params.p_twins)
    dob[first_pos[twin_fam] + 1] = dob[first_pos[twin_fam]]
    return fam_of, dob


def build_area(
    b: _Builder,
    rng: np.random.Generator,
    params: SynthParams,
    n_target: int,
    in_area: bool,
    E: int,
    ws: int,
    hs: int,
    book: AddressBook,
) -> None:
    """Households of one area (the force, or its neighbours) and everyone in them."""
    shares = dict(params.household_shares)
    mk = float(
        np.dot(np.arange(1, len(params.kids_pmf) + 1), params.kids_pmf) / sum(params.kids_pmf)
    )
    ya, fk, pn = (
        params.p_young_adult_at_home,
        params.p_lone_mother_father_known,
        params.p_sep_parent_new_partner,
    )
    size = {
        "SINGLE": 1,
        "COUPLE": 2,
        "COUPLE_KIDS": 2 + mk + ya,
        "LONE_MOTHER": 1 + mk + ya + fk * (1 + pn) + params.p_ex_step,
        "LONE_FATHER": 2 + mk + pn,
        "STEP_FAMILY": 2 + mk + 0.65 + (1 + pn),
        "GP_CARER": 1.5 + mk + 1 + 0.5 * (1 + pn),
    }
    total = sum(shares.values())
    mean = sum(shares[k] * size[k] for k in shares) / total
    n_hh = n_target / mean
    counts = {k: round(n_hh * v / total) for k, v in shares.items()}
    area = np.bool_(in_area)

    def hh(kind: int, n: int, flip: float = 0.0) -> np.ndarray:
        ia = np.full(n, area)
        if flip:
            ia = np.where(rng.random(n) < flip, ~ia, ia)
        return b.households(kind, ia)

    def afb(n: int) -> np.ndarray:  # age at first birth, days
        return (np.clip(rng.normal(27.5, 5.5, n), 16, 44) * YEAR).astype(np.int64)

    def partner_gap(n: int) -> np.ndarray:
        return (np.clip(rng.normal(2.5, 3.5, n), -6, 15) * YEAR).astype(np.int64)

    def new_partner(sep_hh: np.ndarray, sep_dob: np.ndarray, sex: int, origin: np.ndarray) -> None:
        m = rng.random(len(sep_hh)) < pn
        nn = int(m.sum())
        b.people(
            sex=np.full(nn, sex, np.int8),
            dob=sep_dob[m] + partner_gap(nn) * (1 if sex == 1 else -1),
            origin=_maybe_mixed(rng, origin[m], 0.1),
            surname=POOLS.sample(rng, origin[m], "surname"),
            household=sep_hh[m],
            role=np.full(nn, R_NEW_PARTNER, np.int8),
        )

    # --- singles
    n = counts["SINGLE"]
    h = hh(HH_SINGLE, n)
    o = _origins(rng, n)
    b.people(
        sex=_sex_pref(rng, n),
        dob=E - _adult_age_days(rng, n, 18, 95, 0.35),
        origin=o,
        surname=POOLS.sample(rng, o, "surname"),
        household=h,
        role=np.full(n, R_SINGLE, np.int8),
    )
    # --- couples without dependent children
    n = counts["COUPLE"]
    h = hh(HH_COUPLE, n)
    o = _origins(rng, n)
    sn = POOLS.sample(rng, o, "surname")
    mdob = E - _adult_age_days(rng, n, 20, 95, 0.45)
    b.people(
        sex=np.zeros(n, np.int8),
        dob=mdob,
        origin=o,
        surname=sn,
        household=h,
        role=np.full(n, R_PARTNER, np.int8),
    )
    o2 = _maybe_mixed(rng, o, params.p_mixed_origin_couple)
    b.people(
        sex=np.ones(n, np.int8),
        dob=np.minimum(mdob + partner_gap(n), E - 18 * YEAR),
        origin=o2,
        surname=np.where(rng.random(n) < 0.75, sn, POOLS.sample(rng, o2, "surname")),
        household=h,
        role=np.full(n, R_PARTNER, np.int8),
    )

    # --- families with children --------------------------------------------------------
    def family(kind: int, n: int) -> None:
        h = hh(kind, n)
        o = _origins(rng, n)
        sn_f = POOLS.sample(rng, o, "surname")
        o_m = _maybe_mixed(rng, o, params.p_mixed_origin_couple)
        sn_m_own = POOLS.sample(rng, o_m, "surname")
        min_age = 4.0 if kind == HH_STEP_FAMILY else 0.0
        fam_of, kdob = _kids(rng, h, params, E, min_age)
        # a young adult still at home with younger siblings
        if kind in (HH_COUPLE_KIDS, HH_LONE_MOTHER):
            ya_m = rng.random(n) < ya
            ya_fam = np.flatnonzero(ya_m)
            ya_dob = (
                E - rng.uniform(18 * YEAR, params.young_adult_max_age * YEAR, len(ya_fam))
            ).astype(np.int64)
            fam_of = np.concatenate([fam_of, ya_fam])
            kdob = np.concatenate([kdob, ya_dob])
            is_ya = np.concatenate(
                [np.zeros(len(fam_of) - len(ya_fam), bool), np.ones(len(ya_fam), bool)]
            )
        else:
            is_ya = np.zeros(len(fam_of), bool)
        oldest = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(oldest, fam_of, kdob)
        youngest = np.full(n, np.iinfo(np.int64).min)
        np.maximum.at(youngest, fam_of, kdob)
        mother_dob = oldest - afb(n)
        father_dob = mother_dob - partner_gap(n)
        father_dob = np.minimum(father_dob, oldest - int(17 * YEAR))
        if kind == HH_GP_CARER:
            # the child's mother lives apart; her own mother (and father) bring the child up
            gm_dob = mother_dob - afb(n)
            gm = b.people(
                sex=np.ones(n, np.int8),
                dob=gm_dob,
                origin=o,
                surname=sn_f,
                household=h,
                role=np.full(n, R_GRANDPARENT, np.int8),
            )
            has_gf = rng.random(n) < 0.5
            gf = np.full(n, -1, np.int32)
            gf[has_gf] = b.people(
                sex=np.zeros(int(has_gf.sum()), np.int8),
                dob=gm_dob[has_gf] - partner_gap(int(has_gf.sum())),
                origin=o[has_gf],
                surname=sn_f[has_gf],
                household=h[has_gf],
                role=np.full(int(has_gf.sum()), R_GRANDPARENT, np.int8),
            )
            mh = hh(HH_SEP, n, flip=0.15)
            mum = b.people(
                sex=np.ones(n, np.int8),
                dob=mother_dob,
                origin=o,
                surname=sn_f,
                household=mh,
                mother=gm,
                father=gf,
                role=np.full(n, R_SEP_MOTHER, np.int8),
            )
            new_partner(mh, mother_dob, 0, o)
            has_dad = rng.random(n) < 0.5
            dad = np.full(n, -1, np.int32)
            nd = int(has_dad.sum())
            dh = hh(HH_SEP, nd, flip=0.15)
            dad[has_dad] = b.people(
                sex=np.zeros(nd, np.int8),
                dob=father_dob[has_dad],
                origin=o_m[has_dad],
                surname=POOLS.sample(rng, o_m[has_dad], "surname"),
                household=dh,
                role=np.full(nd, R_SEP_FATHER, np.int8),
            )
            new_partner(dh, father_dob[has_dad], 1, o_m[has_dad])
            kid_sn = sn_f[fam_of]
            kids = b.people(
                sex=_sex_pref(rng, len(fam_of), 0.48),
                dob=kdob,
                origin=o[fam_of],
                surname=kid_sn,
                household=h[fam_of],
                mother=mum[fam_of],
                father=dad[fam_of],
                role=np.full(len(fam_of), R_CHILD, np.int8),
            )
            b.link(mum[fam_of], kids, L_BIRTH, kdob)
            b.link(dad[fam_of], kids, L_BIRTH, kdob)
            start = np.maximum(kdob, ws - (rng.uniform(0.2, 8, len(kids)) * YEAR).astype(int))
            b.link(gm[fam_of], kids, L_CARER, start)
            b.link(gf[fam_of], kids, L_CARER, start)
            return

        resident_father = kind in (HH_COUPLE_KIDS, HH_LONE_FATHER)
        resident_mother = kind != HH_LONE_FATHER
        mum = np.full(n, -1, np.int32)
        dad = np.full(n, -1, np.int32)
        if resident_father:
            dad = b.people(
                sex=np.zeros(n, np.int8),
                dob=father_dob,
                origin=o,
                surname=sn_f,
                household=h,
                role=np.full(n, R_PARENT if kind == HH_LONE_FATHER else R_PARTNER, np.int8),
            )
        married = rng.random(n) < (0.75 if kind == HH_COUPLE_KIDS else 0.35)
        mum_sn = np.where(married, sn_f, sn_m_own)
        if resident_mother:
            mum = b.people(
                sex=np.ones(n, np.int8),
                dob=mother_dob,
                origin=o_m,
                surname=mum_sn,
                household=h,
                role=np.full(n, R_PARTNER if kind == HH_COUPLE_KIDS else R_PARENT, np.int8),
            )
        # a parent who lives apart: father of lone mothers' and step families' children,
        # mother of lone fathers' children. They lived together until separation.
        sep_date = youngest + (rng.random(n) * np.maximum(ws - 30 - youngest, 0)).astype(np.int64)
        if kind == HH_LONE_FATHER:
            mh = hh(HH_SEP, n, flip=0.1)
            mum = b.people(
                sex=np.ones(n, np.int8),
                dob=mother_dob,
                origin=o_m,
                surname=mum_sn,
                household=mh,
                role=np.full(n, R_SEP_MOTHER, np.int8),
            )
            b.p["prev_addr"][-1] = -2 - h  # resolved to the family's address later
            b.p["move_date"][-1] = sep_date
            new_partner(mh, mother_dob, 0, o_m)
        elif kind in (HH_LONE_MOTHER, HH_STEP_FAMILY):
            known = rng.random(n) < (fk if kind == HH_LONE_MOTHER else 0.97)
            nk = int(known.sum())
            dh = hh(HH_SEP, nk, flip=0.1)
            dad[known] = b.people(
                sex=np.zeros(nk, np.int8),
                dob=father_dob[known],
                origin=o[known],
                surname=sn_f[known],
                household=dh,
                role=np.full(nk, R_SEP_FATHER, np.int8),
            )
            b.p["prev_addr"][-1] = -2 - h[known]
            b.p["move_date"][-1] = sep_date[known]
            new_partner(dh, father_dob[known], 1, o[known])
        kid_sn = sn_f[fam_of]
        if kind == HH_LONE_MOTHER:
            kid_sn = np.where(rng.random(len(fam_of)) < 0.5, kid_sn, mum_sn[fam_of])
        kid_origin = np.where(rng.random(len(fam_of)) < 0.5, o[fam_of], o_m[fam_of])
        kid_dad = dad[fam_of]
        if kind == HH_LONE_MOTHER and params.p_lone_mother_child_other_father > 0:
            # a later child by another man, not the separated father: his ex-partner's child
            first = np.zeros(len(fam_of), bool)
            first[np.unique(np.where(is_ya, -1, fam_of), return_index=True)[1]] = True
            other = (
                (rng.random(len(fam_of)) < params.p_lone_mother_child_other_father)
                & ~is_ya
                & ~first
            )
            kid_dad = np.where(other, -1, kid_dad)
            kid_sn = np.where(other, mum_sn[fam_of], kid_sn)
        kids = b.people(
            sex=_sex_pref(rng, len(fam_of), 0.487),
            dob=kdob,
            origin=kid_origin,
            surname=kid_sn,
            household=h[fam_of],
            mother=mum[fam_of],
            father=kid_dad,
            role=np.where(is_ya, R_YOUNG_ADULT, R_CHILD).astype(np.int8),
        )
        b.link(mum[fam_of], kids, L_BIRTH, kdob)
        b.link(kid_dad, kids, L_BIRTH, kdob)
        if kind == HH_STEP_FAMILY:
            # the step-father moved in before the prison window; maybe children together
            lo = youngest + 180
            start = lo + (rng.random(n) * np.maximum(ws - 60 - lo, 1)).astype(np.int64)
            sf_o = _maybe_mixed(rng, o_m, 0.2)
            sf_sn = POOLS.sample(rng, sf_o, "surname")
            sf_dob = np.minimum(mother_dob - partner_gap(n), youngest - int(16 * YEAR))
            sf = b.people(
                sex=np.zeros(n, np.int8),
                dob=sf_dob,
                origin=sf_o,
                surname=sf_sn,
                household=h,
                role=np.full(n, R_STEP_FATHER, np.int8),
            )
            b.link(sf[fam_of], kids, L_STEP, np.maximum(start[fam_of], kdob))
            nj = rng.choice(3, size=n, p=[0.5, 0.35, 0.15])
            jf = np.repeat(np.arange(n), nj)
            jdob = (
                start[jf]
                + 270
                + (rng.random(len(jf)) * np.maximum(E - start[jf] - 270, 1)).astype(np.int64)
            )
            joint = b.people(
                sex=_sex_pref(rng, len(jf), 0.487),
                dob=jdob,
                origin=sf_o[jf],
                surname=sf_sn[jf],
                household=h[jf],
                mother=mum[jf],
                father=sf[jf],
                role=np.full(len(jf), R_CHILD, np.int8),
            )
            b.link(mum[jf], joint, L_BIRTH, jdob)
            b.link(sf[jf], joint, L_BIRTH, jdob)
        if kind == HH_LONE_MOTHER:
            # an earlier step-father: lived with the children for a while, long gone
            es = (rng.random(n) < params.p_ex_step) & (oldest < ws - int(3 * YEAR))
            fi = np.flatnonzero(es)
            ne = len(fi)
            s0 = oldest[fi] + (rng.random(ne) * (ws - int(3 * YEAR) - oldest[fi])).astype(int)
            s1 = s0 + (rng.uniform(0.3, 1.0, ne) * (ws - 60 - s0)).astype(np.int64)
            eo = _origins(rng, ne)
            eh = hh(HH_SEP, ne, flip=0.1)
            ex = b.people(
                sex=np.zeros(ne, np.int8),
                dob=mother_dob[fi] - partner_gap(ne),
                origin=eo,
                surname=POOLS.sample(rng, eo, "surname"),
                household=eh,
                role=np.full(ne, R_EX_STEP, np.int8),
                prev_addr=-2 - h[fi],
                move_date=s1,
            )
            ex_of = np.full(n, -1, np.int32)
            ex_of[fi] = ex
            s0f = np.zeros(n, np.int64)
            s0f[fi] = s0
            s1f = np.zeros(n, np.int64)
            s1f[fi] = s1
            kp = ex_of[fam_of]
            ok = (kp >= 0) & (kdob < s1f[fam_of]) & ~is_ya
            b.link(
                np.where(ok, kp, -1), kids, L_EX_STEP, np.maximum(s0f[fam_of], kdob), s1f[fam_of]
            )

    for kind, name in (
        (HH_COUPLE_KIDS, "COUPLE_KIDS"),
        (HH_LONE_MOTHER, "LONE_MOTHER"),
        (HH_LONE_FATHER, "LONE_FATHER"),
        (HH_STEP_FAMILY, "STEP_FAMILY"),
        (HH_GP_CARER, "GP_CARER"),
    ):
        family(kind, counts[name])


def build_world(
    rng: np.random.Generator,
    params: SynthParams,
    population: int,
    E: int,
    ws: int,
    hs: int,
    near: tuple[float, int] | None = None,
) -> World:
    """The force's residents and the neighbours' (for out-of-area prisoners). `near`
    (share, seed): that share of the parents who left a family home live in the family's
    LPA (`_near_family`); None, the default, leaves a force exactly as it was."""
    b = _Builder()
    book = AddressBook()
    build_area(b, rng, params, population, True, E, ws, hs, book)
    build_area(b, rng, params, int(population * params.out_of_area_ratio), False, E, ws, hs, book)
    w = World(E=E, ws=ws, hs=hs, addresses=book)
    for k in _PEOPLE:
        setattr(w, k, np.concatenate(b.p[k]))
    w.dob = w.dob.astype(np.int32)
    w.move_date = w.move_date.astype(np.int32)
    w.household = w.household.astype(np.int32)
    w.mother = w.mother.astype(np.int32)
    w.father = w.father.astype(np.int32)
    w.sex = w.sex.astype(np.int8)
    w.hh_type = np.concatenate(b.h_type)
    w.hh_in_area = np.concatenate(b.h_in)
    lk = [np.concatenate([c[i] for c in b.links]) for i in range(5)]
    w.l_parent, w.l_child, w.l_kind, w.l_start, w.l_end = (
        lk[0].astype(np.int32),
        lk[1].astype(np.int32),
        lk[2],
        lk[3],
        lk[4],
    )
    _names(w, rng, params)
    _homes(w, rng, params, near)
    return w


def _names(w: World, rng: np.random.Generator, params: SynthParams) -> None:
    w.first = POOLS.sample(rng, w.origin, "forename", w.sex)
    # twins (same household, same birthday) never share a forename
    key = w.household.astype(np.int64) * 100_000 + w.dob
    order = np.argsort(key, kind="stable")
    same = np.flatnonzero(
        (key[order][1:] == key[order][:-1]) & (w.first[order][1:] == w.first[order][:-1])
    )
    for i in same:
        a = order[i + 1]
        while w.first[a] == w.first[order[i]]:
            w.first[a] = POOLS.sample(rng, w.origin[a : a + 1], "forename", w.sex[a : a + 1])[0]
    mid = POOLS.sample(rng, w.origin, "forename", w.sex)
    has_mid = rng.random(w.n) < 0.55
    w.middle = np.where(has_mid & (mid != w.first), mid, -1).astype(np.int32)
    w.surname = w.surname.astype(np.int32)


def _homes(
    w: World,
    rng: np.random.Generator,
    params: SynthParams,
    near: tuple[float, int] | None = None,
) -> None:
    """An address for every household (shared premises for some), earlier homes for movers."""
    book = w.addresses
    nh = len(w.hh_type)
    addr = np.full(nh, -1, np.int32)
    # shared premises: single adults in HMOs and hostels, older people in care homes,
    # mothers and children in refuges and hotels
    head = np.full(nh, -1, np.int32)
    order = np.arange(w.n, dtype=np.int32)
    head[w.household[::-1]] = order[::-1]  # first member of each household
    age_head = (w.E - w.dob[head]) / YEAR
    u = rng.random(nh)
    single = w.hh_type == HH_SINGLE
    young_man = single & (w.sex[head] == 0) & (age_head < 45)
    to_hmo = (young_man & (u < params.p_single_shared_male_young)) | (
        single & ~young_man & (age_head < 80) & (u < params.p_single_shared_other)
    )
    to_care = single & (age_head >= 80) & (u < 0.15)
    to_refuge = (w.hh_type == HH_LONE_MOTHER) & (u < params.p_lone_mother_refuge_hotel)
    # which kind of shared premises: hotels (temporary accommodation) take single adults
    # and mothers with children alike, so unrelated adults and children share an address
    kind_of = np.full(nh, -1, np.int8)
    kinds = ("HMO", "HOSTEL", "HOTEL", "CARE_HOME", "REFUGE")
    v = rng.random(nh)
    kind_of[to_hmo] = np.where(v[to_hmo] < 0.5, 0, np.where(v[to_hmo] < 0.8, 1, 2))
    kind_of[to_care] = 3
    kind_of[to_refuge] = np.where(v[to_refuge] < 0.45, 4, 2)
    per_kind = (params.shared_residents_mean, params.shared_residents_mean, 10.0, 30.0, 6.0)
    for in_area in (True, False):
        for k, kname in enumerate(kinds):
            sel = np.flatnonzero((kind_of == k) & (w.hh_in_area == in_area))
            if not len(sel):
                continue
            n_addr = max(1, int(np.ceil(len(sel) / per_kind[k])))
            ids = book.new(rng, sample_districts(rng, n_addr, in_area), kname)
            addr[sel] = ids[rng.integers(0, n_addr, len(sel))]
    for in_area in (True, False):
        sel = np.flatnonzero((addr < 0) & (w.hh_in_area == in_area))
        addr[sel] = book.new(rng, sample_districts(rng, len(sel), in_area))
    if near is not None:
        _near_family(w, addr, kind_of, near)
    w.hh_addr = addr
    # movers: the whole household came from an earlier home
    moved = rng.random(nh) < params.p_household_moved
    from_out = moved & w.hh_in_area & (rng.random(nh) < params.p_moved_from_outside)
    hh_prev = np.full(nh, -1, np.int32)
    hh_move = np.zeros(nh, np.int32)
    for in_area in (True, False):
        sel = np.flatnonzero(moved & (w.hh_in_area == in_area) & ~from_out)
        hh_prev[sel] = book.new(rng, sample_districts(rng, len(sel), in_area))
    sel = np.flatnonzero(from_out)
    hh_prev[sel] = book.new(rng, sample_districts(rng, len(sel), False))
    hh_move[moved] = w.hs + (rng.random(int(moved.sum())) * (w.E - 30 - w.hs)).astype(np.int32)
    # crossing into the force happened before the prison window (in_area stays fixed)
    hh_move[from_out] = w.hs + (rng.random(len(sel)) * (w.ws - 30 - w.hs)).astype(np.int32)
    # people: the household's history, except those who left a family home (separated
    # parents, ended step-fathers), whose earlier home is that family's home then
    left = w.prev_addr <= -2
    fam = -2 - w.prev_addr[left]
    leave = w.move_date[left]
    fam_addr_then = np.where((hh_prev[fam] >= 0) & (leave < hh_move[fam]), hh_prev[fam], addr[fam])
    prev = hh_prev[w.household].copy()
    move = hh_move[w.household].copy()
    prev[left] = fam_addr_then
    move[left] = leave
    born_after = (prev >= 0) & (w.dob >= move)
    prev[born_after] = -1
    w.prev_addr = prev
    w.move_date = move
    book.freeze()


def _near_family(w: World, addr: np.ndarray, kind_of: np.ndarray, near: tuple[float, int]) -> None:
    """Move that share of the homes of parents who left a family home (in the area, in a
    dwelling) into the family's LPA. Districts are otherwise drawn independently, which in a
    country puts a separated parent in any force; most live nearer their children. A
    generator of its own, so the world's other draws are unchanged."""
    share, seed = near
    nrng = np.random.default_rng(seed)
    book = w.addresses
    left = np.flatnonzero(w.prev_addr <= -2)
    own = w.household[left]
    fam = -2 - w.prev_addr[left]
    own, first = np.unique(own, return_index=True)
    fam = fam[first]
    district = np.concatenate(book.district)
    fam_lpa = DISTRICT_LPA_IDX[district[addr[fam]]]
    own_lpa = DISTRICT_LPA_IDX[district[addr[own]]]
    move = (
        w.hh_in_area[own]
        & (kind_of[own] < 0)
        & (fam_lpa >= 0)
        & (own_lpa != fam_lpa)
        & (nrng.random(len(own)) < share)
    )
    own, fam_lpa = own[move], fam_lpa[move]
    if not len(own):
        return
    lpas = range(int(DISTRICT_LPA_IDX.max()) + 1)
    pools = [np.flatnonzero(np.equal(DISTRICT_LPA_IDX, k)) for k in lpas]
    new_district = np.array([nrng.choice(pools[k]) for k in fam_lpa], dtype=np.int16)
    addr[own] = book.new(nrng, new_district)
