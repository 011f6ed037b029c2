"""A national run's figures shared out: each force's `figures.csv`.

The national run counts the country's receptions and children once (`engine/figures.py`). A
force's board report and national return need its own: the receptions of prisoners who live
in its area (the reception's LPA, as `prisoner_force`), the children listed for it (those who
live there, as the list is shared out), and what the original process would have listed for
it, shared out the same way. A child living in one force whose parent lives in another counts
for the child's force, under the parent's sex. Each force's days then sum with its own
single-force runs in casework as any run's do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

from paramount.db import Backend, DuckDBBackend
from paramount.db.sql import ident
from paramount.engine.figures import FIGURES_SCHEMA, figures_sql
from paramount.outputs.national import prisoner_force, split_by_force

_RECEPTION_COLUMNS = ("booking_id", "prisoner_number", "reception_date", "gender", "prisoner_lpa")


def figures_by_force(
    national: Backend,
    tables: Mapping[str, str],
    children_by_force: Mapping[str, pa.Table],
    forces: Sequence[str],
    districts: Mapping[str, str],
) -> dict[str, pa.Table]:
    """Each force's figures (`FIGURES_SCHEMA`) from the national run's tables on `national`
    (`tables`: `IdentificationResult.figure_tables`) and the list already shared out."""
    columns = ", ".join(ident(c) for c in _RECEPTION_COLUMNS)
    receptions = national.fetch_arrow(f"SELECT {columns} FROM {ident(tables['in_area'])}")
    baseline = national.fetch_arrow(f"SELECT * FROM {ident(tables['baseline_children'])}")
    baseline_by_force = split_by_force(baseline, forces, districts)
    owner = pa.array(
        [prisoner_force(row, forces) for row in receptions.select(["prisoner_lpa"]).to_pylist()],
        pa.string(),
    )
    receptions = receptions.append_column("force", owner)
    out: dict[str, pa.Table] = {}
    with DuckDBBackend.open(None) as db:
        db.register_arrow("all_receptions", receptions)
        for code in forces:
            db.register_arrow("children", children_by_force[code])
            db.register_arrow("baseline_children", baseline_by_force[code])
            db.execute(
                "CREATE OR REPLACE TEMP TABLE received AS "
                "SELECT * FROM all_receptions WHERE force = ?",
                [code],
            )
            sql = figures_sql("received", "children", "baseline_children", "all_receptions")
            out[code] = db.fetch_arrow(sql).cast(FIGURES_SCHEMA)
            db.unregister("children")
            db.unregister("baseline_children")
    return out
