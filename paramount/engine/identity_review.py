"""The identity review that matters for one run: uncertain matches touching its families.

`resolve` puts every match between the review and accept thresholds in
`pm_identity_review`: at force scale tens of thousands of pairs, far more than an analyst
reads. A run needs only those that could change its own list: pairs touching a prisoner
received in the window, or a child the decision put on the worklist or the review list. An
uncertain pair there can mean a child listed twice, a child missed, or the wrong prisoner's
records; elsewhere it changes nothing this run hands on. So this step keeps those pairs,
says which reception and role each touches, and puts the most doubtful first (then every
column breaks a tie, as a pair can touch one reception in two roles: the file's bytes never
depend on the database's scheduling). Each uncertain pair's two entities are found once per
resolution (`identity_review_pairs`, window-free: kept on a force database), not every day.
"""

from __future__ import annotations

from paramount.engine.pipeline import RunParameters, Step
from paramount.linkage import MEMBERS, REVIEW_OUT


def identity_review_pairs_sql(params: RunParameters) -> str:
    """Every uncertain pair with the entity of each side (the window does not change them)."""
    return f"""
SELECT v.*, coalesce(ml.entity_id, v.record_l) AS entity_l,
       CASE WHEN v.source_r = 'ENTITY' THEN v.record_r
            ELSE coalesce(mr.entity_id, v.entity_r) END AS entity_rr
FROM {REVIEW_OUT} AS v
LEFT JOIN {MEMBERS} AS ml ON ml.source = v.source_l AND ml.record_id = v.record_l
LEFT JOIN {MEMBERS} AS mr ON mr.source = v.source_r AND mr.record_id = v.record_r
"""


def identity_review_sql(params: RunParameters) -> str:
    receptions = params.table("in_area")
    decided = params.table("decided")
    candidates = params.table("reception_candidates")
    pairs = params.table("identity_review_pairs")
    return f"""
WITH touched AS (
    SELECT r.booking_id, r.reception_date, m.entity_id, 'PRISONER' AS role
    FROM {receptions} AS r
    JOIN {MEMBERS} AS m ON m.source = 'PRISONER' AND m.record_id = r.prisoner_number
    UNION
    SELECT d.booking_id, d.reception_date, c.child_entity, 'CHILD (' || d.decision || ')'
    FROM {decided} AS d
    JOIN {candidates} AS c ON c.booking_id = d.booking_id AND c.child_key = d.child_key
    WHERE d.decision IN ('WORKLIST', 'REVIEW')
)
SELECT t.booking_id, t.reception_date, t.role,
       p.source_l, p.record_l, p.source_r, p.record_r, p.entity_r,
       round(p.match_probability, 4) AS match_probability, p.reason, p.agreement
FROM {pairs} AS p
JOIN touched AS t ON t.entity_id IN (p.entity_l, p.entity_rr)
ORDER BY abs(p.match_probability - 0.5), t.reception_date, t.booking_id, p.record_l, p.record_r,
         t.role, p.source_l, p.source_r, p.entity_r, p.match_probability, p.reason, p.agreement
"""


IDENTITY_REVIEW_PAIRS = Step(
    "identity_review_pairs",
    "Every uncertain identity match with the entity of each side",
    identity_review_pairs_sql,
    window_free=True,
)
IDENTITY_REVIEW = Step(
    "run_identity_review",
    "Uncertain identity matches touching this run's prisoners and listed children",
    identity_review_sql,
)
