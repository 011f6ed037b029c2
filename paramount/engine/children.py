"""The baseline's last step: route rows -> the output list (`children.csv`'s shape).

Columns are the contract's `CHILDREN_COLUMNS` in order, then extras for the worklist. The
baseline's confidence is 1.0 on every row, by definition rather than estimate: it takes a
child only on an exact identifier match (valid PNC/CRO) and a link a person recorded, which is
what the original Operation Paramount process acted on. Later methods calibrate theirs.
"""

from __future__ import annotations

from paramount.contract.tables import CHILDREN_COLUMNS
from paramount.engine.homes import (
    AREA_CTE,
    LPA_NAMES_CTE,
    area_join_sql,
    current_home_first_sql,
    home_lpa_sql,
)
from paramount.engine.pipeline import RunParameters, Step
from paramount.engine.sql import literal, long_date_sql

BASELINE_CONFIDENCE = 1.0
EXTRA_COLUMNS = ("lpa_name", "prisoner_name", "prison_name", "prisoner_lpa", "method")

_WORDS = {
    "PARENT": "parent",
    "STEP_PARENT": "step-parent",
    "GUARDIAN": "guardian",
    "CARER": "carer",
    "CHILD": "child",
    "STEP_CHILD": "stepchild",
}


def _words_sql(column: str, inverse: bool = False) -> str:
    pairs = (("CHILD", "PARENT"), ("STEP_CHILD", "STEP_PARENT")) if inverse else None
    if pairs:
        whens = " ".join(f"WHEN {literal(p)} THEN {literal(_WORDS[c])}" for c, p in pairs)
    else:
        whens = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in _WORDS.items())
    return f"CASE {column} {whens} ELSE lower({column}) END"


def _evidence_sql() -> str:
    """Plain words an analyst can check against the RMS, record by record."""
    recorded = long_date_sql("rc.recorded_at")
    source = (
        "'(source: ' || coalesce(rc.source, 'not recorded')"
        " || CASE WHEN rc.occurrence_id IS NOT NULL"
        " THEN ', occurrence ' || rc.occurrence_id ELSE '' END"
        f" || CASE WHEN rc.recorded_at IS NOT NULL THEN ', ' || {recorded} ELSE '' END || ')'"
    )
    link = (
        "CASE WHEN rc.recorded_as = 'FORWARD' "
        f"THEN 'Police record ' || rc.parent_id || ' is recorded as '"
        f" || {_words_sql('rc.relationship')} || ' of the child ' || rc.child_id "
        f"ELSE 'The child ' || rc.child_id || ' is recorded as '"
        f" || {_words_sql('rc.relationship', inverse=True)} || ' of police record '"
        " || rc.parent_id END"
    )
    more = (
        "CASE WHEN rc.link_records > 1 THEN ' ' || CAST(rc.link_records AS VARCHAR)"
        " || ' records link them; the strongest is shown.' ELSE '' END"
    )
    return f"pn.matched_text || ' ' || {link} || ' ' || {source} || '.' || {more}"


def children_sql(params: RunParameters) -> str:
    """Contract columns in contract order, then extras; one row per route row."""
    recorded = params.table("recorded_children")
    receptions = params.table("in_area")
    nominals = params.table("prisoner_nominals")
    columns = {
        "child_person_ids": "rc.child_id",
        "child_partner_ids": "CAST(NULL AS VARCHAR)",
        "child_surname": "c.surname",
        "child_forenames": "c.forenames",
        "child_date_of_birth": "c.date_of_birth",
        "child_sex": "c.sex",
        "child_age": "CAST(rc.child_age AS INTEGER)",
        "prisoner_number": "rc.prisoner_number",
        "booking_id": "rc.booking_id",
        "reception_date": "rc.reception_date",
        "parent_person_ids": "pn.parent_person_ids",
        "relationship": "rc.relationship",
        "confidence": f"CAST({BASELINE_CONFIDENCE} AS DOUBLE)",
        "evidence": _evidence_sql(),
        "sources": "rc.route",
        "address": "home.address",
        "postcode": "home.postcode",
        "lpa": "home.lpa",
        "lpa_name": "lpa_names.lpa_name",
        "prisoner_name": "r.prisoner_name",
        "prison_name": "r.prison_name",
        "prisoner_lpa": "r.prisoner_lpa",
        "method": literal(params.method),
    }
    assert tuple(columns)[: len(CHILDREN_COLUMNS)] == CHILDREN_COLUMNS
    select = ",\n       ".join(f"{expr} AS {name}" for name, expr in columns.items())
    return f"""
WITH parent_nominals AS (
    SELECT prisoner_number,
           array_to_string(list_sort(list(person_id)), ';') AS parent_person_ids,
           CASE WHEN count(*) = 1
                THEN 'Prisoner matched to police record ' || min(person_id)
                     || ' by ' || min(matched_on) || '.'
                ELSE 'Prisoner matched to police records '
                     || array_to_string(list_sort(list(person_id || ' (' || matched_on || ')')),
                                        ', ')
                     || '.' END AS matched_text
    FROM {nominals}
    GROUP BY prisoner_number
),
{AREA_CTE},
{LPA_NAMES_CTE},
homes AS (
    SELECT rc.booking_id, rc.prisoner_number, rc.child_id,
           concat_ws(', ', a.line1, a.line2, a.town) AS address,
           a.postcode,
           {home_lpa_sql("a")} AS lpa,
           row_number() OVER (
               PARTITION BY rc.booking_id, rc.prisoner_number, rc.child_id
               ORDER BY {current_home_first_sql("pa", "rc.reception_date")}
           ) AS pick
    FROM {recorded} AS rc
    JOIN person_addresses AS pa ON pa.person_id = rc.child_id AND pa.address_role = 'HOME'
    JOIN addresses AS a ON a.address_id = pa.address_id
    {area_join_sql("a")}
),
home AS (SELECT * FROM homes WHERE pick = 1)
SELECT {select}
FROM {recorded} AS rc
JOIN {receptions} AS r ON r.booking_id = rc.booking_id AND r.prisoner_number = rc.prisoner_number
JOIN persons AS c ON c.person_id = rc.child_id
JOIN parent_nominals AS pn ON pn.prisoner_number = rc.prisoner_number
LEFT JOIN home ON home.booking_id = rc.booking_id AND home.prisoner_number = rc.prisoner_number
               AND home.child_id = rc.child_id
LEFT JOIN lpa_names ON lpa_names.lpa = home.lpa
ORDER BY reception_date, prisoner_number, booking_id, child_age, child_person_ids
"""


CHILDREN = Step(
    "children",
    "The list: one row per child per reception, in the contract's columns",
    children_sql,
)
