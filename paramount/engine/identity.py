"""Identity: which police nominals are the prisoner.

The baseline trusts only what the original process trusted: a valid PNC id or CRO number
shared by the prison record and the nominal, compared in canonical form (a PNC in long or
short form is the same id; one whose check letter fails is never used). Every nominal that
matches is the prisoner: an RMS holds duplicates, and the baseline does not choose among
them. Probabilistic linkage (Splink) is a later method's step beside this one.
"""

from __future__ import annotations

from paramount.contract.identifiers import canonical_cro_sql, canonical_pnc_sql, clean_sql
from paramount.engine.pipeline import RunParameters, Step


def prisoner_nominals_sql(params: RunParameters) -> str:
    """(prisoner_number, person_id) for every nominal sharing a valid PNC or CRO.

    Two equi-joins united, not one join on `pnc = pnc OR cro = cro`: an OR condition defeats
    hash joins and would compare every prisoner with every one of millions of nominals.
    """
    receptions = params.table("receptions")
    return f"""
WITH prisoner_ids AS (
    SELECT DISTINCT prisoner_number, prisoner_pnc, prisoner_cro
    FROM {receptions}
    WHERE prisoner_pnc IS NOT NULL OR prisoner_cro IS NOT NULL
),
cleaned AS (
    SELECT person_id,
           {clean_sql("pnc_id")} AS pnc_clean,
           {clean_sql("cro_number")} AS cro_clean
    FROM persons
    WHERE pnc_id IS NOT NULL OR cro_number IS NOT NULL
),
nominal_ids AS (
    SELECT person_id,
           {canonical_pnc_sql("pnc_clean")} AS pnc,
           {canonical_cro_sql("cro_clean")} AS cro
    FROM cleaned
),
matches AS (
    SELECT p.prisoner_number, n.person_id, 'PNC' AS matched_on, p.prisoner_pnc AS matched_value
    FROM prisoner_ids AS p JOIN nominal_ids AS n ON n.pnc = p.prisoner_pnc
    UNION ALL
    SELECT p.prisoner_number, n.person_id, 'CRO' AS matched_on, p.prisoner_cro AS matched_value
    FROM prisoner_ids AS p JOIN nominal_ids AS n ON n.cro = p.prisoner_cro
)
SELECT prisoner_number, person_id,
       max(CASE WHEN matched_on = 'PNC' THEN 1 ELSE 0 END) = 1 AS by_pnc,
       max(CASE WHEN matched_on = 'CRO' THEN 1 ELSE 0 END) = 1 AS by_cro,
       CASE WHEN max(CASE WHEN matched_on = 'PNC' THEN 1 ELSE 0 END) = 1
                 AND max(CASE WHEN matched_on = 'CRO' THEN 1 ELSE 0 END) = 1 THEN 'PNC and CRO'
            WHEN max(CASE WHEN matched_on = 'PNC' THEN 1 ELSE 0 END) = 1 THEN 'PNC'
            ELSE 'CRO' END AS matched_on
FROM matches
GROUP BY prisoner_number, person_id
"""


PRISONER_NOMINALS = Step(
    "prisoner_nominals",
    "Police nominals of each received prisoner, by valid PNC or CRO",
    prisoner_nominals_sql,
)
