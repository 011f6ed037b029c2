"""The route through the other parent: a child linked to the prisoner by no record of his own,
only through his mother, the prisoner's ex-partner; and her child by another recorded father,
who must not reach the worklist that way."""

from __future__ import annotations

from datetime import date

from engine_extract import Extract
from family import ADULT, address, child, decided, evidence, lives, occurrence, received_father

METHOD = "routes-exact"


def _town(x: Extract, families: int = 60) -> None:
    """A few hundred people around the family under test, so that EM has a population to
    learn m and u from: couples at home with their children (some links recorded), separated
    fathers recorded only as the mother's ex-partner, ex-partners whose partner's child has
    another recorded father, and people with no family on record at all."""
    for i in range(families):
        f, m, c, home = f"TF{i}", f"TM{i}", f"TC{i}", f"TA{i}"
        name = f"Family{i}"
        x.person(f, dob=date(1978 + i % 9, 3, 1 + i % 27), surname=name, forenames="Lee", sex="M")
        x.person(m, dob=date(1980 + i % 9, 6, 1 + i % 27), surname=name, forenames="Kim", sex="F")
        x.person(c, dob=date(2009 + i % 12, 1 + i % 12, 2), surname=name, forenames="Jo", sex="M")
        address(x, home)
        lives(x, m, home, since=date(2012, 1, 1))
        lives(x, c, home, since=date(2012, 1, 1))
        x.relationship(m, c, "PARENT", recorded_at=date(2018, 1, 1))
        if i % 3 == 0:  # separated: the father is the mother's ex-partner (recorded a few years
            # after the child's birth), some of them recorded as the father too
            x.relationship(f, m, "EX_PARTNER", recorded_at=date(2012 + i % 12, 5, 1))
            if i % 6 == 0:
                x.relationship(f, c, "PARENT", recorded_at=date(2018, 1, 1))
        else:  # at home with the child, sometimes recorded as the father
            lives(x, f, home, since=date(2012, 1, 1))
            if i % 3 == 1:
                x.relationship(f, c, "PARENT", recorded_at=date(2018, 1, 1))
        if i % 10 == 5:  # the mother's ex-partner, and the child's father recorded
            s = f"TS{i}"
            x.person(s, dob=date(1979, 1, 1), surname=f"Ex{i}", forenames="Sam", sex="M")
            x.relationship(s, m, "EX_PARTNER", recorded_at=date(2021, 1, 1))
            x.relationship(f, c, "PARENT", recorded_at=date(2019, 1, 1))
        x.person(f"TU{i}", dob=date(1975 + i % 20, 2, 2), surname=f"Single{i}", sex="M")
        x.person(f"TK{i}", dob=date(2008 + i % 15, 2, 2), surname=f"Lone{i}", sex="F")


def _ex_partner_mother(x: Extract) -> None:
    """The prisoner (P1, a man born 1985) and M1, recorded as ex-partners in January 2016."""
    received_father(x)
    x.person("M1", dob=date(1987, 1, 1), surname="Otherperson", forenames="Kim", sex="F")
    x.relationship("P1", "M1", "EX_PARTNER", recorded_at=date(2016, 1, 5))


def _row(x: Extract, pid: str) -> dict:
    rows = [r for r in decided(x) if r["child_person_ids"] == pid]
    assert len(rows) == 1, rows
    return rows[0]


def test_child_reached_only_through_his_mother_the_prisoners_ex_partner(extract: Extract) -> None:
    x = extract
    _town(x)
    _ex_partner_mother(x)
    child(x, "C1", dob=date(2015, 4, 1), forenames="Robin")  # the prisoner's surname
    x.relationship("M1", "C1", "PARENT", recorded_at=date(2017, 3, 1))
    result = x.identify(method=METHOD)

    rows = [r for r in evidence(x) if r["route"] == "THROUGH_PARENT" and r["adult_entity"] == ADULT]
    assert [(r["adult_entity"], r["child_entity"], r["kind"]) for r in rows] == [
        (ADULT, "R:C1", "DURING")
    ]
    row = _row(x, "C1")
    assert row["l_through"] == "DURING"
    assert row["decision"] in ("WORKLIST", "REVIEW")
    # no more than the share of such paths that lead to the adult's own child, where the
    # child's father is on record
    share = {
        r["l_surname"]: r for r in x.rows("SELECT * FROM pm_through_share WHERE level IS NULL")
    }
    assert share[None]["own_paths"] > 0 and share[None]["other_paths"] > 0
    assert row["p_path"] == share["SAME"]["p"] < 1
    assert row["confidence"] <= row["p_path"]
    assert row["sources"] == "THROUGH_PARENT"
    assert row["evidence"].startswith(
        "Recorded by the police as ex-partner of the child's mother (2016); she is recorded as"
        " the child's parent by the police; the child was born in 2015, around or during the"
        " relationship; the child has the prisoner's surname"
    )
    listed = result.children.column("child_person_ids").to_pylist()
    assert result.review is not None
    reviewed = result.review.column("child_person_ids").to_pylist()
    assert "C1" in listed + reviewed


def test_ex_partners_child_by_another_recorded_father_is_not_listed(extract: Extract) -> None:
    x = extract
    _town(x)
    _ex_partner_mother(x)
    child(x, "C2", dob=date(2013, 9, 1), forenames="Alex", surname="Otherperson")
    x.person("F1", dob=date(1984, 2, 2), surname="Otherperson", forenames="Lee", sex="M")
    x.relationship("M1", "C2", "PARENT")
    x.relationship("F1", "C2", "PARENT")
    result = x.identify(method=METHOD)

    row = _row(x, "C2")
    assert row["l_through"] == "OTHER_PARENT"
    assert "another father is recorded as the child's parent" in row["evidence"]
    assert "the child's surname is not the prisoner's" in row["evidence"]
    assert row["decision"] != "WORKLIST"
    assert "C2" not in result.children.column("child_person_ids").to_pylist()


def test_child_born_after_the_relationship_was_recorded_as_ended_gets_nothing_from_it(
    extract: Extract,
) -> None:
    """Her child born three years after the police recorded the two as ex-partners (a domestic
    incident between them later says nothing of the relationship going on)."""
    x = extract
    _town(x)
    _ex_partner_mother(x)
    child(x, "C3", dob=date(2019, 2, 1), forenames="Sky")
    x.relationship("M1", "C3", "PARENT")
    occurrence(
        x, "O1", "DOMESTIC_ABUSE", ("P1", "OFFENDER"), ("M1", "VICTIM"), when="2016-01-05T20:00:00"
    )
    result = x.identify(method=METHOD)

    row = _row(x, "C3")
    assert row["l_through"] == "AFTER"
    assert "born in 2019, after the relationship was recorded as ended" in row["evidence"]
    assert row["decision"] != "WORKLIST"
    assert "C3" not in result.children.column("child_person_ids").to_pylist()


def test_child_born_years_after_the_couple_was_last_seen_together_is_not_dated_into_it(
    extract: Extract,
) -> None:
    """The prisoner and the mother were seen together at one domestic incident in 2016 and never
    recorded as a couple again; her child born in 2022 is not "around or during the
    relationship": the path is timed LATER and weighed by the share of such later paths that
    lead to the adult's own child, not the share of paths timed into the relationship."""
    x = extract
    _town(x)
    received_father(x)
    x.person("M1", dob=date(1987, 1, 1), surname="Otherperson", forenames="Kim", sex="F")
    occurrence(
        x, "O1", "DOMESTIC_ABUSE", ("P1", "OFFENDER"), ("M1", "VICTIM"), when="2016-01-05T20:00:00"
    )
    child(x, "C4", dob=date(2022, 6, 1), forenames="Ash", surname="Otherperson")
    x.relationship("M1", "C4", "PARENT")
    x.identify(method=METHOD)

    row = _row(x, "C4")
    assert row["l_through"] == "LATER"
    assert "born in 2022, years after the two were last recorded together" in row["evidence"]
    assert "around or during" not in row["evidence"]
    later = x.rows("SELECT p FROM pm_through_share WHERE level = 'LATER' AND l_surname = 'DIFF'")
    assert row["p_path"] == later[0]["p"]
    assert row["confidence"] <= row["p_path"]
