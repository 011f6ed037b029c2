"""Generations in a household: the adult's own parents are not the child's grandparents only.

A young prisoner who still lives at the family home shares the home, the incidents and the
surname of his younger brothers and sisters, and a gap of 15 years looks like a parent's. What
the pairwise features cannot see is the third person: the prisoner's own parent. If an adult G
is recorded as the prisoner A's parent (a police or social-care link either way round, A
declared to the prison by G as a son or daughter, or G declared by A as father or mother) and
G is the child C's parent, then C is A's brother or sister, and A is not C's parent: the two
events "A is C's parent" and "G is C's parent" exclude each other.

The model scores each pair alone, as if the two were independent, with posteriors p_A and
p_G. Conditioning those on the exclusion gives P(A) = p_A (1 - p_G) / (1 - p_A p_G), which in
odds is exactly the pair's odds times (1 - p_G): a Bayes factor computed from the fitted model
itself, with no constant of its own (as competition is). An adult recorded as the child's
grandparent is two generations above the child, not one: his posterior as a parent figure
(a grandparent caring for the child) does not make the child the prisoner's sibling, and is
left out. With several recorded parents of A
(a father and a mother), q = 1 - prod(1 - p_G) is the chance that at least one of them is the
child's parent, and the factor is 1 - q. A real child of the prisoner at his parents' home is
judged the same way: his grandparents share his home but, unless the records make them his
parents, their own posterior is low and the factor near 1. The factor is not floored: it is
the model's own probability, not a record's word (a floor at `AGAINST_FACTOR` was tried and
left a sister at 0.999 where the pairwise evidence was overwhelming).

p_G is G's force-wide posterior for the child before competition (`scored_base`), like the
competition feature's counts; and A's own parents are left out of A's competition count
(`own_parents`), so that the same other adult is not counted twice, once as "another likely
parent figure" and once as "the prisoner's parent".

The factor is applied after EM, to scored rows only. It is not a feature EM learns: a shared
parent denies parenthood by definition (see `model.FIXED_BAYES_FACTORS` for why EM cannot
learn such levels under conditional independence), and the pairs no route connects
(`em_population`) have no row to score, so leaving them out of it changes nothing.
"""

from __future__ import annotations

from paramount.engine.decision.comparisons import gap_level_sql
from paramount.engine.decision.model import RECORD_FEATURES, log_bf_sql
from paramount.engine.entities import entities_view_sql
from paramount.engine.pipeline import SCOPED, RunParameters, Step
from paramount.engine.routes import co_residence
from paramount.engine.routes.home_occ import HOME_OCC
from paramount.engine.routes.registry import ROUTES
from paramount.engine.sql import date_literal, in_list, literal

# The prisoner's own word: contact codes naming the prisoner's parent.
PARENT_CONTACT_CODES = ("FA", "MOT")
# Evidence kinds that make the evidence's adult a parent figure of its "child" (any age).
_PARENT_OF = ("PARENT", "STEP")


def own_parents_sql(params: RunParameters) -> str:
    """(adult_entity, parent_entity, r, basis): adults who are, with probability r, a parent
    of the adult (of any age).

    `RECORD` (r = 1): a police or social-care link either way round, a prisoner's declaration
    of the adult as a son or daughter, or the adult's own declaration of a father or mother.
    `HOME`: an older adult sharing the adult's current home, r the fitted model's own
    posterior for the pair as it scores any adult and child (a shared current home, the gap in
    birth years, the surname; the model's m, u and lambda): a 50-year-old of the same surname
    at a 24-year-old's home is most likely his parent, a lodger of 30 is not. A "parent" not
    older than the adult (both dates known) is a record in the wrong direction, left out.
    When the run reuses a learnt model, only the adults of its pairs (`pairs`, scoped to the
    window's children) are looked at: no other adult's row is ever read."""
    ev = params.table("evidence")
    members = params.table("entity_members")
    entities = entities_view_sql(params)
    final = params.table(f"em_{params.decision.em_iterations:02d}")
    routes = in_list(r.contract_name for r in ROUTES if r.record)
    end = date_literal(params.window_to)
    gap = gap_level_sql("year(a.date_of_birth) - year(g.date_of_birth)")
    same = "upper(trim(a.surname)) = upper(trim(g.surname))"
    surname = (
        "CASE WHEN a.surname IS NULL OR g.surname IS NULL THEN NULL "
        f"WHEN {same} THEN 'SAME' ELSE 'DIFF' END"
    )

    def bf(feature: str, level: str) -> str:
        return (
            f"(SELECT {log_bf_sql('p')} FROM {final} AS p "
            f"WHERE p.feature = {literal(feature)} AND p.level = {level})"
        )

    # the adults looked at: every one, or the scoped pairs' (each filter where it is read)
    scope, ev_scope, x_scope = "", "", ""
    if params.model_reused:
        scope = f"scope AS (SELECT DISTINCT adult_entity FROM {params.table('pairs')}),\n"
        ev_scope = "\n      AND e.child_entity IN (SELECT adult_entity FROM scope)"
        x_scope = "\n      AND x.entity_id IN (SELECT adult_entity FROM scope)"
    return f"""
WITH {scope}recorded AS (
    SELECT e.child_entity AS adult_entity, e.adult_entity AS parent_entity
    FROM {ev} AS e
    WHERE e.route IN {routes} AND e.kind IN {in_list(_PARENT_OF)}{ev_scope}
    UNION
    SELECT x.entity_id AS adult_entity, k.entity_id AS parent_entity
    FROM prisoner_contacts AS c
    JOIN {members} AS x ON x.source = 'PRISONER' AND x.record_id = c.prisoner_number
    JOIN {members} AS k ON k.source = 'CONTACT' AND k.record_id = CAST(c._row AS VARCHAR)
    WHERE c.relationship_code IN {in_list(PARENT_CONTACT_CODES)}{x_scope}
),
at_home AS (
    SELECT DISTINCT e.child_entity AS adult_entity, e.adult_entity AS parent_entity
    FROM {ev} AS e
    WHERE e.route = {literal(co_residence.CONTRACT_NAME)} AND e.kind = 'HOME'
      AND (e.last_seen IS NULL OR e.last_seen >= {end}){ev_scope}
),
lam AS (SELECT max(prior) AS lam FROM {final}),
home AS (
    SELECT h.adult_entity, h.parent_entity,
           ln(lam.lam) - ln(1 - lam.lam) + {bf(HOME_OCC.name, "'CUR_NONE'")}
           + coalesce({bf("gap", gap)}, 0) + coalesce({bf("surname", surname)}, 0) AS w
    FROM at_home AS h
    JOIN {entities} AS a ON a.entity_id = h.adult_entity
    JOIN {entities} AS g ON g.entity_id = h.parent_entity
    CROSS JOIN lam
    WHERE a.date_of_birth IS NOT NULL AND g.date_of_birth IS NOT NULL
      AND year(a.date_of_birth) - year(g.date_of_birth) >= 14
),
both_kinds AS (
    SELECT adult_entity, parent_entity, 1.0 AS r, 'RECORD' AS basis FROM recorded
    UNION ALL
    SELECT adult_entity, parent_entity, 1.0 / (1.0 + exp(-w)), 'HOME' FROM home
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY adult_entity, parent_entity ORDER BY r DESC)
              AS pick
    FROM both_kinds
)
SELECT l.adult_entity, l.parent_entity, l.r, l.basis
FROM ranked AS l
JOIN {entities} AS a ON a.entity_id = l.adult_entity
JOIN {entities} AS g ON g.entity_id = l.parent_entity
WHERE l.pick = 1 AND l.adult_entity <> l.parent_entity
  AND (a.date_of_birth IS NULL OR g.date_of_birth IS NULL OR g.date_of_birth < a.date_of_birth)
"""


def generation_sql(params: RunParameters) -> str:
    """Per comparison (force-wide and per reception) whose adult has recorded parents that are
    candidates for the child: q, the chance that one of them is the child's parent (their
    force-wide posteriors before competition, the highest over the row's child entities), and
    the factor 1 - q on the row's odds."""
    base = params.table("scored_base")
    cands = params.table("reception_candidates")
    parents = params.table("own_parents")
    grand = " OR ".join(f"coalesce(b.l_{f} = 'GRAND', FALSE)" for f in RECORD_FEATURES)
    return f"""
WITH row_children AS (
    SELECT DISTINCT CAST(NULL AS VARCHAR) AS booking_id, adult_entity, child_key,
           child_key AS child_entity
    FROM {base} WHERE booking_id IS NULL
    UNION ALL
    SELECT DISTINCT booking_id, adult_entity, child_key, child_entity FROM {cands}
),
parent_post AS (  -- a record that G is the child's grandparent: two generations above
    SELECT adult_entity AS parent_entity, child_key AS child_entity, confidence
    FROM {base} AS b WHERE b.booking_id IS NULL AND NOT ({grand})
),
per_parent AS (
    SELECT rc.booking_id, rc.adult_entity, rc.child_key, op.parent_entity,
           max(op.r * pp.confidence) AS p
    FROM row_children AS rc
    JOIN {parents} AS op ON op.adult_entity = rc.adult_entity
    JOIN parent_post AS pp ON pp.parent_entity = op.parent_entity
                          AND pp.child_entity = rc.child_entity
    WHERE op.parent_entity <> rc.child_entity
    GROUP BY rc.booking_id, rc.adult_entity, rc.child_key, op.parent_entity
)
SELECT booking_id, adult_entity, child_key, count(*) AS own_parents_present,
       1 - exp(sum(ln(greatest(1 - p, 1e-12)))) AS generation_q,
       exp(sum(ln(greatest(1 - p, 1e-12)))) AS generation_factor
FROM per_parent
GROUP BY booking_id, adult_entity, child_key
"""


OWN_PARENTS = Step(
    "own_parents",
    "Adults recorded or declared as a parent of each adult (any age)",
    own_parents_sql,
    model=SCOPED,
)
GENERATION = Step(
    "generation",
    "Generation: the chance that the adult's own parent is the child's parent",
    generation_sql,
)
