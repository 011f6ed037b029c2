"""A child's home on a day, and its local authority: one copy for every method.

A person's HOME address on the reference day is the one whose dates cover it, else the most
recently begun, else the last recorded (`current_home_first_sql`). Its local planning
authority (LPA) is the address's own when the extract gives one, else the force area's LPA
for the address's postcode district (`home_lpa_sql`, which needs the `area` CTE and its
join): a child whose address record has no LPA still reaches the right area's worklist.
"""

from __future__ import annotations

from paramount.contract.identifiers import clean_sql, postcode_district_sql

# The force area by cleaned postcode district, and each LPA's name (CTE bodies).
AREA_CTE = (
    f"area AS (\n    SELECT {clean_sql('postcode_district')} AS district, lpa FROM force_area\n)"
)
LPA_NAMES_CTE = (
    "lpa_names AS (\n    SELECT lpa, min(lpa_name) AS lpa_name FROM force_area GROUP BY lpa\n)"
)


def current_home_first_sql(pa: str, ref_date: str) -> str:
    """ORDER BY of a person's HOME rows (`pa`, person_addresses) for the reference day: the
    one in force that day first, then the latest begun, then the last in the file."""
    return (
        f"CASE WHEN ({pa}.from_date IS NULL OR {pa}.from_date <= {ref_date})\n"
        f"                              AND ({pa}.to_date IS NULL OR {pa}.to_date >= {ref_date})\n"
        "                             THEN 0 ELSE 1 END,\n"
        f"                        {pa}.from_date DESC NULLS LAST, {pa}._row DESC"
    )


def home_lpa_sql(address: str) -> str:
    """The LPA of an address row: its own, else its postcode district's (join `area_join_sql`)."""
    return f"coalesce({address}.lpa, area.lpa)"


def area_join_sql(address: str) -> str:
    """Join the `area` CTE to an address row by its postcode district."""
    district = postcode_district_sql(clean_sql(f"{address}.postcode"))
    return f"LEFT JOIN area ON area.district = {district}"
