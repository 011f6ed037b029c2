"""Route RMS_RELATIONSHIP: children recorded as such in the police `relationships` table.

A row `(P, C, r)` reads "P is the r of C". Forces record one direction, the other or both,
so the route reads both: r in `PARENT_CODES` makes P a parent figure of C, and r in
`CHILD_CODES` makes the *related* person the parent (CHILD -> PARENT, STEP_CHILD ->
STEP_PARENT). Grandparents, siblings, partners and associates never give a child.

The baseline takes a child only when the nominal's date of birth shows them under 18 on the
reception date (no date of birth, no child: the original process could not age them), keeps
one row per child nominal per reception, and when several records link them keeps the
strongest relationship: PARENT > STEP_PARENT > GUARDIAN > CARER.
"""

from __future__ import annotations

from paramount.contract.tables import CHILD_CODES, INVERSE_RELATIONSHIP, PARENT_CODES
from paramount.engine.pipeline import RunParameters, Step
from paramount.engine.routes.evidence import select_evidence
from paramount.engine.routes.links import directed_links_sql, ex_partners_children_sql
from paramount.engine.routes.route import AGAINST_FACTOR, Feature, PairColumn, Route
from paramount.engine.routes.step_ended import TOGETHER_SQL
from paramount.engine.sql import age_years_sql, in_list, literal, long_date_sql

CONTRACT_NAME = "RMS_RELATIONSHIP"
ADULT_AGE = 18
# Strength order when several records link the same parent figure and child.
STRENGTH = ("PARENT", "STEP_PARENT", "GUARDIAN", "CARER")


def _strength_sql(column: str) -> str:
    whens = " ".join(f"WHEN {literal(code)} THEN {i}" for i, code in enumerate(STRENGTH))
    return f"CASE {column} {whens} ELSE {len(STRENGTH)} END"


def _inverse_sql(column: str) -> str:
    whens = " ".join(
        f"WHEN {literal(code)} THEN {literal(INVERSE_RELATIONSHIP[code])}" for code in CHILD_CODES
    )
    return f"CASE {column} {whens} END"


def recorded_children_sql(params: RunParameters) -> str:
    """One row per (in-area reception, child nominal) with the record chosen as evidence."""
    receptions = params.table("in_area")
    nominals = params.table("prisoner_nominals")
    age = age_years_sql("c.date_of_birth", "r.reception_date")
    return f"""
WITH links AS (
    SELECT person_id AS parent_id, related_person_id AS child_id, relationship,
           'FORWARD' AS recorded_as, source, occurrence_id, recorded_at, _row AS relationship_row
    FROM relationships
    WHERE relationship IN {in_list(PARENT_CODES)}
    UNION ALL
    SELECT related_person_id AS parent_id, person_id AS child_id,
           {_inverse_sql("relationship")} AS relationship,
           'INVERSE' AS recorded_as, source, occurrence_id, recorded_at, _row AS relationship_row
    FROM relationships
    WHERE relationship IN {in_list(CHILD_CODES)}
),
candidates AS (
    SELECT r.booking_id, r.prisoner_number, r.reception_date,
           l.parent_id, n.matched_on AS parent_matched_on,
           l.child_id, l.relationship, l.recorded_as, l.source, l.occurrence_id,
           l.recorded_at, l.relationship_row,
           {age} AS child_age,
           {_strength_sql("l.relationship")} AS strength
    FROM {receptions} AS r
    JOIN {nominals} AS n ON n.prisoner_number = r.prisoner_number
    JOIN links AS l ON l.parent_id = n.person_id
    JOIN persons AS c ON c.person_id = l.child_id
    LEFT JOIN {nominals} AS self
           ON self.prisoner_number = r.prisoner_number AND self.person_id = l.child_id
    WHERE self.person_id IS NULL
      AND c.date_of_birth IS NOT NULL
      AND c.date_of_birth <= r.reception_date
      AND {age} < {ADULT_AGE}
),
counted AS (
    SELECT *,
           count(*) OVER (PARTITION BY booking_id, prisoner_number, child_id) AS link_records,
           row_number() OVER (
               PARTITION BY booking_id, prisoner_number, child_id
               ORDER BY strength, recorded_as, recorded_at DESC NULLS LAST, parent_id,
                        relationship_row
           ) AS pick
    FROM candidates
)
SELECT booking_id, prisoner_number, reception_date, child_id, child_age, relationship,
       parent_id, parent_matched_on, recorded_as, source, occurrence_id, recorded_at,
       relationship_row, link_records, {literal(CONTRACT_NAME)} AS route
FROM counted
WHERE pick = 1
"""


RECORDED_CHILDREN = Step(
    "recorded_children",
    "Children under 18 recorded as the child of a prisoner's nominal (either direction)",
    recorded_children_sql,
)


# -- the extended route (methods `full`, `routes-exact`): entities, both ways, and against --
def _kind_words_sql(kind: str, sex: str) -> str:
    """The adult's relation to the child in words: 'father', 'step-mother', 'sibling'."""
    return f"""CASE {kind}
        WHEN 'PARENT' THEN CASE {sex} WHEN 'M' THEN 'father' WHEN 'F' THEN 'mother'
                                       ELSE 'parent' END
        WHEN 'STEP' THEN CASE {sex} WHEN 'M' THEN 'step-father' WHEN 'F' THEN 'step-mother'
                                     ELSE 'step-parent' END
        WHEN 'GUARDIAN' THEN 'guardian or carer'
        WHEN 'GRAND' THEN 'grandparent'
        WHEN 'NOK' THEN 'next of kin'
        WHEN 'SIBLING' THEN 'sibling'
        WHEN 'ASSOCIATE' THEN 'associate'
        WHEN 'EX_PARTNERS_CHILD' THEN 'ex-partner of the child''s parent'
        ELSE lower({kind}) END"""


def evidence_rms_sql(params: RunParameters) -> str:
    """Recorded police links lifted to entities: a link on any nominal of either counts."""
    members = params.table("entity_members")
    entities = params.table("entities")
    words = _kind_words_sql("d.kind", "e.sex")
    when = long_date_sql("d.recorded_at")
    detail = (
        f"'recorded as ' || {words} || ' by the police ('"
        " || coalesce(lower(replace(d.source, '_', ' ')), 'source not recorded')"
        " || CASE WHEN d.occurrence_id IS NOT NULL"
        " THEN ', occurrence ' || d.occurrence_id ELSE '' END"
        f" || CASE WHEN d.recorded_at IS NOT NULL THEN ', ' || {when} ELSE '' END || ')'"
    )
    return f"""
WITH rms AS (
    SELECT record_id, entity_id FROM {members} WHERE source = 'RMS'
),
lifted AS (
    SELECT a.entity_id AS a_entity, b.entity_id AS b_entity, r.relationship AS code,
           r.source, r.occurrence_id, r.recorded_at,
           'relationship row ' || CAST(r._row AS VARCHAR) || ' (' || r.person_id || ' '
           || r.relationship || ' of ' || r.related_person_id || ')' AS record
    FROM relationships AS r
    JOIN rms AS a ON a.record_id = r.person_id
    JOIN rms AS b ON b.record_id = r.related_person_id
),
directed AS ({directed_links_sql("lifted")}),
ex_children AS ({ex_partners_children_sql("lifted", "directed")}),
rows AS (SELECT * FROM directed UNION ALL SELECT * FROM ex_children)
SELECT {
        select_evidence(
            adult_entity="d.adult_entity",
            child_entity="d.child_entity",
            route=literal(CONTRACT_NAME),
            kind="d.kind",
            relationship="d.relationship",
            against="d.against",
            events="1",
            first_seen="d.recorded_at",
            last_seen="d.recorded_at",
            records="d.record",
            detail=detail,
        )
    }
FROM rows AS d
LEFT JOIN {entities} AS e ON e.entity_id = d.adult_entity
"""


EVIDENCE_RMS = Step(
    "evidence_rms",
    "Recorded police links between entities, both directions, for and against a parent",
    evidence_rms_sql,
    window_free=True,
)

_ON = f"e.route = {literal(CONTRACT_NAME)}"
# the police's step link, over: an ex-partner record of the child's parent no older than the
# link, or a shared home ended and none now; unless the adult named the child's parent as his
# partner at the reception or they were recorded as partners since (`step_ended`, where the
# other sources' step claims are read)
_ENDED = (
    "((rms_ex_at IS NOT NULL AND rms_ex_at >= coalesce(rms_step_at, DATE '1900-01-01'))"
    f" OR (res_past = 1 AND res_cur = 0)) AND NOT {TOGETHER_SQL}"
)

ROUTE = Route(
    "recorded_relationships",
    CONTRACT_NAME,
    steps=(EVIDENCE_RMS,),
    list_order=1,
    pair_columns=(
        PairColumn("rms_parent", f"{_ON} AND e.kind = 'PARENT'"),
        PairColumn("rms_step", f"{_ON} AND e.kind = 'STEP'"),
        PairColumn("rms_guard", f"{_ON} AND e.kind = 'GUARDIAN'"),
        PairColumn("rms_grand", f"{_ON} AND e.kind = 'GRAND'"),
        PairColumn("rms_nok", f"{_ON} AND e.kind = 'NOK'"),
        PairColumn("rms_sibling", f"{_ON} AND e.kind IN ('SIBLING', 'ASSOCIATE')"),
        PairColumn("rms_exchild", f"{_ON} AND e.kind = 'EX_PARTNERS_CHILD'"),
        PairColumn(
            "rms_step_at",
            f"""max(CASE WHEN {_ON} AND e.kind = 'STEP'
                    THEN coalesce(e.first_seen, DATE '1900-01-01') END)""",
            flag=False,
        ),
        PairColumn(
            "rms_ex_at",
            f"""max(CASE WHEN {_ON} AND e.kind = 'EX_PARTNERS_CHILD'
                    THEN coalesce(e.first_seen, DATE '1900-01-01') END)""",
            flag=False,
        ),
        # Any route's guardian code (the final list's relationship for a guardian level).
        PairColumn(
            "guard_code", "max(CASE WHEN e.kind = 'GUARDIAN' THEN e.relationship END)", flag=False
        ),
    ),
    features=(
        Feature(
            "rms",
            levels={
                "CONFLICT": (0.01, 0.01),
                "PARENT": (0.3, 0.005),
                "STEP": (0.05, 0.002),
                "STEP_ENDED": (0.005, 0.005),
                "GUARDIAN": (0.01, 0.001),
                "GRAND": (0.005, 0.005),
                "NOK": (0.01, 0.005),
                "AGAINST": (0.01, 0.1),
                "NONE": (0.6, 0.87),
            },
            levels_sql=f"""CASE WHEN NOT rms_applicable THEN NULL
            WHEN rms_sibling = 1 AND (rms_parent = 1 OR rms_step = 1 OR rms_guard = 1)
                 THEN 'CONFLICT'
            WHEN rms_parent = 1 THEN 'PARENT'
            WHEN rms_step = 1 AND ({_ENDED}) THEN 'STEP_ENDED'
            WHEN rms_step = 1 THEN 'STEP'
            WHEN rms_guard = 1 THEN 'GUARDIAN'
            WHEN rms_grand = 1 THEN 'GRAND'
            WHEN rms_sibling = 1 THEN 'AGAINST'
            WHEN rms_nok = 1 THEN 'NOK'
            ELSE 'NONE' END""",
            applies="rms_applicable",
            # a sibling or associate, an ended step-relationship: not a current parent figure;
            # a conflict (sibling and parent records both) says nothing either way
            fixed={"AGAINST": AGAINST_FACTOR, "STEP_ENDED": AGAINST_FACTOR, "CONFLICT": 1.0},
            record=True,
        ),
    ),
)
