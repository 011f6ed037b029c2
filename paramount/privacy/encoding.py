"""Record-level Bloom filters (CLKs) of a person's names and keyed hashes of the rest.

The design is Schnell, Bachteler and Reiher's (2009, 2011) cryptographic long-term key, as
the reference implementation (data61's clkhash) builds it: each field's value is cut into
bigrams of the value padded at both ends (`_SMITH_`: `_S`, `SM`, ... `H_`), each bigram sets
`k` positions of one filter of `BITS` bits, and several fields go into that one filter, so
no field is ever encoded alone (a filter of one field falls to a frequency attack, Christen,
Ranbaduge, Vatsalan and Schnell 2018). Each field has a key of its own derived from the
secret (its salt), so `SMITH` as a surname and as a forename set different bits.

A bigram's positions come from HMAC-SHA256 of the bigram under its field's key, two bytes a
position (1024 divides 65536, so every position is equally likely), rather than from double
hashing: the positions of double hashing lie on an arithmetic progression an attacker can
find in the filters (Niedermeyer, Steinmetzer, Kroll and Schnell 2014), which is why
clkhash's later schemas also draw independent positions (its `blakeHash`).

Values are expected standardised already (Paramount's linkage does it the same way for both
sides: upper case, letters only); a missing value adds nothing. The keyed hashes (date of
birth, its parts, postcode, district) are HMAC-SHA256 under a key per label, cut to 64 bits
and written as 16 hex digits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from paramount.privacy.keys import PartnerKey

SCHEMA = "paramount-partner-encoding/2"
BITS = 1024
WORDS = BITS // 64
_BATCH = 50_000


@dataclass(frozen=True)
class ClkField:
    """One field of the filter and how many positions each of its bigrams sets."""

    name: str
    k: int


# The names alone: the forename, its canonical form (the nickname table's: BOB and ROBERT
# both ROBERT) so another form of a name still shares bits, and the surname. The date of
# birth is not in the filter (schema 1 put the year in it): a year written wrong would make
# the same names disagree, and the date's keyed hashes (its year, month and day each) let the
# model weigh a slipped date on its own, as the clear model does. Some 230 to 260 of the
# 1,024 bits end up set for a typical person.
CLK_FIELDS: tuple[ClkField, ...] = (
    ClkField("forename", 20),
    ClkField("forename_canon", 10),
    ClkField("surname", 20),
)


def bigrams(value: str) -> set[str]:
    """The bigrams of a value padded with `_` at both ends (a one-letter name has two)."""
    padded = f"_{value}_"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


def _positions(field_key: bytes, token: str, k: int) -> np.ndarray:
    """`k` positions of a bigram in the filter, from its HMAC under the field's key."""
    out: list[int] = []
    block = 0
    while len(out) < k:
        digest = hmac.new(field_key, f"{block}:{token}".encode(), hashlib.sha256).digest()
        out.extend(int(x) % BITS for x in np.frombuffer(digest, dtype=">u2"))
        block += 1
    return np.asarray(out[:k], dtype=np.int64)


def _value_bits(field_key: bytes, values: Sequence[str], k: int) -> np.ndarray:
    """A (values, BITS) bool matrix: the bits each distinct value sets."""
    bits = np.zeros((len(values), BITS), dtype=bool)
    cache: dict[str, np.ndarray] = {}
    for i, value in enumerate(values):
        for token in bigrams(value):
            if token not in cache:
                cache[token] = _positions(field_key, token, k)
            bits[i, cache[token]] = True
    return bits


def _codes(column: Any) -> tuple[np.ndarray, list[str]]:
    """Each row's index into the column's distinct values (-1 where missing), and the values."""
    array = pa.array(column, pa.string()) if not isinstance(column, pa.Array) else column
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    encoded = array.cast(pa.string()).dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, [str(v) for v in encoded.dictionary.to_pylist()]


def clk_words(
    columns: dict[str, Any], key: PartnerKey, fields: Sequence[ClkField] = CLK_FIELDS
) -> np.ndarray:
    """Each record's filter as `WORDS` 64-bit words (an (n, WORDS) uint64 array, bit `i` of
    the filter being bit `i % 64` of word `i // 64`); `columns` holds one sequence (or Arrow
    array) of standardised strings per field, all of one length. A record with no value in
    any field has an empty filter."""
    n = len(next(iter(columns.values())))
    per_field = []
    for f in fields:
        codes, values = _codes(columns[f.name])
        per_field.append((codes, _value_bits(key.derive(f"clk:{f.name}"), values, f.k)))
    out = np.zeros((n, WORDS), dtype=np.uint64)
    for start in range(0, n, _BATCH):
        stop = min(n, start + _BATCH)
        bits = np.zeros((stop - start, BITS), dtype=bool)
        for codes, value_bits in per_field:
            part = codes[start:stop]
            have = part >= 0
            bits[have] |= value_bits[part[have]]
        packed = np.packbits(bits, axis=1, bitorder="little")
        out[start:stop] = packed.view("<u8").astype(np.uint64)
    return out


def popcount(words: np.ndarray) -> np.ndarray:
    """The set bits of each filter (rows of `clk_words`)."""
    as_bytes = np.ascontiguousarray(words.astype("<u8")).view(np.uint8)
    return np.unpackbits(as_bytes, axis=-1).sum(axis=-1).astype(np.int64)


def dice(a: np.ndarray, b: np.ndarray) -> float:
    """The Dice coefficient of two filters: twice the shared bits over the bits of both."""
    both = int(popcount(np.bitwise_and(a, b)[None, :])[0])
    total = int(popcount(a[None, :])[0] + popcount(b[None, :])[0])
    return 2.0 * both / total if total else 0.0


def keyed_hashes(column: Any, key: PartnerKey, label: str) -> list[str | None]:
    """HMAC-SHA256 of each value under the key derived for `label`, as 16 hex digits (None
    for a missing value). One hash per distinct value, so a million rows cost their values."""
    codes, values = _codes(column)
    field_key = key.derive(f"hash:{label}")
    hashed = [hmac.new(field_key, v.encode(), hashlib.sha256).hexdigest()[:16] for v in values]
    return [hashed[c] if c >= 0 else None for c in codes.tolist()]


def clk_to_text(words: np.ndarray) -> list[str | None]:
    """Each filter as base64 of its 128 bytes (little-endian words), for a CSV file; an empty
    filter as None."""
    raw = np.ascontiguousarray(words.astype("<u8"))
    empty = np.logical_not(np.any(raw, axis=1)).tolist()
    return [
        None if empty[i] else base64.b64encode(raw[i].tobytes()).decode("ascii")
        for i in range(len(raw))
    ]


def clk_from_text(texts: Sequence[str | None]) -> np.ndarray:
    """Filters read back from `clk_to_text`'s form (a missing one empty); a malformed value
    raises ValueError."""
    out = np.zeros((len(texts), WORDS), dtype=np.uint64)
    for i, text in enumerate(texts):
        if text is None or text == "":
            continue
        raw = base64.b64decode(text, validate=True)
        if len(raw) != BITS // 8:
            raise ValueError(f"an encoded filter must be {BITS // 8} bytes")
        out[i] = np.frombuffer(raw, dtype="<u8")
    return out
