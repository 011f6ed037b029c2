"""The co-residence x co-occurrence feature: one feature fed by two routes.

A shared home and incidents in common are not independent (people who live together turn up
at the same incidents), so the decision model takes them as one feature, its levels the
product of the two: the home level (current, past, prior, shared premises, none) and the
co-occurrence level (significant, weak, none). Both routes list this one object.
"""

from __future__ import annotations

from paramount.engine.routes.route import Feature

SIG_SURPRISE = 6.0  # co-occurrence "significant": p < 1e-6 under independent placement

HOME_OCC = Feature(
    "home_occ",
    levels={
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
    levels_sql=f"""CASE WHEN NOT rms_applicable THEN NULL ELSE
            CASE WHEN res_cur = 1 THEN 'CUR' WHEN res_past = 1 THEN 'PAST'
                 WHEN res_earlier = 1 THEN 'PRIOR'
                 WHEN res_shared = 1 THEN 'SHARED' ELSE 'NONE' END || '_' ||
            CASE WHEN occ_shared IS NULL THEN 'NONE'
                 WHEN occ_surprise >= {SIG_SURPRISE} THEN 'SIG' ELSE 'WEAK' END
       END""",
    applies="rms_applicable",
    none_level="NONE_NONE",
)
