"""A lone police link: a record of the child as the adult's, with nothing else linking them.

Such a record is sometimes a non-resident father's only trace and sometimes wrong (the
mother's boyfriend written down once as "father", a neighbour at a child-protection visit).
EM cannot tell the two apart: nothing else in the pair's vector varies, and the link's Bayes
factor is learned over every recorded parent, most of whom have a home or incidents besides.
What can is the surname the child carries, read from the force's own records as a mixture:
a wrong link shares the child's surname only by chance, while a father apart from his child
shares it as often as the force's separated fathers do (a police PARENT record and a home
they shared in the past, none now: the same kind of father, seen with more records). So with
s_lone the share of lone links whose child has the adult's surname and s_apart that share
among separated fathers, the share of lone links that are right is about s_lone / s_apart,
and of those without the surname (1 - s_apart) s_lone / s_apart / (1 - s_lone). A lone link's
confidence is multiplied by its surname level's share, as the route through the other
parent's is by its own (`through_share`); where the force's lone links carry the surname as
often as its separated fathers, the share is 1 and nothing changes. Add-one smoothed.
"""

from __future__ import annotations

from paramount.engine.pipeline import LEARNT, RunParameters, Step


def lone_sql(alias: str) -> str:
    """The comparison is a lone police link: a PARENT record and no other route."""
    return (
        f"({alias}.l_rms = 'PARENT' AND coalesce({alias}.l_home_occ, 'NONE_NONE') = 'NONE_NONE'"
        f" AND coalesce({alias}.l_contact, 'NONE') = 'NONE'"
        f" AND coalesce({alias}.l_partner, 'NONE') = 'NONE')"
    )


def lone_share_sql(params: RunParameters) -> str:
    """(l_surname, p, lone, apart): the share of lone links that are right, by surname level,
    from the force-wide comparisons; `lone` and `apart` the counts it rests on."""
    comparisons = params.table("comparisons")
    return f"""
WITH kinds AS (
    SELECT c.l_surname,
           CASE WHEN {lone_sql("c")} THEN 'LONE'
                WHEN c.l_rms = 'PARENT' AND c.l_home_occ LIKE 'PAST%' THEN 'APART' END AS kind
    FROM {comparisons} AS c
    WHERE c.booking_id IS NULL AND c.l_surname IS NOT NULL
),
n AS (
    SELECT count(*) FILTER (WHERE kind = 'LONE' AND l_surname = 'SAME') AS lone_same,
           count(*) FILTER (WHERE kind = 'LONE' AND l_surname = 'DIFF') AS lone_diff,
           count(*) FILTER (WHERE kind = 'APART' AND l_surname = 'SAME') AS apart_same,
           count(*) FILTER (WHERE kind = 'APART' AND l_surname = 'DIFF') AS apart_diff
    FROM kinds
),
s AS (
    SELECT *, (lone_same + 1.0) / (lone_same + lone_diff + 2.0) AS s_lone,
           (apart_same + 1.0) / (apart_same + apart_diff + 2.0) AS s_apart
    FROM n
),
mix AS (SELECT *, least(1.0, s_lone / s_apart) AS right_share FROM s)
SELECT 'SAME' AS l_surname, least(1.0, right_share * s_apart / s_lone) AS p,
       lone_same AS lone, apart_same AS apart
FROM mix
UNION ALL
SELECT 'DIFF', least(1.0, right_share * (1.0 - s_apart) / (1.0 - s_lone)), lone_diff, apart_diff
FROM mix
"""


LONE_SHARE = Step(
    "lone_share",
    "Share of lone police links (a PARENT record, no other route) that are right, by surname",
    lone_share_sql,
    model=LEARNT,
)
