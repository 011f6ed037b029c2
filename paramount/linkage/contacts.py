"""Prisoner contacts to the people around the prisoner.

A contact row is a name (often no date of birth) the prisoner gave. Matched against the
whole force, `Jack Smith` would find dozens; so its candidates are only the people
connected to the prisoner's individual: nominals in a recorded relationship with any of
the prisoner's nominals (either direction), nominals who shared a home (`HOME` or
`PREVIOUS_HOME`, by address id or UPRN) with them, nominals in the same occurrences, and
partner persons related to the prisoner's partner record, sharing its postcode, or living
at the prisoner's home postcode. Addresses and occurrences with more than
`CROWD` people are left out: a hostel or a public-order incident is not a circle.

Inside that circle the rule is a small table, not a trained model (contacts are too few and
too sparse to train one):

| forename | surname | date of birth | probability |
|---|---|---|---|
| same or same canonical | same | agrees | 0.99 |
| same or same canonical | same | missing on a side | 0.97 |
| same or same canonical | different | agrees | 0.96 |
| near (JW >= 0.92 or a shared token) | same | agrees | 0.96 |
| near | same | missing | 0.90 |
| same or same canonical | near (JW >= 0.88) | missing | 0.90 |
| same or same canonical | different | missing | 0.60 |

"Agrees" is the same date, day and month swapped, or one digit or day apart; a date of
birth that disagrees otherwise rules the candidate out. So does what the relationship code
says of the person: a contact is never the prisoner (a son named after his father is not his
father), a son or a brother is male and a daughter or a sister female (against the record's
sex, where known), and a child or grandchild is at least `GENERATION_YEARS` younger than the
prisoner, a parent as much older (where both dates of birth are known). The best candidate
is taken at the accept threshold when no other individual scores as high; otherwise the
candidates at or above the review threshold go to the review list, and the contact stays its
own person.
"""

from __future__ import annotations

from paramount.contract.tables import CONTACT_GENERATION, GENERATION_YEARS, contact_sex_sql
from paramount.db.backend import Backend
from paramount.linkage.encoded import (
    ENCODED_CONTACTS,
    ENCODED_PARTNER_RECORDS,
    ENCODED_PRISONER_POSTCODES,
    containment_sql,
)
from paramount.linkage.prepare import (
    NICKNAMES,
    NOMINAL_RECORDS,
    PARTNER_RECORDS,
    name_sql,
    surname_sql,
)

CROWD = 30


def _generation_sql(code: str) -> str:
    whens = " ".join(f"WHEN '{c}' THEN {g}" for c, g in CONTACT_GENERATION.items())
    return f"CASE {code} {whens} ELSE 0 END"


CANDIDATES = "pm_lk_contact_candidates"


def contact_candidates(
    db: Backend,
    *,
    prisoner_entity: str,
    partner_entity: str,
    clusters: str,
    encoded: bool = False,
) -> None:
    """Score every contact row against its prisoner's circle; write `CANDIDATES`
    (contact_row, entity_id, match_probability, rank, words) for scores above zero.

    With `encoded` (partner persons known by their encodings alone, `encoded.py`), a contact
    is scored against the circle's partner persons on encodings: the names the same when
    nearly all of the contact's filter bits (names, no year) are in the partner's (at least
    0.97 of them; near at 0.85), the date of birth agreeing when its hash is the partner's or
    among the contact's near dates; and the circle's shared postcodes are compared hashed."""
    if encoded:
        pp_clean = (
            f"SELECT record_id AS partner_person_id, postcode1_hash AS pc "
            f"FROM {ENCODED_PARTNER_RECORDS} WHERE postcode1_hash IS NOT NULL"
        )
        prisoner_homes = f"{ENCODED_PRISONER_POSTCODES} AS p JOIN pp_clean AS q ON q.pc = p.pc"
        partner_records = ""
        overlap = containment_sql("ke", "pr")
        partner_scored = f"""
    UNION ALL
    SELECT k.contact_row, q.entity_id,
           CASE WHEN {overlap} >= 0.97 THEN 2 WHEN {overlap} >= 0.85 THEN 1 ELSE 0 END,
           CASE WHEN {overlap} >= 0.85 THEN 2 ELSE 0 END,
           CASE WHEN ke.dob_hash IS NULL OR pr.dob_hash IS NULL THEN 'missing'
                WHEN ke.dob_hash = pr.dob_hash
                     OR coalesce(list_contains(ke.dob_near, pr.dob_hash), false) THEN 'agrees'
                ELSE 'conflict' END
    FROM contacts AS k JOIN {ENCODED_CONTACTS} AS ke USING (contact_row)
    JOIN circle_partners AS cq USING (prisoner_number)
    JOIN {partner_entity} AS q USING (partner_person_id)
    JOIN {ENCODED_PARTNER_RECORDS} AS pr ON pr.record_id = q.partner_person_id
    WHERE ke.clk_bits IS NOT NULL AND pr.clk_bits IS NOT NULL
      AND q.entity_id NOT IN (SELECT entity_id FROM pe WHERE pe.prisoner_number = k.prisoner_number)
      AND NOT (k.declared_sex IS NOT NULL AND pr.sex IN ('M', 'F') AND pr.sex <> k.declared_sex)"""
    else:
        pp_clean = (
            "SELECT partner_person_id, upper(replace(postcode, ' ', '')) AS pc "
            "FROM partner_persons WHERE postcode IS NOT NULL"
        )
        prisoner_homes = (
            "prisoners AS p JOIN pp_clean AS q ON q.pc = upper(replace(p.home_postcode, ' ', ''))"
        )
        partner_records = f"""
    UNION
    SELECT cq.prisoner_number, q.entity_id, r.surname, r.forename1, r.forename_canon,
           r.forename_tokens, r.dob, r.sex
    FROM circle_partners AS cq JOIN {partner_entity} AS q USING (partner_person_id)
    JOIN {PARTNER_RECORDS} AS r ON r.record_id = q.partner_person_id"""
        partner_scored = ""
    db.execute(f"""
CREATE OR REPLACE TABLE {CANDIDATES} AS
WITH pe AS (SELECT prisoner_number, entity_id FROM {prisoner_entity}),
own AS (  -- the prisoner's own nominals and partner records
    SELECT pe.prisoner_number, c.person_id
    FROM pe JOIN {clusters} AS c USING (entity_id)
),
own_partner AS (
    SELECT pe.prisoner_number, q.partner_person_id
    FROM pe JOIN {partner_entity} AS q USING (entity_id)
),
homes AS (
    SELECT pa.person_id, pa.address_id, a.uprn
    FROM person_addresses AS pa JOIN addresses AS a USING (address_id)
    WHERE pa.address_role IN ('HOME', 'PREVIOUS_HOME')
),
small_addresses AS (
    SELECT address_id FROM homes GROUP BY address_id
    HAVING count(DISTINCT person_id) <= {CROWD}
),
small_homes AS (SELECT * FROM homes WHERE address_id IN (SELECT address_id FROM small_addresses)),
small_occurrences AS (
    SELECT occurrence_id FROM occurrence_persons GROUP BY occurrence_id
    HAVING count(DISTINCT person_id) <= {CROWD}
),
circle_persons AS (
    SELECT o.prisoner_number, r.related_person_id AS person_id
    FROM own AS o JOIN relationships AS r ON r.person_id = o.person_id
    UNION
    SELECT o.prisoner_number, r.person_id
    FROM own AS o JOIN relationships AS r ON r.related_person_id = o.person_id
    UNION
    SELECT o.prisoner_number, h2.person_id
    FROM own AS o JOIN small_homes AS h1 ON h1.person_id = o.person_id
    JOIN small_homes AS h2 ON h2.address_id = h1.address_id
    UNION
    SELECT o.prisoner_number, h2.person_id
    FROM own AS o JOIN small_homes AS h1 ON h1.person_id = o.person_id
    JOIN small_homes AS h2 ON h2.uprn = h1.uprn
    UNION
    SELECT o.prisoner_number, op2.person_id
    FROM own AS o JOIN occurrence_persons AS op1 ON op1.person_id = o.person_id
    JOIN small_occurrences AS so ON so.occurrence_id = op1.occurrence_id
    JOIN occurrence_persons AS op2 ON op2.occurrence_id = op1.occurrence_id
),
pp_clean AS ({pp_clean}),
circle_partners AS (
    SELECT o.prisoner_number, r.related_partner_person_id AS partner_person_id
    FROM own_partner AS o JOIN partner_relationships AS r USING (partner_person_id)
    UNION
    SELECT o.prisoner_number, r.partner_person_id
    FROM own_partner AS o
    JOIN partner_relationships AS r ON r.related_partner_person_id = o.partner_person_id
    UNION
    SELECT o.prisoner_number, p2.partner_person_id
    FROM own_partner AS o JOIN pp_clean AS p1 USING (partner_person_id)
    JOIN pp_clean AS p2 ON p2.pc = p1.pc
    UNION
    SELECT p.prisoner_number, q.partner_person_id
    FROM {prisoner_homes}
),
circle_records AS (  -- every standardised record of every candidate individual
    SELECT cp.prisoner_number, c2.entity_id, n.surname, n.forename1, n.forename_canon,
           n.forename_tokens, n.dob, n.sex
    FROM circle_persons AS cp JOIN {clusters} AS c1 ON c1.person_id = cp.person_id
    JOIN {clusters} AS c2 ON c2.entity_id = c1.entity_id
    JOIN {NOMINAL_RECORDS} AS n ON n.record_id = c2.person_id{partner_records}
),
contacts AS (
    SELECT k._row AS contact_row, k.prisoner_number, {surname_sql("k.last_name")} AS surname,
           t.tokens[1] AS forename1, coalesce(nn.canonical, t.tokens[1]) AS forename_canon,
           t.tokens AS forename_tokens, k.date_of_birth AS dob,
           {contact_sex_sql("k.relationship_code")} AS declared_sex,
           {_generation_sql("k.relationship_code")} AS generation,
           pr.date_of_birth AS prisoner_dob
    FROM prisoner_contacts AS k
    LEFT JOIN prisoners AS pr ON pr.prisoner_number = k.prisoner_number
    CROSS JOIN LATERAL (
        SELECT string_split({name_sql("replace(k.first_name, '-', ' ')")}, ' ') AS tokens
    ) AS t
    LEFT JOIN {NICKNAMES} AS nn ON nn.name = t.tokens[1]
),
scored AS (
    SELECT k.contact_row, r.entity_id,
           CASE WHEN k.forename1 = r.forename1 OR k.forename_canon = r.forename_canon THEN 2
                WHEN jaro_winkler_similarity(k.forename1, r.forename1) >= 0.92
                     OR list_has_any(k.forename_tokens, r.forename_tokens) THEN 1
                ELSE 0 END AS fn,
           CASE WHEN k.surname = r.surname THEN 2
                WHEN jaro_winkler_similarity(k.surname, r.surname) >= 0.88 THEN 1
                ELSE 0 END AS sn,
           CASE WHEN k.dob IS NULL OR r.dob IS NULL THEN 'missing'
                WHEN k.dob = r.dob
                     OR (year(k.dob) = year(r.dob) AND month(k.dob) = day(r.dob)
                         AND day(k.dob) = month(r.dob))
                     OR damerau_levenshtein(CAST(k.dob AS VARCHAR), CAST(r.dob AS VARCHAR)) <= 1
                     OR abs(date_diff('day', k.dob, r.dob)) <= 1 THEN 'agrees'
                ELSE 'conflict' END AS dob
    FROM contacts AS k JOIN circle_records AS r USING (prisoner_number)
    WHERE k.forename1 IS NOT NULL
      AND r.entity_id NOT IN (SELECT entity_id FROM pe WHERE pe.prisoner_number = k.prisoner_number)
      AND NOT (k.declared_sex IS NOT NULL AND r.sex IN ('M', 'F') AND r.sex <> k.declared_sex)
      AND NOT (k.generation = -1 AND r.dob IS NOT NULL AND k.prisoner_dob IS NOT NULL
               AND year(r.dob) - year(k.prisoner_dob) < {GENERATION_YEARS})
      AND NOT (k.generation = 1 AND r.dob IS NOT NULL AND k.prisoner_dob IS NOT NULL
               AND year(k.prisoner_dob) - year(r.dob) < {GENERATION_YEARS}){partner_scored}
),
probability AS (
    SELECT *,
           CASE WHEN dob = 'conflict' THEN 0.0
                WHEN fn = 2 AND sn = 2 AND dob = 'agrees' THEN 0.99
                WHEN fn = 2 AND sn = 2 THEN 0.97
                WHEN fn = 2 AND dob = 'agrees' THEN 0.96
                WHEN fn = 1 AND sn = 2 AND dob = 'agrees' THEN 0.96
                WHEN fn = 1 AND sn = 2 THEN 0.90
                WHEN fn = 2 AND sn = 1 THEN 0.90
                WHEN fn = 2 THEN 0.60
                ELSE 0.0 END AS match_probability
    FROM scored
),
best AS (
    SELECT contact_row, entity_id, max(match_probability) AS match_probability,
           arg_max(fn, match_probability) AS fn, arg_max(sn, match_probability) AS sn,
           arg_max(dob, match_probability) AS dob
    FROM probability WHERE match_probability > 0
    GROUP BY contact_row, entity_id
)
SELECT contact_row, entity_id, match_probability,
       row_number() OVER (PARTITION BY contact_row ORDER BY match_probability DESC, entity_id)
           AS rank,
       count(*) FILTER (WHERE true) OVER (PARTITION BY contact_row, match_probability) AS ties,
       concat_ws('; ',
           CASE fn WHEN 2 THEN 'forename the same (or another form of it)'
                   WHEN 1 THEN 'forename spelled nearly the same' END,
           CASE sn WHEN 2 THEN 'surname the same' WHEN 1 THEN 'surname spelled nearly the same'
                   ELSE 'surname different' END,
           CASE dob WHEN 'agrees' THEN 'date of birth agrees'
                    ELSE 'date of birth missing on one side' END,
           'within the prisoner''s circle') AS words
FROM best
""")
