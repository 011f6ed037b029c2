"""A fingerprint of the inputs a resolution read, so a later run can tell if it still holds.

Row counts and an order-independent checksum (the sum of every row's hash) of each input
table, with the resolution's version and thresholds, hashed with sha256. Any change to a
person, an alias, an address, a relationship or a contact row changes it.
"""

from __future__ import annotations

import hashlib
import json

from paramount.db.backend import Backend
from paramount.privacy.files import ENCODED_TABLE

INFO = "pm_resolution_info"
VERSION = "2"
INPUT_TABLES = (
    "persons",
    "person_aliases",
    "addresses",
    "person_addresses",
    "relationships",
    "occurrence_persons",
    "prisoners",
    "prisoner_aliases",
    "prisoner_contacts",
    "partner_persons",
    "partner_relationships",
)


def fingerprint(db: Backend, accept: float, review: float, partner_key: str | None = None) -> str:
    """The inputs' fingerprint; for partner persons linked on their encodings, also the
    encoded file (when the extract came with one) and the key's fingerprint (never the key),
    so a resolution made with one key is not taken for another's."""
    parts: dict[str, object] = {"version": VERSION, "accept": accept, "review": review}
    if partner_key is not None:
        parts["partner_key"] = partner_key
    extra = (ENCODED_TABLE,) if db.table_exists(ENCODED_TABLE) else ()
    for name in (*INPUT_TABLES, *extra):
        if db.table_exists(name):
            n, s = db.fetch_tuples(
                f"SELECT count(*), CAST(coalesce(sum(hash(t)), 0) AS VARCHAR) FROM {name} AS t"
            )[0]
            parts[name] = [n, s]
        else:
            parts[name] = None
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def write_info(
    db: Backend,
    *,
    fp: str,
    accept: float,
    review: float,
    models_dir: str,
    report: dict,
) -> None:
    db.execute(
        f"CREATE OR REPLACE TABLE {INFO} (fingerprint VARCHAR, version VARCHAR, "
        "accept_threshold DOUBLE, review_threshold DOUBLE, models_dir VARCHAR, "
        "resolved_at TIMESTAMP, report VARCHAR)"
    )
    db.execute(
        f"INSERT INTO {INFO} VALUES (?, ?, ?, ?, ?, current_timestamp, ?)",
        [fp, VERSION, accept, review, models_dir, json.dumps(report)],
    )


def stored_info(db: Backend) -> dict | None:
    if not db.table_exists(INFO):
        return None
    rows = db.fetch_tuples(
        f"SELECT fingerprint, accept_threshold, review_threshold, report FROM {INFO}"
    )
    if not rows:
        return None
    fp, accept, review, report = rows[0]
    return {"fingerprint": fp, "accept": accept, "review": review, "report": json.loads(report)}
