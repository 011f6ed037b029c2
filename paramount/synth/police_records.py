"""From events to the RMS tables: nominals (with duplicates and their errors), occurrences,
occurrence persons, relationships, addresses, person addresses, aliases and flags."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from paramount.contract.identifiers import format_cro
from paramount.contract.tables import (
    ADDRESS_ROLES,
    OCCURRENCE_ROLES,
    OCCURRENCE_TYPES,
    RELATIONSHIP_SOURCES,
    RELATIONSHIPS,
)
from paramount.synth import noise
from paramount.synth.geography import DISTRICT_LPA_IDX, address_strings
from paramount.synth.names import POOLS
from paramount.synth.offending import DAY_S
from paramount.synth.params import SynthParams
from paramount.synth.police import OT, RO, Police
from paramount.synth.population import World
from paramount.synth.timeutil import YEAR


def ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    """String ids `prefix` + number, built in Arrow (millions in milliseconds)."""
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def dates(days: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    arr = np.asarray(days).astype(np.int64).astype("datetime64[D]")
    return pa.array(arr, type=pa.date32(), mask=null)


def codes(values: tuple[str, ...], idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    d = pa.array(values, pa.string())
    out = d.take(pa.array(np.maximum(idx, 0).astype(np.int32)))
    if null is not None and null.any():
        out = pc.if_else(pa.array(null), pa.scalar(None, pa.string()), out)
    return out


def join_names(first: pa.Array, middle: pa.Array, use_middle: np.ndarray) -> pa.Array:
    both = pc.binary_join_element_wise(first, middle, " ")
    return pc.if_else(pc.and_(pa.array(use_middle), pc.is_valid(middle)), both, first)


@dataclass
class RMS:
    tables: dict[str, pa.Table]
    nominal_ind: np.ndarray  # individual of each nominal (row order of persons as written)
    person_id: pa.Array
    first_nominal: np.ndarray  # per individual, index of primary nominal (-1 none)
    n_nominals: np.ndarray  # per individual
    rel_ind: tuple[np.ndarray, np.ndarray, np.ndarray]  # recorded (a, b, code) by individual
    stale_home_ind: np.ndarray | None = None  # individuals whose old home row stayed open
    other_surname_ind: np.ndarray | None = None  # children with a nominal under another surname


def build_rms(w: World, rng: np.random.Generator, params: SynthParams, police: Police) -> RMS:
    ev = police.events
    E = w.E
    # ------------------------------------------------------------ nominals
    uniq = np.unique(np.concatenate([ev.p_ind, ev.r_a, ev.r_b]))
    child = (police.first_seen[uniq] - w.dob[uniq]) < 18 * YEAR
    p_dup = np.where(child, params.p_duplicate_child, params.p_duplicate_adult)
    extra = (rng.random(len(uniq)) < p_dup).astype(np.int64) + (
        rng.random(len(uniq)) < p_dup * 0.15
    )
    k = 1 + extra
    nom_ind = np.repeat(uniq, k).astype(np.int32)
    rank = np.arange(len(nom_ind)) - np.repeat(np.cumsum(k) - k, k)
    M = len(nom_ind)
    first_nom = np.full(w.n, -1, np.int64)
    first_nom[uniq] = np.cumsum(k) - k
    n_nom = np.zeros(w.n, np.int64)
    n_nom[uniq] = k
    perm = rng.permutation(M)
    person_id = ids("P", 10_000_000 + perm * 3 + rng.integers(0, 3, M))

    dup = rank > 0
    u = rng.random(M)
    fn = w.first[nom_ind].copy()
    p_var = np.where(dup, params.p_duplicate_name_variant, params.p_nominal_name_variant)
    var = u < p_var
    fn[var] = np.where(
        rng.random(int(var.sum())) < 0.5, POOLS.nickname[fn[var]], POOLS.variant[fn[var]]
    )
    sn = w.surname[nom_ind].copy()
    sv = rng.random(M) < p_var / 2
    sn[sv] = POOLS.variant[sn[sv]]
    married = dup & (w.sex[nom_ind] == 1) & (rng.random(M) < 0.04)
    sn[married] = POOLS.sample(rng, w.origin[nom_ind[married]], "surname")
    if params.p_duplicate_child_other_surname > 0:
        # a child's second record under the other parent's surname (the father's on one,
        # the mother's on the other): the reason it was never merged
        kid = dup & ((police.first_seen[nom_ind] - w.dob[nom_ind]) < 18 * YEAR)
        par = np.where(
            w.surname[np.maximum(w.father[nom_ind], 0)] != w.surname[nom_ind],
            w.father[nom_ind],
            w.mother[nom_ind],
        )
        alt = kid & (par >= 0) & (rng.random(M) < params.p_duplicate_child_other_surname)
        sn[alt] = w.surname[par[alt]]
        other_sn = np.unique(nom_ind[alt & (sn != w.surname[nom_ind])])
    else:
        other_sn = np.zeros(0, np.int64)
    forenames = join_names(
        POOLS.take(fn),
        POOLS.take(w.middle[nom_ind]),
        rng.random(M) < params.p_forenames_with_middle,
    )
    surname = POOLS.take(sn)
    p_typo = np.where(dup, params.p_duplicate_typo, params.p_nominal_typo)
    forenames = _typo_arrow(rng, forenames, p_typo / 2)
    surname = _typo_arrow(rng, surname, p_typo / 2)
    p_err = np.where(dup, params.p_duplicate_dob_error, params.p_nominal_dob_error)
    dob = w.dob[nom_ind].astype(np.int64)
    err = rng.random(M) < p_err
    dob[err] = noise.dob_errors(rng, dob[err], 1.0)
    p_miss = np.where(dup, params.p_duplicate_dob_missing, params.p_nominal_dob_missing)
    dob_null = rng.random(M) < p_miss
    sex = np.where(w.sex[nom_ind] == 1, 1, 0)
    sex[rng.random(M) < np.where(dup, 0.03, 0.004)] = 2
    # PNC and CRO on the nominals of people charged (never a young child)
    charged = police.pnc_year[nom_ind] > 0
    has_pnc = charged & (rng.random(M) < np.where(dup, 0.5, 0.95))
    pnc = np.full(M, None, dtype=object)
    for i in np.flatnonzero(has_pnc):
        j = nom_ind[i]
        pnc[i] = noise.pnc_text(rng, int(police.pnc_year[j]), int(police.pnc_serial[j]), params)
    has_cro = (police.cro_serial[nom_ind] > 0) & (rng.random(M) < 0.8)
    cro = np.full(M, None, dtype=object)
    for i in np.flatnonzero(has_cro):
        j = nom_ind[i]
        cro[i] = format_cro(int(police.pnc_year[j]), int(police.cro_serial[j]))
    order = np.argsort(perm)  # write in id order, so duplicates are not neighbours
    persons = pa.table(
        {
            "person_id": person_id,
            "surname": surname,
            "forenames": forenames,
            "date_of_birth": dates(dob, dob_null),
            "sex": codes(("M", "F", "U"), sex),
            "pnc_id": pa.array(pnc, pa.string()),
            "cro_number": pa.array(cro, pa.string()),
        }
    ).take(pa.array(order))

    # ------------------------------------------------------------ occurrences and persons
    n_occ = len(ev.o_time)
    operm = rng.permutation(n_occ)
    occ_id = ids("OC", 20_000_000 + operm)
    # addresses: every in-force address, and those elsewhere that records point to
    book = w.addresses
    p_nom = first_nom[ev.p_ind]
    alt = (n_nom[ev.p_ind] > 1) & (rng.random(len(p_nom)) < 0.3)
    p_nom[alt] += 1 + (rng.random(int(alt.sum())) * (n_nom[ev.p_ind[alt]] - 1)).astype(np.int64)
    child_present = ev.o_child[ev.p_occ]
    occ_persons = pa.table(
        {
            "occurrence_id": occ_id.take(pa.array(ev.p_occ)),
            "person_id": person_id.take(pa.array(p_nom)),
            "role": codes(OCCURRENCE_ROLES, ev.p_role),
            "child_present": codes(("N", "Y"), child_present, child_present < 0),
        }
    )
    # ------------------------------------------------------------ person addresses
    last = police.last_seen[nom_ind]
    first = police.first_seen[nom_ind]
    prev = w.prev_addr[nom_ind]
    mv = w.move_date[nom_ind]
    cur = w.cur_addr[nom_ind]
    known = ~dup | (rng.random(M) < 0.5)
    home = np.where((prev >= 0) & (last < mv), prev, cur)  # stale if not seen since moving
    saw_move = (prev >= 0) & (first < mv) & (last >= mv)
    unrec = np.zeros(M, bool)  # moved, seen since, and the old home row never closed
    if params.p_move_not_recorded > 0:
        unrec = saw_move & (rng.random(M) < params.p_move_not_recorded)
    pa_nom = np.concatenate([np.flatnonzero(known), np.flatnonzero(known & saw_move)])
    pa_addr = np.concatenate([home[known], prev[known & saw_move]])
    pa_role = np.concatenate(
        [np.zeros(int(known.sum()), np.int8), np.ones(int((known & saw_move).sum()), np.int8)]
    )
    pa_from = np.concatenate([np.where(saw_move, mv, first)[known], first[known & saw_move]])
    pa_to = np.concatenate([np.zeros(int(known.sum())), mv[known & saw_move]])
    pa_to_null = pa_role == 0
    if unrec.any():
        old_row = np.concatenate([np.zeros(int(known.sum()), bool), unrec[known & saw_move]])
        pa_role[old_row] = 0
        pa_to_null |= old_row
    pa_from_null = rng.random(len(pa_nom)) < 0.1
    # some contact and work addresses
    cw = np.flatnonzero(known & (rng.random(M) < 0.02))
    rnd_addr = w.hh_addr[rng.integers(0, len(w.hh_addr), len(cw))]
    pa_nom = np.concatenate([pa_nom, cw])
    pa_addr = np.concatenate([pa_addr, rnd_addr])
    pa_role = np.concatenate([pa_role, rng.integers(2, 4, len(cw)).astype(np.int8)])
    pa_from = np.concatenate([pa_from, first[cw]])
    pa_to = np.concatenate([pa_to, np.zeros(len(cw))])
    pa_to_null = np.concatenate([pa_to_null, np.ones(len(cw), bool)])
    pa_from_null = np.concatenate([pa_from_null, np.zeros(len(cw), bool)])
    used = np.zeros(book.count, bool)
    used[pa_addr] = True
    used[ev.o_addr[ev.o_addr >= 0]] = True
    used |= DISTRICT_LPA_IDX[book.arr("district")] >= 0
    addr_rows = np.flatnonzero(used)
    aperm = np.full(book.count, -1, np.int64)
    aperm[addr_rows] = rng.permutation(len(addr_rows))
    address_id = ids("A", 30_000_000 + aperm[addr_rows])
    aid_of = lambda a: ids("A", 30_000_000 + aperm[a])  # noqa: E731
    s = address_strings(book, addr_rows.astype(np.int32), int(rng.integers(2**31)))
    addresses = pa.table(
        {
            "address_id": address_id,
            "uprn": s["uprn"],
            "line1": s["line1"],
            "line2": s["line2"],
            "town": s["town"],
            "postcode": s["postcode"],
            "lpa": s["lpa"],
            "premises_type": s["premises_type"],
        }
    ).take(pa.array(np.argsort(aperm[addr_rows])))
    person_addresses = pa.table(
        {
            "person_id": person_id.take(pa.array(pa_nom)),
            "address_id": aid_of(pa_addr),
            "address_role": codes(ADDRESS_ROLES, pa_role),
            "from_date": dates(pa_from, pa_from_null),
            "to_date": dates(pa_to, pa_to_null),
        }
    )
    from paramount.synth.geography import LPA_CODES

    oaddr = ev.o_addr
    occurrences = pa.table(
        {
            "occurrence_id": occ_id,
            "occurrence_type": codes(OCCURRENCE_TYPES, ev.o_type),
            "reported_at": pa.array(ev.o_time.astype("datetime64[s]")),
            "address_id": pc.if_else(
                pa.array(oaddr >= 0), aid_of(np.maximum(oaddr, 0)), pa.scalar(None, pa.string())
            ),
            "lpa": codes(tuple(LPA_CODES), ev.o_lpa),
        }
    ).take(pa.array(np.argsort(operm)))
    # ------------------------------------------------------------ relationships
    a, b, code = ev.r_a, ev.r_b, ev.r_code
    key_order = np.lexsort((ev.r_day, code, b, a))
    a, b, code = a[key_order], b[key_order], code[key_order]
    src, rocc, rday = ev.r_src[key_order], ev.r_occ[key_order], ev.r_day[key_order]
    keep = np.ones(len(a), bool)
    if len(a) > 1:
        keep[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (code[1:] != code[:-1])
    a, b, code, src, rocc, rday = (x[keep] for x in (a, b, code, src, rocc, rday))
    na = first_nom[a]
    nb = first_nom[b]
    for arr, who in ((na, a), (nb, b)):
        d = (n_nom[who] > 1) & (rng.random(len(who)) < params.p_link_on_duplicate)
        arr[d] += 1
    rel_ok = (na >= 0) & (nb >= 0)
    relationships = pa.table(
        {
            "person_id": person_id.take(pa.array(na[rel_ok])),
            "related_person_id": person_id.take(pa.array(nb[rel_ok])),
            "relationship": codes(RELATIONSHIPS, code[rel_ok]),
            "source": codes(RELATIONSHIP_SOURCES, src[rel_ok]),
            "occurrence_id": pc.if_else(
                pa.array(rocc[rel_ok] >= 0),
                occ_id.take(pa.array(np.maximum(rocc[rel_ok], 0))),
                pa.scalar(None, pa.string()),
            ),
            "recorded_at": dates(rday[rel_ok], rng.random(int(rel_ok.sum())) < 0.05),
        }
    )
    rsh = rng.permutation(relationships.num_rows)
    relationships = relationships.take(pa.array(rsh))
    # ------------------------------------------------------------ aliases
    al = np.flatnonzero(rng.random(M) < 0.04)
    al_fn = w.first[nom_ind[al]].copy()
    al_sn = w.surname[nom_ind[al]].copy()
    kind = rng.integers(0, 3, len(al))
    al_fn[kind == 0] = POOLS.nickname[al_fn[kind == 0]]
    al_sn[kind == 1] = POOLS.sample(rng, w.origin[nom_ind[al[kind == 1]]], "surname")
    al_fn[kind == 2] = np.where(
        w.middle[nom_ind[al[kind == 2]]] >= 0, w.middle[nom_ind[al[kind == 2]]], al_fn[kind == 2]
    )
    person_aliases = pa.table(
        {
            "person_id": person_id.take(pa.array(al)),
            "surname": POOLS.take(al_sn),
            "forenames": POOLS.take(al_fn),
            "date_of_birth": dates(
                noise.dob_errors(rng, w.dob[nom_ind[al]], 0.3), rng.random(len(al)) < 0.2
            ),
        }
    )
    # ------------------------------------------------------------ flags
    person_flags = _flags(w, rng, ev, first_nom, person_id, E)
    tables = {
        "persons": persons,
        "person_aliases": person_aliases,
        "addresses": addresses,
        "person_addresses": person_addresses,
        "occurrences": occurrences,
        "occurrence_persons": occ_persons,
        "relationships": relationships,
        "person_flags": person_flags,
    }
    return RMS(
        tables,
        nom_ind,
        person_id,
        first_nom,
        n_nom,
        (a[rel_ok], b[rel_ok], code[rel_ok]),
        np.unique(nom_ind[unrec & known]),
        other_sn,
    )


def _typo_arrow(rng: np.random.Generator, arr: pa.Array, p: np.ndarray) -> pa.Array:
    hit = np.flatnonzero(rng.random(len(arr)) < p)
    if not len(hit):
        return arr
    vals = arr.take(pa.array(hit)).to_pylist()
    vals = [noise.typo(rng, v) if v else v for v in vals]
    mask = np.zeros(len(arr), bool)
    mask[hit] = True
    full = np.empty(len(arr), dtype=object)
    full[hit] = vals
    return pc.if_else(pa.array(mask), pa.array(full, pa.string()), arr)


_FLAG_NOTES = {
    "CHILD_PROTECTION_PLAN": "Subject of a child protection plan",
    "CHILD_IN_NEED": "Child in need plan",
    "LOOKED_AFTER_CHILD": "Looked after by the local authority",
    "EARLY_HELP": "Early help assessment",
    "OPEN_TO_SOCIAL_CARE": "Open case with children's social care",
    "VIOLENCE_WARNING": "Violent towards police",
    "WEAPONS_WARNING": "Known to carry a bladed article",
    "REGISTERED_SEX_OFFENDER": "Notification requirements apply",
    "DOMESTIC_ABUSE_PERPETRATOR": "MARAC heard case",
}


def _flags(
    w: World, rng: np.random.Generator, ev, first_nom: np.ndarray, person_id: pa.Array, E: int
) -> pa.Table:
    occ_type = ev.o_type[ev.p_occ]
    day = ev.o_time[ev.p_occ] // DAY_S
    rows_n, rows_f, rows_from, rows_to = [], [], [], []

    def add(mask: np.ndarray, flags: tuple[str, ...], p: tuple[float, ...], dur: float) -> None:
        idx = np.flatnonzero(mask)
        ind = ev.p_ind[idx]
        _, first = np.unique(ind, return_index=True)
        idx = idx[first]
        u = rng.random(len(idx))
        cum = np.cumsum(p)
        for j, f in enumerate(flags):
            lo = 0 if j == 0 else cum[j - 1]
            sel = idx[(u >= lo) & (u < cum[j])]
            rows_n.append(first_nom[ev.p_ind[sel]])
            rows_f.append(np.full(len(sel), f, dtype=object))
            frm = day[sel]
            rows_from.append(frm)
            rows_to.append(
                frm + (rng.uniform(0.3, 1.5, len(sel)) * dur * YEAR).astype(int)
                if dur
                else np.full(len(sel), E + 1)
            )

    add(
        (occ_type == OT["CHILD_PROTECTION"]) & (ev.p_role == RO["VULNERABLE_CHILD"]),
        (
            "CHILD_PROTECTION_PLAN",
            "CHILD_IN_NEED",
            "LOOKED_AFTER_CHILD",
            "EARLY_HELP",
            "OPEN_TO_SOCIAL_CARE",
        ),
        (0.3, 0.2, 0.05, 0.1, 0.1),
        1.5,
    )
    off = (ev.p_role == RO["OFFENDER"]) | (ev.p_role == RO["SUSPECT"])
    add(off & (occ_type == OT["DOMESTIC_ABUSE"]), ("DOMESTIC_ABUSE_PERPETRATOR",), (0.3,), 0)
    add(
        off & (occ_type == OT["VIOLENCE"]), ("VIOLENCE_WARNING", "WEAPONS_WARNING"), (0.12, 0.04), 0
    )
    add(off & (occ_type == OT["SEXUAL_OFFENCE"]), ("REGISTERED_SEX_OFFENDER",), (0.3,), 0)
    n = np.concatenate(rows_n)
    f = np.concatenate(rows_f)
    frm = np.concatenate(rows_from)
    to = np.concatenate(rows_to)
    to_null = to > E
    return pa.table(
        {
            "person_id": person_id.take(pa.array(n)),
            "flag": pa.array(f, pa.string()),
            "from_date": dates(frm),
            "to_date": dates(np.minimum(to, E), to_null),
            "note": pa.array(np.array([_FLAG_NOTES[x] for x in f], dtype=object), pa.string()),
        }
    )
