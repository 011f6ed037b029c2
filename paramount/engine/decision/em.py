"""EM over the whole comparison space, in SQL: the unconnected pairs as counts per vector,
the distinct vectors, starting values and one step per iteration."""

from __future__ import annotations

from paramount.engine.decision.comparisons import gap_level_sql
from paramount.engine.decision.model import (
    ADULT_MIN_AGE,
    CONDITIONAL_FEATURES,
    FEATURES,
    log_bf_sql,
)
from paramount.engine.entities import entities_view_sql
from paramount.engine.pipeline import FITTING, LEARNT, RunParameters, Step
from paramount.engine.routes.registry import ROUTE_FEATURES
from paramount.engine.routes.route import APPLICABILITY
from paramount.engine.sql import age_years_sql, date_literal, literal


def em_population_sql(params: RunParameters) -> str:
    """The pairs no route connects, as counts per comparison vector, never as rows.

    The comparison space is every (adult, child) pair of entities with a date of birth (adult:
    at least `ADULT_MIN_AGE` on the window's first day; child: under 18). A pair no route
    connects has the level NONE on every route feature that applies to it (`Feature.applies`:
    police links and co-residence when both have a nominal, prison contacts when the adult
    declared contacts, social care when both have a partner record, the route through the
    other parent always), so its vector depends only
    on those applicabilities (`APPLICABILITY`), the gap level and the surname level. Their
    counts come from histograms: adults x children by birth year (the gap), and the same by
    surname (agreement); the
    candidate pairs' own counts are then subtracted. At 300,000 people that is ~10^10 pairs in
    a few hundred rows."""
    entities = entities_view_sql(params)
    members = params.table("entity_members")
    comparisons = params.table("comparisons")
    start = date_literal(params.window_from)
    age = age_years_sql("e.date_of_birth", start)
    keys = ", ".join((*APPLICABILITY.values(), "l_gap"))
    applicable = ", ".join(f"{column} AS {key}" for column, key in APPLICABILITY.items())
    # a route feature's level for a pair no route connects: its NONE level where it applies
    nones = ",\n       ".join(
        f"CASE WHEN {APPLICABILITY[f.applies]} THEN {literal(f.none_level)} END AS l_{f.name}"
        for f in ROUTE_FEATURES
    )
    # a conditional feature never applies to a pair no route connects
    nulls = "".join(f"CAST(NULL AS VARCHAR) AS l_{f}, " for f in CONDITIONAL_FEATURES)
    return f"""
WITH declared AS (
    SELECT DISTINCT m.entity_id
    FROM prisoner_contacts AS c
    JOIN {members} AS m ON m.source = 'PRISONER' AND m.record_id = c.prisoner_number
),
ent AS (
    SELECT year(e.date_of_birth) AS y, nullif(upper(trim(e.surname)), '') AS s,
           e.person_ids IS NOT NULL AS has_p, e.partner_ids IS NOT NULL AS has_q,
           d.entity_id IS NOT NULL AS decl,
           {age} >= {ADULT_MIN_AGE} AS is_adult, {age} < 18 AS is_child
    FROM {entities} AS e
    LEFT JOIN declared AS d ON d.entity_id = e.entity_id
    WHERE e.date_of_birth IS NOT NULL
),
adults AS (
    SELECT has_p, has_q, decl, y, s IS NOT NULL AS has_s, count(*) AS n
    FROM ent WHERE is_adult GROUP BY has_p, has_q, decl, y, s IS NOT NULL
),
children AS (
    SELECT has_p, has_q, y, s IS NOT NULL AS has_s, count(*) AS n
    FROM ent WHERE is_child GROUP BY has_p, has_q, y, s IS NOT NULL
),
adult_names AS (
    SELECT has_p, has_q, decl, y, s, count(*) AS n
    FROM ent WHERE is_adult AND s IS NOT NULL GROUP BY has_p, has_q, decl, y, s
),
child_names AS (
    SELECT has_p, has_q, y, s, count(*) AS n
    FROM ent WHERE is_child AND s IS NOT NULL GROUP BY has_p, has_q, y, s
),
everyone AS (
    SELECT a.has_p AND c.has_p AS rms_app, a.decl, a.has_q AND c.has_q AS part_app,
           TRUE AS thr_app, {gap_level_sql("c.y - a.y")} AS l_gap,
           CASE WHEN a.has_s AND c.has_s THEN 'DIFF' END AS l_surname,
           CAST(a.n AS DOUBLE) * c.n AS n
    FROM adults AS a CROSS JOIN children AS c
),
same AS (
    SELECT a.has_p AND c.has_p AS rms_app, a.decl, a.has_q AND c.has_q AS part_app,
           TRUE AS thr_app, {gap_level_sql("c.y - a.y")} AS l_gap, CAST(a.n AS DOUBLE) * c.n AS n
    FROM adult_names AS a JOIN child_names AS c ON c.s = a.s
),
selves AS (
    SELECT has_p AS rms_app, decl, has_q AS part_app, TRUE AS thr_app, 'LT14' AS l_gap,
           CASE WHEN s IS NOT NULL THEN 'SAME' END AS l_surname, CAST(count(*) AS DOUBLE) AS n
    FROM ent WHERE is_adult AND is_child GROUP BY has_p, decl, has_q, s IS NOT NULL
),
candidates AS (
    SELECT {applicable},
           l_gap, l_surname, CAST(count(*) AS DOUBLE) AS n
    FROM {comparisons}
    WHERE booking_id IS NULL AND adult_dob IS NOT NULL AND child_dob IS NOT NULL
    GROUP BY {", ".join(APPLICABILITY)}, l_gap, l_surname
),
cells AS (
    SELECT {keys}, l_surname, n FROM everyone
    UNION ALL SELECT {keys}, 'SAME', n FROM same
    UNION ALL SELECT {keys}, 'DIFF', -n FROM same
    UNION ALL SELECT {keys}, l_surname, -n FROM selves
    UNION ALL SELECT {keys}, l_surname, -n FROM candidates
)
SELECT {nones},
       {nulls}l_gap, l_surname, greatest(sum(n), 0) AS n
FROM cells
GROUP BY {keys}, l_surname
HAVING sum(n) > 0
"""


def em_patterns_sql(params: RunParameters) -> str:
    """Distinct comparison vectors of the whole comparison space and how many pairs have
    each: the candidate pairs (counted from their rows) and the rest (`em_population`)."""
    comparisons = params.table("comparisons")
    population = params.table("em_population")
    levels = ", ".join(f"l_{f}" for f in FEATURES)
    return f"""
SELECT row_number() OVER (ORDER BY {levels}) AS pattern_id, {levels}, n, candidates
FROM (
    SELECT {levels}, sum(n) AS n, sum(candidates) AS candidates
    FROM (
        SELECT {levels}, CAST(count(*) AS DOUBLE) AS n, CAST(count(*) AS DOUBLE) AS candidates
        FROM {comparisons}
        WHERE booking_id IS NULL AND adult_dob IS NOT NULL AND child_dob IS NOT NULL
        GROUP BY {levels}
        UNION ALL
        SELECT {levels}, n, 0.0 AS candidates FROM {population}
    ) AS both_parts
    GROUP BY {levels}
) AS v
"""


def em_pattern_levels_sql(params: RunParameters) -> str:
    """The patterns in long form (pattern, feature, level); a missing level has no row."""
    patterns = params.table("em_patterns")
    parts = [
        f"SELECT pattern_id, n, {literal(f)} AS feature, l_{f} AS level FROM {patterns} "
        f"WHERE l_{f} IS NOT NULL"
        for f in FEATURES
    ]
    return "\nUNION ALL\n".join(parts)


def em_initial_sql(params: RunParameters) -> str:
    """Starting values. u: each level's share among all pairs of the comparison space (almost
    all of them non-parents: Splink's estimate of u from random pairs, here exact). lambda: the
    share of pairs some route connects. m: `FEATURES`' weights, normalised per feature, only
    to point EM at "parent figure" as the matching class."""
    d = params.decision
    levels = params.table("em_pattern_levels")
    patterns = params.table("em_patterns")
    rows = []
    for feature, lvls in FEATURES.items():
        tm = sum(m for m, _ in lvls.values())
        for level, (m, _u) in lvls.items():
            rows.append(
                f"SELECT {literal(feature)} AS feature, {literal(level)} AS level, "
                f"CAST({m / tm!r} AS DOUBLE) AS m"
            )
    start = "\n    UNION ALL ".join(rows)
    return f"""
WITH start AS (
    {start}
),
seen AS (SELECT feature, level, sum(n) AS n FROM {levels} GROUP BY feature, level),
shares AS (
    SELECT st.feature, st.level, st.m, coalesce(se.n, 0) AS n,
           sum(coalesce(se.n, 0)) OVER (PARTITION BY st.feature) AS total,
           count(*) OVER (PARTITION BY st.feature) AS k
    FROM start AS st LEFT JOIN seen AS se ON se.feature = st.feature AND se.level = st.level
),
lam AS (SELECT {"max(0.5)" if d.em_fit == "candidates" else "sum(candidates) / sum(n)"} AS lam
        FROM {patterns})
SELECT s.feature, s.level, s.m,
       (s.n + {d.pseudo_count}) / (s.total + {d.pseudo_count} * s.k) AS u,
       least(greatest(lam.lam, 1e-12), 0.5) AS prior, 0 AS iteration
FROM shares AS s CROSS JOIN lam
"""


def em_iteration_sql(params: RunParameters, iteration: int) -> str:
    """One EM step: posteriors of the patterns under the last parameters, then new m, u and
    lambda as posterior-weighted level shares (smoothed by `pseudo_count`)."""
    d = params.decision
    prev = params.table(f"em_{iteration - 1:02d}")
    patterns = params.table("em_patterns")
    levels = params.table("em_pattern_levels")
    fixed_u = d.em_fit == "candidates"
    if fixed_u:  # the candidates alone, counted as candidates
        patterns = f"(SELECT pattern_id, candidates AS n FROM {patterns} WHERE candidates > 0)"
        levels = (
            f"(SELECT pl.pattern_id, pt.candidates AS n, pl.feature, pl.level FROM {levels} AS pl"
            f" JOIN {params.table('em_patterns')} AS pt ON pt.pattern_id = pl.pattern_id"
            " WHERE pt.candidates > 0)"
        )
    u_new = "pr_u.u" if fixed_u else f"(c.ug + {d.pseudo_count}) / (t.tu + {d.pseudo_count} * t.k)"
    return f"""
WITH lam AS (SELECT max(prior) AS lam FROM {prev}),
post AS (
    SELECT pt.pattern_id, pt.n,
           coalesce(sum({log_bf_sql("pr")}), 0) AS bf
    FROM {patterns} AS pt
    LEFT JOIN {levels} AS pl ON pl.pattern_id = pt.pattern_id
    LEFT JOIN {prev} AS pr ON pr.feature = pl.feature AND pr.level = pl.level
    GROUP BY pt.pattern_id, pt.n
),
g AS (
    SELECT post.pattern_id, post.n,
           1.0 / (1.0 + exp(-(post.bf + ln(lam.lam) - ln(1 - lam.lam)))) AS g
    FROM post CROSS JOIN lam
),
counts AS (
    SELECT pr.feature, pr.level,
           coalesce(sum(pl.n * g.g), 0) AS mg, coalesce(sum(pl.n * (1 - g.g)), 0) AS ug
    FROM {prev} AS pr
    LEFT JOIN {levels} AS pl ON pl.feature = pr.feature AND pl.level = pr.level
    LEFT JOIN g ON g.pattern_id = pl.pattern_id
    GROUP BY pr.feature, pr.level
),
totals AS (
    SELECT feature, sum(mg) AS tm, sum(ug) AS tu, count(*) AS k FROM counts GROUP BY feature
),
lam_new AS (SELECT sum(n * g) / sum(n) AS lam FROM g)
SELECT c.feature, c.level,
       (c.mg + {d.pseudo_count}) / (t.tm + {d.pseudo_count} * t.k) AS m,
       {u_new} AS u,
       least(greatest(lam_new.lam, 1e-12), 1 - 1e-6) AS prior,
       {iteration} AS iteration
FROM counts AS c
JOIN totals AS t ON t.feature = c.feature
JOIN {prev} AS pr_u ON pr_u.feature = c.feature AND pr_u.level = c.level
CROSS JOIN lam_new
"""


def em_step(iteration: int, last: bool = False) -> Step:
    """One EM iteration's step; the last one's table is the fitted model (kept and reused),
    the others only lead to it."""
    return Step(
        f"em_{iteration:02d}",
        f"EM iteration {iteration}: m, u and lambda of the parent-figure model",
        lambda params: em_iteration_sql(params, iteration),
        model=LEARNT if last else FITTING,
    )


EM_POPULATION = Step(
    "em_population",
    "Adult-child pairs no route connects: counts per comparison vector, from histograms",
    em_population_sql,
    model=FITTING,
)
# kept with the model: scoring reads its totals (lambda's scale, competition's pairs)
EM_PATTERNS = Step(
    "em_patterns",
    "Distinct comparison vectors of all adult-child pairs of the force and their counts",
    em_patterns_sql,
    model=LEARNT,
)
EM_PATTERN_LEVELS = Step(
    "em_pattern_levels",
    "The vectors in long form (feature, level)",
    em_pattern_levels_sql,
    model=FITTING,
)
EM_INITIAL = Step("em_00", "EM starting values of m, u and lambda", em_initial_sql, model=FITTING)
