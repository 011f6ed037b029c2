"""What counts as a reception, and whether it is the force's."""

from __future__ import annotations

from datetime import date

from engine_extract import PNC_A, Extract


def bookings(x: Extract, window: tuple[date, date] | None = None) -> list[str]:
    result = x.identify(window) if window else x.identify()
    del result
    return [r["booking_id"] for r in x.rows("SELECT booking_id FROM pm_in_area ORDER BY 1")]


def test_first_admission_of_a_booking_is_the_reception(extract: Extract) -> None:
    extract.prisoner("A1111AA")
    extract.movement("A1111AA", "B1", "2024-03-01T09:00:00", reason="N")
    extract.movement("A1111AA", "B1", "2024-03-05T09:00:00", "CRT", "OUT", reason=None)
    extract.movement("A1111AA", "B1", "2024-03-05T16:00:00", "CRT", "IN", reason=None)
    extract.movement("A1111AA", "B1", "2024-04-01T09:00:00", "TRN", "OUT", reason=None)
    extract.movement("A1111AA", "B1", "2024-04-01T12:00:00", "ADM", "IN", reason="INT")
    extract.movement("A1111AA", "B1", "2024-05-01T12:00:00", "TAP", "OUT", reason=None)
    extract.movement("A1111AA", "B1", "2024-05-02T12:00:00", "ADM", "IN", reason="R")
    extract.identify()
    rows = extract.rows("SELECT booking_id, reception_date, reception_reason FROM pm_receptions")
    assert rows == [
        {"booking_id": "B1", "reception_date": date(2024, 3, 1), "reception_reason": "N"}
    ]


def test_a_new_booking_after_release_is_a_new_reception(extract: Extract) -> None:
    extract.prisoner("A1111AA")
    extract.movement("A1111AA", "B1", "2024-02-01T09:00:00", reason="V")
    extract.movement("A1111AA", "B1", "2024-03-01T09:00:00", "REL", "OUT", reason=None)
    extract.movement("A1111AA", "B2", "2024-09-01T09:00:00", reason="L")
    assert bookings(extract) == ["B1", "B2"]


def test_booking_begun_before_the_extract_is_not_a_reception(extract: Extract) -> None:
    extract.prisoner("A1111AA")
    extract.prisoner("A2222AA")
    # Only admission in the extract is a transfer in, or a return: reception was earlier.
    extract.movement("A1111AA", "B1", "2024-02-01T09:00:00", reason="INT")
    extract.movement("A2222AA", "B2", "2024-02-01T09:00:00", reason="R")
    extract.movement("A2222AA", "B2", "2024-02-03T09:00:00", reason="N")
    assert bookings(extract) == []


def test_ties_on_time_are_broken_by_source_row(extract: Extract) -> None:
    extract.prisoner("A1111AA")
    extract.prisoner("A2222AA")
    extract.movement("A1111AA", "B1", "2024-02-01T09:00:00", reason="I")
    extract.movement("A1111AA", "B1", "2024-02-01T09:00:00", reason="INT")
    extract.movement("A2222AA", "B2", "2024-02-01T09:00:00", reason="INT")
    extract.movement("A2222AA", "B2", "2024-02-01T09:00:00", reason="I")
    assert bookings(extract) == ["B1"]


def test_window_boundaries_are_inclusive(extract: Extract) -> None:
    for i, when in enumerate(
        [
            "2023-12-31T23:59:59",  # out
            "2024-01-01T00:00:00",  # in
            "2024-12-31T23:59:59",  # in
            "2025-01-01T00:00:00",  # out
        ]
    ):
        extract.prisoner(f"A{i}000AA")
        extract.movement(f"A{i}000AA", f"B{i}", when)
    assert bookings(extract) == ["B1", "B2"]
    assert bookings(extract, (date(2024, 12, 31), date(2024, 12, 31))) == ["B2"]


def test_out_of_area_prisoner_is_excluded(extract: Extract) -> None:
    extract.prisoner("A1111AA", pnc=PNC_A, postcode="SW1A 1AA")
    extract.movement("A1111AA", "B1", "2024-06-01T09:00:00")
    extract.prisoner("A2222AA", postcode="ox41ab")  # in area, untidy postcode
    extract.movement("A2222AA", "B2", "2024-06-01T09:00:00")
    assert bookings(extract) == ["B2"]
    basis = extract.rows("SELECT area_basis, prisoner_lpa FROM pm_in_area")
    assert basis == [{"area_basis": "PRISON_HOME_POSTCODE", "prisoner_lpa": "OXF"}]


def test_police_home_in_area_at_reception_brings_prisoner_in(extract: Extract) -> None:
    extract.prisoner("A1111AA", pnc=PNC_A, postcode=None)  # the prison holds no address
    extract.movement("A1111AA", "B1", "2024-06-01T09:00:00")
    extract.person("P1", pnc=PNC_A)
    extract.home("P1", "RG1 2CD", from_date=date(2020, 1, 1))
    assert bookings(extract) == ["B1"]
    rows = extract.rows("SELECT area_basis, prisoner_lpa, area_via_person_ids FROM pm_in_area")
    assert rows == [
        {"area_basis": "POLICE_HOME_ADDRESS", "prisoner_lpa": "RDG", "area_via_person_ids": "P1"}
    ]


def test_police_home_by_lpa_code_counts(extract: Extract) -> None:
    extract.prisoner("A1111AA", pnc=PNC_A, postcode=None)
    extract.movement("A1111AA", "B1", "2024-06-01T09:00:00")
    extract.person("P1", pnc=PNC_A)
    extract.home("P1", "ZZ9 9ZZ", lpa="OXF", from_date=None)
    assert bookings(extract) == ["B1"]


def test_police_home_not_current_at_reception_does_not_count(extract: Extract) -> None:
    extract.prisoner("A1111AA", pnc=PNC_A, postcode=None)
    extract.movement("A1111AA", "B1", "2024-06-01T09:00:00")
    extract.person("P1", pnc=PNC_A)
    extract.home("P1", "OX4 2CD", from_date=date(2018, 1, 1), to_date=date(2024, 5, 31))
    extract.home("P1", "OX4 3CD", from_date=date(2024, 6, 2))  # moved in after
    extract.home("P1", "OX1 3CD", role="WORK", from_date=date(2018, 1, 1))  # not a home
    assert bookings(extract) == []


def test_police_home_ending_on_reception_day_counts(extract: Extract) -> None:
    extract.prisoner("A1111AA", pnc=PNC_A, postcode=None)
    extract.movement("A1111AA", "B1", "2024-06-01T09:00:00")
    extract.person("P1", pnc=PNC_A)
    extract.home("P1", "OX4 2CD", from_date=date(2018, 1, 1), to_date=date(2024, 6, 1))
    assert bookings(extract) == ["B1"]


def test_prison_postcode_outside_the_force_outweighs_an_open_police_home(
    extract: Extract,
) -> None:
    """The prison's address is taken at reception; a police HOME stays open until a move is
    recorded, which for someone who left the area seldom happens."""
    extract.prisoner("A1111AA", pnc=PNC_A, postcode="SW1A 1AA")
    extract.movement("A1111AA", "B1", "2024-06-01T09:00:00")
    extract.person("P1", pnc=PNC_A)
    extract.home("P1", "RG1 2CD", from_date=date(2016, 1, 1))
    assert bookings(extract) == []
