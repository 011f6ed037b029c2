"""The final list: one row per child per reception with its confidence, decision and
evidence in words; the worklist threshold; the review list and the contract's columns."""

from __future__ import annotations

from paramount.contract.tables import CHILDREN_COLUMNS
from paramount.engine.decision.model import FEATURES, KIND_ORDER, RECORD_FEATURES, ROUTE_ORDER
from paramount.engine.entities import entities_view_sql
from paramount.engine.homes import (
    AREA_CTE,
    LPA_NAMES_CTE,
    area_join_sql,
    current_home_first_sql,
    home_lpa_sql,
)
from paramount.engine.pipeline import RunParameters, Step
from paramount.engine.routes.registry import ROUTES
from paramount.engine.sql import age_years_sql, literal


def decided_sql(params: RunParameters) -> str:
    """One row per (reception, child): details, confidence, decision, evidence in words."""
    d = params.decision
    scored = params.table("scored")
    cands = params.table("reception_candidates")
    ev = params.table("evidence")
    entities = entities_view_sql(params)
    nominals = params.table("prisoner_nominals")
    receptions = params.table("in_area")
    carers = params.table("carers")

    def any_record(level: str) -> str:
        """Any record feature (police, prison, social care) at `level`."""
        return " OR ".join(f"r.l_{f} = {literal(level)}" for f in RECORD_FEATURES)

    order = " ".join(f"WHEN {literal(k)} THEN {v}" for k, v in ROUTE_ORDER.items())
    dated = [
        f"WHEN e.route = {literal(r.contract_name)} AND {r.clause_dates[0]} "
        f"THEN {r.clause_dates[1]}"
        for r in ROUTES
        if r.clause_dates
    ]
    when = f"CASE {' '.join(dated)} ELSE '' END" if dated else "''"
    return f"""
WITH rows AS (
    SELECT s.* FROM {scored} AS s WHERE s.booking_id IS NOT NULL
),
members AS (
    SELECT DISTINCT c.booking_id, c.child_key, c.child_entity, c.adult_entity
    FROM {cands} AS c
),
ids AS (
    SELECT m.booking_id, m.child_key,
           array_to_string(list_sort(list_distinct(flatten(
               list(string_split(e.person_ids, ';')) FILTER (WHERE e.person_ids IS NOT NULL)
           ))), ';') AS person_ids,
           array_to_string(list_sort(list_distinct(flatten(
               list(string_split(e.partner_ids, ';')) FILTER (WHERE e.partner_ids IS NOT NULL)
           ))), ';') AS partner_ids
    FROM members AS m JOIN {entities} AS e ON e.entity_id = m.child_entity
    GROUP BY m.booking_id, m.child_key
),
best AS (
    SELECT m.booking_id, m.child_key, e.surname, e.forenames, e.date_of_birth, e.sex,
           row_number() OVER (
               PARTITION BY m.booking_id, m.child_key
               ORDER BY CASE WHEN e.person_ids IS NOT NULL THEN 0
                             WHEN e.partner_ids IS NOT NULL THEN 1 ELSE 2 END,
                        CASE WHEN e.date_of_birth IS NULL THEN 1 ELSE 0 END, e.entity_id
           ) AS pick
    FROM members AS m JOIN {entities} AS e ON e.entity_id = m.child_entity
),
clauses AS (
    SELECT m.booking_id, m.child_key, e.route, e.against,
           e.detail || {when} AS clause,
           CASE e.route {order} END AS route_order,
           row_number() OVER (
               PARTITION BY m.booking_id, m.child_key, e.route, e.against
               ORDER BY {KIND_ORDER},
                        CASE WHEN e.open_ended THEN 0 ELSE 1 END,
                        e.first_seen NULLS LAST, e.records
           ) AS pick,
           count(*) OVER (PARTITION BY m.booking_id, m.child_key, e.route, e.against) AS n
    FROM members AS m
    JOIN {ev} AS e ON e.adult_entity = m.adult_entity AND e.child_entity = m.child_entity
),
words AS (
    SELECT booking_id, child_key,
           array_to_string(list(CASE WHEN NOT against THEN clause
                   || CASE WHEN n > 1 THEN ' (and ' || CAST(n - 1 AS VARCHAR) || ' more)'
                           ELSE '' END END ORDER BY route_order), '; ') AS for_text,
           array_to_string(list(CASE WHEN against THEN clause END ORDER BY route_order), '; ')
               AS against_text,
           array_to_string(list(CASE WHEN NOT against THEN route END ORDER BY route_order),
                           ';') AS sources
    FROM clauses WHERE pick = 1
    GROUP BY booking_id, child_key
),
parent_nominals AS (
    SELECT prisoner_number,
           array_to_string(list_sort(list(person_id)), ';') AS parent_person_ids,
           'prisoner matched to police record(s) '
           || array_to_string(list_sort(list(person_id || ' (' || matched_on || ')')), ', ')
               AS matched_text
    FROM {nominals} GROUP BY prisoner_number
),
{AREA_CTE},
homes AS (
    SELECT m.booking_id, m.child_key,
           concat_ws(', ', a.line1, a.line2, a.town) AS address, a.postcode,
           {home_lpa_sql("a")} AS lpa,
           row_number() OVER (
               PARTITION BY m.booking_id, m.child_key
               ORDER BY {current_home_first_sql("pa", "r.ref_date")}
           ) AS pick
    FROM members AS m
    JOIN rows AS r ON r.booking_id = m.booking_id AND r.child_key = m.child_key
    JOIN {params.table("entity_members")} AS em
      ON em.entity_id = m.child_entity AND em.source = 'RMS'
    JOIN person_addresses AS pa ON pa.person_id = em.record_id AND pa.address_role = 'HOME'
    JOIN addresses AS a ON a.address_id = pa.address_id
    {area_join_sql("a")}
),
{LPA_NAMES_CTE},
base AS (
    SELECT r.*, b.surname AS child_surname_best, b.forenames AS child_forenames,
           b.date_of_birth AS child_date_of_birth, b.sex AS child_sex,
           nullif(i.person_ids, '') AS child_person_ids,
           nullif(i.partner_ids, '') AS child_partner_ids,
           rec.reception_date, rec.prisoner_name, rec.prison_name, rec.prisoner_lpa,
           pn.parent_person_ids, pn.matched_text,
           w.for_text, w.against_text, w.sources,
           h.address, h.postcode, h.lpa, ln.lpa_name,
           cr.carer_entity, cr.carer_person_ids, cr.carer_name, cr.carer_relationship,
           CASE WHEN {any_record("PARENT")}
                     THEN 'PARENT'
                WHEN {any_record("STEP")}
                     THEN 'STEP_PARENT'
                WHEN {any_record("GUARDIAN")}
                     THEN coalesce(r.guard_code, 'GUARDIAN')
                WHEN ({any_record("GRAND")})
                     AND r.res_cur = 1 THEN 'GRANDPARENT'
                WHEN r.l_rms = 'STEP_ENDED' THEN 'STEP_PARENT'
                ELSE 'PARENT' END AS relationship,
           TRUE AS age_ok
    FROM rows AS r
    JOIN {receptions} AS rec
      ON rec.booking_id = r.booking_id AND rec.prisoner_number = r.prisoner_number
    LEFT JOIN best AS b ON b.booking_id = r.booking_id AND b.child_key = r.child_key
                       AND b.pick = 1
    LEFT JOIN ids AS i ON i.booking_id = r.booking_id AND i.child_key = r.child_key
    LEFT JOIN words AS w ON w.booking_id = r.booking_id AND w.child_key = r.child_key
    LEFT JOIN parent_nominals AS pn ON pn.prisoner_number = r.prisoner_number
    LEFT JOIN homes AS h ON h.booking_id = r.booking_id AND h.child_key = r.child_key
                        AND h.pick = 1
    LEFT JOIN lpa_names AS ln ON ln.lpa = h.lpa
    LEFT JOIN {carers} AS cr ON cr.booking_id = r.booking_id AND cr.child_key = r.child_key
),
eligible AS (SELECT * FROM base WHERE age_ok),
threshold AS (
    SELECT coalesce(min(t), 1.0) AS t FROM (
        SELECT confidence AS t,
               avg(confidence) OVER (ORDER BY confidence DESC
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS mean
        FROM eligible
    ) AS c
    WHERE mean >= {d.target_precision} AND t >= {d.threshold_floor}
)
SELECT e.*,
       th.t AS threshold,
       CASE WHEN e.confidence >= th.t THEN 'WORKLIST'
            WHEN e.confidence >= {d.review_floor} THEN 'REVIEW' ELSE 'DROPPED' END AS decision,
       CASE WHEN e.child_dob IS NULL
            THEN 'Date of birth unknown: the confidence includes the chance of being under 18 ('
                 || CAST(round(100 * e.p_child) AS INTEGER)
                 || ' in 100 of the people linked this way to adults of this age). '
            ELSE '' END
       || upper(substr(coalesce(e.for_text, 'no evidence for'), 1, 1))
       || substr(coalesce(e.for_text, 'no evidence for'), 2)
       || CASE WHEN e.against_text IS NOT NULL AND e.against_text <> ''
               THEN '. Against: ' || e.against_text ELSE '' END
       || CASE WHEN e.p_lone < 0.95
               THEN '. Only a police record links them: in this force about '
                    || CAST(round(100 * e.p_lone) AS INTEGER) || ' in 100 such lone records '
                    || 'are borne out, judged by how often the child carries the adult''s surname'
               ELSE '' END
       || CASE WHEN e.generation_q >= 0.05
               THEN '. The prisoner''s own parent (recorded, or at the prisoner''s home) may be '
                    || 'this child''s parent too (' || CAST(round(100 * e.generation_q) AS INTEGER)
                    || ' in 100): the child may be the prisoner''s brother or sister'
               ELSE '' END
       || '. (' || coalesce(e.matched_text, 'prisoner not matched to a police record')
       || '; confidence ' || CAST(round(e.confidence, 2) AS VARCHAR) || '.)' AS evidence
FROM eligible AS e CROSS JOIN threshold AS th
"""


def _output_sql(params: RunParameters, decision: str) -> str:
    decided = params.table("decided" if params.verdicts is None else "verdict_decided")
    columns = {
        "child_person_ids": "child_person_ids",
        "child_partner_ids": "child_partner_ids",
        "child_surname": "child_surname_best",
        "child_forenames": "child_forenames",
        "child_date_of_birth": "child_date_of_birth",
        "child_sex": "child_sex",
        "child_age": "CAST(CASE WHEN child_dob IS NULL THEN NULL ELSE "
        f"{age_years_sql('child_dob', 'reception_date')} END AS INTEGER)",
        "prisoner_number": "prisoner_number",
        "booking_id": "booking_id",
        "reception_date": "reception_date",
        "parent_person_ids": "parent_person_ids",
        "relationship": "relationship",
        "confidence": "CAST(round(confidence, 4) AS DOUBLE)",
        "evidence": "evidence",
        "sources": "sources",
        "address": "address",
        "postcode": "postcode",
        "lpa": "lpa",
        "lpa_name": "lpa_name",
        "prisoner_name": "prisoner_name",
        "prison_name": "prison_name",
        "prisoner_lpa": "prisoner_lpa",
        "method": literal(params.method),
        "carer_entity": "carer_entity",
        "carer_person_ids": "carer_person_ids",
        "carer_name": "carer_name",
        "carer_relationship": "carer_relationship",
        "child_entity": "child_key",
        "prisoner_entity": "adult_entity",
        "decision": "decision",
        "threshold": "threshold",
        "levels": "concat_ws(' ', " + ", ".join(f"'{f}=' || l_{f}" for f in FEATURES) + ")",
    }
    assert tuple(columns)[: len(CHILDREN_COLUMNS)] == CHILDREN_COLUMNS
    select = ",\n       ".join(f"{expr} AS {name}" for name, expr in columns.items())
    return f"""
SELECT {select}
FROM {decided}
WHERE decision = {literal(decision)}
ORDER BY reception_date, prisoner_number, booking_id, child_age, child_person_ids, child_key
"""


def review_sql(params: RunParameters) -> str:
    """Candidates below the worklist threshold but worth an analyst's look."""
    return _output_sql(params, "REVIEW")


def children_sql(params: RunParameters) -> str:
    """The worklist: the contract's columns first, then the decision's extras."""
    return _output_sql(params, "WORKLIST")


DECIDED = Step(
    "decided", "One row per child per reception: confidence, decision, evidence", decided_sql
)
REVIEW = Step(
    "review", "Candidates for an analyst: below the threshold, above the floor", review_sql
)
DECIDE_CHILDREN = Step("children", "The worklist in the contract's columns", children_sql)
