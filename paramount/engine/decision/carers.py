"""The likely remaining carer of each child: who looks after the child while the parent is
in prison."""

from __future__ import annotations

from paramount.engine.entities import entities_view_sql
from paramount.engine.pipeline import RunParameters, Step


def carers_sql(params: RunParameters) -> str:
    """The likely remaining carer per (reception, child): the child's other recorded parent,
    else the prisoner's recorded partner (one living with the child first), else a partner
    the prisoner declared to the prison."""
    scored = params.table("scored")
    cands = params.table("reception_candidates")
    ev = params.table("evidence")
    entities = entities_view_sql(params)
    members = params.table("entity_members")
    residence = params.table("evidence_residence")
    return f"""
WITH rows AS (
    SELECT DISTINCT s.booking_id, s.prisoner_number, s.adult_entity, s.child_key, s.ref_date
    FROM {scored} AS s WHERE s.booking_id IS NOT NULL
),
kids AS (
    SELECT DISTINCT r.booking_id, r.adult_entity, r.child_key, r.ref_date, c.child_entity
    FROM rows AS r
    JOIN {cands} AS c ON c.booking_id = r.booking_id AND c.child_key = r.child_key
),
other_parent AS (
    SELECT k.booking_id, k.child_key, e.adult_entity AS carer_entity,
           CASE e.kind WHEN 'STEP' THEN 'STEP_PARENT' WHEN 'GUARDIAN' THEN 'GUARDIAN'
                ELSE 'PARENT' END AS carer_relationship, 1 AS rank
    FROM kids AS k
    JOIN {ev} AS e ON e.child_entity = k.child_entity
    WHERE e.route IN ('RMS_RELATIONSHIP', 'PARTNER', 'PRISON_CONTACT')
      AND e.kind IN ('PARENT', 'STEP', 'GUARDIAN') AND e.adult_entity <> k.adult_entity
),
rms AS (SELECT record_id, entity_id FROM {members} WHERE source = 'RMS'),
partner_links AS (
    SELECT a.entity_id AS x, b.entity_id AS y FROM relationships AS r
    JOIN rms AS a ON a.record_id = r.person_id JOIN rms AS b ON b.record_id = r.related_person_id
    WHERE r.relationship = 'PARTNER'
),
partners AS (
    SELECT x AS adult_entity, y AS partner_entity FROM partner_links
    UNION SELECT y, x FROM partner_links
),
recorded_partner AS (
    SELECT k.booking_id, k.child_key, p.partner_entity AS carer_entity,
           'PARTNER' AS carer_relationship,
           CASE WHEN max(CASE WHEN res.child_entity IS NOT NULL THEN 1 ELSE 0 END) = 1
                THEN 2 ELSE 3 END AS rank
    FROM kids AS k
    JOIN partners AS p ON p.adult_entity = k.adult_entity
    LEFT JOIN {residence} AS res
           ON res.adult_entity = p.partner_entity AND res.child_entity = k.child_entity
          AND res.kind = 'HOME' AND (res.last_seen IS NULL OR res.last_seen >= k.ref_date)
    WHERE p.partner_entity <> k.child_entity
    GROUP BY k.booking_id, k.child_key, p.partner_entity
),
declared_partner AS (
    SELECT r.booking_id, r.child_key, m.entity_id AS carer_entity,
           CASE c.relationship_code WHEN 'WIFE' THEN 'WIFE' WHEN 'HUS' THEN 'HUSBAND'
                ELSE 'PARTNER' END AS carer_relationship, 4 AS rank
    FROM rows AS r
    JOIN prisoner_contacts AS c ON c.prisoner_number = r.prisoner_number
    JOIN {members} AS m ON m.source = 'CONTACT' AND m.record_id = CAST(c._row AS VARCHAR)
    WHERE c.relationship_code IN ('WIFE', 'HUS', 'PART')
),
all_carers AS (
    SELECT * FROM other_parent UNION ALL SELECT * FROM recorded_partner
    UNION ALL SELECT * FROM declared_partner
),
ranked AS (
    SELECT ac.*, row_number() OVER (
               PARTITION BY ac.booking_id, ac.child_key
               ORDER BY ac.rank, ac.carer_entity) AS pick
    FROM all_carers AS ac
)
SELECT r.booking_id, r.child_key, r.carer_entity, r.carer_relationship,
       e.person_ids AS carer_person_ids,
       concat_ws(' ', e.forenames, e.surname) AS carer_name
FROM ranked AS r
LEFT JOIN {entities} AS e ON e.entity_id = r.carer_entity
WHERE r.pick = 1
"""


CARERS = Step("carers", "The likely remaining carer of each child", carers_sql)
