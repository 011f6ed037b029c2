"""Encoded records: the partner's people and the police nominals in the same keyed encodings.

Both sides start from the standardised records (`prepare.py`), so a name the local authority
encodes and the same name in a police record become the same bits:

- the names as one record-level filter (`paramount.privacy`): 16 words of 64 bits (`clk`),
  the bits set (`clk_bits`) and a key of the whole filter (`clk_key`, so identical names
  can be counted for their frequency), NULL where the record has no name;
- keyed hashes of the date of birth (`dob_hash`), its year, month and day, the postcode
  (`postcode1_hash`, and every postcode's and district's, `postcode_hashes`,
  `district_hashes`; a partner person has one), and `sex` and `source_force` as they are;
- `band_1 .. band_B`: `BAND_BITS` bits of the filter at fixed positions each, so records
  whose names are nearly the same share a band (locality-sensitive hashing for Hamming
  distance), a blocking key that needs no clear name;
- on the police side only (Paramount holds the key and the nominals' clear dates), the
  hashes of the dates one digit or one day from each nominal's (`dob_near`) and of the years
  either side (`yob_near`), so a slipped date still partly agrees without the local authority
  sending more than the one date's hashes.

`partner_file_columns` is what the local authority sends (`partner_persons_encoded.csv`);
`build_partner_encoded` reads it back (or encodes Paramount's own clear partner records the
same way), `build_nominal_encoded` encodes the nominals inside the run, and
`build_contact_encoded` the prisoners' contacts and home postcodes (`contacts.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from paramount.contract.identifiers import clean_sql
from paramount.db.backend import Backend
from paramount.linkage.prepare import (
    NICKNAMES,
    NOMINAL_RECORDS,
    PARTNER_RECORDS,
    name_sql,
    surname_sql,
)
from paramount.privacy import (
    BITS,
    WORDS,
    PartnerKey,
    PartnerKeyError,
    clk_from_text,
    clk_to_text,
    clk_words,
    keyed_hashes,
    popcount,
)
from paramount.privacy.files import ENCODED_TABLE, MANIFEST_TABLE

ENCODED_PARTNER_RECORDS = "pm_lk_partner_encoded"
ENCODED_NOMINAL_RECORDS = "pm_lk_nominal_encoded"

# Locality-sensitive blocking: BANDS bands of BAND_BITS filter bits each, at positions drawn
# once from a fixed seed (they need not be secret: a band is computed inside the run, from
# filters Paramount already holds). Two records whose filters differ in a tenth of their bits
# share a given band with probability 0.9^8 = 0.43, and one of six with 0.97; two strangers'
# filters (about a quarter of the bits set each) agree in some 0.6 of their bits: 1 in 55 a band.
BANDS = 6
BAND_BITS = 8
_BAND_POSITIONS = (
    np.random.default_rng(20261207).permutation(BITS)[: BANDS * BAND_BITS].reshape(BANDS, BAND_BITS)
)
BAND_COLUMNS = tuple(f"band_{j}" for j in range(1, BANDS + 1))

# The keyed hashes' labels: each its own key, month and day one (so a swap shows).
DOB, YEAR, DAY_MONTH, POSTCODE, DISTRICT = (
    "dob",
    "dob_year",
    "dob_day_month",
    "postcode",
    "district",
)

# The standardised columns each side's encoding reads, as strings (SQL over prepare's tables).
_STD = """unique_id, record_id, forename1 AS forename, forename_canon, surname,
    CAST(yob AS VARCHAR) AS yob, CAST(dob AS VARCHAR) AS dob,
    CAST(month(dob) AS VARCHAR) AS dob_month, CAST(day(dob) AS VARCHAR) AS dob_day,
    postcode1, postcodes, districts, sex, source_force"""


def partner_file_columns(std: pa.Table, key: PartnerKey) -> pa.Table:
    """The local authority's encoded rows (`ENCODED_COLUMNS`) from its standardised partner
    records (`std`: `_STD`'s columns, one row per partner person)."""
    districts = pc.list_element(std["districts"], 0) if std.num_rows else pa.array([], pa.string())
    return pa.table(
        {
            "partner_person_id": std["record_id"],
            "name_clk": pa.array(clk_to_text(_clk(std, key)), pa.string()),
            "dob_hash": _hashes(std["dob"], key, DOB),
            "dob_year_hash": _hashes(std["yob"], key, YEAR),
            "dob_month_hash": _hashes(std["dob_month"], key, DAY_MONTH),
            "dob_day_hash": _hashes(std["dob_day"], key, DAY_MONTH),
            "postcode_hash": _hashes(std["postcode1"], key, POSTCODE),
            "district_hash": _hashes(districts, key, DISTRICT),
        }
    )


def standardised_partner_records(db: Backend) -> pa.Table:
    """The partner records `prepare_records` made, as the encoding reads them."""
    return db.fetch_arrow(
        f"SELECT {_STD} FROM {PARTNER_RECORDS} WHERE unique_id LIKE '%|0' ORDER BY record_id"
    )


def build_partner_encoded(db: Backend, key: PartnerKey | None) -> int:
    """`ENCODED_PARTNER_RECORDS`: from the local authority's encoded file where the extract
    has one (loaded as `ENCODED_TABLE`), else from the clear partner records, encoded here
    with `key` exactly as the local authority would. Returns the rows."""
    if db.table_exists(ENCODED_TABLE):
        rows = db.fetch_arrow(f"""
SELECT r.unique_id, r.record_id, r.sex, r.source_force, e.name_clk, e.dob_hash,
       e.dob_year_hash, e.dob_month_hash, e.dob_day_hash, e.postcode_hash, e.district_hash
FROM {PARTNER_RECORDS} AS r LEFT JOIN {ENCODED_TABLE} AS e ON e.partner_person_id = r.record_id
WHERE r.unique_id LIKE '%|0' ORDER BY r.record_id""")
        texts = rows["name_clk"].to_pylist()
    else:
        if key is None:
            raise ValueError("clear partner records are encoded with a key")
        std = standardised_partner_records(db)
        encoded = partner_file_columns(std, key)
        rows = encoded.drop(["partner_person_id"])
        for name in ("unique_id", "record_id", "sex", "source_force"):
            rows = rows.append_column(name, std[name])
        texts = encoded["name_clk"].to_pylist()
    words = clk_from_text(texts)
    postcode = rows["postcode_hash"]
    district = rows["district_hash"]
    table = _records(
        rows,
        words,
        dob_hash=rows["dob_hash"],
        yob_hash=rows["dob_year_hash"],
        month_hash=rows["dob_month_hash"],
        day_hash=rows["dob_day_hash"],
        postcode1_hash=postcode,
        postcode_hashes=_single_list(postcode),
        district_hashes=_single_list(district),
        dob_near=pa.nulls(rows.num_rows, pa.list_(pa.string())),
        yob_near=pa.nulls(rows.num_rows, pa.list_(pa.string())),
    )
    _store(db, ENCODED_PARTNER_RECORDS, table)
    return table.num_rows


def build_nominal_encoded(db: Backend, key: PartnerKey) -> int:
    """`ENCODED_NOMINAL_RECORDS`: every nominal record (aliases too) encoded with `key`, with
    the near dates and years that only the police side can compute. Returns the rows."""
    std = db.fetch_arrow(f"SELECT {_STD} FROM {NOMINAL_RECORDS} ORDER BY unique_id")
    words = _clk(std, key)
    near, year_near = _near_hashes(std["dob"], key)
    table = _records(
        std,
        words,
        dob_hash=_hashes(std["dob"], key, DOB),
        yob_hash=_hashes(std["yob"], key, YEAR),
        month_hash=_hashes(std["dob_month"], key, DAY_MONTH),
        day_hash=_hashes(std["dob_day"], key, DAY_MONTH),
        postcode1_hash=_hashes(std["postcode1"], key, POSTCODE),
        postcode_hashes=_list_hashes(std["postcodes"], key, POSTCODE),
        district_hashes=_list_hashes(std["districts"], key, DISTRICT),
        dob_near=near,
        yob_near=year_near,
    )
    _store(db, ENCODED_NOMINAL_RECORDS, table)
    return table.num_rows


def _clk(std: pa.Table, key: PartnerKey) -> np.ndarray:
    """The records' name filters."""
    return clk_words({c: std[c] for c in ("forename", "forename_canon", "surname")}, key)


def _hashes(column: Any, key: PartnerKey, label: str) -> pa.Array:
    return pa.array(keyed_hashes(column, key, label), pa.string())


def _single_list(column: Any) -> pa.Array:
    """Each value as a one-element list (NULL where missing), like the nominals' lists."""
    values = pa.array(column, pa.string()) if not isinstance(column, pa.ChunkedArray) else column
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    n = len(values)
    offsets = pa.array(np.arange(n + 1, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, values, mask=values.is_null())


def _list_hashes(column: pa.ChunkedArray, key: PartnerKey, label: str) -> pa.Array:
    """Every element of each list hashed, the lists kept (NULL stays NULL)."""
    lists = column.combine_chunks()
    flat = _hashes(pc.list_flatten(lists), key, label)
    offsets = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False)
    starts = np.concatenate([[0], np.cumsum(offsets)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(starts), flat, mask=lists.is_null())


def _near_dates(text: str, swapped: bool = False) -> tuple[list[str], list[str]]:
    """The valid dates one character or one day from `text` (ISO) (and, if `swapped`, the
    date with day and month swapped), and its years either side as text."""
    d = date.fromisoformat(text)
    out = {(d - timedelta(days=1)).isoformat(), (d + timedelta(days=1)).isoformat()}
    if swapped and d.day <= 12:
        out.add(date(d.year, d.day, d.month).isoformat())
    candidates = []
    for i, ch in enumerate(text):
        if ch.isdigit():
            candidates += [text[:i] + c + text[i + 1 :] for c in "0123456789" if c != ch]
    for i in range(len(text) - 1):
        candidates.append(text[:i] + text[i + 1] + text[i] + text[i + 2 :])
    for c in candidates:
        try:
            out.add(date.fromisoformat(c).isoformat())
        except ValueError:
            continue
    out.discard(text)
    return sorted(out), [str(d.year - 1), str(d.year + 1)]


def _near_hashes(
    dobs: pa.ChunkedArray, key: PartnerKey, swapped: bool = False
) -> tuple[pa.Array, pa.Array]:
    """`dob_near` and `yob_near` of each record: worked out once per distinct date."""
    encoded = dobs.combine_chunks().dictionary_encode()
    distinct = [str(v) for v in encoded.dictionary.to_pylist()]
    near_text, year_text = [], []
    for text in distinct:
        near, years = _near_dates(text, swapped)
        near_text.append(near)
        year_text.append(years)
    near_values = _hashes(pa.array([v for vs in near_text for v in vs], pa.string()), key, DOB)
    year_values = _hashes(pa.array([v for vs in year_text for v in vs], pa.string()), key, YEAR)
    near_lists = pa.ListArray.from_arrays(
        pa.array(np.concatenate([[0], np.cumsum([len(v) for v in near_text])]).astype(np.int32)),
        near_values,
    )
    year_lists = pa.ListArray.from_arrays(
        pa.array(np.arange(0, 2 * len(distinct) + 1, 2, dtype=np.int32)), year_values
    )
    indices = encoded.indices
    return near_lists.take(indices), year_lists.take(indices)


def band_values(words: np.ndarray) -> np.ndarray:
    """Each filter's `BANDS` band keys (an (n, BANDS) int64 array)."""
    out = np.zeros((len(words), BANDS), dtype=np.int64)
    weights = (1 << np.arange(BAND_BITS, dtype=np.int64))[None, :]
    for start in range(0, len(words), 50_000):
        part = np.ascontiguousarray(words[start : start + 50_000].astype("<u8")).view(np.uint8)
        bits = np.unpackbits(part, axis=1, bitorder="little").astype(np.int64)
        for j in range(BANDS):
            out[start : start + len(part), j] = (bits[:, _BAND_POSITIONS[j]] * weights).sum(axis=1)
    return out


def filter_key(words: np.ndarray) -> np.ndarray:
    """Each filter's 64-bit key (FNV-1a over its words): the same for identical filters, so
    identical names can be counted (the names' term frequencies) and blocked on."""
    key = np.full(len(words), 0xCBF29CE484222325, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(WORDS):
            key = (key ^ words[:, j].astype(np.uint64)) * np.uint64(0x100000001B3)
    return key.view(np.int64)


def _filter_columns(words: np.ndarray, bands: Sequence[str]) -> dict[str, Any]:
    """A filter's words (`clk`), its bits (`clk_bits`), its key (`clk_key`) and bands, NULL
    if empty."""
    n = len(words)
    bits = popcount(words) if n else np.zeros(0, dtype=np.int64)
    empty = bits == 0
    out: dict[str, Any] = {
        "clk": pa.ListArray.from_arrays(
            pa.array(np.arange(0, n * WORDS + 1, WORDS, dtype=np.int32)),
            pa.array(words.reshape(-1), pa.uint64()),
            mask=pa.array(empty),
        ),
        "clk_bits": pa.array(bits, pa.int32(), mask=empty),
        "clk_key": pa.array(filter_key(words), pa.int64(), mask=empty),
    }
    values = band_values(words)
    for j, name in enumerate(bands):
        out[name] = pa.array(values[:, j], pa.int64(), mask=empty)
    return out


def _records(rows: pa.Table, words: np.ndarray, **columns: Any) -> pa.Table:
    """The encoded record table: ids, the name filter and its bands, the hashes, sex and
    force."""
    out: dict[str, Any] = {"unique_id": rows["unique_id"], "record_id": rows["record_id"]}
    out.update(_filter_columns(words, BAND_COLUMNS))
    out.update(columns)
    out["sex"] = rows["sex"]
    out["source_force"] = rows["source_force"]
    return pa.table(out)


def _store(db: Backend, name: str, table: pa.Table) -> None:
    view = f"_pm_arrow_{name}"
    db.register_arrow(view, table)
    try:
        db.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {view}")
    finally:
        db.unregister(view)


def partner_encoded(db: Backend, key: PartnerKey | None) -> bool:
    """Whether partner persons are linked on encodings: the extract's partner data came
    encoded, or a key was given to encode the clear partner records with."""
    return key is not None or db.table_exists(ENCODED_TABLE)


def check_partner_key(db: Backend, key: PartnerKey | None) -> None:
    """Refuse encoded partner data without a key, or with another key than the one the local
    authority encoded it with (the manifest's fingerprint of it)."""
    if not db.table_exists(ENCODED_TABLE):
        return
    if key is None:
        raise PartnerKeyError(
            "the extract's partner data is encoded: give the key the local authority encoded "
            "it with (--partner-key KEYFILE)"
        )
    rows = db.fetch_tuples(f"SELECT key_fingerprint FROM {MANIFEST_TABLE}")
    if not rows or rows[0][0] != key.fingerprint:
        raise PartnerKeyError(
            "the partner key given is not the one the partner data was encoded with (its "
            "fingerprint differs from the manifest's): ask the local authority which key it "
            "used"
        )


ENCODED_CONTACTS = "pm_lk_contact_encoded"
ENCODED_PRISONER_POSTCODES = "pm_lk_prisoner_postcode_hash"


def build_contact_encoded(db: Backend, key: PartnerKey) -> int:
    """The prison's side of matching contacts to partner persons on encodings: each contact
    row's name filter (`ENCODED_CONTACTS`), its date's hash and near
    dates (a swapped day and month among them), and each prisoner's home postcode hashed
    (`ENCODED_PRISONER_POSTCODES`, for the circle of partner persons at the prisoner's home).
    Returns the contact rows."""
    std = db.fetch_arrow(f"""
SELECT k._row AS contact_row, t.tokens[1] AS forename,
       coalesce(n.canonical, t.tokens[1]) AS forename_canon,
       {surname_sql("k.last_name")} AS surname, CAST(k.date_of_birth AS VARCHAR) AS dob
FROM prisoner_contacts AS k
CROSS JOIN LATERAL (
    SELECT string_split({name_sql("replace(k.first_name, '-', ' ')")}, ' ') AS tokens
) AS t
LEFT JOIN {NICKNAMES} AS n ON n.name = t.tokens[1]
ORDER BY k._row""")
    n = std.num_rows
    words = _clk(std, key)
    near, _ = _near_hashes(std["dob"], key, swapped=True)
    table = pa.table(
        {
            "contact_row": std["contact_row"],
            **_filter_columns(words, ()),
            "dob_hash": _hashes(std["dob"], key, DOB),
            "dob_near": near,
        }
    )
    _store(db, ENCODED_CONTACTS, table)
    homes = db.fetch_arrow(
        f"SELECT prisoner_number, {clean_sql('home_postcode')} AS pc FROM prisoners "
        f"WHERE {clean_sql('home_postcode')} IS NOT NULL"
    )
    _store(
        db,
        ENCODED_PRISONER_POSTCODES,
        pa.table(
            {
                "prisoner_number": homes["prisoner_number"],
                "pc": _hashes(homes["pc"], key, POSTCODE),
            }
        ),
    )
    return n


def containment_sql(small: str, large: str) -> str:
    """The share of `small`'s filter bits also set in `large`'s (table aliases)."""
    both = " + ".join(f"bit_count({small}.clk[{i}] & {large}.clk[{i}])" for i in range(1, 17))
    return f"(({both}) / {small}.clk_bits)"
