"""Privacy-preserving encodings of the partner's people, with a key only the two parties hold.

A local authority need not hand the force its children's names: `paramount partner encode`
turns its partner tables into keyed encodings (`encoding.py`), and Paramount links them to
the police nominals, which it encodes with the same key inside the run, so the force learns
only which partner records match. `keys.py` makes, reads and fingerprints the key. Pure
functions of values and a key: no database, no file but the key's.
"""

from paramount.privacy.encoding import (
    BITS,
    CLK_FIELDS,
    SCHEMA,
    WORDS,
    ClkField,
    clk_from_text,
    clk_to_text,
    clk_words,
    dice,
    keyed_hashes,
    popcount,
)
from paramount.privacy.keys import PartnerKey, PartnerKeyError, make_key_file, read_key_file

__all__ = [
    "BITS",
    "CLK_FIELDS",
    "SCHEMA",
    "WORDS",
    "ClkField",
    "PartnerKey",
    "PartnerKeyError",
    "clk_from_text",
    "clk_to_text",
    "clk_words",
    "dice",
    "keyed_hashes",
    "make_key_file",
    "popcount",
    "read_key_file",
]
