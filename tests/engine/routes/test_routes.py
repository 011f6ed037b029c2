"""Each route alone produces its evidence row, in the common shape, between entities."""

from __future__ import annotations

import math
from datetime import date

import pytest
from engine_extract import Extract
from family import ADULT, address, child, contact, evidence, lives, occurrence, received_father

from paramount.engine.routes.evidence import EVIDENCE_COLUMNS

METHOD = "routes-exact"


def _only(rows: list[dict], route: str) -> list[dict]:
    return [r for r in rows if r["route"] == route]


def test_recorded_link_either_direction_lifts_to_the_prisoner(extract: Extract) -> None:
    received_father(extract)
    child(extract, "C1")
    extract.relationship("C1", "P1", "CHILD")  # recorded the other way round
    extract.identify(method=METHOD)
    rows = _only(evidence(extract), "RMS_RELATIONSHIP")
    assert [(r["adult_entity"], r["child_entity"], r["kind"], r["relationship"]) for r in rows] == [
        (ADULT, "R:C1", "PARENT", "PARENT")
    ]
    assert "recorded as father" in rows[0]["detail"] and "2 March 2021" in rows[0]["detail"]
    assert set(rows[0]) == set(EVIDENCE_COLUMNS)


def test_declared_son_is_contact_evidence(extract: Extract) -> None:
    received_father(extract)
    contact(extract, "SON", first="Jo")
    contact(extract, "WIFE", first="Kim")  # a partner: a carer, not a child
    extract.identify(method=METHOD)
    rows = _only(evidence(extract), "PRISON_CONTACT")
    assert [(r["adult_entity"], r["child_entity"], r["kind"]) for r in rows] == [
        (ADULT, "C:1", "PARENT")
    ]
    assert rows[0]["detail"] == "declared as son to the prison"


def test_partner_link_is_partner_evidence(extract: Extract) -> None:
    received_father(extract)
    for pid, dob in (("LA1", date(1985, 5, 1)), ("LA2", date(2015, 4, 1))):
        extract.add(
            "partner_persons",
            partner_person_id=pid,
            agency="OCC",
            surname="Testperson",
            forenames="Sam",
            date_of_birth=dob,
            sex="M",
            postcode="OX4 1AB",
        )
    extract.add(
        "partner_relationships",
        partner_person_id="LA2",
        related_partner_person_id="LA1",
        relationship="CHILD",
    )
    extract.identify(method=METHOD)
    rows = _only(evidence(extract), "PARTNER")
    assert [(r["adult_entity"], r["child_entity"], r["kind"]) for r in rows] == [
        ("P:LA1", "P:LA2", "PARENT")
    ]


@pytest.mark.parametrize("by_uprn", [False, True])
def test_co_residence_by_address_or_uprn(extract: Extract, by_uprn: bool) -> None:
    received_father(extract)
    child(extract, "C1")
    address(extract, "AD1", uprn="100" if by_uprn else None)
    address(extract, "AD2" if by_uprn else "AD9", uprn="100" if by_uprn else None)
    lives(extract, "P1", "AD1")
    lives(extract, "C1", "AD2" if by_uprn else "AD1", since=date(2020, 1, 1))
    extract.identify(method=METHOD)
    rows = [r for r in _only(evidence(extract), "CO_RESIDENCE") if r["adult_entity"] == ADULT]
    assert [(r["child_entity"], r["kind"], r["first_seen"], r["open_ended"]) for r in rows] == [
        ("R:C1", "HOME", date(2020, 1, 1), True)
    ]
    assert rows[0]["weight"] == pytest.approx(1 / math.log2(3))  # two residents


def test_family_at_a_domestic_abuse_occurrence_is_co_occurrence(extract: Extract) -> None:
    received_father(extract)
    child(extract, "C1")
    occurrence(extract, "O1", "DOMESTIC_ABUSE", ("P1", "VICTIM"), ("C1", "INVOLVED_PARTY"))
    extract.identify(method=METHOD)
    rows = _only(evidence(extract), "CO_OCCURRENCE")
    assert [(r["adult_entity"], r["child_entity"], r["events"]) for r in rows] == [
        (ADULT, "R:C1", 1)
    ]
    assert rows[0]["surprise"] >= 0 and rows[0]["weight"] > 0
    assert "domestic abuse" in rows[0]["detail"]


def test_suspect_and_unrelated_child_victim_are_no_family(extract: Extract) -> None:
    received_father(extract)
    child(extract, "C9", forenames="Alex", surname="Otherperson")
    occurrence(extract, "O1", "DOMESTIC_ABUSE", ("P1", "SUSPECT"), ("C9", "VICTIM"))
    occurrence(extract, "O2", "VIOLENCE", ("P1", "OFFENDER"), ("C9", "VICTIM"))
    result = extract.identify(method=METHOD)
    assert evidence(extract) == []
    assert result.children.num_rows == 0
    assert result.review is not None and result.review.num_rows == 0


def test_hostel_is_shared_premises_not_a_home(extract: Extract) -> None:
    received_father(extract)
    child(extract, "C3", forenames="Alex", surname="Otherperson")
    address(extract, "H1", premises="HOSTEL")
    lives(extract, "P1", "H1")
    lives(extract, "C3", "H1")
    result = extract.identify(method=METHOD)
    rows = [r for r in _only(evidence(extract), "CO_RESIDENCE") if r["adult_entity"] == ADULT]
    assert [r["kind"] for r in rows] == ["SHARED"]
    assert "C3" not in (result.children.column("child_person_ids").to_pylist())


def test_ended_step_relationship_is_not_current(extract: Extract) -> None:
    received_father(extract)
    child(extract, "C1")
    extract.person("M1", dob=date(1987, 1, 1), forenames="Kim", sex="F")
    extract.relationship("P1", "C1", "STEP_PARENT", recorded_at=date(2016, 1, 5))
    extract.relationship("M1", "C1", "PARENT", recorded_at=date(2016, 1, 5))
    extract.relationship("P1", "M1", "EX_PARTNER", recorded_at=date(2020, 6, 1))
    result = extract.identify(method=METHOD)
    rows = [r for r in extract.rows("SELECT * FROM pm_comparisons WHERE booking_id = 'B1'")]
    assert [(r["child_key"], r["l_rms"]) for r in rows] == [("R:C1", "STEP_ENDED")]
    assert result.children.num_rows == 0


def test_parent_who_left_before_the_child_was_recorded_is_earlier_co_residence(
    extract: Extract,
) -> None:
    """A police from_date is when the force first recorded someone there: a father who moved
    out in 2020 and a son (born 2015) first recorded at that home in 2022 shared it."""
    received_father(extract)
    child(extract, "C1")  # born 2015
    extract.person("N1", dob=date(2016, 2, 2), forenames="Sky", surname="Otherperson")
    address(extract, "AD1", uprn="200")
    prev = "PREVIOUS_HOME"
    lives(extract, "P1", "AD1", since=date(2012, 1, 1), until=date(2020, 3, 1), role=prev)
    lives(extract, "C1", "AD1", since=date(2022, 5, 1))
    # an earlier occupant who left before the next child there was born is no family evidence
    extract.person("P0", dob=date(1960, 1, 1), forenames="Lou", surname="Otherperson")
    lives(extract, "P0", "AD1", since=date(2000, 1, 1), until=date(2011, 12, 1), role=prev)
    lives(extract, "N1", "AD1", since=date(2022, 5, 1))
    extract.identify(method=METHOD)
    rows = [
        (r["adult_entity"], r["child_entity"], r["kind"], r["last_seen"])
        for r in _only(evidence(extract), "CO_RESIDENCE")
        if r["kind"] == "EARLIER"
    ]
    assert (ADULT, "R:C1", "EARLIER", date(2020, 3, 1)) in rows
    assert not [r for r in rows if r[0] == "R:P0" and r[1] in ("R:C1", "R:N1")]
    levels = extract.rows(
        "SELECT l_home_occ FROM pm_comparisons WHERE booking_id = 'B1' AND child_key = 'R:C1'"
    )
    assert [r["l_home_occ"] for r in levels] == ["PRIOR_NONE"]


def test_offender_with_a_child_witness_at_domestic_abuse_is_co_occurrence(
    extract: Extract,
) -> None:
    """Domestic abuse is within a household: a child witness is a child of it. A child victim
    of the same offender at a street robbery is not."""
    received_father(extract)
    child(extract, "C1")
    child(extract, "C9", forenames="Alex", surname="Otherperson")
    occurrence(extract, "O1", "DOMESTIC_ABUSE", ("P1", "OFFENDER"), ("C1", "WITNESS"))
    occurrence(extract, "O2", "ROBBERY", ("P1", "OFFENDER"), ("C9", "WITNESS"))
    extract.identify(method=METHOD)
    rows = _only(evidence(extract), "CO_OCCURRENCE")
    assert [(r["adult_entity"], r["child_entity"]) for r in rows] == [(ADULT, "R:C1")]
