"""What the force's checkers found, applied to the window's decided rows.

Runs only when a run is given verdicts (`RunParameters.verdicts`, the fitted correction,
and the input table `verdicts_held`: one row per (prisoner, child) a checker rejected,
latest verdict first, made by `paramount.verdicts`). For each decided row:

- **held**: a checker rejected this prisoner's link to this child for a reason that still
  holds: a sibling stays a sibling, an unrelated child stays unrelated, an adult stays an
  adult; a child not born on an earlier reception day may be born by a later one, so
  NOT_BORN holds for that reception alone. The row leaves the list and the review.
- **ended, with newer evidence**: a relationship a checker found ended holds too, unless
  evidence first seen after the verdict links them again; then the row goes to review,
  saying so, never straight back to the worklist.
- **merged**: a row a checker marked as a duplicate of another child of the reception is
  folded into that row (its ids added), and leaves the list.
- **recalibrated**: every other row's confidence is the correction's; a row the model
  listed moves to review when the verdicts show beyond doubt (its corrected log-odds under
  zero by 1.645 posterior standard deviations) that rows like it are more often wrong than
  right. No row is promoted: checkers only saw listed rows.
"""

from __future__ import annotations

from paramount.engine.decision.correction import DOUBT_Z, tokens_sql
from paramount.engine.pipeline import VERDICTS_HELD, RunParameters, Step

# Reasons that hold for the pair on any later reception (NOT_BORN: that reception only;
# RELATIONSHIP_ENDED: until newer evidence; DUPLICATE: merged, not held).
LASTING_REASONS = ("NOT_RELATED", "SIBLING", "OTHER_RELATIVE", "ADULT", "OTHER")
# A listed row whose corrected confidence is under this may leave the worklist, if the
# verdicts show it beyond doubt (`correction.DOUBT_Z`).
STAYS_LISTED = 0.5
# When a piece of evidence was recorded: a shared home when it began, a record or an incident
# when last made (undated evidence, such as a declaration, is never newer than a verdict).
_RECORDED = "CASE WHEN e.route = 'CO_RESIDENCE' THEN e.first_seen ELSE e.last_seen END"


def ids_overlap_sql(row_ids: str, held_ids: str) -> str:
    """SQL: whether two `;`-separated id lists share an id (false when either is null)."""
    return (
        f"({held_ids} IS NOT NULL AND {row_ids} IS NOT NULL AND "
        f"list_has_any(string_split({row_ids}, ';'), string_split({held_ids}, ';')))"
    )


def verdict_decided_sql(params: RunParameters) -> str:
    correction = params.verdicts
    assert correction is not None, "verdict_decided runs only with verdicts"
    decided = params.table("decided")
    cands = params.table("reception_candidates")
    evidence = params.table("evidence")
    lasting = ", ".join(f"'{r}'" for r in LASTING_REASONS)
    same_child = (
        f"({ids_overlap_sql('d.child_person_ids', 'h.person_ids')} "
        f"OR {ids_overlap_sql('d.child_partner_ids', 'h.partner_ids')})"
    )
    dup_target = (
        f"({ids_overlap_sql('y.child_person_ids', 'm.dup_person_ids')} "
        f"OR {ids_overlap_sql('y.child_partner_ids', 'm.dup_partner_ids')} "
        "OR (m.dup_person_ids IS NULL AND m.dup_partner_ids IS NULL))"
    )
    # the rows the verdicts might move off the worklist, with their posterior variance
    doubtful = correction.variance_sql(
        "confidence",
        "vtokens",
        f"""SELECT booking_id, child_key, confidence, vtokens, corrected_logodds FROM pre
            WHERE decision = 'WORKLIST' AND corrected < {STAYS_LISTED}""",
    )
    return f"""
WITH d AS (SELECT * FROM {decided}),
described AS (SELECT d.*, {tokens_sql("d")} AS vtokens FROM d),
pre AS (
    SELECT p.*, {correction.sql("p.confidence", "p.vtokens")} AS corrected,
           {correction.logodds_sql("p.confidence", "p.vtokens")} AS corrected_logodds
    FROM described AS p
),
doubt AS (
    SELECT booking_id, child_key FROM ({doubtful}) AS v
    WHERE {correction.labels} > 0  -- as Correction.doubted: without verdicts, no doubt
      AND v.corrected_logodds + {DOUBT_Z} * sqrt(greatest(v.variance, 0.0)) < 0
),
held AS (
    SELECT d.booking_id, d.child_key, h.reason, h.checked_on,
           h.dup_person_ids, h.dup_partner_ids,
           row_number() OVER (PARTITION BY d.booking_id, d.child_key
                              ORDER BY h.checked_on DESC, h.reason) AS pick
    FROM d JOIN {VERDICTS_HELD} AS h
      ON h.prisoner_number = d.prisoner_number AND {same_child}
    WHERE h.reason IN ({lasting}, 'RELATIONSHIP_ENDED', 'DUPLICATE')
       OR (h.reason = 'NOT_BORN' AND h.booking_id = d.booking_id)
),
m AS (SELECT * FROM held WHERE pick = 1),
newer AS (  -- a record or incident made, or a shared home begun, after the verdict
    SELECT m.booking_id, m.child_key, max({_RECORDED}) AS newest
    FROM m
    JOIN {cands} AS c ON c.booking_id = m.booking_id AND c.child_key = m.child_key
    JOIN {evidence} AS e ON e.adult_entity = c.adult_entity
                        AND e.child_entity = c.child_entity
    WHERE m.reason = 'RELATIONSHIP_ENDED' AND NOT e.against AND {_RECORDED} > m.checked_on
    GROUP BY m.booking_id, m.child_key
),
merged AS (  -- each duplicate row and the row of its reception it folds into
    SELECT m.booking_id, m.child_key AS from_key, y.child_key AS into_key,
           row_number() OVER (PARTITION BY m.booking_id, m.child_key
                              ORDER BY y.confidence DESC, y.child_key) AS pick
    FROM m JOIN d AS y ON y.booking_id = m.booking_id AND y.child_key <> m.child_key
    WHERE m.reason = 'DUPLICATE' AND {dup_target}
      AND NOT EXISTS (SELECT 1 FROM m AS m2 WHERE m2.booking_id = y.booking_id
                      AND m2.child_key = y.child_key AND m2.reason = 'DUPLICATE')
),
folded AS (
    SELECT g.booking_id, g.into_key,
           list(x.child_person_ids) FILTER (WHERE x.child_person_ids IS NOT NULL) AS person_ids,
           list(x.child_partner_ids) FILTER (WHERE x.child_partner_ids IS NOT NULL)
               AS partner_ids
    FROM merged AS g JOIN d AS x ON x.booking_id = g.booking_id AND x.child_key = g.from_key
    WHERE g.pick = 1
    GROUP BY g.booking_id, g.into_key
),
marked AS (
    SELECT d.* EXCLUDE (vtokens), d.confidence AS model_confidence,
           dt.child_key IS NOT NULL AS doubted,
           m.reason AS held_reason, m.checked_on AS held_on, n.newest,
           g.into_key IS NOT NULL AS merged_away,
           f.person_ids AS folded_person_ids, f.partner_ids AS folded_partner_ids
    FROM pre AS d
    LEFT JOIN doubt AS dt ON dt.booking_id = d.booking_id AND dt.child_key = d.child_key
    LEFT JOIN m ON m.booking_id = d.booking_id AND m.child_key = d.child_key
    LEFT JOIN newer AS n ON n.booking_id = d.booking_id AND n.child_key = d.child_key
    LEFT JOIN merged AS g ON g.booking_id = d.booking_id AND g.from_key = d.child_key
                         AND g.pick = 1
    LEFT JOIN folded AS f ON f.booking_id = d.booking_id AND f.into_key = d.child_key
)
SELECT * REPLACE (
    corrected AS confidence,
    nullif(array_to_string(list_sort(list_distinct(flatten(list_value(
        string_split(coalesce(child_person_ids, ''), ';'),
        flatten(list_transform(coalesce(folded_person_ids, []), lambda s: string_split(s, ';')))
    )))), ';'), '') AS child_person_ids,
    nullif(array_to_string(list_sort(list_distinct(flatten(list_value(
        string_split(coalesce(child_partner_ids, ''), ';'),
        flatten(list_transform(coalesce(folded_partner_ids, []), lambda s: string_split(s, ';')))
    )))), ';'), '') AS child_partner_ids,
    CASE WHEN merged_away THEN 'MERGED'
         WHEN held_reason = 'RELATIONSHIP_ENDED' AND newest IS NOT NULL
              AND decision IN ('WORKLIST', 'REVIEW') THEN 'REVIEW'
         WHEN held_reason IS NOT NULL AND held_reason <> 'DUPLICATE' THEN 'HELD'
         WHEN decision = 'WORKLIST' AND doubted THEN 'REVIEW'
         ELSE decision END AS decision,
    evidence
    || CASE WHEN held_reason = 'RELATIONSHIP_ENDED' AND newest IS NOT NULL
            THEN ' A checker found this relationship had ended (checked '
                 || strftime(held_on, '%-d %B %Y') || '); evidence first recorded since, on '
                 || strftime(newest, '%-d %B %Y') || ', links them again: check before listing.'
            ELSE '' END
    || CASE WHEN doubted AND decision = 'WORKLIST'
            THEN ' On this force''s own verdicts, rows like this are more often wrong than '
                 || 'right: for review, not the worklist.' ELSE '' END
    || CASE WHEN folded_person_ids IS NOT NULL OR folded_partner_ids IS NOT NULL
            THEN ' Merged with a row a checker marked as the same child.' ELSE '' END
    || CASE WHEN {correction.labels} > 0
            THEN ' Confidence on this force''s own verdicts ('
                 || CAST({correction.labels} AS VARCHAR) || ' checked rows): '
                 || CAST(round(corrected, 2) AS VARCHAR) || ' (model '
                 || CAST(round(model_confidence, 2) AS VARCHAR) || ').'
            ELSE '' END AS evidence
)
FROM marked
"""


VERDICT_DECIDED = Step(
    "verdict_decided",
    "The checkers' verdicts applied: held pairs, merged duplicates, recalibrated confidence",
    verdict_decided_sql,
)
