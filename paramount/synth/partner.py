"""Children's social care (the partner): families it has worked with, under its own ids,
with its own spellings, and the involvement (plans, statuses, allocated worker)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from paramount.synth import noise
from paramount.synth.geography import DISTRICT_LPA_IDX, LPAS, address_strings
from paramount.synth.names import POOLS
from paramount.synth.params import SynthParams
from paramount.synth.police_records import codes, dates, ids, join_names
from paramount.synth.population import L_CARER, L_EX_STEP, World
from paramount.synth.timeutil import YEAR

_STATUSES = ("CHILD_IN_NEED", "CHILD_PROTECTION_PLAN", "LOOKED_AFTER", "EARLY_HELP", "CLOSED")


def build_partner(
    w: World,
    rng: np.random.Generator,
    params: SynthParams,
    cp_hh: np.ndarray,
    da_hh: np.ndarray,
    hidden_pairs: np.ndarray | None = None,
) -> tuple[dict[str, pa.Table], pa.Table]:
    """partner_persons, partner_relationships, partner_involvement, and the truth map."""
    E = w.E
    nh = len(w.hh_type)
    chosen = np.zeros(nh, bool)
    chosen[cp_hh[rng.random(len(cp_hh)) < params.p_partner_cp_household]] = True
    chosen[da_hh[rng.random(len(da_hh)) < params.p_partner_da_household]] = True
    young = (E - w.dob) < 21 * YEAR
    with_kids = np.zeros(nh, bool)
    with_kids[w.household[(E - w.dob) < 18 * YEAR]] = True
    chosen |= with_kids & (rng.random(nh) < params.p_partner_random_household)
    chosen &= w.hh_in_area & with_kids
    kids = np.flatnonzero(chosen[w.household] & young)
    # their parent figures: resident ones always, parents living apart sometimes
    lk = np.isin(w.l_child, kids) & (w.l_kind != L_EX_STEP)
    lpar, lch, lkind = w.l_parent[lk], w.l_child[lk], w.l_kind[lk]
    resident = w.household[lpar] == w.household[lch]
    take = resident | (rng.random(len(lpar)) < 0.4)
    if hidden_pairs is not None and len(hidden_pairs):  # reached only through the other parent
        take &= ~np.isin(lpar.astype(np.int64) * w.n + lch, hidden_pairs)
    lpar, lch, lkind = lpar[take], lch[take], lkind[take]
    people = np.unique(np.concatenate([kids, lpar]))
    n = len(people)
    pos = np.full(w.n, -1, np.int64)
    pos[people] = np.arange(n)
    perm = rng.permutation(n)
    pid = ids("CS", 5_000_000 + perm * 7 + rng.integers(0, 7, n))
    fn = noise.vary_names(rng, w.first[people], 0.07, nick=0.03)
    sn = noise.vary_names(rng, w.surname[people], 0.04)
    forenames = join_names(POOLS.take(fn), POOLS.take(w.middle[people]), rng.random(n) < 0.2)
    forenames = pa.array(noise.typos(rng, forenames.to_pylist(), 0.02), pa.string())
    surname = pa.array(noise.typos(rng, POOLS.take(sn).to_pylist(), 0.02), pa.string())
    dob = noise.dob_errors(rng, w.dob[people], 0.02)
    addr = np.where(
        (rng.random(n) < 0.1) & (w.prev_addr[people] >= 0), w.prev_addr[people], w.cur_addr[people]
    )
    s = address_strings(w.addresses, addr.astype(np.int32), int(rng.integers(2**31)))
    lpa = DISTRICT_LPA_IDX[w.addresses.arr("district")[w.cur_addr[people]]]
    agencies = tuple(f"{name} Children's Social Care" for _, name, *_ in LPAS)
    agency = codes(agencies, lpa, lpa < 0)
    persons = pa.table(
        {
            "partner_person_id": pid,
            "agency": agency,
            "surname": surname,
            "forenames": forenames,
            "date_of_birth": dates(dob, rng.random(n) < 0.01),
            "sex": codes(("M", "F"), w.sex[people].astype(np.int64)),
            "postcode": pc.if_else(
                pa.array(rng.random(n) < 0.04), pa.scalar(None, pa.string()), s["postcode"]
            ),
        }
    ).take(pa.array(np.argsort(perm)))
    # relationships, in either direction
    from paramount.synth.police import RC

    code = np.where(
        lkind == L_CARER,
        np.where(rng.random(len(lkind)) < 0.5, RC["GRANDPARENT"], RC["CARER"]),
        np.where(lkind == 1, RC["STEP_PARENT"], RC["PARENT"]),
    )
    inv = {
        RC["PARENT"]: RC["CHILD"],
        RC["STEP_PARENT"]: RC["STEP_CHILD"],
        RC["GRANDPARENT"]: RC["GRANDCHILD"],
        RC["CARER"]: RC["OTHER"],
    }
    fwd = rng.random(len(lpar)) < 0.6
    a = np.where(fwd, lpar, lch)
    b = np.where(fwd, lch, lpar)
    c = np.where(fwd, code, np.vectorize(inv.get, otypes=[np.int64])(code) if len(code) else code)
    # brothers and sisters in the same household
    ko = kids[np.argsort(w.household[kids], kind="stable")]
    same = w.household[ko[1:]] == w.household[ko[:-1]]
    sa, sb = ko[:-1][same], ko[1:][same]
    from paramount.contract.tables import RELATIONSHIPS

    rel = pa.table(
        {
            "partner_person_id": pid.take(pa.array(pos[np.concatenate([a, sa])])),
            "related_partner_person_id": pid.take(pa.array(pos[np.concatenate([b, sb])])),
            "relationship": codes(
                RELATIONSHIPS, np.concatenate([c, np.full(len(sa), RC["SIBLING"])]).astype(np.int64)
            ),
        }
    )
    # involvement of each child, with the allocated worker
    nk = len(kids)
    n_inv = 1 + (rng.random(nk) < 0.35)
    ki = np.repeat(kids, n_inv)
    status = rng.choice(len(_STATUSES), size=len(ki), p=[0.35, 0.2, 0.05, 0.25, 0.15])
    lo = np.maximum(w.dob[ki], E - int(6 * YEAR))
    frm = lo + (rng.random(len(ki)) * np.maximum(E - lo, 1)).astype(np.int64)
    to = frm + (rng.uniform(0.2, 2.5, len(ki)) * YEAR).astype(np.int64)
    to_null = (to > E) & (status != 4)
    n_workers = max(8, nk // 60)
    wo = rng.choice(len(POOLS.origins), size=n_workers, p=POOLS.origin_weights)
    wsx = rng.integers(0, 2, n_workers)
    wf = POOLS.take(POOLS.sample(rng, wo, "forename", wsx)).to_pylist()
    wl = POOLS.take(POOLS.sample(rng, wo, "surname")).to_pylist()
    wname = np.array([f"{f} {s}" for f, s in zip(wf, wl, strict=True)], dtype=object)
    wmail = np.array([_email(f, s) for f, s in zip(wf, wl, strict=True)], dtype=object)
    wk = rng.integers(0, n_workers, len(ki))
    inv_tbl = pa.table(
        {
            "partner_person_id": pid.take(pa.array(pos[ki])),
            "status": codes(_STATUSES, status),
            "from_date": dates(frm),
            "to_date": dates(np.minimum(to, E), to_null),
            "worker_name": pa.array(wname[wk], pa.string()),
            "worker_email": pa.array(wmail[wk], pa.string()),
        }
    )
    truth = pa.table({"partner_person_id": pid, "individual": pa.array(people)})
    return {
        "partner_persons": persons,
        "partner_relationships": rel,
        "partner_involvement": inv_tbl,
    }, truth


def _email(first: str, last: str) -> str:
    import unicodedata

    def clean(s: str) -> str:
        s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
        return "".join(ch for ch in s.lower() if ch.isalnum() or ch == "-")

    return f"{clean(first)}.{clean(last)}@example.gov.uk"
