"""The `moved_on` feature: what later evidence says about a recorded parent figure who does
not live with the child now.

A record that makes an adult a parent figure (a police link, a declaration to the prison, a
social-care record) outlives the relationship it recorded: a step-father who left years ago
keeps his STEP_PARENT row, a mother's boyfriend written down once as PARENT at an incident
keeps it after the child's birth father is recorded beside him. Every pair is scored alone,
so nothing in the pair's own vector shows that someone else has since taken the place. This
feature reads the child's other adults, from records only (not from the fitted model, as
competition does):

- `REPLACED`: another adult of the adult's sex, with a parent-figure record of his own for
  the child, shares the child's home on the reference date, and this adult does not (the
  birth father at home beside a boyfriend recorded as "parent"; the mother's later partner in
  the home an ex-step-father left);
- `RIVAL`: not that, but another adult of the adult's sex is recorded as the child's parent
  (a child has one birth father and one birth mother: two recorded fathers, neither at
  home, means one record is a step-parent's or wrong);
- `EX`: none of these, but the adult is recorded as the ex-partner of one of the child's recorded
  parents and does not share the child's home (the relationship that made him a step-parent,
  or a father, is recorded as over);
- `NONE`: neither.

It applies only to pairs with a parent-figure record and both police nominals (elsewhere it
is not applicable, NULL, left out of the product, also for the pairs no route connects), so
its m and u are learned by EM among recorded parent figures: m is how often a current parent
figure has been "replaced" or is an ex-partner (separated birth fathers often are), u how
often a record that is not a current parent figure's is. Nothing is fixed: a separated birth
father with his own strong evidence is not moved by it.
"""

from __future__ import annotations

from paramount.engine.entities import entities_view_sql
from paramount.engine.pipeline import RunParameters
from paramount.engine.routes.links import PARENT_KINDS
from paramount.engine.routes.registry import ROUTES
from paramount.engine.sql import in_list

NAME = "moved_on"
# level -> (initial m, initial u): only EM's starting point, pointing "replaced" away from a
# current parent figure.
LEVELS: dict[str, tuple[float, float]] = {
    "REPLACED": (0.05, 0.3),
    "RIVAL": (0.05, 0.2),
    "EX": (0.1, 0.2),
    "NONE": (0.85, 0.5),
}
# `recency`: how long before the reference date the pair's newest dated record or incident
# together is (police links, incidents together, social-care records; not homes, which the
# home feature reads, nor a declaration to the prison, made at the reception itself).
RECENCY = "recency"
RECENCY_LEVELS: dict[str, tuple[float, float]] = {
    "RECENT": (0.6, 0.4),  # under 2 years
    "OLD": (0.3, 0.3),  # 2 to 5 years
    "STALE": (0.1, 0.3),  # 5 years or more
}
RECENCY_YEARS = (2, 5)
_DATED_ROUTES = ("RMS_RELATIONSHIP", "CO_OCCURRENCE", "PARTNER")
# The comparison row's flags of a parent-figure record (police, prison, social care).
_RECORD_FLAGS = (
    "rms_parent",
    "rms_step",
    "rms_guard",
    "c_parent",
    "c_step",
    "c_guard",
    "p_parent",
    "p_step",
    "p_guard",
)


def _record_sql() -> str:
    return " OR ".join(f"coalesce({f}, 0) = 1" for f in _RECORD_FLAGS)


def recency_level_sql() -> str:
    """The recency level from a comparison row (`mo_latest` from `units_cte_sql`); NULL
    where the adult has no parent-figure record or the pair no dated record."""
    recent, old = RECENCY_YEARS
    age = "date_diff('day', mo_latest, ref_date)"
    return f"""CASE WHEN NOT ({_record_sql()}) OR mo_latest IS NULL THEN NULL
            WHEN {age} < {recent * 365.25} THEN 'RECENT'
            WHEN {age} < {old * 365.25} THEN 'OLD' ELSE 'STALE' END"""


def level_sql() -> str:
    """The feature's level from a comparison row (`mo_replaced`, `mo_rival` from
    `units_cte_sql`)."""
    return f"""CASE WHEN NOT rms_applicable OR NOT ({_record_sql()}) THEN NULL
            WHEN res_cur = 1 THEN 'NONE'
            WHEN mo_replaced = 1 THEN 'REPLACED'
            WHEN mo_rival = 1 THEN 'RIVAL'
            WHEN rms_exchild = 1 THEN 'EX'
            ELSE 'NONE' END"""


def units_cte_sql(params: RunParameters) -> str:
    """CTE `moved_on` over the comparisons' `units`, for units whose child has another
    parent figure of the adult's sex by record: `mo_replaced` 1 where one of them shares the
    child's home (an ordinary dwelling, not shared premises) on the unit's reference date,
    `mo_rival` 1 where one of them is recorded as the child's parent (not step-parent); and
    CTE `moved_on_dates`: `mo_latest`, the newest date of the pair's dated records."""
    ev = params.table("evidence")
    residence = params.table("evidence_residence")
    entities = entities_view_sql(params)
    record = (
        f"e.route IN {in_list(r.contract_name for r in ROUTES if r.record)} "
        f"AND e.kind IN {in_list(PARENT_KINDS)} AND NOT coalesce(e.against, FALSE)"
    )
    return f"""moved_on_figures AS (
    SELECT e.adult_entity, e.child_entity, bool_or(e.kind = 'PARENT') AS parent
    FROM {ev} AS e
    WHERE {record} AND e.child_entity IN (SELECT child_entity FROM units)
    GROUP BY e.adult_entity, e.child_entity
),
moved_on_rivals AS (
    SELECT u.booking_id, u.adult_entity, u.child_key, u.child_entity, f.adult_entity AS other,
           f.parent
    FROM units AS u
    JOIN moved_on_figures AS f
      ON f.child_entity = u.child_entity AND f.adult_entity <> u.adult_entity
    JOIN {entities} AS a ON a.entity_id = u.adult_entity
    JOIN {entities} AS o ON o.entity_id = f.adult_entity
    WHERE a.sex IN ('M', 'F') AND o.sex = a.sex
),
moved_on AS (
    SELECT v.booking_id, v.adult_entity, v.child_key, v.child_entity,
           max(CASE WHEN r.adult_entity IS NOT NULL THEN 1 ELSE 0 END) AS mo_replaced,
           max(CASE WHEN v.parent THEN 1 ELSE 0 END) AS mo_rival
    FROM moved_on_rivals AS v
    JOIN units AS u
      ON u.booking_id IS NOT DISTINCT FROM v.booking_id AND u.adult_entity = v.adult_entity
     AND u.child_key = v.child_key AND u.child_entity = v.child_entity
    LEFT JOIN {residence} AS r
      ON r.child_entity = v.child_entity AND r.adult_entity = v.other AND r.kind = 'HOME'
     AND (r.last_seen IS NULL OR r.last_seen >= u.ref_date)
     AND (r.first_seen IS NULL OR r.first_seen <= u.ref_date)
    GROUP BY v.booking_id, v.adult_entity, v.child_key, v.child_entity
),
moved_on_dates AS (
    SELECT u.booking_id, u.adult_entity, u.child_key, u.child_entity,
           max(coalesce(e.last_seen, e.first_seen)) AS mo_latest
    FROM units AS u
    JOIN {ev} AS e ON e.adult_entity = u.adult_entity AND e.child_entity = u.child_entity
    WHERE e.route IN {in_list(_DATED_ROUTES)}
    GROUP BY u.booking_id, u.adult_entity, u.child_key, u.child_entity
),
"""
