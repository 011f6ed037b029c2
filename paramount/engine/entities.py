"""Entities: which records are one individual, the simple (exact) way.

Every later route speaks of entities, not records: a link recorded on any nominal of a child
counts for the child, and a child with two nominals is one child. Probabilistic identity
(Splink, `paramount/linkage/`) builds the same two tables, `pm_entity_members` and
`pm_entities`; these steps build them with no probabilistic matching at all, which is the
`routes-exact` ablation and what the route tests run on:

- a prisoner and every nominal sharing their valid PNC or CRO (canonical form) are one
  entity, `X:<prisoner_number>` (the baseline's identity, force-wide);
- every other nominal is its own entity, `R:<person_id>`;
- every partner person is `P:<partner_person_id>`, every prisoner contact row `C:<_row>`.

A nominal matching two prisoners (a shared PNC typed twice) goes with the smaller prisoner
number, so each record belongs to exactly one entity.
"""

from __future__ import annotations

from paramount.contract.identifiers import canonical_cro_sql, canonical_pnc_sql, clean_sql
from paramount.contract.tables import contact_sex_sql
from paramount.engine.pipeline import RunParameters, Step

ENTITY_MEMBER_SOURCES = ("RMS", "PARTNER", "PRISONER", "CONTACT")


def exact_entity_members_sql(params: RunParameters) -> str:
    """(entity_id, source, record_id, match_probability, basis) for every record."""
    return f"""
WITH prisoner_ids AS (
    SELECT prisoner_number,
           {canonical_pnc_sql(clean_sql("pnc_number"))} AS pnc,
           {canonical_cro_sql(clean_sql("cro_number"))} AS cro
    FROM prisoners
),
nominal_ids AS (
    SELECT person_id,
           {canonical_pnc_sql(clean_sql("pnc_id"))} AS pnc,
           {canonical_cro_sql(clean_sql("cro_number"))} AS cro
    FROM persons
    WHERE pnc_id IS NOT NULL OR cro_number IS NOT NULL
),
matched AS (
    SELECT n.person_id, p.prisoner_number, 'PNC' AS basis
    FROM nominal_ids AS n JOIN prisoner_ids AS p ON p.pnc = n.pnc
    UNION ALL
    SELECT n.person_id, p.prisoner_number, 'CRO' AS basis
    FROM nominal_ids AS n JOIN prisoner_ids AS p ON p.cro = n.cro
),
nominal_prisoner AS (
    SELECT person_id, min(prisoner_number) AS prisoner_number,
           array_to_string(list_sort(list_distinct(list(basis))), '+') AS basis
    FROM matched
    GROUP BY person_id
)
SELECT coalesce('X:' || np.prisoner_number, 'R:' || p.person_id) AS entity_id,
       'RMS' AS source, p.person_id AS record_id,
       CAST(1.0 AS DOUBLE) AS match_probability,
       coalesce('EXACT_' || np.basis, 'SELF') AS basis
FROM persons AS p
LEFT JOIN nominal_prisoner AS np ON np.person_id = p.person_id
UNION ALL
SELECT 'X:' || prisoner_number, 'PRISONER', prisoner_number, CAST(1.0 AS DOUBLE), 'SELF'
FROM prisoners
UNION ALL
SELECT 'P:' || partner_person_id, 'PARTNER', partner_person_id, CAST(1.0 AS DOUBLE), 'SELF'
FROM partner_persons
UNION ALL
SELECT 'C:' || CAST(_row AS VARCHAR), 'CONTACT', CAST(_row AS VARCHAR), CAST(1.0 AS DOUBLE),
       'SELF'
FROM prisoner_contacts
"""


def entities_sql(params: RunParameters) -> str:
    """Best-known details of each entity: a nominal's details before a partner record's,
    a prisoner's before a contact's; the most complete record first."""
    members = params.table("entity_members")
    return f"""
WITH details AS (
    SELECT m.entity_id, 1 AS rank_source, p.surname, p.forenames, p.date_of_birth,
           p.sex, m.record_id AS person_id, CAST(NULL AS VARCHAR) AS partner_id,
           p.pnc_id IS NOT NULL AS has_pnc
    FROM {members} AS m JOIN persons AS p ON m.source = 'RMS' AND p.person_id = m.record_id
    UNION ALL
    SELECT m.entity_id, 2, x.last_name,
           concat_ws(' ', x.first_name, x.middle_names), x.date_of_birth,
           CASE x.gender WHEN 'Male' THEN 'M' WHEN 'Female' THEN 'F' ELSE 'U' END,
           NULL, NULL, x.pnc_number IS NOT NULL
    FROM {members} AS m
    JOIN prisoners AS x ON m.source = 'PRISONER' AND x.prisoner_number = m.record_id
    UNION ALL
    SELECT m.entity_id, 3, pp.surname, pp.forenames, pp.date_of_birth, pp.sex,
           NULL, m.record_id, FALSE
    FROM {members} AS m
    JOIN partner_persons AS pp ON m.source = 'PARTNER' AND pp.partner_person_id = m.record_id
    UNION ALL
    SELECT m.entity_id, 4, c.last_name, c.first_name, c.date_of_birth,
           coalesce({contact_sex_sql("c.relationship_code")}, 'U'),
           NULL, NULL, FALSE
    FROM {members} AS m
    JOIN prisoner_contacts AS c
      ON m.source = 'CONTACT' AND CAST(c._row AS VARCHAR) = m.record_id
),
ranked AS (
    SELECT *,
           row_number() OVER (
               PARTITION BY entity_id
               ORDER BY rank_source,
                        CASE WHEN date_of_birth IS NULL THEN 1 ELSE 0 END,
                        person_id, partner_id
           ) AS pick
    FROM details
),
ids AS (
    SELECT entity_id,
           array_to_string(list_sort(list_distinct(list(person_id))), ';') AS person_ids,
           array_to_string(list_sort(list_distinct(list(partner_id))), ';') AS partner_ids,
           max(CASE WHEN has_pnc THEN 1 ELSE 0 END) = 1 AS has_pnc
    FROM details
    GROUP BY entity_id
)
SELECT r.entity_id, r.surname, r.forenames, r.date_of_birth, r.sex,
       nullif(i.person_ids, '') AS person_ids, nullif(i.partner_ids, '') AS partner_ids,
       i.has_pnc
FROM ranked AS r JOIN ids AS i ON i.entity_id = r.entity_id
WHERE r.pick = 1
"""


def entity_prisoner_nominals_sql(params: RunParameters) -> str:
    """The baseline's `prisoner_nominals` shape, read from the entities: every nominal of a
    received prisoner's entity (so `in_area` and the output work unchanged)."""
    members = params.table("entity_members")
    receptions = params.table("receptions")
    return f"""
WITH received AS (SELECT DISTINCT prisoner_number FROM {receptions}),
prisoner_entity AS (
    SELECT m.record_id AS prisoner_number, m.entity_id
    FROM {members} AS m JOIN received AS r ON r.prisoner_number = m.record_id
    WHERE m.source = 'PRISONER'
)
SELECT pe.prisoner_number, m.record_id AS person_id,
       m.basis LIKE '%PNC%' AS by_pnc, m.basis LIKE '%CRO%' AS by_cro,
       CASE WHEN m.basis LIKE 'EXACT_%' THEN replace(substr(m.basis, 7), '+', ' and ')
            ELSE 'identity resolution (' || m.basis || ', p=' ||
                 CAST(round(m.match_probability, 3) AS VARCHAR) || ')' END AS matched_on,
       pe.entity_id AS prisoner_entity, m.match_probability
FROM prisoner_entity AS pe
JOIN {members} AS m ON m.entity_id = pe.entity_id AND m.source = 'RMS'
"""


EXACT_ENTITY_MEMBERS = Step(
    "entity_members",
    "Entities the exact way: prisoner + nominals by valid PNC/CRO, everyone else alone",
    exact_entity_members_sql,
    window_free=True,
)
EXACT_ENTITIES = Step(
    "entities",
    "Best-known details of each entity, with its nominal and partner ids",
    entities_sql,
    window_free=True,
)
ENTITY_PRISONER_NOMINALS = Step(
    "prisoner_nominals",
    "Police nominals of each received prisoner, read from the prisoner's entity",
    entity_prisoner_nominals_sql,
)


def entities_view_sql(params: RunParameters) -> str:
    """`pm_entities` with empty id lists as NULL: the exact entities write NULL, the Splink
    entities an empty string, and "has a nominal" must mean the same for both."""
    return (
        "(SELECT entity_id, surname, forenames, date_of_birth, sex, "
        "nullif(person_ids, '') AS person_ids, nullif(partner_ids, '') AS partner_ids "
        f"FROM {params.table('entities')})"
    )
