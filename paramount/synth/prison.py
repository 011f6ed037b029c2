"""The prison system's view: movements, prisoners, aliases and declared contacts.

Prison records are thousands of rows even for a large force, so they are built with plain
loops over bookings and prisoners, which keeps the NOMIS movement grammar readable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from paramount.contract.identifiers import format_cro, format_pnc
from paramount.synth import noise
from paramount.synth.geography import DISTRICT_IN_AREA_ARR, address_strings
from paramount.synth.names import POOLS
from paramount.synth.offending import DAY_S, OFFENCES, Bookings
from paramount.synth.params import SynthParams
from paramount.synth.population import L_BIRTH, L_CARER, L_EX_STEP, L_STEP, World
from paramount.synth.timeutil import YEAR, age_on

PRISONS: dict[str, str] = {
    "BZI": "BULLINGDON (HMP)", "WDI": "WOODHILL (HMP)", "WNI": "WINCHESTER (HMP)",
    "AYI": "AYLESBURY (HMP/YOI)", "ONI": "ONLEY (HMP)", "HCI": "HUNTERCOMBE (HMP)",
    "SPI": "SPRING HILL (HMP)", "GNI": "GRENDON (HMP)", "ERI": "ERLESTOKE (HMP)",
    "BFI": "BRONZEFIELD (HMP)", "DWI": "DOWNVIEW (HMP)", "EWI": "EASTWOOD PARK (HMP)",
}  # fmt: skip
LOCAL_MALE = (("BZI", 0.6), ("WDI", 0.25), ("WNI", 0.15))
LOCAL_FEMALE = (("BFI", 0.7), ("EWI", 0.2), ("DWI", 0.1))
ONWARD_MALE = ("ONI", "HCI", "SPI", "GNI", "ERI", "WDI", "BZI")
ONWARD_FEMALE = ("DWI", "EWI", "BFI")
COURTS: dict[str, str] = {
    "OXFDMC": "OXFORD MAGISTRATES COURT", "OXFDCC": "OXFORD CROWN COURT",
    "READMC": "READING MAGISTRATES COURT", "READCC": "READING CROWN COURT",
    "AYLSCC": "AYLESBURY CROWN COURT", "MKYNMC": "MILTON KEYNES MAGISTRATES COURT",
    "HWYCMC": "HIGH WYCOMBE MAGISTRATES COURT", "SLOUMC": "SLOUGH MAGISTRATES COURT",
    "SWINMC": "SWINDON MAGISTRATES COURT", "NORTCC": "NORTHAMPTON CROWN COURT",
    "GUILCC": "GUILDFORD CROWN COURT", "LUTNCC": "LUTON CROWN COURT",
}  # fmt: skip
_COURT_CODES = tuple(COURTS)
_REL_REASONS = (("CR", 0.6), ("HD", 0.15), ("BL", 0.12), ("DD", 0.08), ("ESCP", 0.05))


def _pick(rng: np.random.Generator, pairs: tuple[tuple[str, float], ...]) -> str:
    return pairs[int(rng.choice(len(pairs), p=[p for _, p in pairs]))][0]


def _iso(seconds: int) -> np.datetime64:
    return np.datetime64(int(seconds), "s")


@dataclass
class PrisonOut:
    movements: pa.Table
    prisoners: pa.Table
    aliases: pa.Table
    contacts: pa.Table
    prisoner_number: dict[int, str]  # individual -> NOMS number
    truth_prisoners: pa.Table
    truth_contacts: pa.Table
    receptions: pa.Table  # booking_id, prisoner individual, reception datetime
    grown_children: int = 0  # grown-up children declared from outside the world's families
    own_surname_children: int = 0  # children declared under the prisoner's surname


def movements(
    w: World, rng: np.random.Generator, bk: Bookings, numbers: dict[int, str]
) -> tuple[list[tuple], dict[int, str], dict[int, str]]:
    """Every movement of every booking that falls in the window, NOMIS style."""
    ws_s, E_s = w.ws * DAY_S, w.E * DAY_S
    rows: list[tuple] = []
    last_prison: dict[int, str] = {}
    status: dict[int, str] = {}
    for b in range(len(bk.person)):
        p = int(bk.person[b])
        female = w.sex[p] == 1
        start, release = int(bk.start[b]), int(bk.release[b])
        end = release if release >= 0 else E_s
        reason = str(bk.reason[b])
        bid = str(bk.booking_id[b])
        young = (start / DAY_S - w.dob[p]) < 21 * YEAR
        if female:
            prison = _pick(rng, LOCAL_FEMALE)
        elif young and rng.random() < 0.3:
            prison = "AYI"
        else:
            prison = _pick(rng, LOCAL_MALE)
        court = _COURT_CODES[int(rng.integers(len(_COURT_CODES)))]
        ev: list[tuple] = []
        recall = reason in ("L", "B", "Y")
        ev.append((start, "ADM", "IN", reason, "OUT" if recall else court, prison))
        dur = (end - start) / DAY_S
        first_day, last_day = start // DAY_S * DAY_S, end // DAY_S * DAY_S
        # transfers: out of the local prison, admitted (INT) at the next
        n_trn = 0
        if dur > 45:
            n_trn = int(rng.choice(3, p=[0.45, 0.4, 0.15]))
        if start < ws_s:
            n_trn = max(n_trn, int(rng.random() < 0.8))
        times = sorted(start + int(rng.uniform(0.1, 0.9) * (end - start)) for _ in range(n_trn))
        cur = prison
        trn_events = []
        times = [t for t in times if first_day + DAY_S <= t // DAY_S * DAY_S < last_day]
        for t in times:
            t = t // DAY_S * DAY_S + 8 * 3600 + int(rng.integers(0, 7200))
            nxt = cur
            while nxt == cur:
                pool = ONWARD_FEMALE if female else ONWARD_MALE
                nxt = pool[int(rng.integers(len(pool)))]
            trn_events.append((t, cur, nxt))
            cur = nxt
        trn_days = {t // DAY_S * DAY_S for t, _, _ in trn_events}
        loc_at = [(start, prison)] + [(t, nxt) for t, _, nxt in trn_events]
        for t, frm, nxt in trn_events:
            ev.append((t, "TRN", "OUT", "NOTR", frm, nxt))
            ev.append((t + int(rng.integers(2, 6)) * 3600, "ADM", "IN", "INT", frm, nxt))

        def where(t: int, loc_at=loc_at) -> str:
            here = loc_at[0][1]
            for s, pr in loc_at:
                if s <= t:
                    here = pr
            return here

        # court production while on remand
        if reason in ("N", "V"):
            n_trips = int(rng.integers(1, 4)) if dur > 20 else int(dur > 3)
            for _ in range(n_trips):
                t = start + int(rng.uniform(0.05, 0.95) * (end - start))
                t = t // DAY_S * DAY_S
                if not first_day < t < last_day or t in trn_days:
                    continue  # never on the day of reception, release or a transfer
                ev.append(
                    (
                        t + 7 * 3600 + int(rng.integers(0, 5400)),
                        "CRT",
                        "OUT",
                        "CRT",
                        where(t),
                        court,
                    )
                )
                ev.append(
                    (
                        t + 16 * 3600 + int(rng.integers(0, 10800)),
                        "CRT",
                        "IN",
                        "CRT",
                        court,
                        where(t),
                    )
                )
        # temporary absence (long sentences), sometimes coming back as a readmission
        if dur > 200 and rng.random() < 0.25:
            t = start + int(rng.uniform(0.6, 0.95) * (end - start))
            t = t // DAY_S * DAY_S + 9 * 3600
            t = min(max(t, first_day + DAY_S + 9 * 3600), last_day - 2 * DAY_S + 9 * 3600)
            pr = where(t)
            ev.append((t, "TAP", "OUT", "C5", pr, "OUT"))
            if rng.random() < 0.2:
                ev.append((t + DAY_S + 18 * 3600, "ADM", "IN", "R", "OUT", pr))
            else:
                ev.append((t + 10 * 3600, "TAP", "IN", "C5", "OUT", pr))
        if release >= 0:
            pr = where(release)
            ev.append((release, "REL", "OUT", _pick(rng, _REL_REASONS), pr, "OUT"))
            last_prison[p] = "OUT"
        else:
            last_prison[p] = cur
        ev.sort(key=lambda e: e[0])
        for t, typ, d, rsn, frm, to in ev:
            if ws_s <= t <= E_s + DAY_S - 1:
                desc = PRISONS.get(to) or COURTS.get(to) or ("OUT" if to == "OUT" else None)
                rows.append((numbers[p], bid, typ, d, rsn, t, frm, to, desc))
        if release < 0 or b == len(bk.person) - 1 or True:
            if recall:
                st = "RECALL"
            elif dur > 1500 and rng.random() < 0.3:
                st = "INDETERMINATE_SENTENCE"
            elif release < 0 and reason == "N" and (E_s - start) / DAY_S < 90:
                st = "REMAND"
            elif release < 0 and reason == "V" and (E_s - start) / DAY_S < 60:
                st = "CONVICTED_UNSENTENCED"
            else:
                st = "SENTENCED"
            u = rng.random()
            if u < 0.01:
                st = "IMMIGRATION_DETAINEE"
            elif u < 0.015:
                st = "CIVIL_PRISONER"
            elif u < 0.025:
                st = "UNKNOWN"
            status[p] = st
    rows.sort(key=lambda r: (r[5], r[1], r[2]))
    return rows, last_prison, status


def noms_numbers(rng: np.random.Generator, people: np.ndarray) -> dict[int, str]:
    """A unique NOMS number for each prisoner (`^[A-Z][0-9]{4}[A-Z]{2}$`)."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    used: set[str] = set()
    out: dict[int, str] = {}
    for p in people:
        while True:
            num = (
                "ABCG"[int(rng.integers(4))]
                + f"{int(rng.integers(0, 10000)):04d}"
                + letters[int(rng.integers(len(letters)))]
                + letters[int(rng.integers(len(letters)))]
            )
            if num not in used:
                used.add(num)
                out[int(p)] = num
                break
    return out


def build_prison(
    w: World,
    rng: np.random.Generator,
    params: SynthParams,
    bk: Bookings,
    ident: dict[int, tuple[int, int, int]],
    hidden_pairs: np.ndarray | None = None,
) -> PrisonOut:
    """Prison-side tables and their truth. `ident`: individual -> (pnc year, serial, cro)."""
    people = np.unique(bk.person)
    numbers = noms_numbers(rng, people)
    mv_rows, last_prison, status = movements(w, rng, bk, numbers)
    cols = list(zip(*mv_rows, strict=True)) if mv_rows else [[]] * 9
    movements_tbl = pa.table(
        {
            "prisoner_number": pa.array(cols[0], pa.string()),
            "booking_id": pa.array(cols[1], pa.string()),
            "movement_type": pa.array(cols[2], pa.string()),
            "direction": pa.array(cols[3], pa.string()),
            "movement_reason_code": pa.array(cols[4], pa.string()),
            "movement_datetime": pa.array(np.array(cols[5], dtype="datetime64[s]")),
            "from_agency": pa.array(cols[6], pa.string()),
            "to_agency": pa.array(cols[7], pa.string()),
            "to_agency_description": pa.array(cols[8], pa.string()),
        }
    )
    # --- prisoners: one row per number, as the prison recorded them
    latest: dict[int, int] = {}
    for b in range(len(bk.person)):
        p = int(bk.person[b])
        if p not in latest or bk.start[b] > bk.start[latest[p]]:
            latest[p] = b
    cur_addr = w.cur_addr[people]
    last_start_day = np.array([bk.start[latest[int(p)]] // DAY_S for p in people])
    addr_then = w.addr_on(people, last_start_day)
    stale = (rng.random(len(people)) < params.p_prisoner_postcode_stale) & (
        w.prev_addr[people] >= 0
    )
    home = np.where(stale, w.prev_addr[people], addr_then)
    strings = address_strings(w.addresses, home, int(rng.integers(2**31)))
    postcode = np.array(strings["postcode"].to_pylist(), dtype=object)
    line = np.array(
        [
            f"{a}, {t}"
            for a, t in zip(strings["line1"].to_pylist(), strings["town"].to_pylist(), strict=True)
        ],
        dtype=object,
    )
    no_pc = rng.random(len(people)) < params.p_prisoner_postcode_null
    postcode[no_pc] = None
    line[no_pc & (rng.random(len(people)) < 0.7)] = None
    del cur_addr
    first = POOLS.take(
        noise.vary_names(rng, w.first[people], params.p_prisoner_name_variant, nick=0.03)
    ).to_pylist()
    last = POOLS.take(noise.vary_names(rng, w.surname[people], 0.03)).to_pylist()
    first = noise.typos(rng, first, 0.02)
    last = noise.typos(rng, last, 0.02)
    middle = POOLS.take(w.middle[people]).to_pylist()
    dob = noise.dob_errors(rng, w.dob[people], params.p_prisoner_dob_error)
    gender = np.where(w.sex[people] == 1, "Female", "Male").astype(object)
    gu = rng.random(len(people))
    gender[gu < 0.004] = "Not Known"
    gender[(gu >= 0.004) & (gu < 0.007)] = "Not Specified"
    pnc, cro = [], []
    for i, p in enumerate(people):
        y, serial, cro_serial = ident[int(p)]
        u = rng.random()
        if u < params.p_pnc_missing_prison:
            pnc.append(None)
        else:
            pnc.append(noise.pnc_text(rng, y, serial, params))
        cro.append(format_cro(y, cro_serial) if cro_serial and rng.random() < 0.9 else None)
        del i
    prisoners_tbl = pa.table(
        {
            "prisoner_number": [numbers[int(p)] for p in people],
            "pnc_number": pa.array(pnc, pa.string()),
            "cro_number": pa.array(cro, pa.string()),
            "first_name": first,
            "middle_names": pa.array(middle, pa.string()),
            "last_name": last,
            "date_of_birth": pa.array(dob.astype("datetime64[D]")),
            "gender": pa.array(gender, pa.string()),
            "legal_status": [status[int(p)] for p in people],
            "home_postcode": pa.array(postcode, pa.string()),
            "home_address": pa.array(line, pa.string()),
            "most_serious_offence": [OFFENCES[int(bk.offence[latest[int(p)]])][0] for p in people],
            "prison_id": [last_prison[int(p)] for p in people],
        }
    )
    # --- aliases
    al_rows = []
    for p in people:
        if rng.random() >= params.p_prisoner_alias:
            continue
        for _ in range(int(rng.integers(1, 3))):
            f = int(w.first[p])
            s = int(w.surname[p])
            u = rng.random()
            if u < 0.4:
                s = int(POOLS.sample(rng, w.origin[p : p + 1], "surname")[0])
            elif u < 0.7:
                f = int(POOLS.nickname[f]) if POOLS.nickname[f] != f else int(POOLS.variant[f])
            else:
                f = int(w.middle[p]) if w.middle[p] >= 0 else f
            d = noise.dob_errors(rng, w.dob[p : p + 1], 0.3)[0]
            if f == w.first[p] and s == w.surname[p] and d == w.dob[p]:
                continue  # nothing different to record
            al_rows.append(
                (
                    numbers[int(p)],
                    POOLS.strings[f],
                    None,
                    POOLS.strings[s],
                    d,
                    "Female" if w.sex[p] else "Male",
                )
            )
    ac = list(zip(*al_rows, strict=True)) if al_rows else [[]] * 6
    aliases_tbl = pa.table(
        {
            "prisoner_number": pa.array(ac[0], pa.string()),
            "first_name": pa.array(ac[1], pa.string()),
            "middle_names": pa.array(ac[2], pa.string()),
            "last_name": pa.array(ac[3], pa.string()),
            "date_of_birth": pa.array(np.array(ac[4], dtype="datetime64[D]")),
            "gender": pa.array(ac[5], pa.string()),
        }
    )
    hidden = np.zeros(0, np.int64) if hidden_pairs is None else hidden_pairs
    contacts_tbl, truth_contacts, grown = _contacts(
        w, rng, params, bk, people, numbers, latest, hidden
    )
    # receptions: the first ADM/IN of bookings that began inside the window
    inwin = bk.start >= w.ws * DAY_S
    receptions = pa.table(
        {
            "booking_id": pa.array(bk.booking_id[inwin].tolist(), pa.string()),
            "person": pa.array(bk.person[inwin]),
            "start": pa.array(bk.start[inwin]),
            "prisoner_number": [numbers[int(p)] for p in bk.person[inwin]],
        }
    )
    truth_prisoners = pa.table(
        {
            "prisoner_number": [numbers[int(p)] for p in people],
            "individual": pa.array(people),
        }
    )
    return PrisonOut(
        movements_tbl,
        prisoners_tbl,
        aliases_tbl,
        contacts_tbl,
        numbers,
        truth_prisoners,
        truth_contacts,
        receptions,
        *grown,
    )


def _contacts(
    w: World,
    rng: np.random.Generator,
    params: SynthParams,
    bk: Bookings,
    people: np.ndarray,
    numbers: dict[int, str],
    latest: dict[int, int],
    hidden_pairs: np.ndarray,
) -> tuple[pa.Table, pa.Table, tuple[int, int]]:
    """Contacts each prisoner declared on their latest booking: some children, partners,
    parents, siblings and friends; names as the prisoner gave them."""
    # index links by parent, and household members, for the prisoners only
    pset = np.zeros(w.n, bool)
    pset[people] = True
    lm = pset[w.l_parent]
    by_parent: dict[int, list[tuple[int, int, int, int]]] = {}
    for par, ch, kind, s, e in zip(
        w.l_parent[lm], w.l_child[lm], w.l_kind[lm], w.l_start[lm], w.l_end[lm], strict=True
    ):
        by_parent.setdefault(int(par), []).append((int(ch), int(kind), int(s), int(e)))
    hh_of_prisoner = w.household[people]
    hm = np.isin(w.household, hh_of_prisoner)
    members: dict[int, list[int]] = {}
    for i in np.flatnonzero(hm):
        members.setdefault(int(w.household[i]), []).append(int(i))
    friends_pool = np.flatnonzero(((w.E - w.dob) > 18 * YEAR) & w.in_area)
    rows: list[tuple] = []
    truth: list[tuple] = []
    nw = int(w.n)
    hidden = set(hidden_pairs.tolist())
    p_ex, p_grown = params.p_contact_ex_step_child, params.p_prisoner_declares_adult_child
    dob_child, dob_adult = params.p_contact_child_dob, params.p_contact_adult_child_dob
    p_own_sn = params.p_contact_child_prisoner_surname
    grown_pool = np.flatnonzero(((w.E - w.dob) > 19 * YEAR) & ((w.E - w.dob) < 45 * YEAR))
    grown: list[tuple[int, int]] = []
    own_sn: list[int] = []

    p_var = params.p_contact_name_variant
    p_nick = p_var * 0.15 / 0.22  # two thirds nicknames, as declared names mostly are

    def add(
        p: int,
        b: int,
        who: int,
        code: str,
        nok: str,
        emerg: str,
        dob_p: float,
        surname: int | None = None,
    ) -> None:
        f = int(w.first[who])
        u = rng.random()
        if u < p_nick and POOLS.nickname[f] != f:
            f = int(POOLS.nickname[f])
        elif u < p_var:
            f = int(POOLS.variant[f])
        fn = POOLS.strings[f]
        sn = POOLS.strings[int(w.surname[who] if surname is None else surname)]
        if rng.random() < params.p_contact_typo:
            fn = noise.typo(rng, fn)
        if rng.random() < params.p_contact_typo:
            sn = noise.typo(rng, sn)
        dob = None
        if rng.random() < dob_p:
            dob = noise.dob_errors(rng, w.dob[who : who + 1], 0.05)[0]
        active = "Y" if rng.random() < 0.92 else "N"
        rows.append((numbers[p], str(bk.booking_id[b]), fn, sn, dob, code, nok, emerg, active))
        truth.append((numbers[p], len(rows) - 1, who))

    for p in people:
        p = int(p)
        b = latest[p]
        on = int(bk.start[b] // DAY_S)
        kids = by_parent.get(p, [])
        partner = None
        hh = members.get(int(w.household[p]), [])
        for m in hh:
            if (
                m != p
                and w.role[m] in (1, 2, 8, 10)
                and (w.E - w.dob[m]) > 18 * YEAR
                and w.sex[m] != w.sex[p]
                and w.mother[p] != m
                and w.father[p] != m
                and w.mother[m] != p
                and w.father[m] != p
            ):
                partner = m
                break
        if partner is not None and rng.random() < params.p_contact_partner:
            code = ("WIFE" if w.sex[partner] else "HUS") if rng.random() < 0.4 else "PART"
            add(
                p,
                b,
                partner,
                code,
                "Y" if rng.random() < 0.7 else "N",
                "Y" if rng.random() < 0.6 else "N",
                0.5,
            )
        for ch, kind, _s, _e in kids:
            if w.dob[ch] > on or (p * nw + ch) in hidden:
                continue
            age = int(age_on(w.dob[ch : ch + 1], on)[0])
            if kind == L_EX_STEP:
                # an ended step-father still declaring the children he once lived with
                if p_ex and age < 18 and rng.random() < p_ex:
                    add(p, b, ch, "SDAU" if w.sex[ch] == 1 else "SSON", "N", "N", dob_child)
                continue
            if age >= 18 and rng.random() < 1 - params.p_contact_adult_child:
                continue
            lives = w.household[ch] == w.household[p]
            f = params.contact_child_lives_with_factor
            pr = params.p_contact_child * (f if lives else 2 - f)
            if rng.random() >= pr:
                continue
            girl = w.sex[ch] == 1
            if kind == L_BIRTH:
                code = "DAU" if girl else "SON"
            elif kind == L_STEP:
                code = (
                    ("SDAU" if girl else "SSON")
                    if rng.random() < 0.7
                    else ("DAU" if girl else "SON")
                )
            elif kind == L_CARER:
                code = (
                    ("GDAU" if girl else "GSON")
                    if rng.random() < 0.6
                    else ("GUA" if rng.random() < 0.6 else "ILP")
                )
            else:
                code = "OTH"
            sn = None
            if p_own_sn and w.surname[ch] != w.surname[p] and rng.random() < p_own_sn:
                sn = int(w.surname[p])  # declared under the prisoner's own surname
                own_sn.append(ch)
            add(p, b, ch, code, "N", "N", dob_adult if age >= 18 else dob_child, surname=sn)
        # grown-up children from before the world's families: declared SON/DAU, mostly
        # without a date of birth
        p_age = (on - int(w.dob[p])) / YEAR
        if p_grown and p_age >= 38 and rng.random() < p_grown:
            for _ in range(1 + int(rng.random() < 0.4)):
                cand = grown_pool[rng.integers(0, len(grown_pool), 40)]
                gap = (w.dob[cand] - int(w.dob[p])) / YEAR
                fit = cand[(gap >= 18) & (gap <= 40) & ((on - w.dob[cand]) >= 18 * YEAR)]
                if not len(fit):
                    continue
                who = int(fit[0])
                code = "DAU" if w.sex[who] == 1 else "SON"
                sn = int(w.surname[p]) if w.sex[p] == 0 or rng.random() < 0.5 else None
                add(p, b, who, code, "N", "N", dob_adult, surname=sn)
                grown.append((p, who))
        for par, code in ((int(w.mother[p]), "MOT"), (int(w.father[p]), "FA")):
            if par >= 0 and rng.random() < 0.5:
                add(p, b, par, code, "Y" if partner is None else "N", "Y", 0.3)
        for m in hh:
            same_parent = m != p and (
                (w.mother[m] >= 0 and w.mother[m] == w.mother[p])
                or (w.father[m] >= 0 and w.father[m] == w.father[p])
            )
            if same_parent and rng.random() < 0.4:
                add(p, b, m, "SIS" if w.sex[m] else "BRO", "N", "N", 0.3)
        for _ in range(int(rng.choice(3, p=[0.5, 0.35, 0.15]))):
            fr = int(friends_pool[int(rng.integers(len(friends_pool)))])
            add(
                p,
                b,
                fr,
                "FRI" if rng.random() < 0.8 else "OTH",
                "N",
                "Y" if rng.random() < 0.2 else "N",
                0.1,
            )
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 9
    tbl = pa.table(
        {
            "prisoner_number": pa.array(cols[0], pa.string()),
            "booking_id": pa.array(cols[1], pa.string()),
            "first_name": pa.array(cols[2], pa.string()),
            "last_name": pa.array(cols[3], pa.string()),
            "date_of_birth": pa.array(np.array(cols[4], dtype="datetime64[D]")),
            "relationship_code": pa.array(cols[5], pa.string()),
            "next_of_kin": pa.array(cols[6], pa.string()),
            "emergency_contact": pa.array(cols[7], pa.string()),
            "active": pa.array(cols[8], pa.string()),
        }
    )
    tc = list(zip(*truth, strict=True)) if truth else [[]] * 3
    truth_tbl = pa.table(
        {
            "prisoner_number": pa.array(tc[0], pa.string()),
            "row_index": pa.array(tc[1], pa.int64()),
            "individual": pa.array(tc[2], pa.int64()),
        }
    )
    return tbl, truth_tbl, (len(grown), len(own_sn))


__all__ = ["DISTRICT_IN_AREA_ARR", "PRISONS", "PrisonOut", "build_prison", "format_pnc"]
