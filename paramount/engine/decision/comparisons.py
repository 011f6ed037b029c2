"""Comparison vectors: every candidate adult-child pair of the force and each reception's
candidates, one level per feature (`FEATURES`)."""

from __future__ import annotations

from paramount.engine.decision import moved_on
from paramount.engine.decision.model import ADULT_MIN_AGE, flag_sql
from paramount.engine.entities import entities_view_sql
from paramount.engine.pipeline import SCOPED, RunParameters, Step
from paramount.engine.routes.registry import ROUTE_FEATURES, ROUTES
from paramount.engine.routes.route import PairColumn, Route
from paramount.engine.sql import age_years_sql, date_literal, in_list


def pairs_sql(params: RunParameters) -> str:
    """One row per (adult entity, child entity) with every route's evidence as flags: every
    pair of the force, or, when the run reuses a learnt model (`params.model_reused`), every
    pair of a child some route links to one of the window's received prisoners (all of that
    child's adults, so the competition and generation factors read what they would
    force-wide)."""
    ev = params.table("evidence")
    entities = entities_view_sql(params)
    members = params.table("entity_members")
    start = date_literal(params.window_from)
    columns = ",\n           ".join(_pair_column_sql(c) for c in _PAIR_COLUMNS)
    scope, where = "", ""
    if params.model_reused:
        scope = f"""window_children AS (
    SELECT DISTINCT e.child_entity
    FROM {params.table("in_area")} AS r
    JOIN {members} AS m ON m.source = 'PRISONER' AND m.record_id = r.prisoner_number
    JOIN {ev} AS e ON e.adult_entity = m.entity_id
),
"""
        where = "\n    WHERE e.child_entity IN (SELECT child_entity FROM window_children)"
    return f"""
WITH {scope}agg AS (
    SELECT e.adult_entity, e.child_entity,
           {columns}
    FROM {ev} AS e{where}
    GROUP BY e.adult_entity, e.child_entity
),
declared AS (
    SELECT DISTINCT m.entity_id
    FROM prisoner_contacts AS c
    JOIN {members} AS m ON m.source = 'PRISONER' AND m.record_id = c.prisoner_number
)
SELECT g.*,
       d.entity_id IS NOT NULL AS adult_declared,
       a.date_of_birth AS adult_dob, a.sex AS adult_sex, a.surname AS adult_surname,
       a.person_ids AS adult_person_ids, a.partner_ids AS adult_partner_ids,
       c.date_of_birth AS child_dob, c.surname AS child_surname,
       c.person_ids AS child_person_ids, c.partner_ids AS child_partner_ids
FROM agg AS g
JOIN {entities} AS a ON a.entity_id = g.adult_entity
JOIN {entities} AS c ON c.entity_id = g.child_entity
LEFT JOIN declared AS d ON d.entity_id = g.adult_entity
WHERE (c.date_of_birth IS NULL OR {age_years_sql("c.date_of_birth", start)} < 18)
  AND (a.date_of_birth IS NULL OR {age_years_sql("a.date_of_birth", start)} >= {ADULT_MIN_AGE})
"""


def gap_level_sql(gap: str) -> str:
    """Level of the age gap in whole birth years (the child's birth year minus the adult's):
    birth years, not exact ages, so that the same level is computed for a candidate pair and
    for the population's pairs counted from birth-year histograms (`em_population`)."""
    return (
        f"CASE WHEN {gap} IS NULL THEN NULL WHEN {gap} < 14 THEN 'LT14' "
        f"WHEN {gap} < 20 THEN '14_19' WHEN {gap} <= 45 THEN '20_45' "
        f"WHEN {gap} <= 60 THEN '46_60' ELSE 'GT60' END"
    )


def _levels_sql() -> str:
    """The comparison vector's levels from the aggregated flags (NULL = not applicable): each
    route feature's own SQL (`Feature.levels_sql`), then the pair features."""
    levels = [f"{f.levels_sql} AS l_{f.name}" for f in ROUTE_FEATURES]
    levels.append(f"{gap_level_sql('gap_years')} AS l_gap")
    levels.append(
        """CASE WHEN adult_surname IS NULL OR child_surname IS NULL THEN NULL
            WHEN upper(trim(adult_surname)) = upper(trim(child_surname)) THEN 'SAME'
            ELSE 'DIFF' END AS l_surname"""
    )
    levels.append(f"{moved_on.level_sql()} AS l_{moved_on.NAME}")
    levels.append(f"{moved_on.recency_level_sql()} AS l_{moved_on.RECENCY}")
    return "\n       " + ",\n       ".join(levels)


def _alone_sql() -> str:
    """The levels; where a feature declared `alone` has a learned level other than its none
    level (its evidence is, by its definition, the pair's only route evidence), the other
    route features are left out: their silence is what that level means, and counting it
    again would teach EM that parents are seldom seen at home or in records."""
    alone = [f for f in ROUTE_FEATURES if f.alone]
    if not alone:
        return f"SELECT *, {_levels_sql()}\nFROM gapped"
    # its learned levels only: a fixed level (no evidence either way) leaves the pair as one
    # no route connects, NONE on every route
    positive = " OR ".join(
        f"coalesce(l_{f.name} NOT IN {in_list((f.none_level, *f.fixed))}, FALSE)" for f in alone
    )
    others = [f for f in ROUTE_FEATURES if not f.alone]
    kept = ",\n       ".join(
        f"CASE WHEN {positive} THEN NULL ELSE l_{f.name} END AS l_{f.name}" for f in others
    )
    excluded = ", ".join(f"l_{f.name}" for f in others)
    return f"""SELECT * EXCLUDE ({excluded}),
       {kept}
FROM (SELECT *, {_levels_sql()}
      FROM gapped) AS leveled"""


# Every route's columns of a pair, in the registry's order; the flags first, then the values.
_PAIR_COLUMNS: tuple[PairColumn, ...] = tuple(c for r in ROUTES for c in r.pair_columns)
_FLAGS = tuple(c.name for c in _PAIR_COLUMNS if c.flag)
_VALUES = tuple(c.name for c in _PAIR_COLUMNS if not c.flag)


def _pair_column_sql(column: PairColumn) -> str:
    return f"{flag_sql(column.sql) if column.flag else column.sql} AS {column.name}"


# The routes whose columns depend on each comparison's reference date (co-residence).
_DATED: tuple[Route, ...] = tuple(r for r in ROUTES if r.dated_columns)


def _dated_cte_sql(params: RunParameters, route: Route) -> str:
    """The route's dated columns per unit, from its own rows at the unit's reference date."""
    columns = ",\n           ".join(_pair_column_sql(c) for c in route.dated_columns)
    table = params.table(route.steps[0].name)
    return f"""{route.dated_alias} AS (
    SELECT u.booking_id, u.adult_entity, u.child_key, u.child_entity,
           {columns}
    FROM units AS u
    JOIN {table} AS r ON r.adult_entity = u.adult_entity AND r.child_entity = u.child_entity
    GROUP BY u.booking_id, u.adult_entity, u.child_key, u.child_entity
),
"""


def _dated_column_sql(route: Route, column: PairColumn) -> str:
    value = f"max({route.dated_alias}.{column.name})"
    return f"{f'coalesce({value}, 0)' if column.flag else value} AS {column.name}"


def _dated_join_sql(route: Route) -> str:
    a, indent = route.dated_alias, " " * (14 + len(route.dated_alias))
    return (
        f"    LEFT JOIN {a} ON {a}.booking_id IS NOT DISTINCT FROM u.booking_id\n"
        f"{indent}AND {a}.adult_entity = u.adult_entity AND {a}.child_key = u.child_key\n"
        f"{indent}AND {a}.child_entity = u.child_entity\n"
    )


def comparisons_sql(params: RunParameters) -> str:
    """Comparison vectors: every candidate pair of the force at the window's end (`booking_id`
    null: what EM learns from), and every reception's candidate child at the reception date."""
    pairs = params.table("pairs")
    cands = params.table("reception_candidates")
    end = date_literal(params.window_to)
    flags = ",\n           ".join(f"max(p.{f}) AS {f}" for f in _FLAGS + _VALUES)
    # co-residence's levels at each unit's own reference date (`Route.dated_columns`)
    dated = "".join(_dated_cte_sql(params, r) for r in _DATED)
    dated_columns = "".join(
        f"           {_dated_column_sql(r, c)},\n" for r in _DATED for c in r.dated_columns
    )
    dated_joins = "".join(_dated_join_sql(r) for r in _DATED)
    return f"""
WITH units AS (
    SELECT CAST(NULL AS VARCHAR) AS booking_id, CAST(NULL AS VARCHAR) AS prisoner_number,
           adult_entity, child_entity AS child_key, child_entity, {end} AS ref_date,
           child_dob AS key_dob
    FROM {pairs}
    UNION ALL
    SELECT booking_id, prisoner_number, adult_entity, child_key, child_entity,
           reception_date AS ref_date, key_dob
    FROM {cands}
),
{dated}{moved_on.units_cte_sql(params)}grouped AS (
    SELECT u.booking_id, min(u.prisoner_number) AS prisoner_number, u.adult_entity,
           u.child_key, min(u.ref_date) AS ref_date, min(u.key_dob) AS child_dob,
           {flags},
{dated_columns}           coalesce(max(mo.mo_replaced), 0) AS mo_replaced,
           coalesce(max(mo.mo_rival), 0) AS mo_rival,
           max(md.mo_latest) AS mo_latest,
           max(CASE WHEN p.adult_declared THEN 1 ELSE 0 END) = 1 AS adult_declared,
           max(CASE WHEN p.adult_person_ids IS NOT NULL AND p.child_person_ids IS NOT NULL
                    THEN 1 ELSE 0 END) = 1 AS rms_applicable,
           max(CASE WHEN p.adult_partner_ids IS NOT NULL AND p.child_partner_ids IS NOT NULL
                    THEN 1 ELSE 0 END) = 1 AS partner_applicable,
           TRUE AS through_applicable,
           min(p.adult_dob) AS adult_dob, min(p.adult_surname) AS adult_surname,
           min(p.child_surname) AS child_surname
    FROM units AS u
    JOIN {pairs} AS p ON p.adult_entity = u.adult_entity AND p.child_entity = u.child_entity
{dated_joins}    LEFT JOIN moved_on AS mo ON mo.booking_id IS NOT DISTINCT FROM u.booking_id
                         AND mo.adult_entity = u.adult_entity AND mo.child_key = u.child_key
                         AND mo.child_entity = u.child_entity
    LEFT JOIN moved_on_dates AS md ON md.booking_id IS NOT DISTINCT FROM u.booking_id
                         AND md.adult_entity = u.adult_entity AND md.child_key = u.child_key
                         AND md.child_entity = u.child_entity
    GROUP BY u.booking_id, u.adult_entity, u.child_key
),
gapped AS (
    SELECT *, year(child_dob) - year(adult_dob) AS gap_years FROM grouped
)
{_alone_sql()}
"""


PAIRS = Step(
    "pairs",
    "Candidate adult-child entity pairs of the force, evidence as flags",
    pairs_sql,
    model=SCOPED,
)
COMPARISONS = Step(
    "comparisons",
    "Comparison vectors (levels per feature): force-wide pairs and reception candidates",
    comparisons_sql,
)
