"""Route PARTNER: children's social care's own links between its persons, lifted to entities.

Social care records families with its own ids; only identity resolution ties them to police
nominals and prisoners. Its links are read like the police's (`routes/links.py`): a parent
code is evidence for, a sibling against.
"""

from __future__ import annotations

from paramount.engine.pipeline import RunParameters, Step
from paramount.engine.routes.evidence import select_evidence
from paramount.engine.routes.links import directed_links_sql
from paramount.engine.routes.recorded_relationships import _kind_words_sql
from paramount.engine.routes.route import AGAINST_FACTOR, Feature, PairColumn, Route
from paramount.engine.routes.step_ended import (
    STEP_ENDED_FIXED,
    STEP_ENDED_LEVELS,
    step_levels_sql,
)
from paramount.engine.sql import literal

CONTRACT_NAME = "PARTNER"


def evidence_partner_sql(params: RunParameters) -> str:
    members = params.table("entity_members")
    entities = params.table("entities")
    words = _kind_words_sql("d.kind", "e.sex")
    return f"""
WITH pm AS (
    SELECT record_id, entity_id FROM {members} WHERE source = 'PARTNER'
),
lifted AS (
    SELECT a.entity_id AS a_entity, b.entity_id AS b_entity, r.relationship AS code,
           coalesce(pp.agency, 'social care') AS source,
           CAST(NULL AS VARCHAR) AS occurrence_id, CAST(NULL AS DATE) AS recorded_at,
           'partner link ' || r.partner_person_id || ' ' || r.relationship || ' of '
           || r.related_partner_person_id AS record
    FROM partner_relationships AS r
    JOIN pm AS a ON a.record_id = r.partner_person_id
    JOIN pm AS b ON b.record_id = r.related_partner_person_id
    LEFT JOIN partner_persons AS pp ON pp.partner_person_id = r.partner_person_id
),
directed AS ({directed_links_sql("lifted")})
SELECT {
        select_evidence(
            adult_entity="d.adult_entity",
            child_entity="d.child_entity",
            route=literal(CONTRACT_NAME),
            kind="d.kind",
            relationship="d.relationship",
            against="d.against",
            events="1",
            records="d.record",
            detail=f"'recorded as ' || {words} || ' by ' || d.source",
        )
    }
FROM directed AS d
LEFT JOIN {entities} AS e ON e.entity_id = d.adult_entity
"""


EVIDENCE_PARTNER = Step(
    "evidence_partner",
    "Social care's links between its persons, lifted to entities",
    evidence_partner_sql,
    window_free=True,
)

_ON = f"e.route = {literal(CONTRACT_NAME)}"

ROUTE = Route(
    "partner_relationships",
    CONTRACT_NAME,
    steps=(EVIDENCE_PARTNER,),
    list_order=3,
    pair_columns=(
        PairColumn("p_parent", f"{_ON} AND e.kind = 'PARENT'"),
        PairColumn("p_step", f"{_ON} AND e.kind = 'STEP'"),
        PairColumn("p_guard", f"{_ON} AND e.kind = 'GUARDIAN'"),
        PairColumn("p_grand", f"{_ON} AND e.kind = 'GRAND'"),
        PairColumn("p_against", f"{_ON} AND e.against"),
    ),
    features=(
        Feature(
            "partner",
            levels={
                "PARENT": (0.4, 0.01),
                "STEP": (0.05, 0.005),
                **STEP_ENDED_LEVELS,
                "GUARDIAN": (0.02, 0.002),
                "GRAND": (0.01, 0.01),
                "AGAINST": (0.01, 0.1),
                "NONE": (0.5, 0.87),
            },
            levels_sql=f"""CASE WHEN NOT partner_applicable THEN NULL
            WHEN p_against = 1 AND (p_parent = 1 OR p_step = 1) THEN 'AGAINST'
            WHEN p_parent = 1 THEN 'PARENT'
            {step_levels_sql("p_step", ("rms_step", "c_step"))}
            WHEN p_guard = 1 THEN 'GUARDIAN' WHEN p_grand = 1 THEN 'GRAND'
            WHEN p_against = 1 THEN 'AGAINST' ELSE 'NONE' END""",
            applies="partner_applicable",
            # social care's "not the parent"
            fixed={"AGAINST": AGAINST_FACTOR, **STEP_ENDED_FIXED},
            record=True,
        ),
    ),
)
