"""The output tables: who belongs to which individual, and each individual's best details."""

from __future__ import annotations

from paramount.contract.tables import contact_sex_sql
from paramount.db.backend import Backend

MEMBERS = "pm_entity_members"
ENTITIES = "pm_entities"


def build_members(
    db: Backend,
    *,
    clusters: str,
    prisoner_entity: str,
    partner_entity: str,
    contact_entity: str,
) -> None:
    """`pm_entity_members`: every nominal, partner person, prisoner and contact row, once."""
    db.execute(f"""
CREATE OR REPLACE TABLE {MEMBERS} AS
SELECT entity_id, 'RMS' AS source, person_id AS record_id,
       CAST(match_probability AS DOUBLE) AS match_probability, basis
FROM {clusters}
UNION ALL
SELECT entity_id, 'PARTNER', partner_person_id, match_probability, basis FROM {partner_entity}
UNION ALL
SELECT entity_id, 'PRISONER', prisoner_number, match_probability, basis FROM {prisoner_entity}
UNION ALL
SELECT entity_id, 'CONTACT', CAST(contact_row AS VARCHAR), match_probability, basis
FROM {contact_entity}
""")


def _best(attr: str) -> str:
    """The most common value of `attr` among an individual's records; ties go to the more
    authoritative source (RMS, partner, prison, contact), then the smaller value."""
    return f"""
{attr}_best AS (
    SELECT entity_id, arg_min({attr}, (-n, rank, {attr})) AS {attr}
    FROM (SELECT entity_id, {attr}, count(*) AS n, min(rank) AS rank
          FROM details WHERE {attr} IS NOT NULL GROUP BY entity_id, {attr})
    GROUP BY entity_id
)"""


def build_entities(db: Backend) -> None:
    """`pm_entities`: best-known surname, forenames, date of birth, sex; ids; has_pnc."""
    db.execute(f"""
CREATE OR REPLACE TABLE {ENTITIES} AS
WITH details AS (
    SELECT m.entity_id, 1 AS rank, p.surname, p.forenames, p.date_of_birth,
           nullif(p.sex, 'U') AS sex, p.pnc_id IS NOT NULL AS pnc
    FROM {MEMBERS} AS m JOIN persons AS p ON m.source = 'RMS' AND p.person_id = m.record_id
    UNION ALL
    SELECT m.entity_id, 2, q.surname, q.forenames, q.date_of_birth, nullif(q.sex, 'U'), false
    FROM {MEMBERS} AS m
    JOIN partner_persons AS q ON m.source = 'PARTNER' AND q.partner_person_id = m.record_id
    UNION ALL
    SELECT m.entity_id, 3, r.last_name, concat_ws(' ', r.first_name, r.middle_names),
           r.date_of_birth,
           CASE r.gender WHEN 'Male' THEN 'M' WHEN 'Female' THEN 'F' END,
           r.pnc_number IS NOT NULL
    FROM {MEMBERS} AS m
    JOIN prisoners AS r ON m.source = 'PRISONER' AND r.prisoner_number = m.record_id
    UNION ALL
    SELECT m.entity_id, 4, k.last_name, k.first_name, k.date_of_birth,
           {contact_sex_sql("k.relationship_code")}, false
    FROM {MEMBERS} AS m
    JOIN prisoner_contacts AS k ON m.source = 'CONTACT' AND CAST(k._row AS VARCHAR) = m.record_id
),
{_best("surname")},
{_best("forenames")},
{_best("date_of_birth")},
{_best("sex")},
ids AS (
    SELECT entity_id,
           string_agg(record_id, ';' ORDER BY record_id) FILTER (WHERE source = 'RMS')
               AS person_ids,
           string_agg(record_id, ';' ORDER BY record_id) FILTER (WHERE source = 'PARTNER')
               AS partner_ids
    FROM {MEMBERS} GROUP BY entity_id
),
pnc AS (SELECT entity_id, bool_or(pnc) AS has_pnc FROM details GROUP BY entity_id)
SELECT ids.entity_id, s.surname, f.forenames, CAST(d.date_of_birth AS DATE) AS date_of_birth,
       x.sex, coalesce(ids.person_ids, '') AS person_ids,
       coalesce(ids.partner_ids, '') AS partner_ids, coalesce(pnc.has_pnc, false) AS has_pnc
FROM ids
LEFT JOIN surname_best AS s USING (entity_id)
LEFT JOIN forenames_best AS f USING (entity_id)
LEFT JOIN date_of_birth_best AS d USING (entity_id)
LEFT JOIN sex_best AS x USING (entity_id)
LEFT JOIN pnc USING (entity_id)
""")
