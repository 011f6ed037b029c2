"""Comparison vectors: every candidate adult-child pair of the force and each reception's
candidates, one level per feature (`FEATURES`)."""

from __future__ import annotations

from paramount.engine.decision.model import ADULT_MIN_AGE, SIG_SURPRISE, flag_sql
from paramount.engine.entities import entities_view_sql
from paramount.engine.pipeline import RunParameters, Step
from paramount.engine.sql import age_years_sql, date_literal


def pairs_sql(params: RunParameters) -> str:
    """One row per (adult entity, child entity) with every route's evidence as flags."""
    ev = params.table("evidence")
    entities = entities_view_sql(params)
    members = params.table("entity_members")
    start = date_literal(params.window_from)
    rms = "e.route = 'RMS_RELATIONSHIP'"
    con = "e.route = 'PRISON_CONTACT'"
    par = "e.route = 'PARTNER'"
    return f"""
WITH agg AS (
    SELECT e.adult_entity, e.child_entity,
           {flag_sql(f"{rms} AND e.kind = 'PARENT'")} AS rms_parent,
           {flag_sql(f"{rms} AND e.kind = 'STEP'")} AS rms_step,
           {flag_sql(f"{rms} AND e.kind = 'GUARDIAN'")} AS rms_guard,
           {flag_sql(f"{rms} AND e.kind = 'GRAND'")} AS rms_grand,
           {flag_sql(f"{rms} AND e.kind = 'NOK'")} AS rms_nok,
           {flag_sql(f"{rms} AND e.kind IN ('SIBLING', 'ASSOCIATE')")} AS rms_sibling,
           {flag_sql(f"{rms} AND e.kind = 'EX_PARTNERS_CHILD'")} AS rms_exchild,
           max(CASE WHEN {rms} AND e.kind = 'STEP'
                    THEN coalesce(e.first_seen, DATE '1900-01-01') END) AS rms_step_at,
           max(CASE WHEN {rms} AND e.kind = 'EX_PARTNERS_CHILD'
                    THEN coalesce(e.first_seen, DATE '1900-01-01') END) AS rms_ex_at,
           max(CASE WHEN e.kind = 'GUARDIAN' THEN e.relationship END) AS guard_code,
           {flag_sql(f"{con} AND e.kind = 'PARENT'")} AS c_parent,
           {flag_sql(f"{con} AND e.kind = 'STEP'")} AS c_step,
           {flag_sql(f"{con} AND e.kind = 'GUARDIAN'")} AS c_guard,
           {flag_sql(f"{con} AND e.kind = 'GRAND'")} AS c_grand,
           {flag_sql(f"{con} AND e.kind = 'OTHER'")} AS c_other,
           {flag_sql(f"{par} AND e.kind = 'PARENT'")} AS p_parent,
           {flag_sql(f"{par} AND e.kind = 'STEP'")} AS p_step,
           {flag_sql(f"{par} AND e.kind = 'GUARDIAN'")} AS p_guard,
           {flag_sql(f"{par} AND e.kind = 'GRAND'")} AS p_grand,
           {flag_sql(f"{par} AND e.against")} AS p_against,
           max(CASE WHEN e.route = 'CO_OCCURRENCE' THEN e.events END) AS occ_shared,
           max(CASE WHEN e.route = 'CO_OCCURRENCE' THEN e.surprise END) AS occ_surprise
    FROM {ev} AS e
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
    """The comparison vector's levels from the aggregated flags (NULL = not applicable)."""
    ended = (
        "(rms_ex_at IS NOT NULL AND rms_ex_at >= coalesce(rms_step_at, DATE '1900-01-01'))"
        " OR (res_past = 1 AND res_cur = 0)"
    )
    return f"""
       CASE WHEN NOT rms_applicable THEN NULL
            WHEN rms_sibling = 1 AND (rms_parent = 1 OR rms_step = 1 OR rms_guard = 1)
                 THEN 'CONFLICT'
            WHEN rms_parent = 1 THEN 'PARENT'
            WHEN rms_step = 1 AND ({ended}) THEN 'STEP_ENDED'
            WHEN rms_step = 1 THEN 'STEP'
            WHEN rms_guard = 1 THEN 'GUARDIAN'
            WHEN rms_grand = 1 THEN 'GRAND'
            WHEN rms_sibling = 1 THEN 'AGAINST'
            WHEN rms_nok = 1 THEN 'NOK'
            ELSE 'NONE' END AS l_rms,
       CASE WHEN NOT adult_declared THEN NULL
            WHEN c_parent = 1 THEN 'PARENT' WHEN c_step = 1 THEN 'STEP'
            WHEN c_guard = 1 THEN 'GUARDIAN' WHEN c_grand = 1 THEN 'GRAND'
            WHEN c_other = 1 THEN 'OTHER' ELSE 'NONE' END AS l_contact,
       CASE WHEN NOT partner_applicable THEN NULL
            WHEN p_against = 1 AND (p_parent = 1 OR p_step = 1) THEN 'AGAINST'
            WHEN p_parent = 1 THEN 'PARENT' WHEN p_step = 1 THEN 'STEP'
            WHEN p_guard = 1 THEN 'GUARDIAN' WHEN p_grand = 1 THEN 'GRAND'
            WHEN p_against = 1 THEN 'AGAINST' ELSE 'NONE' END AS l_partner,
       CASE WHEN NOT rms_applicable THEN NULL ELSE
            CASE WHEN res_cur = 1 THEN 'CUR' WHEN res_past = 1 THEN 'PAST'
                 WHEN res_earlier = 1 THEN 'PRIOR'
                 WHEN res_shared = 1 THEN 'SHARED' ELSE 'NONE' END || '_' ||
            CASE WHEN occ_shared IS NULL THEN 'NONE'
                 WHEN occ_surprise >= {SIG_SURPRISE} THEN 'SIG' ELSE 'WEAK' END
       END AS l_home_occ,
       {gap_level_sql("gap_years")} AS l_gap,
       CASE WHEN adult_surname IS NULL OR child_surname IS NULL THEN NULL
            WHEN upper(trim(adult_surname)) = upper(trim(child_surname)) THEN 'SAME'
            ELSE 'DIFF' END AS l_surname"""


_FLAGS = (
    "rms_parent", "rms_step", "rms_guard", "rms_grand", "rms_nok", "rms_sibling", "rms_exchild",
    "c_parent", "c_step", "c_guard", "c_grand", "c_other",
    "p_parent", "p_step", "p_guard", "p_grand", "p_against",
)  # fmt: skip


def comparisons_sql(params: RunParameters) -> str:
    """Comparison vectors: every candidate pair of the force at the window's end (`booking_id`
    null: what EM learns from), and every reception's candidate child at the reception date."""
    pairs = params.table("pairs")
    cands = params.table("reception_candidates")
    residence = params.table("evidence_residence")
    end = date_literal(params.window_to)
    flags = ",\n           ".join(f"max(p.{f}) AS {f}" for f in _FLAGS)
    # A shared home not ended by the reference date is current even when first recorded
    # after it: a police address's from_date is when the force first recorded the person
    # there, and records lag (a child noted at the prisoner's home a month after he was
    # received lived there before).
    cur = "(r.last_seen IS NULL OR r.last_seen >= u.ref_date)"
    started = "(r.first_seen IS NULL OR r.first_seen <= u.ref_date)"
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
res AS (
    SELECT u.booking_id, u.adult_entity, u.child_key, u.child_entity,
           {flag_sql(f"r.kind = 'HOME' AND {cur}")} AS res_cur,
           {flag_sql(f"r.kind = 'HOME' AND {started}")} AS res_past,
           {flag_sql(f"r.kind = 'SHARED' AND {started}")} AS res_shared,
           {flag_sql(f"r.kind = 'EARLIER' AND {started}")} AS res_earlier
    FROM units AS u
    JOIN {residence} AS r ON r.adult_entity = u.adult_entity AND r.child_entity = u.child_entity
    GROUP BY u.booking_id, u.adult_entity, u.child_key, u.child_entity
),
grouped AS (
    SELECT u.booking_id, min(u.prisoner_number) AS prisoner_number, u.adult_entity,
           u.child_key, min(u.ref_date) AS ref_date, min(u.key_dob) AS child_dob,
           {flags},
           max(p.rms_step_at) AS rms_step_at,
           max(p.rms_ex_at) AS rms_ex_at,
           max(p.guard_code) AS guard_code,
           max(p.occ_shared) AS occ_shared,
           max(p.occ_surprise) AS occ_surprise,
           coalesce(max(res.res_cur), 0) AS res_cur,
           coalesce(max(res.res_past), 0) AS res_past,
           coalesce(max(res.res_shared), 0) AS res_shared,
           coalesce(max(res.res_earlier), 0) AS res_earlier,
           max(CASE WHEN p.adult_declared THEN 1 ELSE 0 END) = 1 AS adult_declared,
           max(CASE WHEN p.adult_person_ids IS NOT NULL AND p.child_person_ids IS NOT NULL
                    THEN 1 ELSE 0 END) = 1 AS rms_applicable,
           max(CASE WHEN p.adult_partner_ids IS NOT NULL AND p.child_partner_ids IS NOT NULL
                    THEN 1 ELSE 0 END) = 1 AS partner_applicable,
           min(p.adult_dob) AS adult_dob, min(p.adult_surname) AS adult_surname,
           min(p.child_surname) AS child_surname
    FROM units AS u
    JOIN {pairs} AS p ON p.adult_entity = u.adult_entity AND p.child_entity = u.child_entity
    LEFT JOIN res ON res.booking_id IS NOT DISTINCT FROM u.booking_id
                 AND res.adult_entity = u.adult_entity AND res.child_key = u.child_key
                 AND res.child_entity = u.child_entity
    GROUP BY u.booking_id, u.adult_entity, u.child_key
),
gapped AS (
    SELECT *, year(child_dob) - year(adult_dob) AS gap_years FROM grouped
)
SELECT *, {_levels_sql()}
FROM gapped
"""


PAIRS = Step(
    "pairs", "Candidate adult-child entity pairs of the force, evidence as flags", pairs_sql
)
COMPARISONS = Step(
    "comparisons",
    "Comparison vectors (levels per feature): force-wide pairs and reception candidates",
    comparisons_sql,
)
