"""Scoring and competition: each comparison's match weight and confidence under the fitted
model, the share of minors for children of unknown age, and the competition feature."""

from __future__ import annotations

from paramount.engine.decision.lone_link import lone_sql
from paramount.engine.decision.model import (
    COMPETITION_CAP,
    FEATURES,
    LIKELY,
    RECORD_FEATURES,
    log_bf_sql,
)
from paramount.engine.entities import entities_view_sql
from paramount.engine.pipeline import LEARNT, RunParameters, Step
from paramount.engine.routes import prisoner_contacts
from paramount.engine.routes.links import PARENT_KINDS
from paramount.engine.routes.registry import ROUTES
from paramount.engine.sql import age_years_sql, date_literal, in_list, literal

# The prisoner's own declarations: their children's ages are their own kind of evidence.
_DECL = prisoner_contacts.ROUTE


def minor_share_sql(params: RunParameters) -> str:
    """P(under 18 | the pair's kind of evidence, the adult's age), by five-year band of the
    adult's age, for children whose date of birth is unknown: the comparison space holds
    children only, so their posterior is scaled by the chance that they are one. Three kinds:
    `RECORD` (a police or social-care record makes the adult a parent figure), `DECLARED`
    (only the prisoner's declaration of a son, a daughter or a stepchild: prisoners declare
    their grown-up children too, and a declared "son" of a 52-year-old is as likely a man as
    a boy, while the police and social care record links mostly around minors, so the two are
    not pooled) and `SHARED` (only a home or incidents in common: the person could as well be
    a partner, a sibling or a lodger of any age). Estimated from the force's own pairs with
    both dates of birth known, each band pooled with its two neighbours (a declared child's
    age moves slowly with the parent's, and the bands of a small force are thin), add-one
    smoothed. For `DECLARED`, the children declared *without* a date of birth whom another
    record ages (identity joined the contact to a dated nominal) are the sample closest to
    the ones it is for (a prison may record the dates of grown-up children more or less often
    than of young ones), so they are counted first, and the declarations made with a date of
    birth are their prior (two pseudo-counts at that share, in place of add-one's one half)."""
    ev = params.table("evidence")
    entities = entities_view_sql(params)
    start = date_literal(params.window_from)
    kinds = in_list(PARENT_KINDS)
    record = (
        f"e.route IN {in_list(r.contract_name for r in ROUTES if r.record and r is not _DECL)} "
        f"AND e.kind IN {kinds}"
    )
    declared = f"e.route = {literal(_DECL.contract_name)} AND e.kind IN {kinds}"
    shared = "\n       OR ".join(r.shared_basis for r in ROUTES if r.shared_basis)
    members = params.table("entity_members")
    codes = in_list(prisoner_contacts.codes_of(PARENT_KINDS))
    return f"""
WITH pairs AS (
    SELECT e.adult_entity, e.child_entity,
           CASE WHEN bool_or({record}) THEN 'RECORD' WHEN bool_or({declared}) THEN 'DECLARED'
                ELSE 'SHARED' END AS basis
    FROM {ev} AS e
    WHERE ({record}) OR ({declared}) OR {shared}
    GROUP BY e.adult_entity, e.child_entity
),
declared_undated AS (  -- every declaration of the pair without a date of birth
    SELECT x.entity_id AS adult_entity, k.entity_id AS child_entity
    FROM prisoner_contacts AS c
    JOIN {members} AS x ON x.source = 'PRISONER' AND x.record_id = c.prisoner_number
    JOIN {members} AS k ON k.source = 'CONTACT' AND k.record_id = CAST(c._row AS VARCHAR)
    WHERE c.relationship_code IN {codes}
    GROUP BY x.entity_id, k.entity_id
    HAVING bool_and(c.date_of_birth IS NULL)
),
aged AS (
    SELECT p.basis, {_band_sql(age_years_sql("a.date_of_birth", start))} AS band,
           p.basis = 'DECLARED' AND u.child_entity IS NOT NULL AS undated,
           CASE WHEN {age_years_sql("c.date_of_birth", start)} < 18 THEN 1 ELSE 0 END AS minor
    FROM pairs AS p
    JOIN {entities} AS a ON a.entity_id = p.adult_entity
    JOIN {entities} AS c ON c.entity_id = p.child_entity
    LEFT JOIN declared_undated AS u
           ON u.adult_entity = p.adult_entity AND u.child_entity = p.child_entity
    WHERE a.date_of_birth IS NOT NULL AND c.date_of_birth IS NOT NULL
      AND (p.basis = 'SHARED' OR c.date_of_birth > a.date_of_birth)
),
counts AS (
    SELECT basis, band, undated, sum(minor) AS minors, count(*) AS n
    FROM aged GROUP BY basis, band, undated
),
bands AS (
    SELECT DISTINCT basis, band + d AS band
    FROM counts CROSS JOIN (VALUES (-5), (0), (5)) AS t(d)
),
pooled AS (
    SELECT b.basis, b.band,
           coalesce(sum(c.minors) FILTER (WHERE NOT c.undated), 0) AS m_d,
           coalesce(sum(c.n) FILTER (WHERE NOT c.undated), 0) AS n_d,
           coalesce(sum(c.minors) FILTER (WHERE c.undated), 0) AS m_u,
           coalesce(sum(c.n) FILTER (WHERE c.undated), 0) AS n_u
    FROM bands AS b
    JOIN counts AS c ON c.basis = b.basis AND abs(c.band - b.band) <= 5
    GROUP BY b.basis, b.band
)
SELECT basis, band, (m_u + 2.0 * (m_d + 1.0) / (n_d + 2.0)) / (n_u + 2.0) AS p_minor,
       n_d + n_u AS pairs, n_u AS undated_pairs
FROM pooled
"""


def _record_basis_sql(alias: str) -> str:
    """The comparison's kind of evidence for the share of minors: 'RECORD' when its levels
    include a police or social-care parent-figure record, 'DECLARED' when only the prisoner's
    declaration, else 'SHARED'."""
    levels = in_list(PARENT_KINDS)
    decl = {f.name for f in _DECL.features}
    any_record = " OR ".join(f"{alias}.l_{f} IN {levels}" for f in RECORD_FEATURES if f not in decl)
    any_decl = " OR ".join(f"{alias}.l_{f} IN {levels}" for f in sorted(decl))
    return f"CASE WHEN {any_record} THEN 'RECORD' WHEN {any_decl} THEN 'DECLARED' ELSE 'SHARED' END"


def _path_share_sql(params: RunParameters) -> str:
    """A comparison's `p_path`: where an `alone` feature's learned level is its only route
    evidence, the chance that such a path is what it claims (`Route.share`: rows by `level`,
    the feature's level or NULL for any other, and by surname level or NULL for all), at the
    pair's levels; else 1."""
    whens = []
    for route in ROUTES:
        if route.share is None:
            continue
        for f in route.features:
            if f.alone:
                levels = in_list((f.none_level, *f.fixed))
                whens.append(
                    f"WHEN w.l_{f.name} IS NOT NULL AND w.l_{f.name} NOT IN {levels} "
                    f"THEN {_share_lookup_sql(params.table(route.share.name), f'w.l_{f.name}')}"
                )
    return f"CASE {' '.join(whens)} ELSE 1.0 END" if whens else "1.0"


def _share_lookup_sql(table: str, level: str) -> str:
    """The share at the pair's level (the rows of that level, else those with none) and
    surname level, else over all surnames (the row with none)."""
    lv = f"s.level = {level}"
    return (
        f"coalesce((SELECT max(s.p) FROM {table} AS s WHERE {lv} AND s.l_surname = w.l_surname), "
        f"(SELECT max(s.p) FROM {table} AS s WHERE {lv} AND s.l_surname IS NULL), "
        f"(SELECT max(s.p) FROM {table} AS s WHERE s.level IS NULL "
        "AND s.l_surname = w.l_surname), "
        f"(SELECT max(s.p) FROM {table} AS s WHERE s.level IS NULL AND s.l_surname IS NULL), 1.0)"
    )


def _band_sql(age: str) -> str:
    return f"CAST(floor({age} / 5) * 5 AS INTEGER)"


def scored_base_sql(params: RunParameters) -> str:
    """Every comparison with its match weight and confidence under the fitted model (the
    route features only, before competition); for a child of unknown date of birth, times the
    chance that the child is a child at all."""
    d = params.decision
    comparisons = params.table("comparisons")
    minor = params.table("minor_share")
    final = params.table(f"em_{d.em_iterations:02d}")
    joins = "\n".join(
        f"LEFT JOIN {final} AS p_{f} ON p_{f}.feature = {literal(f)} AND p_{f}.level = c.l_{f}"
        for f in FEATURES
    )
    terms = " + ".join(f"coalesce({log_bf_sql(f'p_{f}')}, 0)" for f in FEATURES)
    band = _band_sql(age_years_sql("w.adult_dob", "w.ref_date"))
    lone = params.table("lone_share")
    # lambda over the whole space; for EM on candidates only, times the candidates' share
    scale = "sum(candidates) / sum(n)" if d.em_fit == "candidates" else "max(1.0)"
    return f"""
WITH scale AS (SELECT coalesce({scale}, 1.0) AS s FROM {params.table("em_patterns")}),
lam AS (SELECT max(f.prior) * max(scale.s) AS lam FROM {final} AS f CROSS JOIN scale),
w AS (
    SELECT c.*, ln(lam.lam) - ln(1 - lam.lam) + {terms} AS match_weight
    FROM {comparisons} AS c
    CROSS JOIN lam
    {joins}
),
overall AS (SELECT basis, sum(p_minor * pairs) / sum(pairs) AS p FROM {minor} GROUP BY basis)
SELECT w.*, coalesce(ls.p, 1.0) AS p_lone,
       -- no data at all: 1/2, what the add-one smoothing gives for zero counts
       CASE WHEN w.child_dob IS NULL THEN coalesce(m.p_minor, o.p, 0.5) ELSE 1.0 END AS p_child,
       {_path_share_sql(params)} AS p_path,
       CASE WHEN w.child_dob IS NULL THEN coalesce(m.p_minor, o.p, 0.5) ELSE 1.0 END
           * {_path_share_sql(params)} * coalesce(ls.p, 1.0) / (1.0 + exp(-w.match_weight))
           AS confidence
FROM w
-- a lone police link: the force's share of such links borne out, at its surname level
LEFT JOIN {lone} AS ls ON {lone_sql("w")} AND ls.l_surname = w.l_surname
LEFT JOIN overall AS o ON o.basis = {_record_basis_sql("w")}
LEFT JOIN {minor} AS m ON m.band = {band} AND m.basis = {_record_basis_sql("w")}
"""


def competition_sql(params: RunParameters) -> str:
    """The competition feature's levels and Bayes factors (see the module docstring).

    Level of a pair: how many *other* adult entities of the adult's sex are likely parent
    figures of the child (force-wide posterior above `LIKELY`, before competition), capped at
    `COMPETITION_CAP`. u: the share of the comparison space's children at each count, over
    both sexes (a pair no route connects joins an arbitrary adult to an arbitrary child, so
    its level is the child's count for the adult's sex).
    m: the posterior-weighted share among the EM space's pairs (one M-step with the fitted
    model's posteriors): the candidate pairs by their own level, and the posterior mass of the
    pairs no route connects (lambda times all pairs, less the candidates' mass) spread like u.
    Smoothed by `pseudo_count` as m and u are."""
    d = params.decision
    base = params.table("scored_base")
    final = params.table(f"em_{d.em_iterations:02d}")
    patterns = params.table("em_patterns")
    own = params.table("own_parents")
    entities = entities_view_sql(params)
    start = date_literal(params.window_from)
    age = age_years_sql("e.date_of_birth", start)
    cap = COMPETITION_CAP
    # lambda times all pairs: the expected number of parent pairs (EM on candidates: lambda is
    # the candidates' share, so times the candidates)
    pairs = "sum(candidates)" if d.em_fit == "candidates" else "sum(n)"
    levels = " UNION ALL ".join(f"SELECT {k} AS lvl" for k in range(cap + 1))
    return f"""
WITH fw AS (
    SELECT b.adult_entity, b.child_key AS child_entity, b.confidence, b.child_dob, b.adult_dob,
           coalesce(a.sex, '?') AS sx
    FROM {base} AS b JOIN {entities} AS a ON a.entity_id = b.adult_entity
    WHERE b.booking_id IS NULL
),
likely AS (
    SELECT child_entity, sx, count(DISTINCT adult_entity) AS k
    FROM fw WHERE confidence > {LIKELY} GROUP BY child_entity, sx
),
own_likely AS (  -- the adult's own likely parents: weighed by `generation`, not here
    SELECT op.adult_entity, p.child_entity, p.sx, count(*) AS k
    FROM {own} AS op JOIN fw AS p ON p.adult_entity = op.parent_entity
    WHERE p.confidence > {LIKELY} AND op.r > {LIKELY}
    GROUP BY op.adult_entity, p.child_entity, p.sx
),
cand AS (
    SELECT least(coalesce(l.k, 0) - CASE WHEN fw.confidence > {LIKELY} THEN 1 ELSE 0 END
                 - coalesce(ol.k, 0), {cap}) AS lvl,
           fw.confidence AS g
    FROM fw LEFT JOIN likely AS l ON l.child_entity = fw.child_entity AND l.sx = fw.sx
    LEFT JOIN own_likely AS ol ON ol.adult_entity = fw.adult_entity
                              AND ol.child_entity = fw.child_entity AND ol.sx = fw.sx
    WHERE fw.child_dob IS NOT NULL AND fw.adult_dob IS NOT NULL
),
sexes AS (SELECT DISTINCT sx FROM fw),
kids AS (
    SELECT least(coalesce(l.k, 0), {cap}) AS lvl, CAST(count(*) AS DOUBLE) AS n
    FROM {entities} AS e CROSS JOIN sexes AS x
    LEFT JOIN likely AS l ON l.child_entity = e.entity_id AND l.sx = x.sx
    WHERE e.date_of_birth IS NOT NULL AND {age} < 18
    GROUP BY 1
),
levels AS ({levels}),
u AS (
    SELECT v.lvl, (coalesce(k.n, 0) + {d.pseudo_count})
                  / (sum(coalesce(k.n, 0)) OVER () + {d.pseudo_count} * {cap + 1}) AS u
    FROM levels AS v LEFT JOIN kids AS k ON k.lvl = v.lvl
),
mass AS (
    SELECT greatest((SELECT max(prior) FROM {final}) * (SELECT {pairs} FROM {patterns})
                    - (SELECT coalesce(sum(g), 0) FROM cand), 0) AS pop
),
mg AS (
    SELECT u.lvl, coalesce(sum(c.g), 0) + max(u.u) * max(mass.pop) AS mg
    FROM u CROSS JOIN mass LEFT JOIN cand AS c ON c.lvl = u.lvl
    GROUP BY u.lvl
)
SELECT u.lvl, (mg.mg + {d.pseudo_count}) / (sum(mg.mg) OVER () + {d.pseudo_count} * {cap + 1}) AS m,
       u.u
FROM u JOIN mg ON mg.lvl = u.lvl
"""


def scored_sql(params: RunParameters) -> str:
    """Every comparison with its final match weight and confidence: the route features'
    weight plus the competition feature's (`competition`) and the generation factor
    (`generation`: the adult's own parent may be the child's). The competition level of a row
    is the number of other adult entities of the adult's sex likely parent figures of any of
    its child's entities (a reception's child may be several entities that identity left
    apart), the adult's own recorded parents left out (the generation factor weighs them)."""
    base = params.table("scored_base")
    comp = params.table("competition")
    cands = params.table("reception_candidates")
    own = params.table("own_parents")
    gen = params.table("generation")
    entities = entities_view_sql(params)
    return f"""
WITH likely AS (
    SELECT DISTINCT b.adult_entity, b.child_key AS child_entity, coalesce(a.sex, '?') AS sx
    FROM {base} AS b JOIN {entities} AS a ON a.entity_id = b.adult_entity
    WHERE b.booking_id IS NULL AND b.confidence > {LIKELY}
),
row_children AS (
    SELECT DISTINCT CAST(NULL AS VARCHAR) AS booking_id, adult_entity, child_key,
           child_key AS child_entity
    FROM {base} WHERE booking_id IS NULL
    UNION ALL
    SELECT DISTINCT booking_id, adult_entity, child_key, child_entity FROM {cands}
),
others AS (
    SELECT rc.booking_id, rc.adult_entity, rc.child_key,
           least(count(DISTINCT l.adult_entity), {COMPETITION_CAP}) AS lvl
    FROM row_children AS rc
    JOIN {entities} AS a ON a.entity_id = rc.adult_entity
    LEFT JOIN likely AS l ON l.child_entity = rc.child_entity AND l.adult_entity <> rc.adult_entity
                         AND l.sx = coalesce(a.sex, '?')
    -- the adult's own parents are weighed by the generation factor instead
    LEFT JOIN {own} AS op ON op.adult_entity = rc.adult_entity AND op.parent_entity = l.adult_entity
                         AND op.r > {LIKELY}
    WHERE op.parent_entity IS NULL
    GROUP BY rc.booking_id, rc.adult_entity, rc.child_key
),
w AS (
    SELECT b.* EXCLUDE (match_weight, confidence), coalesce(o.lvl, 0) AS l_competition,
           coalesce(g.generation_q, 0) AS generation_q,
           coalesce(g.generation_factor, 1.0) AS generation_factor,
           b.match_weight + ln(c.m) - ln(c.u) + ln(coalesce(g.generation_factor, 1.0))
               AS match_weight
    FROM {base} AS b
    LEFT JOIN others AS o ON o.booking_id IS NOT DISTINCT FROM b.booking_id
                         AND o.adult_entity = b.adult_entity AND o.child_key = b.child_key
    JOIN {comp} AS c ON c.lvl = coalesce(o.lvl, 0)
    LEFT JOIN {gen} AS g ON g.booking_id IS NOT DISTINCT FROM b.booking_id
                        AND g.adult_entity = b.adult_entity AND g.child_key = b.child_key
)
SELECT w.*, w.p_child * w.p_path * w.p_lone / (1.0 + exp(-w.match_weight)) AS confidence
FROM w
"""


MINOR_SHARE = Step(
    "minor_share",
    "Share of parent-like pairs whose child is under 18, by the adult's age",
    minor_share_sql,
    model=LEARNT,
)
SCORED_BASE = Step(
    "scored_base", "Match weight and confidence of every comparison, routes only", scored_base_sql
)
COMPETITION = Step(
    "competition",
    "Competition: other likely parent figures of the child, levels with m and u",
    competition_sql,
    model=LEARNT,
)
SCORED = Step(
    "scored", "Match weight and confidence of every comparison, with competition", scored_sql
)
