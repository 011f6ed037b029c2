"""Route RMS_RELATIONSHIP: direction, codes, age on the reception date, one row a child."""

from __future__ import annotations

from datetime import date

import pytest
from engine_extract import PNC_A, Extract

from paramount.contract.tables import CHILDREN_COLUMNS


def children(x: Extract) -> list[dict]:
    return x.identify().children.to_pylist()


def test_parent_recorded_forward(extract: Extract) -> None:
    extract.received_with_child()
    (row,) = children(extract)
    assert row["child_person_ids"] == "C1"
    assert row["relationship"] == "PARENT"
    assert row["parent_person_ids"] == "P1"
    assert row["child_age"] == 9
    assert row["reception_date"] == date(2024, 6, 10)
    assert row["confidence"] == 1.0
    assert row["sources"] == "RMS_RELATIONSHIP"
    assert row["evidence"] == (
        "Prisoner matched to police record P1 by PNC. Police record P1 is recorded as parent "
        "of the child C1 (source: ENCOMPASS, 2 March 2021)."
    )


def test_child_recorded_the_other_way(extract: Extract) -> None:
    extract.received_with_child(code="SIBLING")  # the P1 -> C1 row gives nothing
    extract.relationship("C1", "P1", "CHILD", source="OCCURRENCE_NOK", recorded_at=None)
    (row,) = children(extract)
    assert row["relationship"] == "PARENT"
    assert "The child C1 is recorded as child of police record P1" in row["evidence"]
    assert "(source: OCCURRENCE_NOK)" in row["evidence"]


def test_step_child_makes_a_step_parent(extract: Extract) -> None:
    extract.received_with_child(code="ASSOCIATE")
    extract.relationship("C1", "P1", "STEP_CHILD")
    (row,) = children(extract)
    assert row["relationship"] == "STEP_PARENT"


def test_both_directions_recorded_give_one_row(extract: Extract) -> None:
    extract.received_with_child()
    extract.relationship("C1", "P1", "CHILD")
    (row,) = children(extract)
    assert "2 records link them" in row["evidence"]


@pytest.mark.parametrize(
    ("forward", "backward"),
    [
        ("SIBLING", None),
        ("GRANDPARENT", None),
        ("ASSOCIATE", None),
        ("PARTNER", None),
        ("NEXT_OF_KIN", None),
        ("CHILD", None),  # P1 is C1's child: C1 is the parent, not the child
        (None, "GRANDCHILD"),
        (None, "PARENT"),  # C1 is P1's parent
        (None, "SIBLING"),
    ],
)
def test_other_relationships_never_give_a_child(
    extract: Extract, forward: str | None, backward: str | None
) -> None:
    extract.received_with_child(code=forward or "OTHER")
    if backward:
        extract.relationship("C1", "P1", backward)
    assert children(extract) == []


def test_strongest_relationship_is_kept(extract: Extract) -> None:
    extract.received_with_child(code="CARER")
    extract.relationship("P1", "C1", "GUARDIAN")
    extract.relationship("C1", "P1", "STEP_CHILD")
    (row,) = children(extract)
    assert row["relationship"] == "STEP_PARENT"


@pytest.mark.parametrize(
    ("dob", "taken"),
    [
        (date(2006, 6, 10), False),  # 18 on the reception date
        (date(2006, 6, 11), True),  # 18 tomorrow: 17 today
        (date(2024, 6, 10), True),  # born that day, aged 0
        (date(2024, 6, 11), False),  # not yet born
    ],
)
def test_age_on_reception_date(extract: Extract, dob: date, taken: bool) -> None:
    extract.received_with_child(child_dob=dob)
    rows = children(extract)
    assert len(rows) == (1 if taken else 0)
    if taken:
        assert rows[0]["child_age"] == (17 if dob.year == 2006 else 0)


def test_leap_day_child_is_not_18_a_day_early(extract: Extract) -> None:
    extract.received_with_child(when="2022-02-28T10:00:00", child_dob=date(2004, 2, 29))
    (row,) = extract.identify((date(2022, 1, 1), date(2022, 12, 31))).children.to_pylist()
    assert row["child_age"] == 17


def test_child_without_date_of_birth_is_not_taken(extract: Extract) -> None:
    extract.received_with_child()
    extract.person("C2", dob=None)
    extract.relationship("P1", "C2", "PARENT")
    assert [r["child_person_ids"] for r in children(extract)] == ["C1"]


def test_duplicate_prisoner_nominals_give_one_row_per_child(extract: Extract) -> None:
    extract.received_with_child()
    extract.person("P0", pnc=PNC_A)  # a duplicate nominal of the prisoner
    extract.relationship("P0", "C1", "PARENT")
    extract.person("C9", dob=date(2012, 1, 1))  # a duplicate nominal of the child: own row
    extract.relationship("C9", "P0", "CHILD")
    rows = children(extract)
    assert [r["child_person_ids"] for r in rows] == ["C1", "C9"]
    assert {r["parent_person_ids"] for r in rows} == {"P0;P1"}
    assert rows[0]["evidence"].startswith("Prisoner matched to police records P0 (PNC), P1 (PNC).")


def test_each_reception_has_its_own_rows(extract: Extract) -> None:
    extract.received_with_child()
    extract.movement("A1234BC", "B1", "2024-07-01T10:00:00", "REL", "OUT", reason=None)
    extract.movement("A1234BC", "B2", "2024-09-01T10:00:00", reason="L")
    rows = children(extract)
    assert [(r["booking_id"], r["child_age"]) for r in rows] == [("B1", 9), ("B2", 9)]


def test_out_of_area_reception_gives_no_children(extract: Extract) -> None:
    extract.received_with_child()
    extract.con.execute("UPDATE prisoners SET home_postcode = 'SW1A 1AA'")
    assert children(extract) == []


def test_child_address_is_the_home_at_reception(extract: Extract) -> None:
    extract.received_with_child()
    extract.home("C1", "OX4 1AA", lpa="OXF", from_date=date(2016, 1, 1), to_date=date(2023, 1, 1))
    extract.home("C1", "RG1 1AA", lpa=None, from_date=date(2023, 1, 2), line1="2 Current Road")
    extract.home("C1", "OX1 1AA", lpa="OXF", from_date=date(2024, 8, 1))  # later, not yet
    (row,) = children(extract)
    assert (row["address"], row["postcode"], row["lpa"], row["lpa_name"]) == (
        "2 Current Road, Exampleton",
        "RG1 1AA",
        "RDG",
        "Reading",
    )


def test_child_address_falls_back_to_the_latest_home(extract: Extract) -> None:
    extract.received_with_child()
    extract.home("C1", "OX4 1AA", lpa="OXF", from_date=date(2016, 1, 1), to_date=date(2020, 1, 1))
    extract.home("C1", "OX1 1AA", lpa="OXF", from_date=date(2024, 8, 1))
    (row,) = children(extract)
    assert row["postcode"] == "OX1 1AA"


def test_output_columns_are_the_contract_then_extras(extract: Extract) -> None:
    extract.received_with_child()
    names = extract.identify().children.schema.names
    assert tuple(names[: len(CHILDREN_COLUMNS)]) == CHILDREN_COLUMNS
    assert {"lpa_name", "prisoner_name", "method"} <= set(names)
