"""Receptions: who was received into prison in the window, and whether they are the force's.

A reception is the first `ADM`/`IN` movement of a booking (contract: `prison_movements`).
The extract covers a window of movements, so a booking can have begun before it: when the
first admission the extract holds is a transfer in (`INT`) or a return (`R`), the booking's
real reception happened earlier and is not in the extract, and it is not counted.
"""

from __future__ import annotations

from paramount.contract.identifiers import (
    canonical_cro_sql,
    canonical_pnc_sql,
    clean_sql,
    postcode_district_sql,
)
from paramount.engine.pipeline import RunParameters, Step
from paramount.engine.sql import date_literal, in_list

# First admissions with these reasons show the booking began before the extract.
NOT_A_RECEPTION_REASONS = ("INT", "R")


def receptions_sql(params: RunParameters) -> str:
    """One row per booking received in the window, with the prisoner's details and ids."""
    return f"""
WITH admissions AS (
    SELECT m.*,
           row_number() OVER (
               PARTITION BY m.prisoner_number, m.booking_id
               ORDER BY m.movement_datetime, m._row
           ) AS admission_order
    FROM prison_movements AS m
    WHERE m.movement_type = 'ADM' AND m.direction = 'IN' AND m.movement_datetime IS NOT NULL
),
received AS (
    SELECT a.prisoner_number, a.booking_id,
           a.movement_datetime AS reception_datetime,
           CAST(a.movement_datetime AS DATE) AS reception_date,
           a.movement_reason_code AS reception_reason,
           a.from_agency, a.to_agency AS prison_id_at_reception,
           a.to_agency_description AS prison_name,
           a._row AS movement_row
    FROM admissions AS a
    WHERE a.admission_order = 1
      AND coalesce(a.movement_reason_code, '') NOT IN {in_list(NOT_A_RECEPTION_REASONS)}
      AND CAST(a.movement_datetime AS DATE)
          BETWEEN {date_literal(params.window_from)} AND {date_literal(params.window_to)}
),
prisoner AS (
    SELECT p.*,
           {clean_sql("p.pnc_number")} AS pnc_clean,
           {clean_sql("p.cro_number")} AS cro_clean,
           {clean_sql("p.home_postcode")} AS postcode_clean
    FROM prisoners AS p
)
SELECT r.*,
       p.first_name, p.middle_names, p.last_name,
       concat_ws(' ', p.first_name, p.middle_names, p.last_name) AS prisoner_name,
       p.date_of_birth AS prisoner_date_of_birth, p.gender, p.legal_status,
       p.home_postcode, p.home_address, p.prison_id,
       p.pnc_number, p.cro_number,
       {canonical_pnc_sql("p.pnc_clean")} AS prisoner_pnc,
       {canonical_cro_sql("p.cro_clean")} AS prisoner_cro,
       {postcode_district_sql("p.postcode_clean")} AS home_district
FROM received AS r
LEFT JOIN prisoner AS p ON p.prisoner_number = r.prisoner_number
"""


def in_area_sql(params: RunParameters) -> str:
    """Receptions that are the force's, with why (`area_basis`) and the LPA it points to.

    The force's when the prison's home postcode lies in a force district, or, when the prison
    holds no usable postcode, when a police nominal of the prisoner had a HOME address in the
    area on the reception date (in a force district, or in one of its LPAs). A HOME address
    with no `from_date` counts as held since an unknown date, so it is in force unless its
    `to_date` ended before the reception.

    Why the prison's postcode wins when the two disagree: it is the last address before
    custody, taken at reception, while a police HOME address stays open-ended until the
    police happen to record a move, which for someone who left the area they seldom do.
    """
    receptions = params.table("receptions")
    nominals = params.table("prisoner_nominals")
    return f"""
WITH area AS (
    SELECT {clean_sql("postcode_district")} AS district, lpa, lpa_name FROM force_area
),
lpas AS (SELECT DISTINCT lpa, lpa_name FROM force_area WHERE lpa IS NOT NULL),
by_prison AS (
    SELECT r.booking_id, r.prisoner_number, min(area.lpa) AS lpa
    FROM {receptions} AS r
    JOIN area ON area.district = r.home_district
    GROUP BY r.booking_id, r.prisoner_number
),
police_homes AS (
    SELECT r.booking_id, r.prisoner_number, pa.person_id,
           a.lpa AS address_lpa,
           {postcode_district_sql(clean_sql("a.postcode"))} AS district
    FROM {receptions} AS r
    JOIN {nominals} AS n ON n.prisoner_number = r.prisoner_number
    JOIN person_addresses AS pa ON pa.person_id = n.person_id
    JOIN addresses AS a ON a.address_id = pa.address_id
    WHERE pa.address_role = 'HOME'
      AND (pa.from_date IS NULL OR pa.from_date <= r.reception_date)
      AND (pa.to_date IS NULL OR pa.to_date >= r.reception_date)
),
by_police AS (
    SELECT h.booking_id, h.prisoner_number,
           min(coalesce(lpas.lpa, area.lpa)) AS lpa,
           array_to_string(list_sort(list_distinct(list(h.person_id))), ';') AS via_person_ids
    FROM police_homes AS h
    LEFT JOIN area ON area.district = h.district
    LEFT JOIN lpas ON lpas.lpa = h.address_lpa
    WHERE area.district IS NOT NULL OR lpas.lpa IS NOT NULL
    GROUP BY h.booking_id, h.prisoner_number
)
SELECT r.*,
       CASE WHEN bp.booking_id IS NOT NULL THEN 'PRISON_HOME_POSTCODE'
            ELSE 'POLICE_HOME_ADDRESS' END AS area_basis,
       coalesce(bp.lpa, bo.lpa) AS prisoner_lpa,
       bo.via_person_ids AS area_via_person_ids
FROM {receptions} AS r
LEFT JOIN by_prison AS bp
       ON bp.booking_id = r.booking_id AND bp.prisoner_number = r.prisoner_number
LEFT JOIN by_police AS bo
       ON bo.booking_id = r.booking_id AND bo.prisoner_number = r.prisoner_number
WHERE bp.booking_id IS NOT NULL OR (r.home_district IS NULL AND bo.booking_id IS NOT NULL)
"""


RECEPTIONS = Step(
    "receptions",
    "Receptions in the window: the first admission of each booking, not a transfer or return",
    receptions_sql,
)
IN_AREA = Step(
    "in_area",
    "Receptions of the force: home postcode in its districts, or a police HOME address there",
    in_area_sql,
)
