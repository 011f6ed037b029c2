"""`encode_partner_folder`: the local authority's side, its partner tables in, encoded out.

Runs where the clear data lives (the local authority), on its three partner tables in the
contract's form: they are loaded with the contract's rules (`loading`, the partner group
alone, in a database in memory), standardised as Paramount standardises every source
(`prepare.py`), and written out as

- `partner_persons.csv`: ids, agency and sex, the names, date of birth and postcode empty;
- `partner_persons_encoded.csv`: the name filter and keyed hashes (`encoded.py`);
- `partner_relationships.csv`: as loaded (ids and codes);
- `partner_involvement.csv`: statuses and dates, the worker's name and email empty (the
  force asks for them for the matched records alone);
- `partner_encoding.json`: the manifest (schema, bits, fields and k, counts, the key's
  fingerprint; never the key).

Rows the contract rules set aside are counted, not written anywhere: they hold clear values.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from paramount import __version__
from paramount.contract.tables import EXTRACT_TABLES
from paramount.db import DuckDBBackend
from paramount.linkage.encoded import partner_file_columns, standardised_partner_records
from paramount.linkage.prepare import prepare_partner_records
from paramount.loading import load_extract
from paramount.privacy import BITS, CLK_FIELDS, SCHEMA, PartnerKey
from paramount.privacy.files import CLEARED, ENCODED_COLUMNS, ENCODED_STEM, MANIFEST_NAME
from paramount.progress import Reporter, SilentReporter

PARTNER_TABLES = ("partner_persons", "partner_relationships", "partner_involvement")


@dataclass
class EncodeReport:
    """What was encoded (counts only) and where it went."""

    out_dir: Path
    rows: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    files: list[Path] = field(default_factory=list)


def encode_partner_folder(
    partner_dir: Path,
    out_dir: Path,
    key: PartnerKey,
    *,
    mapping: Path | None = None,
    reporter: Reporter | None = None,
) -> EncodeReport:
    """Encode the partner tables in `partner_dir` with `key` into `out_dir` (see above).
    Raises `paramount.loading.ContractError` when the tables do not meet the contract."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = EncodeReport(out_dir=out_dir)
    with (
        tempfile.TemporaryDirectory(prefix="paramount-partner-") as scratch,
        DuckDBBackend.open(None) as db,
    ):
        load = load_extract(
            Path(partner_dir),
            db,
            mapping=mapping,
            quarantine_dir=Path(scratch),  # clear rows: never kept
            reporter=reporter or SilentReporter(),
            only_group="partner",
        )
        report.rejected = sum(t.rejected for t in load.tables.values())
        prepare_partner_records(db)
        encoded = partner_file_columns(standardised_partner_records(db), key)
        view = "_pm_partner_encoded_out"
        db.register_arrow(view, encoded)
        try:
            path = out_dir / f"{ENCODED_STEM}.csv"
            cols = ", ".join(ENCODED_COLUMNS)
            db.write_csv(f"SELECT {cols} FROM {view} ORDER BY partner_person_id", path)
            report.files.append(path)
        finally:
            db.unregister(view)
        for table in PARTNER_TABLES:
            columns = EXTRACT_TABLES[table].column_names
            cleared = CLEARED.get(table, ())
            select = ", ".join(
                f"CAST(NULL AS VARCHAR) AS {c}" if c in cleared else c for c in columns
            )
            path = out_dir / f"{table}.csv"
            db.write_csv(f"SELECT {select} FROM {table} ORDER BY _row", path)
            report.rows[table] = db.count(table)
            report.files.append(path)
    manifest = {
        "schema": SCHEMA,
        "paramount": __version__,
        "made_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "bits": BITS,
        "fields": [asdict(f) for f in CLK_FIELDS],
        "bigrams": "padded with _ at both ends, standardised as Paramount standardises names",
        "hashes": ["dob", "dob_year", "dob_month", "dob_day", "postcode", "district"],
        "key_fingerprint": key.fingerprint,
        "counts": {**report.rows, "rejected": report.rejected},
    }
    path = out_dir / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    report.files.append(path)
    return report
