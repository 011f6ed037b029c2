"""Route THROUGH_PARENT: a child reached only through the other parent.

A non-resident parent is often linked to no record of the child at all: what is recorded is
the couple (the police's PARTNER or EX_PARTNER link, either direction; social care's; a
WIFE/HUS/PART contact the prisoner declared; a domestic abuse occurrence with the two as
offender and victim or both involved) and, separately, the other parent and the child (a
PARENT/CHILD link by the police or social care, the child declared to the prison by that
parent, or the child living with her as a mother would). This route joins the two: one row per
(adult, child) with the strongest such path, its kind saying what weighs for or against the
adult being the child's own parent rather than the partner's child by someone else:

- `OTHER_PARENT`: another adult of the adult's sex is recorded as the child's parent (the
  partner's child by another father): the path says nothing about this adult;
- `AFTER`: the child was born more than `GESTATION_DAYS` after the relationship was last
  recorded, and it was last recorded as ended;
- `LATER`: born more than `LAG_DAYS` and `GESTATION_DAYS` after the couple was last recorded
  together, and not recorded as ended: the records say nothing of the relationship then (a
  couple seen at one domestic incident years before the birth), so the child is not dated
  into it; the model weighs the level as it learns it;
- `DURING`: born no more than `LAG_DAYS` before the relationship was first recorded (records
  lag a relationship), or its records carry no date (a declared partner);
- `BEFORE`: born earlier than that (an ex-partner recorded years later, or her older child);
- `HOME`: as `DURING`/`BEFORE`, but the other parent's tie to the child is only a shared home.

The surname and the age gap are the model's own features of every pair. The decision takes
the route's level only for pairs no direct route connects (`tp_direct`): where a record, a
home or an incident links the adult and the child themselves, the couple's records are the
same family seen again, not independent evidence, and are left out of the product.
"""

from __future__ import annotations

from paramount.engine.entities import entities_view_sql
from paramount.engine.pipeline import LEARNT, RunParameters, Step
from paramount.engine.routes.evidence import select_evidence
from paramount.engine.routes.prisoner_contacts import PARTNER_CONTACT_CODES
from paramount.engine.routes.route import Feature, PairColumn, Route
from paramount.engine.sql import in_list, literal

CONTRACT_NAME = "THROUGH_PARENT"
LAG_DAYS = 730  # a couple's first record may come a year or two after the relationship began
GESTATION_DAYS = 300  # born this long after the relationship ended: not of that relationship
PARTNER_GAP_YEARS = 15  # two adults at a domestic incident this far apart in age: kin, not a couple
MOTHER_GAP = (15, 50)  # a woman living with a child, old enough and young enough to be the mother
OFFENDER_ROLES = ("OFFENDER", "SUSPECT")
PARTY_ROLES = ("VICTIM", "INVOLVED_PARTY")
# police links that make two adults kin rather than a couple
KIN_CODES = (
    "PARENT",
    "CHILD",
    "STEP_PARENT",
    "STEP_CHILD",
    "SIBLING",
    "GRANDPARENT",
    "GRANDCHILD",
)
# the couple's record, strongest first: (source, words before "the child's mother")
_COUPLE_RANK = (
    "CASE source WHEN 'POLICE' THEN 0 WHEN 'SOCIAL_CARE' THEN 1 WHEN 'CONTACT' THEN 2 ELSE 3 END"
)
_KIND_RANK = (
    "CASE kind WHEN 'OTHER_PARENT' THEN 0 WHEN 'DURING' THEN 1 WHEN 'BEFORE' THEN 2 "
    "WHEN 'HOME' THEN 3 ELSE 4 END"
)


def _couples_sql(params: RunParameters) -> str:
    """(adult, other, ex, source, on_date, words, record): one row per record of a couple,
    both ways round."""
    members = params.table("entity_members")
    entities = params.table("entities")
    partner_codes = in_list(PARTNER_CONTACT_CODES)
    return f"""
rms AS (SELECT record_id, entity_id FROM {members} WHERE source = 'RMS'),
pp AS (SELECT record_id, entity_id FROM {members} WHERE source = 'PARTNER'),
police AS (
    SELECT a.entity_id AS x, b.entity_id AS y, r.relationship AS code, r.recorded_at,
           'relationship row ' || CAST(r._row AS VARCHAR) AS record
    FROM relationships AS r
    JOIN rms AS a ON a.record_id = r.person_id
    JOIN rms AS b ON b.record_id = r.related_person_id
    WHERE a.entity_id <> b.entity_id
),
kin AS (
    SELECT DISTINCT x, y FROM police WHERE code IN {in_list(KIN_CODES)}
    UNION SELECT DISTINCT y, x FROM police WHERE code IN {in_list(KIN_CODES)}
),
social AS (
    SELECT a.entity_id AS x, b.entity_id AS y, r.relationship AS code,
           'partner link ' || r.partner_person_id || ' ' || r.relationship || ' of '
           || r.related_partner_person_id AS record
    FROM partner_relationships AS r
    JOIN pp AS a ON a.record_id = r.partner_person_id
    JOIN pp AS b ON b.record_id = r.related_partner_person_id
    WHERE r.relationship IN ('PARTNER', 'EX_PARTNER') AND a.entity_id <> b.entity_id
),
presence AS (
    SELECT DISTINCT op.occurrence_id, m.entity_id, op.role, CAST(o.reported_at AS DATE) AS on_date
    FROM occurrence_persons AS op
    JOIN occurrences AS o ON o.occurrence_id = op.occurrence_id
    JOIN rms AS m ON m.record_id = op.person_id
    WHERE o.occurrence_type = 'DOMESTIC_ABUSE'
),
domestic AS (
    SELECT DISTINCT a.entity_id AS x, b.entity_id AS y, a.occurrence_id, a.on_date
    FROM presence AS a
    JOIN presence AS b ON b.occurrence_id = a.occurrence_id AND b.entity_id <> a.entity_id
    JOIN {entities} AS ea ON ea.entity_id = a.entity_id
    JOIN {entities} AS eb ON eb.entity_id = b.entity_id
    LEFT JOIN kin ON kin.x = a.entity_id AND kin.y = b.entity_id
    WHERE ((a.role IN {in_list(OFFENDER_ROLES)} AND b.role IN {in_list(PARTY_ROLES)})
        OR (b.role IN {in_list(OFFENDER_ROLES)} AND a.role IN {in_list(PARTY_ROLES)})
        OR (a.role = 'INVOLVED_PARTY' AND b.role = 'INVOLVED_PARTY'))
      AND ea.date_of_birth IS NOT NULL AND eb.date_of_birth IS NOT NULL
      AND abs(year(ea.date_of_birth) - year(eb.date_of_birth)) <= {PARTNER_GAP_YEARS}
      AND kin.x IS NULL
),
couple_rows AS (
    SELECT x AS adult, y AS other, code = 'EX_PARTNER' AS ex, 'POLICE' AS source,
           recorded_at AS on_date, record
    FROM police WHERE code IN ('PARTNER', 'EX_PARTNER')
    UNION ALL
    SELECT y, x, code = 'EX_PARTNER', 'POLICE', recorded_at, record
    FROM police WHERE code IN ('PARTNER', 'EX_PARTNER')
    UNION ALL
    SELECT x, y, code = 'EX_PARTNER', 'SOCIAL_CARE', CAST(NULL AS DATE), record FROM social
    UNION ALL
    SELECT y, x, code = 'EX_PARTNER', 'SOCIAL_CARE', CAST(NULL AS DATE), record FROM social
    UNION ALL
    SELECT p.entity_id, k.entity_id, FALSE, 'CONTACT', CAST(NULL AS DATE),
           'contact row ' || CAST(c._row AS VARCHAR) || ' of ' || c.prisoner_number
    FROM prisoner_contacts AS c
    JOIN {members} AS p ON p.source = 'PRISONER' AND p.record_id = c.prisoner_number
    JOIN {members} AS k ON k.source = 'CONTACT' AND k.record_id = CAST(c._row AS VARCHAR)
    WHERE c.relationship_code IN {partner_codes} AND p.entity_id <> k.entity_id
    UNION ALL
    SELECT x, y, FALSE, 'DOMESTIC', on_date, 'occurrence ' || occurrence_id FROM domestic
),
couples AS (
    SELECT adult, other,
           min(on_date) AS first_on, max(on_date) AS last_on,
           max(CASE WHEN ex THEN on_date END) AS last_ex,
           -- a later record of the couple as current (a domestic incident says neither)
           max(CASE WHEN NOT ex AND source <> 'DOMESTIC' THEN on_date END) AS last_cur,
           bool_or(ex) AS any_ex,
           -- the prisoner named the other parent as his partner at the reception: the
           -- couple is together now
           bool_or(source = 'CONTACT') AS declared,
           count(*) FILTER (WHERE source = 'DOMESTIC') AS incidents,
           arg_min(source, ({_COUPLE_RANK}) * 10 + CASE WHEN ex THEN 0 ELSE 1 END) AS source,
           array_to_string(list_sort(list_distinct(list(record)))[1:5], ', ') AS records
    FROM couple_rows
    GROUP BY adult, other
)"""


def _parents_sql(params: RunParameters) -> str:
    """(parent, child, basis, words, record): the other parent's tie to the child."""
    ents = params.table("entities")
    lo, hi = MOTHER_GAP
    return f"""
parent_rows AS (
    SELECT adult_entity AS parent, child_entity AS child, 'RECORD' AS basis, 0 AS rank,
           'is recorded as the child''s parent by the police' AS words, records
    FROM {params.table("evidence_rms")} WHERE kind = 'PARENT' AND NOT against
    UNION ALL
    SELECT adult_entity, child_entity, 'RECORD', 1,
           'is recorded as the child''s parent by social care', records
    FROM {params.table("evidence_partner")} WHERE kind = 'PARENT' AND NOT against
    UNION ALL
    SELECT adult_entity, child_entity, 'RECORD', 2,
           'declared the child to the prison as a son or daughter', records
    FROM {params.table("evidence_contacts")} WHERE kind = 'PARENT' AND NOT against
    UNION ALL
    SELECT r.adult_entity, r.child_entity, 'HOME', 3, 'lives with the child', r.records
    FROM {params.table("evidence_residence")} AS r
    JOIN {ents} AS m ON m.entity_id = r.adult_entity
    JOIN {ents} AS c ON c.entity_id = r.child_entity
    WHERE r.kind = 'HOME' AND m.sex = 'F'
      AND year(c.date_of_birth) - year(m.date_of_birth) BETWEEN {lo} AND {hi}
),
parents AS (
    SELECT parent, child, arg_min(basis, rank) AS basis, arg_min(words, rank) AS words,
           arg_min(records, rank) AS record
    FROM parent_rows GROUP BY parent, child
)"""


def _born_later_sql(born: str, last_together: str, together_now: str) -> str:
    """SQL: the child was born years after the couple was last recorded together (records lag
    a relationship's end as they lag its start), and they are not declared together now."""
    return (
        f"NOT coalesce({together_now}, FALSE) AND {born} "
        f"> {last_together} + INTERVAL {LAG_DAYS + GESTATION_DAYS} DAY"
    )


def _couple_words_sql() -> str:
    """The couple's strongest record in words, before "the child's mother"."""
    return """CASE t.source
        WHEN 'POLICE' THEN 'recorded by the police as '
             || CASE WHEN t.any_ex THEN 'ex-partner' ELSE 'partner' END || ' of '
        WHEN 'SOCIAL_CARE' THEN 'recorded by social care as '
             || CASE WHEN t.any_ex THEN 'ex-partner' ELSE 'partner' END || ' of '
        WHEN 'CONTACT' THEN 'declared to the prison as the partner of '
        ELSE 'present with '
        END"""


def evidence_through_sql(params: RunParameters) -> str:
    ents = params.table("entities")
    pronoun = "CASE om.sex WHEN 'F' THEN 'she' WHEN 'M' THEN 'he' ELSE 'that parent' END"
    other_word = "CASE om.sex WHEN 'F' THEN 'mother' WHEN 'M' THEN 'father' ELSE 'parent' END"
    self_word = "CASE t.adult_sex WHEN 'F' THEN 'mother' WHEN 'M' THEN 'father' ELSE 'parent' END"
    dates = (
        "CASE WHEN t.first_on IS NULL THEN '' "
        "WHEN year(t.first_on) = year(t.last_on) "
        "THEN ' (' || CAST(year(t.first_on) AS VARCHAR) || ')' "
        "ELSE ' (' || CAST(year(t.first_on) AS VARCHAR) || ' to ' "
        "|| CAST(year(t.last_on) AS VARCHAR) || ')' END"
    )
    incidents = (
        "CASE WHEN t.source = 'DOMESTIC' THEN CASE WHEN t.incidents = 1 "
        "THEN ' at a domestic abuse occurrence' ELSE ' at ' || CAST(t.incidents AS VARCHAR) "
        "|| ' domestic abuse occurrences' END ELSE '' END"
    )
    born = "CAST(year(c.date_of_birth) AS VARCHAR)"
    timing = f"""CASE t.timing
        WHEN 'AFTER' THEN '; the child was born in ' || {born}
             || ', after the relationship was recorded as ended'
        WHEN 'BEFORE' THEN '; the child was born in ' || {born}
             || ', before the relationship was first recorded'
        WHEN 'DURING' THEN '; the child was born in ' || {born}
             || ', around or during the relationship'
        WHEN 'LATER' THEN '; the child was born in ' || {born}
             || ', years after the two were last recorded together'
        ELSE '' END
        || CASE WHEN t.other_parent THEN '; another '
                || {self_word} || ' is recorded as the child''s parent'
           ELSE '' END"""
    surname = """CASE WHEN a.surname IS NULL OR c.surname IS NULL THEN ''
        WHEN upper(trim(a.surname)) = upper(trim(c.surname))
             THEN '; the child has the prisoner''s surname'
        ELSE '; the child''s surname is not the prisoner''s' END"""
    detail = (
        f"{_couple_words_sql()} || 'the child''s ' || {other_word} || {incidents} || {dates} "
        f"|| '; ' || {pronoun} || ' ' || t.parent_words || {timing} || {surname}"
    )
    # open_ended: the couple still together (declared as partners at the reception);
    # current_at: the newest record of them as partners
    return f"""
WITH {_couples_sql(params)},
{_parents_sql(params)},
paths AS (
    SELECT cp.adult, p.child, cp.other, cp.first_on, cp.last_on, cp.last_ex, cp.last_cur,
           cp.any_ex, cp.declared, cp.incidents, cp.source, cp.records AS couple_records,
           p.basis, p.words AS parent_words, p.record AS parent_record
    FROM couples AS cp
    JOIN parents AS p ON p.parent = cp.other
    WHERE p.child <> cp.adult
),
-- another adult of the adult's sex recorded as the child's parent (not one of the adult's
-- own records that identity left apart: same surname, born within a year)
others AS (
    SELECT DISTINCT x.adult, x.child
    FROM paths AS x
    JOIN {ents} AS a ON a.entity_id = x.adult
    JOIN parents AS q ON q.child = x.child AND q.basis = 'RECORD'
    JOIN {ents} AS o ON o.entity_id = q.parent
    WHERE q.parent <> x.adult AND q.parent <> x.other AND o.sex = a.sex
      AND NOT (upper(trim(o.surname)) IS NOT DISTINCT FROM upper(trim(a.surname))
               AND (o.date_of_birth IS NULL OR a.date_of_birth IS NULL
                    OR abs(year(o.date_of_birth) - year(a.date_of_birth)) <= 1))
),
timed AS (
    SELECT x.*, a.sex AS adult_sex,
           o.adult IS NOT NULL AS other_parent,
           CASE WHEN c.date_of_birth IS NULL OR x.first_on IS NULL THEN 'UNDATED'
                WHEN x.last_ex IS NOT NULL AND (x.last_cur IS NULL OR x.last_cur <= x.last_ex)
                     AND c.date_of_birth > x.last_ex + INTERVAL {GESTATION_DAYS} DAY THEN 'AFTER'
                WHEN {_born_later_sql("c.date_of_birth", "x.last_on", "x.declared")} THEN 'LATER'
                WHEN c.date_of_birth >= x.first_on - INTERVAL {LAG_DAYS} DAY THEN 'DURING'
                ELSE 'BEFORE' END AS timing
    FROM paths AS x
    JOIN {ents} AS a ON a.entity_id = x.adult
    JOIN {ents} AS c ON c.entity_id = x.child
    LEFT JOIN others AS o ON o.adult = x.adult AND o.child = x.child
),
kinds AS (
    SELECT *,
           CASE WHEN other_parent THEN 'OTHER_PARENT' WHEN timing = 'AFTER' THEN 'AFTER'
                WHEN timing = 'LATER' THEN 'LATER'
                WHEN basis = 'HOME' THEN 'HOME' WHEN timing = 'BEFORE' THEN 'BEFORE'
                ELSE 'DURING' END AS kind
    FROM timed
),
best AS (
    SELECT *, row_number() OVER (
               PARTITION BY adult, child
               ORDER BY {_KIND_RANK}, {_COUPLE_RANK}, last_on DESC NULLS LAST, other
           ) AS pick
    FROM kinds
)
SELECT {
        select_evidence(
            adult_entity="t.adult",
            child_entity="t.child",
            route=literal(CONTRACT_NAME),
            kind="t.kind",
            against="FALSE",
            events="1",
            first_seen="t.first_on",
            last_seen="t.last_on",
            open_ended="t.declared",
            current_at="CASE WHEN t.last_ex IS NULL OR t.last_cur > t.last_ex THEN t.last_cur END",
            records="t.couple_records || '; ' || t.parent_record",
            detail=detail,
        )
    }
FROM best AS t
JOIN {ents} AS a ON a.entity_id = t.adult
JOIN {ents} AS c ON c.entity_id = t.child
JOIN {ents} AS om ON om.entity_id = t.other
WHERE t.pick = 1
"""


EVIDENCE_THROUGH = Step(
    "evidence_through",
    "Children reached through the other parent: the couple's records and that parent's",
    evidence_through_sql,
    window_free=True,
)


def own_share_sql(params: RunParameters) -> str:
    """P(the path leads to the adult's own child | the path's timing, the surname level), from
    the children whose parent of the adult's sex is on record: of the paths to them, those
    whose adult is that recorded parent against those to a child with another recorded parent
    of the adult's sex (`OTHER_PARENT`), by whether the child has the adult's surname
    (`l_surname`; a row with NULL: all paths), add-one smoothed. Timing: a row with `level`
    'LATER' is for paths to a child born years after the couple was last recorded together
    (`OTHER_PARENT` paths are timed by the same dates), a row with NULL for every other path:
    on development worlds the later paths led to the adult's own child 6 to 13 points less
    often. The same chance for a child whose parent is not on record is the assumption
    (whether a parent is recorded does not depend on which partner he was)."""
    ev = params.table("evidence")
    through = params.table("evidence_through")
    ents = entities_view_sql(params)
    later_by_dates = _born_later_sql("c.date_of_birth", "t.last_seen", "t.open_ended")
    return f"""
WITH recorded AS (
    SELECT DISTINCT adult_entity, child_entity FROM {ev}
    WHERE route IN ('RMS_RELATIONSHIP', 'PARTNER', 'PRISON_CONTACT') AND kind = 'PARENT'
      AND NOT against
),
paths AS (
    SELECT t.kind = 'OTHER_PARENT' AS other,
           r.adult_entity IS NOT NULL AND t.kind <> 'OTHER_PARENT' AS own,
           CASE WHEN t.kind IN ('LATER', 'AFTER')
                     OR (t.kind = 'OTHER_PARENT' AND coalesce({later_by_dates}, FALSE))
                THEN 'LATER' END AS level,
           CASE WHEN a.surname IS NULL OR c.surname IS NULL THEN NULL
                WHEN upper(trim(a.surname)) = upper(trim(c.surname)) THEN 'SAME'
                ELSE 'DIFF' END AS l_surname
    FROM {through} AS t
    JOIN {ents} AS a ON a.entity_id = t.adult_entity
    JOIN {ents} AS c ON c.entity_id = t.child_entity
    LEFT JOIN recorded AS r ON r.adult_entity = t.adult_entity AND r.child_entity = t.child_entity
),
cells AS (
    SELECT level, l_surname, own, other FROM paths WHERE l_surname IS NOT NULL
    UNION ALL SELECT level, CAST(NULL AS VARCHAR), own, other FROM paths
)
SELECT level, l_surname,
       (count(*) FILTER (WHERE own) + 1.0)
       / (count(*) FILTER (WHERE own) + count(*) FILTER (WHERE other) + 2.0) AS p,
       count(*) FILTER (WHERE own) AS own_paths,
       count(*) FILTER (WHERE other) AS other_paths
FROM cells
GROUP BY level, l_surname
"""


THROUGH_SHARE = Step(
    "through_share",
    "Share of paths through the other parent that lead to the adult's own child",
    own_share_sql,
    model=LEARNT,
)

_ON = f"e.route = {literal(CONTRACT_NAME)}"

ROUTE = Route(
    "through_parent",
    CONTRACT_NAME,
    steps=(EVIDENCE_THROUGH,),
    list_order=6,
    share=THROUGH_SHARE,
    pair_columns=(
        PairColumn("tp_during", f"{_ON} AND e.kind = 'DURING'"),
        PairColumn("tp_before", f"{_ON} AND e.kind = 'BEFORE'"),
        PairColumn("tp_home", f"{_ON} AND e.kind = 'HOME'"),
        PairColumn("tp_after", f"{_ON} AND e.kind = 'AFTER'"),
        PairColumn("tp_later", f"{_ON} AND e.kind = 'LATER'"),
        PairColumn("tp_other", f"{_ON} AND e.kind = 'OTHER_PARENT'"),
        # any route that links the adult and the child themselves (the police's "ex-partner
        # of the child's parent" is this route's own path again, not a direct link)
        PairColumn("tp_direct", f"NOT ({_ON}) AND e.kind <> 'EX_PARTNERS_CHILD'"),
        # the adult is the partner of the child's parent now (declared at the reception): a
        # step-relationship through that parent is not over (`step_ended`)
        PairColumn("tp_together", f"{_ON} AND coalesce(e.open_ended, FALSE)"),
        # the newest record of the adult and the child's parent as partners (`step_ended`)
        PairColumn("tp_partner_at", f"max(CASE WHEN {_ON} THEN e.current_at END)", flag=False),
    ),
    features=(
        Feature(
            "through",
            levels={
                "DURING": (0.05, 0.0001),
                "BEFORE": (0.03, 0.0001),
                "HOME": (0.02, 0.0001),
                "LATER": (0.005, 0.0001),
                "AFTER": (0.001, 0.0001),
                "OTHER_PARENT": (0.005, 0.0001),
                "NONE": (0.9, 0.9995),
            },
            levels_sql="""CASE WHEN NOT through_applicable OR tp_direct = 1 THEN NULL
            WHEN tp_other = 1 THEN 'OTHER_PARENT'
            WHEN tp_during = 1 THEN 'DURING' WHEN tp_before = 1 THEN 'BEFORE'
            WHEN tp_home = 1 THEN 'HOME' WHEN tp_later = 1 THEN 'LATER'
            WHEN tp_after = 1 THEN 'AFTER'
            ELSE 'NONE' END""",
            applies="through_applicable",
            # the partner's child by another recorded parent, or born after the relationship
            # ended: the path is no evidence for this adult either way
            fixed={"OTHER_PARENT": 1.0, "AFTER": 1.0},
            alone=True,
        ),
    ),
)
