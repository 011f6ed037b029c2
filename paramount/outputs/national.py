"""A national run's list shared out: each force gets the children who live in its area.

The national extract (`paramount.loading.national`) prefixes every RMS id and LPA code with
its force's code. A row of the national list goes to the force where the child lives: the
force whose `force_area` holds the postcode district of the child's home, else the force of
the home's LPA, else (no home known) the prisoner's force. In that force's copy:

- `child_person_ids`, `parent_person_ids`, `carer_person_ids` and `child_partner_ids` hold
  the force's own ids, prefix taken off; another force's ids of the same person move to
  `<column>_other_forces`, still prefixed (`F1:P10000001`), so the force can ask the other;
- the force's own prefix is taken off every other text (LPA codes, evidence, entity keys);
- `child_force` names the force the row is listed for (the one that receives it) and
  `prisoner_force` the force the prisoner lives in (from the reception's LPA).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pyarrow as pa

SEPARATOR = ":"
ID_LIST_COLUMNS = ("child_person_ids", "parent_person_ids", "carer_person_ids", "child_partner_ids")
OTHER_FORCES = "_other_forces"


def _district(postcode: str | None) -> str | None:
    """The outward code of a postcode (`OX4 1AB` -> `OX4`; `OX41AB` -> `OX4`)."""
    if not postcode:
        return None
    text = postcode.strip().upper()
    if " " in text:
        return text.split()[0]
    return text[:-3] if len(text) > 4 else text


def _prefix(value: str | None, forces: Sequence[str]) -> str | None:
    if value and SEPARATOR in value:
        code = value.split(SEPARATOR, 1)[0]
        if code in forces:
            return code
    return None


def child_force(
    row: Mapping[str, object], forces: Sequence[str], districts: Mapping[str, str]
) -> str | None:
    """The force a row is listed for: where the child lives, else the prisoner's force."""
    postcode = row.get("postcode")
    district = _district(postcode if isinstance(postcode, str) else None)
    if district and district in districts:
        return districts[district]
    lpa = row.get("lpa")
    code = _prefix(lpa if isinstance(lpa, str) else None, forces)
    return code or prisoner_force(row, forces)


def prisoner_force(row: Mapping[str, object], forces: Sequence[str]) -> str | None:
    """The force the prisoner lives in: the one whose LPA the reception was placed in."""
    lpa = row.get("prisoner_lpa")
    return _prefix(lpa if isinstance(lpa, str) else None, forces)


def _own(code: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(code)}{SEPARATOR}")


def restore_row(row: dict[str, object], code: str, forces: Sequence[str]) -> dict[str, object]:
    """One row as force `code` reads it: its own ids bare, other forces' ids set apart (an
    id with no force's prefix, as a single force's national run keeps them, is its own)."""
    own = _own(code)
    prefix = code + SEPARATOR
    out: dict[str, object] = {}
    for name, value in row.items():
        if name in ID_LIST_COLUMNS:
            ids = [v for v in str(value).split(";") if v] if value else []
            others = [v for v in ids if _prefix(v, forces) not in (None, code)]
            mine = [v.removeprefix(prefix) for v in ids if v not in others]
            out[name] = ";".join(mine) or None
            out[name + OTHER_FORCES] = ";".join(others) or None
        elif isinstance(value, str):
            out[name] = own.sub("", value)
        else:
            out[name] = value
    return out


def split_by_force(
    table: pa.Table, forces: Sequence[str], districts: Mapping[str, str]
) -> dict[str, pa.Table]:
    """The national list as one table per force (every force, if empty), in its own ids,
    with `child_force` and `prisoner_force`; rows keep the national list's order."""
    rows = table.to_pylist()
    per: dict[str, list[dict[str, object]]] = {code: [] for code in forces}
    for row in rows:
        listed = child_force(row, forces, districts)
        if listed is None:  # no home and no prisoner force: cannot happen for a country row
            continue
        restored = restore_row(row, listed, forces)
        restored["child_force"] = listed
        restored["prisoner_force"] = prisoner_force(row, forces)
        per[listed].append(restored)
    schema = _schema(table.schema)
    return {
        code: pa.Table.from_pylist(items, schema=schema) if items else schema.empty_table()
        for code, items in per.items()
    }


def _schema(schema: pa.Schema) -> pa.Schema:
    fields: list[pa.Field] = []
    for f in schema:
        fields.append(f)
        if f.name in ID_LIST_COLUMNS:
            fields.append(pa.field(f.name + OTHER_FORCES, pa.string()))
    fields += [pa.field("child_force", pa.string()), pa.field("prisoner_force", pa.string())]
    return pa.schema(fields)
