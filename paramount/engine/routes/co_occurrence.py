"""Route CO_OCCURRENCE: an adult and a child present together, as a family, at incidents.

The person-occurrence bipartite network is projected onto adult-child pairs, keeping only
family-shaped presence: occurrence types where families appear as families (domestic abuse,
child protection, concern for welfare, missing person), the child as involved party,
vulnerable child, witness or missing person (or a victim when the adult is a fellow victim
or the one reporting), the adult as victim, person reporting or involved party (or the
offender or suspect at a domestic abuse or child protection occurrence where the child was a
dependant present or a witness: domestic abuse is within a household by definition, and a
child protection concern is about the child's carers). An offender or suspect and a child
victim are never a family on that account.

Two numbers come with each pair:

- `weight`, a resource-allocation/Adamic-Adar sum over the shared occurrences of
  1/ln(1 + people at the occurrence): two people alone at an incident are closer than two of
  twenty;
- `surprise`, -log10 of a Poisson tail: if the adult's a and the child's c family-shaped
  occurrences were placed independently among all N of them, they would share about
  lambda = a*c/N; P(X >= shared) is the chance of seeing at least the observed overlap.
  A prolific victim and a child at many welfare calls share one incident by chance more
  easily than two people seen once each.

An occurrence at which the police recorded a relationship between the two (a link row whose
`occurrence_id` it is) is left out: the link is that event's record, and counting the same
incident again as co-occurrence would give one event the weight of two independent ones (a
mother's boyfriend written down once as "parent" at a call-out would look corroborated). So
is an occurrence at which the adult was linked to a nominal not listed at it: that nominal is
one of the people there under another record (a child's second nominal that identity left
apart), and which one cannot be told, so the occurrence counts for none of them.
"""

from __future__ import annotations

import math

from paramount.engine.pipeline import RunParameters, Step
from paramount.engine.routes.evidence import select_evidence
from paramount.engine.routes.home_occ import HOME_OCC
from paramount.engine.routes.route import PairColumn, Route
from paramount.engine.sql import in_list, literal, long_date_sql

CONTRACT_NAME = "CO_OCCURRENCE"
FAMILY_TYPES = ("DOMESTIC_ABUSE", "CHILD_PROTECTION", "CONCERN_FOR_WELFARE", "MISSING_PERSON")
CHILD_ROLES = ("INVOLVED_PARTY", "VULNERABLE_CHILD", "WITNESS", "MISSING_PERSON")
ADULT_ROLES = ("VICTIM", "PERSON_REPORTING", "INVOLVED_PARTY")
OFFENDER_ROLES = ("OFFENDER", "SUSPECT")
DEPENDANT_ROLES = ("INVOLVED_PARTY", "VULNERABLE_CHILD", "WITNESS")
HOUSEHOLD_TYPES = ("DOMESTIC_ABUSE", "CHILD_PROTECTION")
MAX_TERMS = 12  # Poisson tail terms: shared counts above this are capped (p is tiny anyway)

_TYPE_WORDS = {
    "DOMESTIC_ABUSE": "domestic abuse",
    "CHILD_PROTECTION": "child protection",
    "CONCERN_FOR_WELFARE": "concern for welfare",
    "MISSING_PERSON": "missing person",
}


def _poisson_upper_tail_sql(lam: str, k: str) -> str:
    """-log10 of min(1, lam^k / k!), a bound on P(X >= k) for X ~ Poisson(lam).

    P(X >= k) = e^-lam * sum_{i>=k} lam^i/i! <= lam^k/k! (each later term is at most
    lam^j/j! times the first, and those sum to e^lam), so the surprise is never overstated;
    for the small lam of two people's rare events it is close to exact. Factorials are
    literals (k is capped at MAX_TERMS), so it is plain arithmetic on every engine."""
    facts = " ".join(f"WHEN {i} THEN {float(math.factorial(i))!r}" for i in range(MAX_TERMS + 1))
    bound = f"power({lam}, {k}) / CASE {k} {facts} END"
    return f"-log10(greatest(least({bound}, 1.0), 1e-300))"


def evidence_occurrence_sql(params: RunParameters) -> str:
    members = params.table("entity_members")
    types = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in _TYPE_WORDS.items())
    return f"""
WITH presence AS (
    SELECT DISTINCT op.occurrence_id, m.entity_id, op.role, op.person_id,
           o.occurrence_type, CAST(o.reported_at AS DATE) AS reported_on
    FROM occurrence_persons AS op
    JOIN occurrences AS o ON o.occurrence_id = op.occurrence_id
    JOIN {members} AS m ON m.source = 'RMS' AND m.record_id = op.person_id
    WHERE o.occurrence_type IN {in_list(FAMILY_TYPES)}
),
size AS (
    SELECT occurrence_id, count(DISTINCT entity_id) AS people FROM presence
    GROUP BY occurrence_id
),
together AS (
    SELECT a.entity_id AS adult_entity, c.entity_id AS child_entity, a.occurrence_id,
           a.occurrence_type, a.reported_on, s.people,
           a.person_id AS a_person, c.person_id AS c_person
    FROM presence AS a
    JOIN presence AS c ON c.occurrence_id = a.occurrence_id AND c.entity_id <> a.entity_id
    JOIN size AS s ON s.occurrence_id = a.occurrence_id
    WHERE (c.role IN {in_list(CHILD_ROLES)} AND a.role IN {in_list(ADULT_ROLES)})
       OR (c.role = 'VICTIM' AND a.role IN ('VICTIM', 'PERSON_REPORTING'))
       OR (a.occurrence_type IN {in_list(HOUSEHOLD_TYPES)} AND a.role IN {in_list(OFFENDER_ROLES)}
           AND c.role IN {in_list(DEPENDANT_ROLES)})
),
-- an occurrence at which the police recorded a link between the two is that link's
-- evidence, not a second, independent piece beside it (one event counted once)
links AS (
    SELECT r.person_id AS xp, r.related_person_id AS yp, r.occurrence_id
    FROM relationships AS r WHERE r.occurrence_id IS NOT NULL
    UNION ALL
    SELECT r.related_person_id, r.person_id, r.occurrence_id
    FROM relationships AS r WHERE r.occurrence_id IS NOT NULL
),
linked AS (
    SELECT DISTINCT a.entity_id AS x, b.entity_id AS y, l.occurrence_id,
           NOT EXISTS (
               SELECT 1 FROM occurrence_persons AS op
               WHERE op.occurrence_id = l.occurrence_id AND op.person_id = l.yp
           ) AS absent
    FROM links AS l
    JOIN {members} AS a ON a.source = 'RMS' AND a.record_id = l.xp
    JOIN {members} AS b ON b.source = 'RMS' AND b.record_id = l.yp
),
per_event AS (
    SELECT t.adult_entity, t.child_entity, t.occurrence_id,
           min(t.occurrence_type) AS occurrence_type, min(t.reported_on) AS reported_on,
           min(t.people) AS people,
           CASE min(t.occurrence_type) {types} END AS type_words
    FROM together AS t
    WHERE NOT EXISTS (
        SELECT 1 FROM linked AS l
        WHERE l.occurrence_id = t.occurrence_id AND l.x = t.adult_entity
          AND (l.y = t.child_entity OR l.absent)
    )
    GROUP BY t.adult_entity, t.child_entity, t.occurrence_id
),
degree AS (
    SELECT entity_id, count(DISTINCT occurrence_id) AS events FROM presence GROUP BY entity_id
),
total AS (SELECT count(DISTINCT occurrence_id) AS n FROM presence),
pairs AS (
    SELECT e.adult_entity, e.child_entity,
           count(*) AS shared,
           sum(1.0 / ln(1 + e.people)) AS weight,
           min(e.reported_on) AS first_seen, max(e.reported_on) AS last_seen,
           arg_min(e.occurrence_type, e.reported_on) AS first_type,
           array_to_string(list_sort(list(e.occurrence_id))[1:10], ', ') AS records,
           array_to_string(list_sort(list_distinct(list(e.type_words))), ', ') AS types
    FROM per_event AS e
    GROUP BY e.adult_entity, e.child_entity
),
scored AS (
    SELECT p.*, CAST(da.events AS DOUBLE) * dc.events / t.n AS lam
    FROM pairs AS p
    JOIN degree AS da ON da.entity_id = p.adult_entity
    JOIN degree AS dc ON dc.entity_id = p.child_entity
    CROSS JOIN total AS t
)
SELECT {
        select_evidence(
            adult_entity="adult_entity",
            child_entity="child_entity",
            route=literal(CONTRACT_NAME),
            kind="'FAMILY'",
            against="FALSE",
            weight="weight",
            surprise=_poisson_upper_tail_sql("lam", f"least(shared, {MAX_TERMS})"),
            events="shared",
            first_seen="first_seen",
            last_seen="last_seen",
            records="'occurrence ' || records",
            detail="'present together at ' || CASE WHEN shared = 1 THEN 'a ' || "
            f"CASE first_type {types} END || ' occurrence' "
            "ELSE CAST(shared AS VARCHAR) || ' family occurrences (' || types || ')' END",
        )
    }
FROM scored
"""


EVIDENCE_OCCURRENCE = Step(
    "evidence_occurrence",
    "Family-shaped presence together at occurrences: weighted, with a Poisson surprise",
    evidence_occurrence_sql,
    window_free=True,
)

_ON = f"e.route = {literal(CONTRACT_NAME)}"
_FIRST = long_date_sql("e.first_seen")

ROUTE = Route(
    "co_occurrence",
    CONTRACT_NAME,
    steps=(EVIDENCE_OCCURRENCE,),
    list_order=4,
    pair_columns=(
        PairColumn("occ_shared", f"max(CASE WHEN {_ON} THEN e.events END)", flag=False),
        PairColumn("occ_surprise", f"max(CASE WHEN {_ON} THEN e.surprise END)", flag=False),
    ),
    features=(HOME_OCC,),
    shared_basis=_ON,
    # one incident: its date; several: the first and the last
    clause_dates=(
        "e.first_seen IS NOT NULL",
        f"CASE WHEN e.events = 1 THEN ' on ' || {_FIRST} ELSE ' from ' || {_FIRST} || ' to ' || "
        f"{long_date_sql('e.last_seen')} END",
    ),
)
