"""The local authority's encoded partner file and its manifest, loaded beside the contract.

An extract whose partner folder was encoded (`paramount partner encode`) holds the
contract's partner tables with their clear details empty, and Paramount's optional
`partner_persons_encoded.csv` and `partner_encoding.json` (`paramount.privacy.files`). Both
are loaded as they are (`ENCODED_TABLE`, every column text; `MANIFEST_TABLE`, the manifest
as one row), and both are dropped when a later extract has none. The manifest's schema must
be the one this version reads; the key is checked against it later, by whoever holds the key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from paramount.db.backend import Backend
from paramount.loading.errors import ContractError
from paramount.privacy import SCHEMA
from paramount.privacy.files import (
    ENCODED_COLUMNS,
    ENCODED_STEM,
    ENCODED_TABLE,
    MANIFEST_NAME,
    MANIFEST_TABLE,
)

_VIEW = "_pm_load_partner_encoded"


def encoded_files(extract_dir: Path) -> dict[str, Path]:
    """The encoded file and manifest the extract holds (none, or both: one alone is refused)."""
    data, manifest = extract_dir / f"{ENCODED_STEM}.csv", extract_dir / MANIFEST_NAME
    if not data.exists() and not manifest.exists():
        return {}
    if not (data.exists() and manifest.exists()):
        raise ContractError(
            f"{extract_dir} holds one of {data.name} and {manifest.name} without the other: "
            "copy the whole folder `paramount partner encode` wrote"
        )
    return {ENCODED_TABLE: data, MANIFEST_TABLE: manifest}


def load_encoded_partner(db: Backend, files: dict[str, Path]) -> None:
    """Load the encoded file and manifest (or drop an earlier load's when there are none)."""
    for table in (ENCODED_TABLE, MANIFEST_TABLE):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    if not files:
        return
    manifest_path, data_path = files[MANIFEST_TABLE], files[ENCODED_TABLE]
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as error:
        raise ContractError(f"{manifest_path.name} is not a readable manifest") from error
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        raise ContractError(
            f"{manifest_path.name} is not an encoding this version reads (schema {SCHEMA})"
        )
    names = list(ENCODED_COLUMNS)
    try:
        table = pacsv.read_csv(
            data_path,
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in names}, include_columns=names
            ),
        )
    except (pa.ArrowInvalid, KeyError) as error:
        raise ContractError(f"{data_path.name} must have the columns {', '.join(names)}") from error
    db.register_arrow(_VIEW, table)
    try:
        # an empty field is a missing value (no date of birth, no postcode), never a hash
        values = ", ".join(f"nullif(trim({c}), '') AS {c}" for c in names)
        db.execute(
            f"CREATE TABLE {ENCODED_TABLE} AS SELECT {values} FROM {_VIEW} "
            "WHERE nullif(trim(partner_person_id), '') IS NOT NULL"
        )
    finally:
        db.unregister(_VIEW)
    db.execute(
        f"CREATE TABLE {MANIFEST_TABLE} (schema VARCHAR, bits INTEGER, key_fingerprint VARCHAR, "
        "manifest VARCHAR)"
    )
    db.execute(
        f"INSERT INTO {MANIFEST_TABLE} VALUES (?, ?, ?, ?)",
        [
            manifest["schema"],
            int(manifest.get("bits", 0)),
            str(manifest.get("key_fingerprint", "")),
            json.dumps(manifest, sort_keys=True),
        ],
    )
