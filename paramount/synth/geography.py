"""The force's ground: local policing areas, postcode districts, streets and addresses.

Addresses are arrays (district, street, house number, premises type, UPRN), turned into
strings only when written. Districts outside the force are there for the people of
neighbouring forces who are received into the same prisons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from paramount.contract.tables import PREMISES_TYPES

# (lpa code, lpa name, districts, relative population weight). Synthetic, Thames-Valley-like.
LPAS: tuple[tuple[str, str, str, float], ...] = (
    ("OXF", "Oxford", "OX1 OX2 OX3 OX4 OX14 OX44", 1.0),
    ("RDG", "Reading", "RG1 RG2 RG4 RG5 RG6 RG30 RG31", 1.2),
    ("SLO", "Slough", "SL1 SL2 SL3", 1.0),
    ("MKN", "Milton Keynes", "MK1 MK2 MK3 MK4 MK5 MK6 MK10 MK13", 1.6),
    ("AYL", "Aylesbury Vale", "HP17 HP18 HP19 HP20 HP21 HP22", 1.1),
    ("WYC", "Wycombe", "HP10 HP11 HP12 HP13 HP14", 1.0),
    ("BRK", "Bracknell and Wokingham", "RG12 RG40 RG41 RG42", 1.0),
    ("WDM", "Windsor and Maidenhead", "SL4 SL5 SL6", 0.9),
    ("CHW", "Cherwell and West Oxfordshire", "OX15 OX16 OX26 OX28 OX29", 0.9),
)
# Neighbouring forces' districts (their residents are received into the same prisons).
OUTSIDE: tuple[tuple[str, str, str], ...] = (
    ("Swindon", "SN1 SN2 SN3 SN5 SN25", "WILTSHIRE"),
    ("Northampton", "NN1 NN2 NN3 NN4 NN5", "NORTHAMPTONSHIRE"),
    ("Guildford", "GU1 GU2 GU4", "SURREY"),
    ("Luton", "LU1 LU2 LU3 LU4", "BEDFORDSHIRE"),
    ("Watford", "WD17 WD18 WD24 WD25", "HERTFORDSHIRE"),
    ("Basingstoke", "RG21 RG22 RG24", "HAMPSHIRE"),
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_STREET_ROOTS = _words(
    "Station High Church Mill School Park Victoria Queens Kings Manor Grange Meadow Orchard "
    "Chapel Mill Bridge Green London Oxford Windsor Abbey Castle Elm Oak Ash Beech Willow "
    "Cedar Maple Holly Rowan Hawthorn Larch Chestnut Poplar Lime Birch Sycamore Hazel Alder "
    "Juniper Laurel Priory Rectory Vicarage Nelson Wellington Albert Alexandra Milton Shelley "
    "Byron Keats Wordsworth Tennyson Chaucer Darwin Newton Faraday Brunel Telford Stephenson "
    "Kingfisher Heron Swallow Skylark Wren Robin Falcon Kestrel Merlin Osprey Thames Kennet "
    "Cherwell Windrush Evenlode Isis Loddon Colne Ouse Avon Chiltern Cotswold Ridgeway Downs "
    "Fairfield Westfield Northfield Southfield Brookside Riverside Hillside Parkside Greenway "
    "Longmead Broadmead Foxhill Harefield Wolsey Tudor Stuart Windmill Coronation"
)
_STREET_SUFFIX = _words("Road Street Lane Avenue Close Way Drive Crescent Gardens Place Court Walk")
_LOCALITIES = _words(
    "Northfield Southmead Eastgate Westbury Hillcrest Brookfield Parkway Woodside Greenhill "
    "Oakwood Ashford Elmhurst Fairview Highfield Lowfield Millbrook Newtown Oldfield "
    "Riverside Stonebridge"
)
_SHARED_NAMES = {
    "HMO": "House",
    "HOSTEL": "Hostel",
    "CARE_HOME": "Care Home",
    "HOTEL": "Hotel",
    "REFUGE": "House",
    "COMMERCIAL": "Buildings",
}

DISTRICTS: list[str] = []
DISTRICT_LPA: list[str | None] = []
DISTRICT_TOWN: list[str] = []
DISTRICT_IN_AREA: list[bool] = []
DISTRICT_WEIGHT: list[float] = []
for _code, _name, _ds, _w in LPAS:
    _dl = _ds.split()
    for _d in _dl:
        DISTRICTS.append(_d)
        DISTRICT_LPA.append(_code)
        DISTRICT_TOWN.append(_name.split(" and ")[0])
        DISTRICT_IN_AREA.append(True)
        DISTRICT_WEIGHT.append(_w / len(_dl))
for _town, _ds, _force in OUTSIDE:
    _dl = _ds.split()
    for _d in _dl:
        DISTRICTS.append(_d)
        DISTRICT_LPA.append(None)
        DISTRICT_TOWN.append(_town)
        DISTRICT_IN_AREA.append(False)
        DISTRICT_WEIGHT.append(1.0 / len(_dl))
IN_AREA_DISTRICTS = np.array([i for i, a in enumerate(DISTRICT_IN_AREA) if a], dtype=np.int16)
OUT_AREA_DISTRICTS = np.array([i for i, a in enumerate(DISTRICT_IN_AREA) if not a], dtype=np.int16)
DISTRICT_IN_AREA_ARR = np.array(DISTRICT_IN_AREA)
LPA_CODES = [c for c, *_ in LPAS]
DISTRICT_LPA_IDX = np.array([LPA_CODES.index(x) if x else -1 for x in DISTRICT_LPA], dtype=np.int16)
STREETS_PER_DISTRICT = 60
PREMISES = {name: i for i, name in enumerate(PREMISES_TYPES)}


def force_area_table() -> pa.Table:
    """`force_area`: every in-force district with its LPA."""
    names = {c: n for c, n, *_ in LPAS}
    rows = [
        (d, DISTRICT_LPA[i], names[DISTRICT_LPA[i]])
        for i, d in enumerate(DISTRICTS)
        if DISTRICT_IN_AREA[i]
    ]
    return pa.table(
        {
            "postcode_district": [r[0] for r in rows],
            "lpa": [r[1] for r in rows],
            "lpa_name": [r[2] for r in rows],
        }
    )


@dataclass
class AddressBook:
    """Growing arrays of addresses; index = address number."""

    district: list[np.ndarray] = field(default_factory=list)
    street: list[np.ndarray] = field(default_factory=list)
    number: list[np.ndarray] = field(default_factory=list)
    premises: list[np.ndarray] = field(default_factory=list)
    count: int = 0

    def new(
        self, rng: np.random.Generator, district: np.ndarray, premises: str = "DWELLING"
    ) -> np.ndarray:
        """Create addresses in the given districts; returns their indices."""
        n = len(district)
        self.district.append(district.astype(np.int16))
        self.street.append(
            district.astype(np.int32) * STREETS_PER_DISTRICT
            + rng.integers(0, STREETS_PER_DISTRICT, n)
        )
        self.number.append(rng.integers(1, 180, n).astype(np.int16))
        self.premises.append(np.full(n, PREMISES[premises], dtype=np.int8))
        idx = np.arange(self.count, self.count + n, dtype=np.int32)
        self.count += n
        return idx

    def freeze(self) -> None:
        for name in ("district", "street", "number", "premises"):
            setattr(self, name, [np.concatenate(getattr(self, name))])

    def arr(self, name: str) -> np.ndarray:
        return getattr(self, name)[0]


def sample_districts(rng: np.random.Generator, n: int, in_area: bool) -> np.ndarray:
    pool = IN_AREA_DISTRICTS if in_area else OUT_AREA_DISTRICTS
    w = np.array(DISTRICT_WEIGHT)[pool]
    return pool[rng.choice(len(pool), size=n, p=w / w.sum())]


def _street_names() -> pa.Array:
    """The street name of every (district, street slot): deterministic, from a fixed hash."""
    n = len(DISTRICTS) * STREETS_PER_DISTRICT
    i = np.arange(n)
    roots = np.array(_STREET_ROOTS, dtype=object)[(i * 7919 + i // 13) % len(_STREET_ROOTS)]
    suf = np.array(_STREET_SUFFIX, dtype=object)[(i * 104729 // 7) % len(_STREET_SUFFIX)]
    return pa.array([f"{r} {s}" for r, s in zip(roots, suf, strict=True)])


STREET_NAMES = _street_names()


def address_strings(book: AddressBook, idx: np.ndarray, seed: int) -> dict[str, pa.Array]:
    """line1, line2, town, postcode, lpa, premises_type and uprn of addresses `idx`."""
    rng = np.random.default_rng(seed)
    district = book.arr("district")[idx]
    street = book.arr("street")[idx]
    number = book.arr("number")[idx]
    prem = book.arr("premises")[idx]
    n = len(idx)
    num_s = pc.cast(pa.array(number.astype(np.int32)), pa.string())
    street_s = STREET_NAMES.take(pa.array(street))
    line1 = pc.binary_join_element_wise(num_s, street_s, " ")
    shared = prem != PREMISES["DWELLING"]
    if shared.any():
        kinds = np.array([_SHARED_NAMES.get(p, "House") for p in PREMISES_TYPES], dtype=object)
        roots = np.array(_STREET_ROOTS, dtype=object)
        label = [
            f"{roots[s % len(roots)]} {kinds[p]}, {k} "
            for s, p, k in zip(street[shared], prem[shared], num_s.to_pylist(), strict=False)
        ]
        sh_idx = np.flatnonzero(shared)
        lst = line1.to_pylist()
        st = street_s.to_pylist()
        for j, i in enumerate(sh_idx):
            lst[i] = label[j] + st[i]
        line1 = pa.array(lst)
    loc = np.array(_LOCALITIES, dtype=object)
    has_loc = rng.random(n) < 0.35
    line2 = pa.array(np.where(has_loc, loc[(street * 31) % len(loc)], None))
    town = pa.array(np.array(DISTRICT_TOWN, dtype=object)[district])
    # postcode: district, sector digit and two letters fixed per (street, house block)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    key = street.astype(np.int64) * 7 + number // 25
    sector = (key * 2654435761 % 9 + 1).astype(np.int64)
    l1 = np.array(list(letters))[(key * 40503) % len(letters)]
    l2 = np.array(list(letters))[(key * 9973 // 3) % len(letters)]
    inward = np.char.add(np.char.add(sector.astype(str), l1), l2)
    postcode = pc.binary_join_element_wise(
        pa.array(np.array(DISTRICTS, dtype=object)[district]), pa.array(inward), " "
    )
    lpa_idx = DISTRICT_LPA_IDX[district]
    lpa = pa.array(np.where(lpa_idx >= 0, np.array(LPA_CODES, dtype=object)[lpa_idx], None))
    uprn_known = rng.random(n) < 0.9
    uprn_val = 100_000_000_000 + idx.astype(np.int64) * 37 + 11
    uprn = pc.if_else(
        pa.array(uprn_known), pc.cast(pa.array(uprn_val), pa.string()), pa.scalar(None, pa.string())
    )
    premises = pa.array(np.array(PREMISES_TYPES, dtype=object)[prem])
    return {
        "line1": line1,
        "line2": line2,
        "town": town,
        "postcode": postcode,
        "lpa": lpa,
        "premises_type": premises,
        "uprn": uprn,
    }
