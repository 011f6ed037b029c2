"""Decide: every route's evidence per (child, reception) -> one calibrated confidence.

Record linkage one level up: every (adult entity, child entity) pair of the force is a
comparison vector over the routes (police links, prison contact, social care, co-residence x
co-occurrence, age gap, surname); a two-class latent model (m, u per level, prior lambda) is
fitted by EM in SQL over the whole space (the pairs no route connects as counts per vector,
`em_population`); fixed factors deny a current parent where a record says so; a competition
feature counts the child's other likely parent figures; a child of unknown age is discounted
by the force's share of minors (`minor_share`). Per reception, one row per child; the
worklist threshold is chosen from the confidences for the target precision, the rest above a
floor goes to review (settings: `params.decision`, `paramount.engine.settings`).

How the model works in full, and the experiments tried and not kept, are in
`docs/decision-model.md`.
"""

from __future__ import annotations

import math

from paramount.contract.tables import CHILDREN_COLUMNS
from paramount.engine.homes import (
    AREA_CTE,
    LPA_NAMES_CTE,
    area_join_sql,
    current_home_first_sql,
    home_lpa_sql,
)
from paramount.engine.pipeline import RunParameters, Step
from paramount.engine.routes.links import PARENT_KINDS
from paramount.engine.settings import DEFAULT_DECISION
from paramount.engine.sql import age_years_sql, date_literal, in_list, literal, long_date_sql
from paramount.linkage import nickname_rows

# Target precision, floors, EM iterations, EM_FIT and smoothing: `params.decision`
# (`paramount.engine.settings.DecisionSettings`), written to the run's manifest.
ADULT_MIN_AGE = 13
LIKELY = 0.5  # competition: a "likely parent figure" has a posterior above this
COMPETITION_CAP = 2  # competition levels: 0, 1, 2 or more other likely parent figures
SIG_SURPRISE = 6.0  # co-occurrence "significant": p < 1e-6 under independent placement

# feature -> level -> (initial m weight, initial u weight); normalised per feature.
# Starting values only point EM at "parent figure" as the matching class (as Splink's
# defaults do for "same person"); EM re-estimates every one of them.
FEATURES: dict[str, dict[str, tuple[float, float]]] = {
    "rms": {
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
    "contact": {
        "PARENT": (0.5, 0.01),
        "STEP": (0.05, 0.005),
        "GUARDIAN": (0.02, 0.002),
        "GRAND": (0.01, 0.01),
        "OTHER": (0.01, 0.05),
        "NONE": (0.4, 0.92),
    },
    "partner": {
        "PARENT": (0.4, 0.01),
        "STEP": (0.05, 0.005),
        "GUARDIAN": (0.02, 0.002),
        "GRAND": (0.01, 0.01),
        "AGAINST": (0.01, 0.1),
        "NONE": (0.5, 0.87),
    },
    "home_occ": {
        f"{r}_{o}": (m_r * m_o, u_r * u_o)
        for r, (m_r, u_r) in {
            "CUR": (0.6, 0.2),
            "PAST": (0.2, 0.2),
            "PRIOR": (0.05, 0.05),
            "SHARED": (0.02, 0.1),
            "NONE": (0.18, 0.5),
        }.items()
        for o, (m_o, u_o) in {"SIG": (0.3, 0.02), "WEAK": (0.3, 0.1), "NONE": (0.4, 0.88)}.items()
    },
    "gap": {
        "LT14": (0.02, 0.5),
        "14_19": (0.08, 0.05),
        "20_45": (0.85, 0.3),
        "46_60": (0.04, 0.1),
        "GT60": (0.01, 0.05),
    },
    "surname": {"SAME": (0.7, 0.3), "DIFF": (0.3, 0.7)},
}
INITIAL_LAMBDA = 0.1
# Levels whose Bayes factor is fixed, not learned (as Splink fixes m probabilities).
# - Records that by definition say the adult is not a current parent figure (a sibling or
#   associate, an ended step-relationship, the prisoner's own word that the child is a nephew
#   or a friend, social care's "not the parent"). EM cannot learn these: it estimates u as the
#   level's share among all pairs (a sibling record is rare among random pairs, so m/u would
#   come out far above 1), while the question is what the record says *given* the rest of the
#   vector, and the rest (a shared home, incidents together, a surname) is exactly what a
#   sibling shares with a parent. So the factor is fixed as a near-veto: such a record makes a
#   parent inference `AGAINST_FACTOR` times as likely, enough to outweigh any amount of
#   co-residence and co-occurrence, not a parent-type record from another source.
# - A gap under 14 years: biology, not a parameter. Without it EM's matching class becomes
#   "close family" (siblings share homes, incidents and surnames with the child).
AGAINST_FACTOR = 1e-3
FIXED_BAYES_FACTORS: dict[tuple[str, str], float] = {
    ("rms", "AGAINST"): AGAINST_FACTOR,
    ("rms", "STEP_ENDED"): AGAINST_FACTOR,
    ("rms", "CONFLICT"): 1.0,
    ("contact", "OTHER"): AGAINST_FACTOR,
    ("partner", "AGAINST"): AGAINST_FACTOR,
    ("gap", "LT14"): 1e-2,
}


def _log_bf_sql(alias: str) -> str:
    """ln(m/u) of a parameter row, or the fixed value for a fixed level."""
    whens = " ".join(
        f"WHEN {alias}.feature = {literal(f)} AND {alias}.level = {literal(lv)} "
        f"THEN {math.log(bf)!r}"
        for (f, lv), bf in FIXED_BAYES_FACTORS.items()
    )
    return f"CASE {whens} ELSE ln({alias}.m) - ln({alias}.u) END"


def _entities_sql(params: RunParameters) -> str:
    """`pm_entities` with empty id lists as NULL: the exact entities write NULL, the Splink
    entities an empty string, and "has a nominal" must mean the same for both."""
    return (
        "(SELECT entity_id, surname, forenames, date_of_birth, sex, "
        "nullif(person_ids, '') AS person_ids, nullif(partner_ids, '') AS partner_ids "
        f"FROM {params.table('entities')})"
    )


_F = "CASE WHEN {c} THEN 1 ELSE 0 END"


def _flag(cond: str) -> str:
    return f"max({_F.format(c=cond)})"


def pairs_sql(params: RunParameters) -> str:
    """One row per (adult entity, child entity) with every route's evidence as flags."""
    ev = params.table("evidence")
    entities = _entities_sql(params)
    members = params.table("entity_members")
    start = date_literal(params.window_from)
    rms = "e.route = 'RMS_RELATIONSHIP'"
    con = "e.route = 'PRISON_CONTACT'"
    par = "e.route = 'PARTNER'"
    return f"""
WITH agg AS (
    SELECT e.adult_entity, e.child_entity,
           {_flag(f"{rms} AND e.kind = 'PARENT'")} AS rms_parent,
           {_flag(f"{rms} AND e.kind = 'STEP'")} AS rms_step,
           {_flag(f"{rms} AND e.kind = 'GUARDIAN'")} AS rms_guard,
           {_flag(f"{rms} AND e.kind = 'GRAND'")} AS rms_grand,
           {_flag(f"{rms} AND e.kind = 'NOK'")} AS rms_nok,
           {_flag(f"{rms} AND e.kind IN ('SIBLING', 'ASSOCIATE')")} AS rms_sibling,
           {_flag(f"{rms} AND e.kind = 'EX_PARTNERS_CHILD'")} AS rms_exchild,
           max(CASE WHEN {rms} AND e.kind = 'STEP'
                    THEN coalesce(e.first_seen, DATE '1900-01-01') END) AS rms_step_at,
           max(CASE WHEN {rms} AND e.kind = 'EX_PARTNERS_CHILD'
                    THEN coalesce(e.first_seen, DATE '1900-01-01') END) AS rms_ex_at,
           max(CASE WHEN e.kind = 'GUARDIAN' THEN e.relationship END) AS guard_code,
           {_flag(f"{con} AND e.kind = 'PARENT'")} AS c_parent,
           {_flag(f"{con} AND e.kind = 'STEP'")} AS c_step,
           {_flag(f"{con} AND e.kind = 'GUARDIAN'")} AS c_guard,
           {_flag(f"{con} AND e.kind = 'GRAND'")} AS c_grand,
           {_flag(f"{con} AND e.kind = 'OTHER'")} AS c_other,
           {_flag(f"{par} AND e.kind = 'PARENT'")} AS p_parent,
           {_flag(f"{par} AND e.kind = 'STEP'")} AS p_step,
           {_flag(f"{par} AND e.kind = 'GUARDIAN'")} AS p_guard,
           {_flag(f"{par} AND e.kind = 'GRAND'")} AS p_grand,
           {_flag(f"{par} AND e.against")} AS p_against,
           max(CASE WHEN e.route = 'CO_OCCURRENCE' THEN e.events END) AS occ_shared,
           max(CASE WHEN e.route = 'CO_OCCURRENCE' THEN e.surprise END) AS occ_surprise
    FROM {ev} AS e
    GROUP BY e.adult_entity, e.child_entity
),
declared AS (
    SELECT DISTINCT m.entity_id
    FROM prisoner_contacts AS c
    JOIN {members} AS m ON m.source = 'PRISONER' AND m.record_id = c.prisoner_number
)
SELECT g.*,
       d.entity_id IS NOT NULL AS adult_declared,
       a.date_of_birth AS adult_dob, a.sex AS adult_sex, a.surname AS adult_surname,
       a.person_ids AS adult_person_ids, a.partner_ids AS adult_partner_ids,
       c.date_of_birth AS child_dob, c.surname AS child_surname,
       c.person_ids AS child_person_ids, c.partner_ids AS child_partner_ids
FROM agg AS g
JOIN {entities} AS a ON a.entity_id = g.adult_entity
JOIN {entities} AS c ON c.entity_id = g.child_entity
LEFT JOIN declared AS d ON d.entity_id = g.adult_entity
WHERE (c.date_of_birth IS NULL OR {age_years_sql("c.date_of_birth", start)} < 18)
  AND (a.date_of_birth IS NULL OR {age_years_sql("a.date_of_birth", start)} >= {ADULT_MIN_AGE})
"""


def _nicknames_sql() -> str:
    """The forename table of identity resolution (`paramount.linkage.nicknames`) as VALUES,
    so the step needs no table of its own and runs for `routes-exact` too."""
    rows = ", ".join(f"({literal(n)}, {literal(c)})" for n, c in nickname_rows())
    return f"SELECT * FROM (VALUES {rows}) AS t(name, canonical)"


def _near_sql(a: str, b: str) -> str:
    """Two names one typing slip apart: equal, or an edit distance of 1 (2 for names of five
    letters or more: a transposition is two edits in plain Levenshtein)."""
    return (
        f"({a} = {b} OR (least(length({a}), length({b})) >= 4 AND levenshtein({a}, {b}) <= "
        f"CASE WHEN least(length({a}), length({b})) >= 5 THEN 2 ELSE 1 END))"
    )


def reception_candidates_sql(params: RunParameters) -> str:
    """(reception, prisoner entity, child entity, child_key): the window's candidates.

    `child_key` groups the entities of one child that identity left apart, within the
    reception only (one prisoner's children are few, so a looser test is safe there than
    force-wide): surnames and first forenames equal, one slip apart, or forenames one name in
    another form ("Tom" and "Thomas", `paramount.linkage.nicknames`) or shortened ("Jon" of
    "Jonathan"), dates of birth compatible (equal, missing, within 31 days, a year apart
    give or take 31 days, or day and month swapped), and sexes not different. Twins differ
    in forename and stay apart. Entities with a date of birth group first (two rounds of
    smallest-neighbour, enough for the chains seen in practice; the key is the group's
    smallest entity id); an entity without one then joins a group it is compatible with (the
    first, when there are several: a declared "Oliver" with no date of birth does not make
    two police Olivers born years apart one child), or else the other undated entities it is
    compatible with."""
    receptions = params.table("in_area")
    members = params.table("entity_members")
    pairs = params.table("pairs")
    entities = _entities_sql(params)
    # a shortened form ("Jon" of "Jonathan", "Dani" of "Danielle"): one forename begins
    # with the other, of three letters or more
    shortened = (
        "(least(length(a.fore), length(b.fore)) >= 3 AND (left(a.fore, length(b.fore)) = b.fore"
        " OR left(b.fore, length(a.fore)) = a.fore))"
    )
    # a slip in a short name ("Amy" and "Ammy", "Zara" and "Zaa"): one letter, when the longer
    # has four or more
    short_slip = (
        "(greatest(length(a.fore), length(b.fore)) >= 4 AND levenshtein(a.fore, b.fore) <= 1)"
    )
    fore_ok = (
        f"(a.canon = b.canon OR {_near_sql('a.fore', 'b.fore')} OR {shortened} OR {short_slip})"
    )
    days = "abs(datediff('day', a.dob, b.dob))"
    dob_ok = (
        f"(a.dob IS NULL OR b.dob IS NULL OR {days} <= 31"
        # a year slipped, with or without a day or so (a date of birth worked out from an age)
        f" OR abs({days} - 365) <= 31"
        " OR (year(a.dob) = year(b.dob) AND month(a.dob) = day(b.dob)"
        " AND day(a.dob) = month(b.dob)))"
    )
    return f"""
WITH rc AS (
    SELECT r.booking_id, r.prisoner_number, r.reception_date, pe.entity_id AS adult_entity,
           p.child_entity, c.date_of_birth, nullif(c.sex, 'U') AS sex,
           upper(trim(c.surname)) AS sur,
           upper(split_part(trim(c.forenames), ' ', 1)) AS fore
    FROM {receptions} AS r
    JOIN {members} AS pe ON pe.source = 'PRISONER' AND pe.record_id = r.prisoner_number
    JOIN {pairs} AS p ON p.adult_entity = pe.entity_id
    JOIN {entities} AS c ON c.entity_id = p.child_entity
),
nick AS ({_nicknames_sql()}),
kids AS (
    SELECT DISTINCT rc.booking_id, rc.child_entity, rc.date_of_birth AS dob, rc.sur, rc.fore,
           coalesce(n.canonical, rc.fore) AS canon, rc.sex
    FROM rc LEFT JOIN nick AS n ON n.name = rc.fore
),
same AS (
    SELECT DISTINCT a.booking_id, a.child_entity AS x, b.child_entity AS y,
           b.dob IS NOT NULL AS y_dated
    FROM kids AS a
    JOIN kids AS b ON b.booking_id = a.booking_id AND b.child_entity <> a.child_entity
    WHERE a.sur IS NOT NULL AND b.sur IS NOT NULL AND a.fore <> '' AND b.fore <> ''
      AND (a.sex IS NULL OR b.sex IS NULL OR a.sex = b.sex)
      AND {_near_sql("a.sur", "b.sur")} AND {fore_ok} AND {dob_ok}
),
dated AS (SELECT DISTINCT booking_id, child_entity FROM kids WHERE dob IS NOT NULL),
d1 AS (
    SELECT k.booking_id, k.child_entity,
           least(k.child_entity, coalesce(min(s.y), k.child_entity)) AS key1
    FROM dated AS k
    LEFT JOIN same AS s ON s.booking_id = k.booking_id AND s.x = k.child_entity AND s.y_dated
    GROUP BY k.booking_id, k.child_entity
),
d2 AS (
    SELECT k.booking_id, k.child_entity, least(k.key1, coalesce(min(n.key1), k.key1)) AS key2
    FROM d1 AS k
    LEFT JOIN same AS s ON s.booking_id = k.booking_id AND s.x = k.child_entity AND s.y_dated
    LEFT JOIN d1 AS n ON n.booking_id = s.booking_id AND n.child_entity = s.y
    GROUP BY k.booking_id, k.child_entity, k.key1
),
undated AS (
    SELECT k.booking_id, k.child_entity, count(DISTINCT d.key2) AS groups,
           min(d.key2) AS first_key
    FROM (SELECT DISTINCT booking_id, child_entity FROM kids WHERE dob IS NULL) AS k
    LEFT JOIN same AS s ON s.booking_id = k.booking_id AND s.x = k.child_entity AND s.y_dated
    LEFT JOIN d2 AS d ON d.booking_id = s.booking_id AND d.child_entity = s.y
    GROUP BY k.booking_id, k.child_entity
),
u2 AS (
    SELECT u.booking_id, u.child_entity,
           CASE WHEN u.groups >= 1 THEN u.first_key
                ELSE least(u.child_entity, coalesce(
                    min(v.child_entity) FILTER (WHERE v.groups = 0), u.child_entity)) END
               AS key2
    FROM undated AS u
    LEFT JOIN same AS s
      ON s.booking_id = u.booking_id AND s.x = u.child_entity AND NOT s.y_dated
    LEFT JOIN undated AS v ON v.booking_id = s.booking_id AND v.child_entity = s.y
    GROUP BY u.booking_id, u.child_entity, u.groups, u.first_key
),
k2 AS (
    SELECT booking_id, child_entity, key2 FROM d2
    UNION ALL SELECT booking_id, child_entity, key2 FROM u2
),
keyed AS (
    SELECT rc.*, k2.key2 AS child_key,
           coalesce(rc.date_of_birth,
                    min(rc.date_of_birth) OVER (PARTITION BY rc.booking_id, k2.key2)) AS key_dob
    FROM rc
    JOIN k2 ON k2.booking_id = rc.booking_id AND k2.child_entity = rc.child_entity
)
SELECT booking_id, prisoner_number, reception_date, adult_entity, child_entity, key_dob,
       child_key
FROM keyed
WHERE key_dob IS NULL
   OR (key_dob <= reception_date AND {age_years_sql("key_dob", "reception_date")} < 18)
"""


def gap_level_sql(gap: str) -> str:
    """Level of the age gap in whole birth years (the child's birth year minus the adult's):
    birth years, not exact ages, so that the same level is computed for a candidate pair and
    for the population's pairs counted from birth-year histograms (`em_population`)."""
    return (
        f"CASE WHEN {gap} IS NULL THEN NULL WHEN {gap} < 14 THEN 'LT14' "
        f"WHEN {gap} < 20 THEN '14_19' WHEN {gap} <= 45 THEN '20_45' "
        f"WHEN {gap} <= 60 THEN '46_60' ELSE 'GT60' END"
    )


def _levels_sql() -> str:
    """The comparison vector's levels from the aggregated flags (NULL = not applicable)."""
    ended = (
        "(rms_ex_at IS NOT NULL AND rms_ex_at >= coalesce(rms_step_at, DATE '1900-01-01'))"
        " OR (res_past = 1 AND res_cur = 0)"
    )
    return f"""
       CASE WHEN NOT rms_applicable THEN NULL
            WHEN rms_sibling = 1 AND (rms_parent = 1 OR rms_step = 1 OR rms_guard = 1)
                 THEN 'CONFLICT'
            WHEN rms_parent = 1 THEN 'PARENT'
            WHEN rms_step = 1 AND ({ended}) THEN 'STEP_ENDED'
            WHEN rms_step = 1 THEN 'STEP'
            WHEN rms_guard = 1 THEN 'GUARDIAN'
            WHEN rms_grand = 1 THEN 'GRAND'
            WHEN rms_sibling = 1 THEN 'AGAINST'
            WHEN rms_nok = 1 THEN 'NOK'
            ELSE 'NONE' END AS l_rms,
       CASE WHEN NOT adult_declared THEN NULL
            WHEN c_parent = 1 THEN 'PARENT' WHEN c_step = 1 THEN 'STEP'
            WHEN c_guard = 1 THEN 'GUARDIAN' WHEN c_grand = 1 THEN 'GRAND'
            WHEN c_other = 1 THEN 'OTHER' ELSE 'NONE' END AS l_contact,
       CASE WHEN NOT partner_applicable THEN NULL
            WHEN p_against = 1 AND (p_parent = 1 OR p_step = 1) THEN 'AGAINST'
            WHEN p_parent = 1 THEN 'PARENT' WHEN p_step = 1 THEN 'STEP'
            WHEN p_guard = 1 THEN 'GUARDIAN' WHEN p_grand = 1 THEN 'GRAND'
            WHEN p_against = 1 THEN 'AGAINST' ELSE 'NONE' END AS l_partner,
       CASE WHEN NOT rms_applicable THEN NULL ELSE
            CASE WHEN res_cur = 1 THEN 'CUR' WHEN res_past = 1 THEN 'PAST'
                 WHEN res_earlier = 1 THEN 'PRIOR'
                 WHEN res_shared = 1 THEN 'SHARED' ELSE 'NONE' END || '_' ||
            CASE WHEN occ_shared IS NULL THEN 'NONE'
                 WHEN occ_surprise >= {SIG_SURPRISE} THEN 'SIG' ELSE 'WEAK' END
       END AS l_home_occ,
       {gap_level_sql("gap_years")} AS l_gap,
       CASE WHEN adult_surname IS NULL OR child_surname IS NULL THEN NULL
            WHEN upper(trim(adult_surname)) = upper(trim(child_surname)) THEN 'SAME'
            ELSE 'DIFF' END AS l_surname"""


_FLAGS = (
    "rms_parent", "rms_step", "rms_guard", "rms_grand", "rms_nok", "rms_sibling", "rms_exchild",
    "c_parent", "c_step", "c_guard", "c_grand", "c_other",
    "p_parent", "p_step", "p_guard", "p_grand", "p_against",
)  # fmt: skip


def comparisons_sql(params: RunParameters) -> str:
    """Comparison vectors: every candidate pair of the force at the window's end (`booking_id`
    null: what EM learns from), and every reception's candidate child at the reception date."""
    pairs = params.table("pairs")
    cands = params.table("reception_candidates")
    residence = params.table("evidence_residence")
    end = date_literal(params.window_to)
    flags = ",\n           ".join(f"max(p.{f}) AS {f}" for f in _FLAGS)
    # A shared home not ended by the reference date is current even when first recorded
    # after it: a police address's from_date is when the force first recorded the person
    # there, and records lag (a child noted at the prisoner's home a month after he was
    # received lived there before).
    cur = "(r.last_seen IS NULL OR r.last_seen >= u.ref_date)"
    started = "(r.first_seen IS NULL OR r.first_seen <= u.ref_date)"
    return f"""
WITH units AS (
    SELECT CAST(NULL AS VARCHAR) AS booking_id, CAST(NULL AS VARCHAR) AS prisoner_number,
           adult_entity, child_entity AS child_key, child_entity, {end} AS ref_date,
           child_dob AS key_dob
    FROM {pairs}
    UNION ALL
    SELECT booking_id, prisoner_number, adult_entity, child_key, child_entity,
           reception_date AS ref_date, key_dob
    FROM {cands}
),
res AS (
    SELECT u.booking_id, u.adult_entity, u.child_key, u.child_entity,
           {_flag(f"r.kind = 'HOME' AND {cur}")} AS res_cur,
           {_flag(f"r.kind = 'HOME' AND {started}")} AS res_past,
           {_flag(f"r.kind = 'SHARED' AND {started}")} AS res_shared,
           {_flag(f"r.kind = 'EARLIER' AND {started}")} AS res_earlier
    FROM units AS u
    JOIN {residence} AS r ON r.adult_entity = u.adult_entity AND r.child_entity = u.child_entity
    GROUP BY u.booking_id, u.adult_entity, u.child_key, u.child_entity
),
grouped AS (
    SELECT u.booking_id, min(u.prisoner_number) AS prisoner_number, u.adult_entity,
           u.child_key, min(u.ref_date) AS ref_date, min(u.key_dob) AS child_dob,
           {flags},
           max(p.rms_step_at) AS rms_step_at, max(p.rms_ex_at) AS rms_ex_at,
           max(p.guard_code) AS guard_code,
           max(p.occ_shared) AS occ_shared, max(p.occ_surprise) AS occ_surprise,
           coalesce(max(res.res_cur), 0) AS res_cur,
           coalesce(max(res.res_past), 0) AS res_past,
           coalesce(max(res.res_shared), 0) AS res_shared,
           coalesce(max(res.res_earlier), 0) AS res_earlier,
           max(CASE WHEN p.adult_declared THEN 1 ELSE 0 END) = 1 AS adult_declared,
           max(CASE WHEN p.adult_person_ids IS NOT NULL AND p.child_person_ids IS NOT NULL
                    THEN 1 ELSE 0 END) = 1 AS rms_applicable,
           max(CASE WHEN p.adult_partner_ids IS NOT NULL AND p.child_partner_ids IS NOT NULL
                    THEN 1 ELSE 0 END) = 1 AS partner_applicable,
           min(p.adult_dob) AS adult_dob, min(p.adult_surname) AS adult_surname,
           min(p.child_surname) AS child_surname
    FROM units AS u
    JOIN {pairs} AS p ON p.adult_entity = u.adult_entity AND p.child_entity = u.child_entity
    LEFT JOIN res ON res.booking_id IS NOT DISTINCT FROM u.booking_id
                 AND res.adult_entity = u.adult_entity AND res.child_key = u.child_key
                 AND res.child_entity = u.child_entity
    GROUP BY u.booking_id, u.adult_entity, u.child_key
),
gapped AS (
    SELECT *, year(child_dob) - year(adult_dob) AS gap_years FROM grouped
)
SELECT *, {_levels_sql()}
FROM gapped
"""


def em_population_sql(params: RunParameters) -> str:
    """The pairs no route connects, as counts per comparison vector, never as rows.

    The comparison space is every (adult, child) pair of entities with a date of birth (adult:
    at least `ADULT_MIN_AGE` on the window's first day; child: under 18). A pair no route
    connects has the level NONE on every route that applies to it (police links and
    co-residence when both have a nominal, prison contacts when the adult declared contacts,
    social care when both have a partner record), so its vector depends only on those three
    applicabilities, the gap level and the surname level. Their counts come from histograms:
    adults x children by birth year (the gap), and the same by surname (agreement); the
    candidate pairs' own counts are then subtracted. At 300,000 people that is ~10^10 pairs in
    a few hundred rows."""
    entities = _entities_sql(params)
    members = params.table("entity_members")
    comparisons = params.table("comparisons")
    start = date_literal(params.window_from)
    age = age_years_sql("e.date_of_birth", start)
    keys = "rms_app, decl, part_app, l_gap"
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
           {gap_level_sql("c.y - a.y")} AS l_gap,
           CASE WHEN a.has_s AND c.has_s THEN 'DIFF' END AS l_surname,
           CAST(a.n AS DOUBLE) * c.n AS n
    FROM adults AS a CROSS JOIN children AS c
),
same AS (
    SELECT a.has_p AND c.has_p AS rms_app, a.decl, a.has_q AND c.has_q AS part_app,
           {gap_level_sql("c.y - a.y")} AS l_gap, CAST(a.n AS DOUBLE) * c.n AS n
    FROM adult_names AS a JOIN child_names AS c ON c.s = a.s
),
selves AS (
    SELECT has_p AS rms_app, decl, has_q AS part_app, 'LT14' AS l_gap,
           CASE WHEN s IS NOT NULL THEN 'SAME' END AS l_surname, CAST(count(*) AS DOUBLE) AS n
    FROM ent WHERE is_adult AND is_child GROUP BY has_p, decl, has_q, s IS NOT NULL
),
candidates AS (
    SELECT rms_applicable AS rms_app, adult_declared AS decl, partner_applicable AS part_app,
           l_gap, l_surname, CAST(count(*) AS DOUBLE) AS n
    FROM {comparisons}
    WHERE booking_id IS NULL AND adult_dob IS NOT NULL AND child_dob IS NOT NULL
    GROUP BY rms_applicable, adult_declared, partner_applicable, l_gap, l_surname
),
cells AS (
    SELECT {keys}, l_surname, n FROM everyone
    UNION ALL SELECT {keys}, 'SAME', n FROM same
    UNION ALL SELECT {keys}, 'DIFF', -n FROM same
    UNION ALL SELECT {keys}, l_surname, -n FROM selves
    UNION ALL SELECT {keys}, l_surname, -n FROM candidates
)
SELECT CASE WHEN rms_app THEN 'NONE' END AS l_rms,
       CASE WHEN decl THEN 'NONE' END AS l_contact,
       CASE WHEN part_app THEN 'NONE' END AS l_partner,
       CASE WHEN rms_app THEN 'NONE_NONE' END AS l_home_occ,
       l_gap, l_surname, greatest(sum(n), 0) AS n
FROM cells
GROUP BY rms_app, decl, part_app, l_gap, l_surname
HAVING sum(n) > 0
"""


def em_patterns_sql(params: RunParameters) -> str:
    """Distinct comparison vectors of the whole comparison space and how many pairs have
    each: the candidate pairs (counted from their rows) and the rest (`em_population`)."""
    comparisons = params.table("comparisons")
    population = params.table("em_population")
    levels = "l_rms, l_contact, l_partner, l_home_occ, l_gap, l_surname"
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
           coalesce(sum({_log_bf_sql("pr")}), 0) AS bf
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


def _em_step(iteration: int) -> Step:
    return Step(
        f"em_{iteration:02d}",
        f"EM iteration {iteration}: m, u and lambda of the parent-figure model",
        lambda params: em_iteration_sql(params, iteration),
    )


def minor_share_sql(params: RunParameters) -> str:
    """P(under 18 | the pair's kind of evidence, the adult's age), by five-year band of the
    adult's age, for children whose date of birth is unknown: the comparison space holds
    children only, so their posterior is scaled by the chance that they are one. Two kinds:
    `RECORD` (a police, prison or social-care record makes the adult a parent figure: a
    declared "daughter" of a 60-year-old is most likely grown up) and `SHARED` (only a home or
    incidents in common: the person could as well be a partner, a sibling or a lodger of any
    age). Estimated from the force's own pairs with both dates of birth known (add-one
    smoothed)."""
    ev = params.table("evidence")
    entities = _entities_sql(params)
    start = date_literal(params.window_from)
    record = (
        "e.route IN ('RMS_RELATIONSHIP', 'PRISON_CONTACT', 'PARTNER') "
        f"AND e.kind IN {in_list(PARENT_KINDS)}"
    )
    return f"""
WITH pairs AS (
    SELECT e.adult_entity, e.child_entity,
           CASE WHEN bool_or({record}) THEN 'RECORD' ELSE 'SHARED' END AS basis
    FROM {ev} AS e
    WHERE ({record}) OR (e.route = 'CO_RESIDENCE' AND e.kind = 'HOME')
       OR e.route = 'CO_OCCURRENCE'
    GROUP BY e.adult_entity, e.child_entity
),
aged AS (
    SELECT p.basis, {_band_sql(age_years_sql("a.date_of_birth", start))} AS band,
           CASE WHEN {age_years_sql("c.date_of_birth", start)} < 18 THEN 1 ELSE 0 END AS minor
    FROM pairs AS p
    JOIN {entities} AS a ON a.entity_id = p.adult_entity
    JOIN {entities} AS c ON c.entity_id = p.child_entity
    WHERE a.date_of_birth IS NOT NULL AND c.date_of_birth IS NOT NULL
      AND (p.basis = 'SHARED' OR c.date_of_birth > a.date_of_birth)
)
SELECT basis, band, (sum(minor) + 1.0) / (count(*) + 2.0) AS p_minor, count(*) AS pairs
FROM aged GROUP BY basis, band
"""


def _record_basis_sql(alias: str) -> str:
    """'RECORD' when a comparison's levels include a parent-figure record, else 'SHARED'."""
    levels = in_list(PARENT_KINDS)
    return (
        f"CASE WHEN {alias}.l_rms IN {levels} OR {alias}.l_contact IN {levels} "
        f"OR {alias}.l_partner IN {levels} THEN 'RECORD' ELSE 'SHARED' END"
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
    terms = " + ".join(f"coalesce({_log_bf_sql(f'p_{f}')}, 0)" for f in FEATURES)
    band = _band_sql(age_years_sql("w.adult_dob", "w.ref_date"))
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
SELECT w.*,
       -- no data at all: 1/2, what the add-one smoothing gives for zero counts
       CASE WHEN w.child_dob IS NULL THEN coalesce(m.p_minor, o.p, 0.5) ELSE 1.0 END AS p_child,
       CASE WHEN w.child_dob IS NULL THEN coalesce(m.p_minor, o.p, 0.5) ELSE 1.0 END
           / (1.0 + exp(-w.match_weight)) AS confidence
FROM w
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
    entities = _entities_sql(params)
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
cand AS (
    SELECT least(coalesce(l.k, 0) - CASE WHEN fw.confidence > {LIKELY} THEN 1 ELSE 0 END,
                 {cap}) AS lvl,
           fw.confidence AS g
    FROM fw LEFT JOIN likely AS l ON l.child_entity = fw.child_entity AND l.sx = fw.sx
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
    weight plus the competition feature's (`competition`). The level of a row is the number
    of other adult entities of the adult's sex likely parent figures of any of its child's
    entities (a reception's child may be several entities that identity left apart)."""
    base = params.table("scored_base")
    comp = params.table("competition")
    cands = params.table("reception_candidates")
    entities = _entities_sql(params)
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
    GROUP BY rc.booking_id, rc.adult_entity, rc.child_key
),
w AS (
    SELECT b.* EXCLUDE (match_weight, confidence), coalesce(o.lvl, 0) AS l_competition,
           b.match_weight + ln(c.m) - ln(c.u) AS match_weight
    FROM {base} AS b
    LEFT JOIN others AS o ON o.booking_id IS NOT DISTINCT FROM b.booking_id
                         AND o.adult_entity = b.adult_entity AND o.child_key = b.child_key
    JOIN {comp} AS c ON c.lvl = coalesce(o.lvl, 0)
)
SELECT w.*, w.p_child / (1.0 + exp(-w.match_weight)) AS confidence
FROM w
"""


_ROUTE_ORDER = {
    "RMS_RELATIONSHIP": 1,
    "PRISON_CONTACT": 2,
    "PARTNER": 3,
    "CO_OCCURRENCE": 4,
    "CO_RESIDENCE": 5,
}
_KIND_ORDER = (
    "CASE e.kind WHEN 'PARENT' THEN 0 WHEN 'STEP' THEN 1 WHEN 'GUARDIAN' THEN 2 "
    "WHEN 'HOME' THEN 3 WHEN 'FAMILY' THEN 3 WHEN 'GRAND' THEN 4 ELSE 5 END"
)


def carers_sql(params: RunParameters) -> str:
    """The likely remaining carer per (reception, child): the child's other recorded parent,
    else the prisoner's recorded partner (one living with the child first), else a partner
    the prisoner declared to the prison."""
    scored = params.table("scored")
    cands = params.table("reception_candidates")
    ev = params.table("evidence")
    entities = _entities_sql(params)
    members = params.table("entity_members")
    residence = params.table("evidence_residence")
    return f"""
WITH rows AS (
    SELECT DISTINCT s.booking_id, s.prisoner_number, s.adult_entity, s.child_key, s.ref_date
    FROM {scored} AS s WHERE s.booking_id IS NOT NULL
),
kids AS (
    SELECT DISTINCT r.booking_id, r.adult_entity, r.child_key, r.ref_date, c.child_entity
    FROM rows AS r
    JOIN {cands} AS c ON c.booking_id = r.booking_id AND c.child_key = r.child_key
),
other_parent AS (
    SELECT k.booking_id, k.child_key, e.adult_entity AS carer_entity,
           CASE e.kind WHEN 'STEP' THEN 'STEP_PARENT' WHEN 'GUARDIAN' THEN 'GUARDIAN'
                ELSE 'PARENT' END AS carer_relationship, 1 AS rank
    FROM kids AS k
    JOIN {ev} AS e ON e.child_entity = k.child_entity
    WHERE e.route IN ('RMS_RELATIONSHIP', 'PARTNER', 'PRISON_CONTACT')
      AND e.kind IN ('PARENT', 'STEP', 'GUARDIAN') AND e.adult_entity <> k.adult_entity
),
rms AS (SELECT record_id, entity_id FROM {members} WHERE source = 'RMS'),
partner_links AS (
    SELECT a.entity_id AS x, b.entity_id AS y FROM relationships AS r
    JOIN rms AS a ON a.record_id = r.person_id JOIN rms AS b ON b.record_id = r.related_person_id
    WHERE r.relationship = 'PARTNER'
),
partners AS (
    SELECT x AS adult_entity, y AS partner_entity FROM partner_links
    UNION SELECT y, x FROM partner_links
),
recorded_partner AS (
    SELECT k.booking_id, k.child_key, p.partner_entity AS carer_entity,
           'PARTNER' AS carer_relationship,
           CASE WHEN max(CASE WHEN res.child_entity IS NOT NULL THEN 1 ELSE 0 END) = 1
                THEN 2 ELSE 3 END AS rank
    FROM kids AS k
    JOIN partners AS p ON p.adult_entity = k.adult_entity
    LEFT JOIN {residence} AS res
           ON res.adult_entity = p.partner_entity AND res.child_entity = k.child_entity
          AND res.kind = 'HOME' AND (res.last_seen IS NULL OR res.last_seen >= k.ref_date)
    WHERE p.partner_entity <> k.child_entity
    GROUP BY k.booking_id, k.child_key, p.partner_entity
),
declared_partner AS (
    SELECT r.booking_id, r.child_key, m.entity_id AS carer_entity,
           CASE c.relationship_code WHEN 'WIFE' THEN 'WIFE' WHEN 'HUS' THEN 'HUSBAND'
                ELSE 'PARTNER' END AS carer_relationship, 4 AS rank
    FROM rows AS r
    JOIN prisoner_contacts AS c ON c.prisoner_number = r.prisoner_number
    JOIN {members} AS m ON m.source = 'CONTACT' AND m.record_id = CAST(c._row AS VARCHAR)
    WHERE c.relationship_code IN ('WIFE', 'HUS', 'PART')
),
all_carers AS (
    SELECT * FROM other_parent UNION ALL SELECT * FROM recorded_partner
    UNION ALL SELECT * FROM declared_partner
),
ranked AS (
    SELECT ac.*, row_number() OVER (
               PARTITION BY ac.booking_id, ac.child_key
               ORDER BY ac.rank, ac.carer_entity) AS pick
    FROM all_carers AS ac
)
SELECT r.booking_id, r.child_key, r.carer_entity, r.carer_relationship,
       e.person_ids AS carer_person_ids,
       concat_ws(' ', e.forenames, e.surname) AS carer_name
FROM ranked AS r
LEFT JOIN {entities} AS e ON e.entity_id = r.carer_entity
WHERE r.pick = 1
"""


def decided_sql(params: RunParameters) -> str:
    """One row per (reception, child): details, confidence, decision, evidence in words."""
    d = params.decision
    scored = params.table("scored")
    cands = params.table("reception_candidates")
    ev = params.table("evidence")
    entities = _entities_sql(params)
    nominals = params.table("prisoner_nominals")
    receptions = params.table("in_area")
    carers = params.table("carers")
    order = " ".join(f"WHEN {literal(k)} THEN {v}" for k, v in _ROUTE_ORDER.items())
    first = long_date_sql("e.first_seen")
    when = (
        "CASE WHEN e.route = 'CO_OCCURRENCE' AND e.first_seen IS NOT NULL THEN "
        f"CASE WHEN e.events = 1 THEN ' on ' || {first} ELSE ' from ' || {first} || ' to ' || "
        f"{long_date_sql('e.last_seen')} END ELSE '' END"
    )
    return f"""
WITH rows AS (
    SELECT s.* FROM {scored} AS s WHERE s.booking_id IS NOT NULL
),
members AS (
    SELECT DISTINCT c.booking_id, c.child_key, c.child_entity, c.adult_entity
    FROM {cands} AS c
),
ids AS (
    SELECT m.booking_id, m.child_key,
           array_to_string(list_sort(list_distinct(flatten(
               list(string_split(e.person_ids, ';')) FILTER (WHERE e.person_ids IS NOT NULL)
           ))), ';') AS person_ids,
           array_to_string(list_sort(list_distinct(flatten(
               list(string_split(e.partner_ids, ';')) FILTER (WHERE e.partner_ids IS NOT NULL)
           ))), ';') AS partner_ids
    FROM members AS m JOIN {entities} AS e ON e.entity_id = m.child_entity
    GROUP BY m.booking_id, m.child_key
),
best AS (
    SELECT m.booking_id, m.child_key, e.surname, e.forenames, e.date_of_birth, e.sex,
           row_number() OVER (
               PARTITION BY m.booking_id, m.child_key
               ORDER BY CASE WHEN e.person_ids IS NOT NULL THEN 0
                             WHEN e.partner_ids IS NOT NULL THEN 1 ELSE 2 END,
                        CASE WHEN e.date_of_birth IS NULL THEN 1 ELSE 0 END, e.entity_id
           ) AS pick
    FROM members AS m JOIN {entities} AS e ON e.entity_id = m.child_entity
),
clauses AS (
    SELECT m.booking_id, m.child_key, e.route, e.against,
           e.detail || {when} AS clause,
           CASE e.route {order} END AS route_order,
           row_number() OVER (
               PARTITION BY m.booking_id, m.child_key, e.route, e.against
               ORDER BY {_KIND_ORDER},
                        CASE WHEN e.open_ended THEN 0 ELSE 1 END,
                        e.first_seen NULLS LAST, e.records
           ) AS pick,
           count(*) OVER (PARTITION BY m.booking_id, m.child_key, e.route, e.against) AS n
    FROM members AS m
    JOIN {ev} AS e ON e.adult_entity = m.adult_entity AND e.child_entity = m.child_entity
),
words AS (
    SELECT booking_id, child_key,
           array_to_string(list(CASE WHEN NOT against THEN clause
                   || CASE WHEN n > 1 THEN ' (and ' || CAST(n - 1 AS VARCHAR) || ' more)'
                           ELSE '' END END ORDER BY route_order), '; ') AS for_text,
           array_to_string(list(CASE WHEN against THEN clause END ORDER BY route_order), '; ')
               AS against_text,
           array_to_string(list(CASE WHEN NOT against THEN route END ORDER BY route_order),
                           ';') AS sources
    FROM clauses WHERE pick = 1
    GROUP BY booking_id, child_key
),
parent_nominals AS (
    SELECT prisoner_number,
           array_to_string(list_sort(list(person_id)), ';') AS parent_person_ids,
           'prisoner matched to police record(s) '
           || array_to_string(list_sort(list(person_id || ' (' || matched_on || ')')), ', ')
               AS matched_text
    FROM {nominals} GROUP BY prisoner_number
),
{AREA_CTE},
homes AS (
    SELECT m.booking_id, m.child_key,
           concat_ws(', ', a.line1, a.line2, a.town) AS address, a.postcode,
           {home_lpa_sql("a")} AS lpa,
           row_number() OVER (
               PARTITION BY m.booking_id, m.child_key
               ORDER BY {current_home_first_sql("pa", "r.ref_date")}
           ) AS pick
    FROM members AS m
    JOIN rows AS r ON r.booking_id = m.booking_id AND r.child_key = m.child_key
    JOIN {params.table("entity_members")} AS em
      ON em.entity_id = m.child_entity AND em.source = 'RMS'
    JOIN person_addresses AS pa ON pa.person_id = em.record_id AND pa.address_role = 'HOME'
    JOIN addresses AS a ON a.address_id = pa.address_id
    {area_join_sql("a")}
),
{LPA_NAMES_CTE},
base AS (
    SELECT r.*, b.surname AS child_surname_best, b.forenames AS child_forenames,
           b.date_of_birth AS child_date_of_birth, b.sex AS child_sex,
           nullif(i.person_ids, '') AS child_person_ids,
           nullif(i.partner_ids, '') AS child_partner_ids,
           rec.reception_date, rec.prisoner_name, rec.prison_name, rec.prisoner_lpa,
           pn.parent_person_ids, pn.matched_text,
           w.for_text, w.against_text, w.sources,
           h.address, h.postcode, h.lpa, ln.lpa_name,
           cr.carer_entity, cr.carer_person_ids, cr.carer_name, cr.carer_relationship,
           CASE WHEN r.l_rms = 'PARENT' OR r.l_contact = 'PARENT' OR r.l_partner = 'PARENT'
                     THEN 'PARENT'
                WHEN r.l_rms = 'STEP' OR r.l_contact = 'STEP' OR r.l_partner = 'STEP'
                     THEN 'STEP_PARENT'
                WHEN r.l_rms = 'GUARDIAN' OR r.l_contact = 'GUARDIAN'
                     OR r.l_partner = 'GUARDIAN' THEN coalesce(r.guard_code, 'GUARDIAN')
                WHEN (r.l_rms = 'GRAND' OR r.l_contact = 'GRAND' OR r.l_partner = 'GRAND')
                     AND r.res_cur = 1 THEN 'GRANDPARENT'
                WHEN r.l_rms = 'STEP_ENDED' THEN 'STEP_PARENT'
                ELSE 'PARENT' END AS relationship,
           TRUE AS age_ok
    FROM rows AS r
    JOIN {receptions} AS rec
      ON rec.booking_id = r.booking_id AND rec.prisoner_number = r.prisoner_number
    LEFT JOIN best AS b ON b.booking_id = r.booking_id AND b.child_key = r.child_key
                       AND b.pick = 1
    LEFT JOIN ids AS i ON i.booking_id = r.booking_id AND i.child_key = r.child_key
    LEFT JOIN words AS w ON w.booking_id = r.booking_id AND w.child_key = r.child_key
    LEFT JOIN parent_nominals AS pn ON pn.prisoner_number = r.prisoner_number
    LEFT JOIN homes AS h ON h.booking_id = r.booking_id AND h.child_key = r.child_key
                        AND h.pick = 1
    LEFT JOIN lpa_names AS ln ON ln.lpa = h.lpa
    LEFT JOIN {carers} AS cr ON cr.booking_id = r.booking_id AND cr.child_key = r.child_key
),
eligible AS (SELECT * FROM base WHERE age_ok),
threshold AS (
    SELECT coalesce(min(t), 1.0) AS t FROM (
        SELECT confidence AS t,
               avg(confidence) OVER (ORDER BY confidence DESC
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS mean
        FROM eligible
    ) AS c
    WHERE mean >= {d.target_precision} AND t >= {d.threshold_floor}
)
SELECT e.*,
       th.t AS threshold,
       CASE WHEN e.confidence >= th.t THEN 'WORKLIST'
            WHEN e.confidence >= {d.review_floor} THEN 'REVIEW' ELSE 'DROPPED' END AS decision,
       CASE WHEN e.child_dob IS NULL
            THEN 'Date of birth unknown: the confidence includes the chance of being under 18 ('
                 || CAST(round(100 * e.p_child) AS INTEGER)
                 || ' in 100 of the people linked this way to adults of this age). '
            ELSE '' END
       || upper(substr(coalesce(e.for_text, 'no evidence for'), 1, 1))
       || substr(coalesce(e.for_text, 'no evidence for'), 2)
       || CASE WHEN e.against_text IS NOT NULL AND e.against_text <> ''
               THEN '. Against: ' || e.against_text ELSE '' END
       || '. (' || coalesce(e.matched_text, 'prisoner not matched to a police record')
       || '; confidence ' || CAST(round(e.confidence, 2) AS VARCHAR) || '.)' AS evidence
FROM eligible AS e CROSS JOIN threshold AS th
"""


def _output_sql(params: RunParameters, decision: str) -> str:
    decided = params.table("decided")
    columns = {
        "child_person_ids": "child_person_ids",
        "child_partner_ids": "child_partner_ids",
        "child_surname": "child_surname_best",
        "child_forenames": "child_forenames",
        "child_date_of_birth": "child_date_of_birth",
        "child_sex": "child_sex",
        "child_age": "CAST(CASE WHEN child_dob IS NULL THEN NULL ELSE "
        f"{age_years_sql('child_dob', 'reception_date')} END AS INTEGER)",
        "prisoner_number": "prisoner_number",
        "booking_id": "booking_id",
        "reception_date": "reception_date",
        "parent_person_ids": "parent_person_ids",
        "relationship": "relationship",
        "confidence": "CAST(round(confidence, 4) AS DOUBLE)",
        "evidence": "evidence",
        "sources": "sources",
        "address": "address",
        "postcode": "postcode",
        "lpa": "lpa",
        "lpa_name": "lpa_name",
        "prisoner_name": "prisoner_name",
        "prison_name": "prison_name",
        "prisoner_lpa": "prisoner_lpa",
        "method": literal(params.method),
        "carer_entity": "carer_entity",
        "carer_person_ids": "carer_person_ids",
        "carer_name": "carer_name",
        "carer_relationship": "carer_relationship",
        "child_entity": "child_key",
        "prisoner_entity": "adult_entity",
        "decision": "decision",
        "threshold": "threshold",
        "levels": "concat_ws(' ', 'rms=' || l_rms, 'contact=' || l_contact, "
        "'partner=' || l_partner, 'home_occ=' || l_home_occ, 'gap=' || l_gap, "
        "'surname=' || l_surname)",
    }
    assert tuple(columns)[: len(CHILDREN_COLUMNS)] == CHILDREN_COLUMNS
    select = ",\n       ".join(f"{expr} AS {name}" for name, expr in columns.items())
    return f"""
SELECT {select}
FROM {decided}
WHERE decision = {literal(decision)}
ORDER BY reception_date, prisoner_number, booking_id, child_age, child_person_ids, child_key
"""


def review_sql(params: RunParameters) -> str:
    """Candidates below the worklist threshold but worth an analyst's look."""
    return _output_sql(params, "REVIEW")


def children_sql(params: RunParameters) -> str:
    """The worklist: the contract's columns first, then the decision's extras."""
    return _output_sql(params, "WORKLIST")


PAIRS = Step(
    "pairs", "Candidate adult-child entity pairs of the force, evidence as flags", pairs_sql
)
RECEPTION_CANDIDATES = Step(
    "reception_candidates",
    "The window's candidates: children of each received prisoner's entity, one key a child",
    reception_candidates_sql,
)
COMPARISONS = Step(
    "comparisons",
    "Comparison vectors (levels per feature): force-wide pairs and reception candidates",
    comparisons_sql,
)
EM_POPULATION = Step(
    "em_population",
    "Adult-child pairs no route connects: counts per comparison vector, from histograms",
    em_population_sql,
)
EM_PATTERNS = Step(
    "em_patterns",
    "Distinct comparison vectors of all adult-child pairs of the force and their counts",
    em_patterns_sql,
)
EM_PATTERN_LEVELS = Step(
    "em_pattern_levels", "The vectors in long form (feature, level)", em_pattern_levels_sql
)
EM_INITIAL = Step("em_00", "EM starting values of m, u and lambda", em_initial_sql)
MINOR_SHARE = Step(
    "minor_share",
    "Share of parent-like pairs whose child is under 18, by the adult's age",
    minor_share_sql,
)
SCORED_BASE = Step(
    "scored_base", "Match weight and confidence of every comparison, routes only", scored_base_sql
)
COMPETITION = Step(
    "competition",
    "Competition: other likely parent figures of the child, levels with m and u",
    competition_sql,
)
SCORED = Step(
    "scored", "Match weight and confidence of every comparison, with competition", scored_sql
)
CARERS = Step("carers", "The likely remaining carer of each child", carers_sql)
DECIDED = Step(
    "decided", "One row per child per reception: confidence, decision, evidence", decided_sql
)
REVIEW = Step(
    "review", "Candidates for an analyst: below the threshold, above the floor", review_sql
)
DECIDE_CHILDREN = Step("children", "The worklist in the contract's columns", children_sql)


def decide_steps(em_iterations: int = DEFAULT_DECISION.em_iterations) -> tuple[Step, ...]:
    """The decision's steps, with one EM step per iteration (`DecisionSettings.em_iterations`:
    a run's parameters must ask for the same number, which `Pipeline.check` enforces)."""
    return (
        PAIRS,
        RECEPTION_CANDIDATES,
        COMPARISONS,
        EM_POPULATION,
        EM_PATTERNS,
        EM_PATTERN_LEVELS,
        EM_INITIAL,
        *(_em_step(i) for i in range(1, em_iterations + 1)),
        MINOR_SHARE,
        SCORED_BASE,
        COMPETITION,
        SCORED,
        CARERS,
        DECIDED,
        REVIEW,
        DECIDE_CHILDREN,
    )


DECIDE_STEPS: tuple[Step, ...] = decide_steps()
