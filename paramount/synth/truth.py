"""The ground truth: who every record really is, and which children each reception
affected, whether or not any record shows it."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from paramount.synth.names import POOLS
from paramount.synth.offending import DAY_S
from paramount.synth.police_records import dates, ids
from paramount.synth.population import L_BIRTH, L_CARER, L_STEP, World
from paramount.synth.timeutil import age_on

REL_NAMES = {L_BIRTH: "BIRTH_PARENT", L_STEP: "STEP_PARENT", L_CARER: "PRIMARY_CARER"}


def individual_ids(idx: np.ndarray) -> pa.Array:
    return ids("I", 100_000_000 + np.asarray(idx, dtype=np.int64))


def affected_children(w: World, receptions: pa.Table) -> dict[str, np.ndarray]:
    """Every (child, reception) pair: children under 18 on the reception day whose birth
    parent, current step-parent or primary carer is the prisoner received."""
    person = receptions["person"].to_numpy()
    start = receptions["start"].to_numpy()
    rday = start // DAY_S
    m = np.isin(w.l_kind, list(REL_NAMES))
    lp, lc, lk, ls, le = (x[m] for x in (w.l_parent, w.l_child, w.l_kind, w.l_start, w.l_end))
    order = np.argsort(lp, kind="stable")
    lp, lc, lk, ls, le = (x[order] for x in (lp, lc, lk, ls, le))
    lo = np.searchsorted(lp, person, side="left")
    hi = np.searchsorted(lp, person, side="right")
    cnt = hi - lo
    rec = np.repeat(np.arange(len(person)), cnt)
    li = np.repeat(lo, cnt) + (np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    child = lc[li]
    day = rday[rec]
    ok = (w.dob[child] <= day) & (age_on(w.dob[child], day) < 18) & (ls[li] <= day) & (day < le[li])
    rec, li, child, day = rec[ok], li[ok], child[ok], day[ok]
    parent = person[rec]
    return {
        "rec": rec,
        "child": child,
        "parent": parent,
        "kind": lk[li],
        "lives_with": w.household[child] == w.household[parent],
        "in_area": w.hh_in_area[w.household[parent]],
        "day": day,
    }


def affected_table(aff: dict[str, np.ndarray], receptions: pa.Table) -> pa.Table:
    rec = pa.array(aff["rec"])
    return pa.table(
        {
            "child_individual_id": individual_ids(aff["child"]),
            "parent_individual_id": individual_ids(aff["parent"]),
            "prisoner_number": receptions["prisoner_number"].take(rec),
            "booking_id": receptions["booking_id"].take(rec),
            "reception_date": dates(aff["day"]),
            "relationship": pa.array(
                np.array([REL_NAMES[int(k)] for k in aff["kind"]], dtype=object), pa.string()
            ),
            "lives_with": pa.array(
                np.where(aff["lives_with"], "Y", "N").astype(object), pa.string()
            ),
            "in_area": pa.array(np.where(aff["in_area"], "Y", "N").astype(object), pa.string()),
        }
    )


def individuals_table(w: World) -> pa.Table:
    child = age_on(w.dob, w.E) < 18
    return pa.table(
        {
            "individual_id": individual_ids(np.arange(w.n)),
            "kind": pa.array(np.where(child, "CHILD", "ADULT").astype(object), pa.string()),
            "sex": pa.array(np.where(w.sex == 1, "F", "M").astype(object), pa.string()),
            "date_of_birth": dates(w.dob),
            # the origin the person's names were drawn from (recall by origin is scored on it)
            "name_origin": pa.array(
                np.array(POOLS.origins, dtype=object)[w.origin.astype(np.int64)], pa.string()
            ),
        }
    )


def map_table(key_name: str, keys: pa.Array, individuals: np.ndarray) -> pa.Table:
    return pa.table({key_name: keys, "individual_id": individual_ids(individuals)})


def contacts_truth(tc: pa.Table) -> pa.Table:
    return pa.table(
        {
            "prisoner_number": tc["prisoner_number"],
            "row_index": pc.cast(tc["row_index"], pa.string()),
            "individual_id": individual_ids(tc["individual"].to_numpy()),
        }
    )
