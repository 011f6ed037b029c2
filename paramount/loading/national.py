"""Several forces' extracts as one national extract, so one run can identify across borders.

Each force's extract is one force's data in its own ids: two forces' RMSs can both hold a
`P10000001` who are different people, and both hold the same receptions, since the prison
side comes from the one national prison system. The national extract is the contract's
extract again, so loading, identity resolution and identification run on it unchanged:

- every RMS and social-care id, and every LPA code, is prefixed with its force's code
  (`F1:P10000001`, `F1:OXF`), so nothing collides and every row knows its force; the
  outputs take the prefix off again (`paramount.outputs.national`); a single force keeps
  its ids (see `merge_extracts`);
- `force_area` is the union of the forces' areas, so a reception is the country's when the
  prisoner lives in any of them;
- the prison tables are taken once: each prisoner's (each booking's movements) from the
  first force, in the order given, whose extract holds them;
- every row carries `source_force` and `source_row` (its 1-based row in the force's own
  file), extra columns the contract allows, so a row set aside on loading can be traced.

Per-force mapping files are not applied here: each force's extract must already use the
contract's names (`paramount validate` with its mapping checks that first).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from paramount.contract.tables import EXTRACT_TABLES
from paramount.loading.errors import ContractError

FORCE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
SEPARATOR = ":"
# The columns holding a force's own ids or LPA codes, which the force's code prefixes.
NAMESPACED: dict[str, tuple[str, ...]] = {
    "force_area": ("lpa",),
    "persons": ("person_id",),
    "person_aliases": ("person_id",),
    "person_flags": ("person_id",),
    "addresses": ("address_id", "lpa"),
    "person_addresses": ("person_id", "address_id"),
    "occurrences": ("occurrence_id", "address_id", "lpa"),
    "occurrence_persons": ("occurrence_id", "person_id"),
    "relationships": ("person_id", "related_person_id", "occurrence_id"),
    "partner_persons": ("partner_person_id",),
    "partner_relationships": ("partner_person_id", "related_partner_person_id"),
    "partner_involvement": ("partner_person_id",),
}
LPA_COLUMNS = frozenset({"lpa"})
# National tables, taken once: a key's rows from the first force that holds the key.
NATIONAL_KEYS: dict[str, str] = {
    "prison_movements": "booking_id",
    "prisoners": "prisoner_number",
    "prisoner_aliases": "prisoner_number",
    "prisoner_contacts": "prisoner_number",
}
SOURCE_COLUMNS = ("source_force", "source_row")


def check_forces(forces: Mapping[str, Path]) -> None:
    """Refuse a run the national extract cannot be made from, before anything is read."""
    if not forces:
        raise ContractError("no force given")
    for code, folder in forces.items():
        if not FORCE_CODE.match(code):
            raise ContractError(
                f"force code {code!r}: letters, digits, '-' or '_' only, at most 16 characters"
            )
        if not Path(folder).is_dir():
            raise ContractError(f"force {code}: extract folder {folder} not found")
    if len({c.lower() for c in forces}) != len(forces):
        raise ContractError("two forces have the same code")


def namespaced(code: str, value: str) -> str:
    """`F1:P10000001`: a force's own id as the national extract holds it."""
    return f"{code}{SEPARATOR}{value}"


def _source(folder: Path, table: str) -> Path | None:
    for ext in ("csv", "parquet"):
        path = folder / f"{table}.{ext}"
        if path.exists():
            return path
    return None


def _read_text(path: Path) -> pa.Table:
    """Every value as text, as the loader reads it (date-times ISO 8601 with a `T`)."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        cols = []
        for col in table.columns:
            if pa.types.is_timestamp(col.type):
                seconds = pc.cast(col, pa.timestamp("s", col.type.tz), safe=False)
                cols.append(pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%S"))
            else:
                cols.append(pc.cast(col, pa.string()))
        return pa.table(cols, names=table.column_names)
    with path.open(encoding="utf-8-sig", newline="") as f:
        names = next(csv.reader(f), [])
    types = dict.fromkeys(names, pa.string())
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=True
        ),
    )


def merge_extracts(forces: Mapping[str, Path], out: Path) -> dict[str, int]:
    """Write the national extract of `forces` ({code: extract folder}, in priority order for
    the prison side) into `out` as CSV; the rows written per table.

    A single force's ids stay as they are (only its LPAs take its code): nothing can collide,
    and identity resolution samples records by a hash of their ids (Splink's u estimation),
    so other ids would give a slightly different model and the run would not be the force's
    own run."""
    check_forces(forces)
    keep_ids = len(forces) == 1
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    for table in EXTRACT_TABLES:
        (out / f"{table}.parquet").unlink(missing_ok=True)
        parts: list[pa.Table] = []
        seen: pa.Array = pa.array([], pa.string())
        for code, folder in forces.items():
            path = _source(Path(folder), table)
            if path is None:
                continue
            data = _read_text(path)
            data = data.append_column(
                "source_force", pa.array([code] * data.num_rows, pa.string())
            ).append_column(
                "source_row", pc.cast(pa.array(range(1, data.num_rows + 1)), pa.string())
            )
            for column in NAMESPACED.get(table, ()):
                if keep_ids and column not in LPA_COLUMNS:
                    continue
                if column in data.column_names:
                    i = data.column_names.index(column)
                    data = data.set_column(
                        i,
                        column,
                        pc.binary_join_element_wise(pa.scalar(code + SEPARATOR), data[column], ""),
                    )
            key = NATIONAL_KEYS.get(table)
            if key is not None and key in data.column_names:
                keys = data[key]
                data = data.filter(pc.invert(pc.is_in(keys, value_set=seen)))
                seen = pa.concat_arrays([seen, pc.unique(keys.combine_chunks()).drop_null()])
            parts.append(data)
        if not parts:
            (out / f"{table}.csv").unlink(missing_ok=True)
            continue
        merged = pa.concat_tables(parts, promote_options="default")
        pacsv.write_csv(merged, out / f"{table}.csv")
        rows[table] = merged.num_rows
    return rows


def district_forces(forces: Mapping[str, Path]) -> dict[str, str]:
    """Each postcode district of the country and the force whose area it lies in."""
    found: dict[str, str] = {}
    for code, folder in forces.items():
        path = _source(Path(folder), "force_area")
        if path is None:
            raise ContractError(f"force {code}: the required table force_area is missing")
        for district in _read_text(path)["postcode_district"].to_pylist():
            if district:
                found.setdefault(district.strip().upper(), code)
    return found
