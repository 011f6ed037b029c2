"""When a step-relationship is over, read the same way for every source that records one.

A step-parent is a parent figure only while he is the child's parent's partner; a birth
parent stays one after he leaves. So a step claim (a police STEP_PARENT link, a stepson
declared to the prison, social care's step-parent) says nothing for a *current* parent figure
once the records show the partnership over: the adult is recorded as the ex-partner of the
child's parent, or the two shared a home that has ended and share none now; no source
records him as the child's birth parent; and they are not together now (he did not name the
child's parent as his partner at the reception, nor did the police or social care record them
as partners after their home ended and after any record of them as exes). The police route
reads its own link this way (`STEP_ENDED`, with the link's date against the ex-partner
record's); the prison's and social care's step claims read it here, so that a declaration of
an ended step-relationship does not outweigh the police's record that it ended, nor stand
alone as a current one.
"""

from __future__ import annotations

from paramount.engine.routes.route import AGAINST_FACTOR

# the comparison row's columns (pairs: `engine/decision/comparisons.py`), NULL as 0
_NO_BIRTH_PARENT = (
    "coalesce(rms_parent, 0) = 0 AND coalesce(c_parent, 0) = 0 AND coalesce(p_parent, 0) = 0"
)
_OVER = (
    "(coalesce(rms_exchild, 0) = 1"
    " OR ((coalesce(res_past, 0) = 1 OR coalesce(res_earlier, 0) = 1)"
    " AND coalesce(res_cur, 0) = 0))"
)
# together now: the prisoner declared the child's parent as his partner at the reception, or
# the police or social care recorded the two as partners after their shared home ended (the
# family moved and his new address was not recorded) and after any record of them as exes
TOGETHER_SQL = (
    "(coalesce(tp_together, 0) = 1 OR (tp_partner_at IS NOT NULL"
    " AND tp_partner_at > coalesce(res_home_end, DATE '1900-01-01')"
    " AND tp_partner_at > coalesce(rms_ex_at, DATE '1900-01-01')))"
)
STEP_OVER_SQL = f"({_NO_BIRTH_PARENT} AND {_OVER} AND NOT {TOGETHER_SQL})"
"""The pair's step-relationship is over (see the module docstring)."""

# A source's step levels: the step claim over (`STEP_ENDED`, against a current parent figure)
# or over and already carried by an earlier source's step claim (`STEP_ENDED_SEEN`, the same
# relationship seen again, counted once); starting weights only point EM the right way.
STEP_ENDED_LEVELS: dict[str, tuple[float, float]] = {
    "STEP_ENDED": (0.005, 0.005),
    "STEP_ENDED_SEEN": (0.005, 0.005),
}
STEP_ENDED_FIXED: dict[str, float] = {"STEP_ENDED": AGAINST_FACTOR, "STEP_ENDED_SEEN": 1.0}


def step_levels_sql(step_flag: str, earlier_step_flags: tuple[str, ...]) -> str:
    """The WHEN clauses of a source's step levels: STEP_ENDED_SEEN, STEP_ENDED or STEP for a
    pair whose `step_flag` is set; `earlier_step_flags` the step claims of the sources read
    before it (the police's for the prison's; both for social care's)."""
    seen = " OR ".join(f"coalesce({f}, 0) = 1" for f in earlier_step_flags)
    return f"""WHEN {step_flag} = 1 AND {STEP_OVER_SQL} AND ({seen}) THEN 'STEP_ENDED_SEEN'
            WHEN {step_flag} = 1 AND {STEP_OVER_SQL} THEN 'STEP_ENDED'
            WHEN {step_flag} = 1 THEN 'STEP'"""
