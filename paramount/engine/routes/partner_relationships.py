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
from paramount.engine.sql import literal

ROUTE = "PARTNER"


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
            route=literal(ROUTE),
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
