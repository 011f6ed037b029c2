"""A run's figures per reception day, in a shape that sums across days, runs and forces.

Leads and national bodies ask for counts, not lists: how many were received, how many of them
are parents or carers (as found), how many children, by the child's age and the parent's sex,
and what the original process (the `baseline` method) would have found in the same days. A
day's figures depend only on that day's receptions in the extract, so casework keeps the
latest run's figures for each day (daily runs, monthly runs and reruns overlap) and sums them
into months and quarters. Counts are exact here; suppression of small numbers belongs to
whatever leaves the force.
"""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa

from paramount.db import Backend
from paramount.engine.methods import get_method
from paramount.engine.pipeline import RunParameters, run_pipeline
from paramount.engine.sql import ident
from paramount.progress import Reporter

# The baseline run beside another method writes its step tables under this prefix, so they
# never replace the method's own (`pm_`) tables.
BASELINE_PREFIX = "pm_baseline_"

RECEPTIONS = "receptions"  # receptions of the force (in area) that day
PARENTS_FOUND = "parents_found"  # of those, receptions with at least one child listed
CHILDREN_FOUND = "children_found"  # rows listed: one per child per reception
BASELINE_CHILDREN = "baseline_children"  # rows the original process would have listed
MEASURES = (RECEPTIONS, PARENTS_FOUND, CHILDREN_FOUND, BASELINE_CHILDREN)

# The child's age on the reception day, in the bands national figures use; "" where the age
# is unknown (a declared child without a date of birth).
AGE_BANDS = ("0-4", "5-9", "10-15", "16-17", "")
PARENT_SEXES = ("M", "F", "")  # the prison's gender; "" not known or not specified

FIGURES_COLUMNS = ("reception_date", "measure", "parent_sex", "child_age_band", "count")
FIGURES_SCHEMA = pa.schema(
    [
        ("reception_date", pa.date32()),
        ("measure", pa.string()),
        ("parent_sex", pa.string()),
        ("child_age_band", pa.string()),
        ("count", pa.int64()),
    ]
)


def _parent_sex_sql(gender: str) -> str:
    return f"""CASE upper(coalesce({gender}, ''))
        WHEN 'MALE' THEN 'M' WHEN 'M' THEN 'M' WHEN 'FEMALE' THEN 'F' WHEN 'F' THEN 'F'
        ELSE '' END"""


def _age_band_sql(age: str) -> str:
    return f"""CASE WHEN {age} IS NULL THEN '' WHEN {age} < 5 THEN '0-4'
        WHEN {age} < 10 THEN '5-9' WHEN {age} < 16 THEN '10-15' ELSE '16-17' END"""


def figures_sql(
    in_area: str, children: str, baseline_children: str, all_receptions: str | None = None
) -> str:
    """Counts per reception day, measure, parent's sex and (for children) age band. Every
    reception of the force (`in_area`) is counted whether or not a child was found. A child
    row takes the prisoner's sex from `all_receptions` (default `in_area`): in a national
    run's share for one force, a child living there may be a prisoner's of another force; a
    row whose reception is in neither counts under the prisoner's sex unknown."""
    return f"""
WITH counted AS (
    SELECT booking_id, prisoner_number, reception_date, {_parent_sex_sql("gender")} AS sex
    FROM {in_area}
),
received AS (
    SELECT booking_id, prisoner_number, {_parent_sex_sql("gender")} AS sex
    FROM {all_receptions or in_area}
),
listed AS (
    SELECT c.booking_id, c.prisoner_number, CAST(c.reception_date AS DATE) AS reception_date,
           coalesce(r.sex, '') AS sex, {_age_band_sql("TRY_CAST(c.child_age AS INTEGER)")} AS band
    FROM {children} AS c
    LEFT JOIN received AS r ON r.booking_id = c.booking_id
                           AND r.prisoner_number = c.prisoner_number
),
baseline AS (
    SELECT CAST(c.reception_date AS DATE) AS reception_date, coalesce(r.sex, '') AS sex,
           {_age_band_sql("TRY_CAST(c.child_age AS INTEGER)")} AS band
    FROM {baseline_children} AS c
    LEFT JOIN received AS r ON r.booking_id = c.booking_id
                           AND r.prisoner_number = c.prisoner_number
)
SELECT reception_date, '{RECEPTIONS}' AS measure, sex AS parent_sex, '' AS child_age_band,
       count(*) AS count
FROM counted GROUP BY reception_date, sex
UNION ALL
SELECT reception_date, '{PARENTS_FOUND}', sex, '', count(DISTINCT booking_id)
FROM listed GROUP BY reception_date, sex
UNION ALL
SELECT reception_date, '{CHILDREN_FOUND}', sex, band, count(*)
FROM listed GROUP BY reception_date, sex, band
UNION ALL
SELECT reception_date, '{BASELINE_CHILDREN}', sex, band, count(*)
FROM baseline GROUP BY reception_date, sex, band
ORDER BY reception_date, measure, parent_sex, child_age_band
"""


def reception_figures(
    backend: Backend, params: RunParameters, children_table: str, reporter: Reporter | None
) -> pa.Table:
    """The run's figures (`FIGURES_COLUMNS`), running the baseline over the same window
    beside the method (under `BASELINE_PREFIX`) unless the method is the baseline."""
    baseline_params = _baseline_params(params)
    if baseline_params is not params:
        run_pipeline(get_method("baseline"), backend, baseline_params, reporter)
    tables = figure_inputs(params, children_table)
    sql = figures_sql(*(ident(tables[k]) for k in ("in_area", "children", "baseline_children")))
    return backend.fetch_arrow(sql).cast(FIGURES_SCHEMA)


def _baseline_params(params: RunParameters) -> RunParameters:
    if params.method == "baseline":
        return params
    return replace(params, method="baseline", table_prefix=BASELINE_PREFIX, verdicts=None)


def figure_inputs(params: RunParameters, children_table: str) -> dict[str, str]:
    """The tables a run's figures are counted from, by `figures_sql`'s argument names: the
    receptions in the force's area, the list, and the baseline's list beside it (a national
    run counts them again per force: `outputs/national_figures.py`)."""
    baseline = get_method("baseline").result_step.output_table(_baseline_params(params))
    return {
        "in_area": params.table("in_area"),
        "children": children_table,
        "baseline_children": baseline,
    }
