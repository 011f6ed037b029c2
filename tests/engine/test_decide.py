"""The decision step: one row per child per reception, traps kept off the worklist."""

from __future__ import annotations

import math
import sys
from datetime import date
from pathlib import Path

import pytest
from engine_extract import Extract

sys.path.insert(0, str(Path(__file__).parent / "routes"))
from family import ADULT, address, contact, decided, lives, occurrence, received_father

from paramount.engine import METHODS
from paramount.engine.decision import FEATURES

METHOD = "routes-exact"


def _family_home(x: Extract, *children: str) -> None:
    address(x, "AD1")
    lives(x, "P1", "AD1", since=date(2014, 1, 1))
    for c in children:
        lives(x, c, "AD1", since=date(2016, 1, 1))


def test_methods_are_registered_beside_the_baseline() -> None:
    assert {"baseline", "routes-exact", "full"} <= set(METHODS)
    assert METHODS["routes-exact"].result_step.name == "children"


def test_a_childs_two_nominals_make_one_row(extract: Extract) -> None:
    received_father(extract)
    extract.person("C1", dob=date(2015, 4, 1), forenames="Robin", sex="F")
    extract.person("C1B", dob=date(2015, 4, 1), forenames="Robin Ann", sex="F")
    extract.relationship("P1", "C1", "PARENT")
    extract.relationship("C1B", "P1", "CHILD")
    _family_home(extract, "C1", "C1B")
    result = extract.identify(method=METHOD)
    rows = decided(extract)
    assert [r["child_person_ids"] for r in rows] == ["C1;C1B"]
    assert result.children.column("child_person_ids").to_pylist() in (["C1;C1B"], [])


def test_twins_stay_two_children(extract: Extract) -> None:
    received_father(extract)
    extract.person("T1", dob=date(2016, 7, 7), forenames="Ada", sex="F")
    extract.person("T2", dob=date(2016, 7, 7), forenames="Ben", sex="M")
    for t in ("T1", "T2"):
        extract.relationship("P1", t, "PARENT")
    _family_home(extract, "T1", "T2")
    extract.identify(method=METHOD)
    assert sorted(str(r["child_person_ids"]) for r in decided(extract)) == ["T1", "T2"]


def test_sibling_of_a_young_prisoner_is_not_his_child(extract: Extract) -> None:
    received_father(extract, dob=date(2005, 3, 1))  # 19 on reception
    extract.person("S1", dob=date(2012, 1, 1), forenames="Kit", sex="M")
    extract.relationship("P1", "S1", "SIBLING")
    _family_home(extract, "S1")
    result = extract.identify(method=METHOD)
    assert result.children.num_rows == 0
    rows = decided(extract)
    assert [(r["l_rms"], r["l_gap"]) for r in rows] == [("AGAINST", "LT14")]


def test_declared_contact_only_child_has_no_ids_and_evidence_in_words(extract: Extract) -> None:
    received_father(extract)
    contact(extract, "DAU", first="Jo", dob=date(2014, 2, 2))
    extract.identify(method=METHOD)
    rows = decided(extract)
    assert len(rows) == 1 and rows[0]["child_person_ids"] is None
    assert rows[0]["adult_entity"] == ADULT
    assert rows[0]["evidence"].startswith("Declared as daughter to the prison.")
    assert rows[0]["sources"] == "PRISON_CONTACT"


def test_child_of_unknown_age_is_discounted_by_the_chance_of_being_a_child(
    extract: Extract,
) -> None:
    """No date of birth: the row stays, its confidence times the data's own share of minors
    among parent-like pairs at the adult's age, and the evidence says so."""
    received_father(extract)
    extract.person("U1", dob=None, forenames="Lee", sex="M")
    extract.person("U2", dob=None, forenames="Max", sex="M")
    extract.relationship("P1", "U1", "PARENT")
    _family_home(extract, "U1", "U2")
    extract.identify(method=METHOD)
    rows = {r["child_person_ids"]: r for r in decided(extract)}
    assert set(rows) == {"U1", "U2"}
    for r in rows.values():
        assert r["evidence"].startswith("Date of birth unknown")
        assert 0 < r["p_child"] < 1
        assert r["confidence"] <= r["p_child"]
    assert rows["U1"]["confidence"] >= rows["U2"]["confidence"]


def test_unknown_age_is_judged_by_the_kind_of_evidence(extract: Extract) -> None:
    """A person who only shares the prisoner's home could be his partner as well as a child;
    a recorded child is most likely a child. The chance of being under 18 is estimated per
    kind of evidence, from the force's own pairs with both dates of birth known."""
    received_father(extract)
    extract.person("W1", dob=date(1986, 2, 2), forenames="Jo", sex="F")  # his partner
    extract.person("C1", dob=date(2015, 4, 1), forenames="Robin", sex="F")
    extract.person("U1", dob=None, forenames="Lee", sex="M")
    extract.relationship("P1", "C1", "PARENT")
    _family_home(extract, "W1", "C1", "U1")
    extract.identify(method=METHOD)
    share = {
        (r["basis"], r["band"]): r["p_minor"] for r in extract.rows("SELECT * FROM pm_minor_share")
    }
    (u1,) = [r for r in decided(extract) if r["child_person_ids"] == "U1"]
    band = (u1["ref_date"].year - 1985 - (u1["ref_date"] < date(u1["ref_date"].year, 5, 1))) // 5
    assert share[("SHARED", band * 5)] < share[("RECORD", band * 5)]
    assert u1["p_child"] == pytest.approx(share[("SHARED", band * 5)])


def test_a_declared_son_and_daughter_of_like_names_stay_two_children(extract: Extract) -> None:
    received_father(extract)
    contact(extract, "SON", first="Oliver")
    contact(extract, "DAU", first="Olivia")
    extract.identify(method=METHOD)
    assert sorted(r["child_forenames"] for r in decided(extract)) == ["Oliver", "Olivia"]


def test_a_shortened_name_and_a_slipped_year_are_still_one_child(extract: Extract) -> None:
    """Within one reception: a declared "Dani" is the recorded Danielle; two nominals a year
    and a day apart (a date of birth worked out from an age) are one child."""
    received_father(extract)
    extract.person("C1", dob=date(2013, 1, 18), forenames="Danielle", sex="F")
    extract.person("C1B", dob=date(2012, 1, 19), forenames="Danielle", sex="F")
    extract.relationship("P1", "C1", "PARENT")
    extract.relationship("P1", "C1B", "PARENT")
    _family_home(extract, "C1")
    contact(extract, "DAU", first="Dani")
    extract.identify(method=METHOD)
    rows = decided(extract)
    assert len(rows) == 1
    assert rows[0]["child_person_ids"] == "C1;C1B"
    assert "PRISON_CONTACT" in rows[0]["sources"]


def test_an_undated_contact_does_not_make_two_dated_children_one(extract: Extract) -> None:
    """Two recorded sons named alike, born years apart, and a declared son of that name with
    no date of birth: the declaration joins one of them, it does not merge the two."""
    received_father(extract)
    extract.person("C1", dob=date(2010, 3, 3), forenames="Ali", sex="M")
    extract.person("C2", dob=date(2020, 8, 8), forenames="Ali", sex="M")
    for c in ("C1", "C2"):
        extract.relationship("P1", c, "PARENT")
    _family_home(extract, "C1", "C2")
    contact(extract, "SON", first="Ali")
    extract.identify(method=METHOD)
    rows = decided(extract)
    assert len(rows) == 2
    assert sorted(r["child_date_of_birth"] for r in rows) == [date(2010, 3, 3), date(2020, 8, 8)]


def test_em_parameters_are_probabilities(extract: Extract) -> None:
    received_father(extract)
    extract.person("C1", dob=date(2015, 4, 1), forenames="Robin", sex="F")
    extract.relationship("P1", "C1", "PARENT")
    _family_home(extract, "C1")
    extract.identify(method=METHOD)
    params = extract.rows("SELECT * FROM pm_em_25")
    assert {r["feature"] for r in params} == set(FEATURES)
    assert all(0 < r["m"] < 1 and 0 < r["u"] < 1 and 0 < r["prior"] < 1 for r in params)


@pytest.mark.slow
def test_confidence_is_calibrated_on_a_generated_force(tmp_path: Path) -> None:
    """Reliability: in well-populated confidence bins, the share right is near the mean
    confidence. The truth is read here only, never by the engine."""
    import duckdb

    from paramount.engine import DuckDBBackend, identify
    from paramount.loading import load_extract
    from paramount.outputs.children_csv import write_children_csv
    from paramount.synth import generate_force

    generate_force(100_000, 13, tmp_path / "force")
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    load_extract(
        tmp_path / "force" / "extract", DuckDBBackend(con), quarantine_dir=tmp_path / "quarantine"
    )
    result = identify(DuckDBBackend(con), date(2025, 1, 1), date(2025, 12, 31), method=METHOD)
    write_children_csv(result.review, tmp_path / "review.csv")
    write_children_csv(result.children, tmp_path / "children.csv")
    truth = tmp_path / "force" / "truth"
    q = duckdb.connect()
    q.execute(
        f"""
        CREATE TABLE rows AS
        SELECT * FROM read_csv('{tmp_path}/children.csv', all_varchar=true)
        UNION ALL SELECT * FROM read_csv('{tmp_path}/review.csv', all_varchar=true)
        """
    )
    bins = q.execute(
        f"""
        WITH rp AS (SELECT * FROM read_csv('{truth}/rms_persons.csv', all_varchar=true)),
        aff AS (SELECT * FROM read_csv('{truth}/affected_children.csv', all_varchar=true)),
        r AS (
            SELECT row_number() OVER () AS id, * FROM rows WHERE child_person_ids IS NOT NULL
        ),
        ind AS (
            SELECT r.id, min(rp.individual_id) AS ind
            FROM r, unnest(string_split(r.child_person_ids, ';')) AS t(pid)
            JOIN rp ON rp.person_id = t.pid GROUP BY r.id
        )
        SELECT floor(CAST(r.confidence AS DOUBLE) * 5) / 5 AS bin, count(*) AS n,
               avg(CAST(r.confidence AS DOUBLE)) AS predicted,
               avg(CASE WHEN a.booking_id IS NOT NULL THEN 1.0 ELSE 0.0 END) AS observed
        FROM r JOIN ind USING (id)
        LEFT JOIN (SELECT DISTINCT child_individual_id, booking_id FROM aff) AS a
               ON a.child_individual_id = ind.ind AND a.booking_id = r.booking_id
        GROUP BY 1 ORDER BY 1
        """
    ).fetchall()
    populated = [b for b in bins if b[1] >= 30]
    assert populated, bins
    for _bin, _n, predicted, observed in populated:
        assert abs(observed - predicted) <= 0.1, bins


def test_nickname_and_typo_nominals_of_one_child_make_one_row(extract: Extract) -> None:
    """Identity left them apart; within one reception they are one child: a nickname, a
    transposed surname, a date of birth a year out on the same day, or none at all."""
    received_father(extract)
    extract.person("C1", dob=date(2015, 4, 1), forenames="Thomas", surname="Testperson")
    extract.person("C2", dob=date(2016, 4, 1), forenames="Tom", surname="Tsetperson")
    extract.person("C3", dob=None, forenames="Tommy", surname="Testperson")
    for c in ("C1", "C2", "C3"):
        extract.relationship("P1", c, "PARENT")
    _family_home(extract, "C1", "C2", "C3")
    extract.identify(method=METHOD)
    assert [r["child_person_ids"] for r in decided(extract)] == ["C1;C2;C3"]


def test_different_children_of_one_reception_stay_apart(extract: Extract) -> None:
    """Twins (one birthday, different names) and siblings with similar names but birthdays
    years apart are not merged."""
    received_father(extract)
    extract.person("T1", dob=date(2016, 7, 7), forenames="Ada", sex="F")
    extract.person("T2", dob=date(2016, 7, 7), forenames="Ava", sex="F")
    extract.person("S1", dob=date(2012, 1, 3), forenames="Jamie", sex="M")
    extract.person("S2", dob=date(2016, 9, 3), forenames="James", sex="M")
    for c in ("T1", "T2", "S1", "S2"):
        extract.relationship("P1", c, "PARENT")
    extract.identify(method=METHOD)
    assert sorted(r["child_person_ids"] for r in decided(extract)) == ["S1", "S2", "T1", "T2"]


def test_em_counts_every_adult_child_pair_once(extract: Extract) -> None:
    """The comparison space is all adult-child pairs with dates of birth: candidates as rows,
    the rest as counts per vector; together they are adults x children (minus selves)."""
    received_father(extract)
    extract.person("C1", dob=date(2015, 4, 1), forenames="Robin", sex="F")
    extract.person("C2", dob=date(2012, 4, 1), forenames="Sky", surname="Otherperson")
    extract.person("A2", dob=date(1970, 4, 1), forenames="Lou", surname="Otherperson")
    extract.person("A3", dob=date(1990, 4, 1), forenames="Kim")
    extract.relationship("P1", "C1", "PARENT")
    _family_home(extract, "C1")
    extract.identify(method=METHOD)
    (total,) = extract.rows("SELECT sum(n) AS n FROM pm_em_patterns")
    (space,) = extract.rows(
        """
        WITH e AS (
            SELECT date_diff('year', date_of_birth, DATE '2024-01-01') AS age
            FROM pm_entities WHERE date_of_birth IS NOT NULL
        )
        SELECT count(*) FILTER (WHERE a.age >= 13 AND c.age < 18) AS n
        FROM e AS a, e AS c
        """
    )
    assert total["n"] == space["n"] == 3 * 2  # adults: the prisoner, A2, A3; children: C1, C2
    (cands,) = extract.rows("SELECT sum(candidates) AS n FROM pm_em_patterns")
    assert 0 < cands["n"] < total["n"]


def test_recorded_sibling_sharing_a_home_is_kept_off_the_worklist(extract: Extract) -> None:
    """A brother 16 years older, at home with the child, with the family's surname: every
    feature a parent has, and a police record that he is a sibling. The record vetoes."""
    received_father(extract, dob=date(1999, 3, 1))
    extract.person("S1", dob=date(2015, 1, 1), forenames="Kit", sex="M")
    extract.relationship("P1", "S1", "SIBLING")
    _family_home(extract, "S1")
    occurrence_args = ("O1", "DOMESTIC_ABUSE", ("P1", "VICTIM"), ("S1", "INVOLVED_PARTY"))
    occurrence(extract, *occurrence_args)
    result = extract.identify(method=METHOD)
    rows = decided(extract)
    assert [(r["l_rms"], r["l_gap"]) for r in rows] == [("AGAINST", "14_19")]
    assert result.children.num_rows == 0


def test_competition_counts_other_likely_parents_of_the_adults_sex(extract: Extract) -> None:
    """The child's recorded father lives with her; the prisoner, another man, was only seen
    with her once. The prisoner's row has one other likely father figure (level 1), and every
    row's weight gains ln(m/u) of its level."""
    received_father(extract)
    extract.person("C1", dob=date(2015, 4, 1), forenames="Robin", sex="F")
    extract.person("F2", dob=date(1984, 2, 1), forenames="Lee", surname="Otherperson", sex="M")
    extract.relationship("F2", "C1", "PARENT")
    address(extract, "AD1")
    lives(extract, "F2", "AD1", since=date(2014, 1, 1))
    lives(extract, "C1", "AD1", since=date(2015, 4, 1))
    occurrence(extract, "O1", "DOMESTIC_ABUSE", ("P1", "INVOLVED_PARTY"), ("C1", "WITNESS"))
    extract.identify(method=METHOD)
    comp = {r["lvl"]: r for r in extract.rows("SELECT * FROM pm_competition")}
    assert sorted(comp) == [0, 1, 2]
    assert all(0 < r["m"] < 1 and 0 < r["u"] < 1 for r in comp.values())
    assert abs(sum(r["m"] for r in comp.values()) - 1) < 1e-9
    assert abs(sum(r["u"] for r in comp.values()) - 1) < 1e-9
    rows = extract.rows(
        """
        SELECT s.booking_id, s.l_competition AS lvl, s.match_weight - b.match_weight AS added
        FROM pm_scored AS s
        JOIN pm_scored_base AS b
          ON b.booking_id IS NOT DISTINCT FROM s.booking_id AND b.adult_entity = s.adult_entity
         AND b.child_key = s.child_key
        """
    )
    prisoner_rows = [r for r in rows if r["booking_id"] is not None]
    assert [r["lvl"] for r in prisoner_rows] == [1]
    for r in rows:
        c = comp[r["lvl"]]
        assert abs(r["added"] - (math.log(c["m"]) - math.log(c["u"]))) < 1e-9


def test_a_home_without_an_lpa_takes_its_districts_as_under_the_baseline(
    extract: Extract,
) -> None:
    """One copy of the home and LPA rules (`engine/homes.py`): an address record with no LPA
    gets the force area's LPA for its postcode district, under every method alike."""
    extract.received_with_child()
    extract.home("C1", "OX4 1AA", lpa="OXF", from_date=date(2016, 1, 1), to_date=date(2023, 1, 1))
    extract.home("C1", "RG1 1AA", lpa=None, from_date=date(2023, 1, 2), line1="2 Current Road")
    baseline = extract.identify(method="baseline").children.to_pylist()
    extract.identify(method=METHOD)
    (row,) = decided(extract)
    want = ("2 Current Road, Exampleton", "RG1 1AA", "RDG", "Reading")
    assert (row["address"], row["postcode"], row["lpa"], row["lpa_name"]) == want
    assert [(r["address"], r["postcode"], r["lpa"], r["lpa_name"]) for r in baseline] == [want]


def test_a_declared_child_with_a_nickname_and_no_dob_is_the_double_surnamed_nominal(
    extract: Extract,
) -> None:
    """Declared to the prison as "Alfie Smith", no date of birth; recorded by the police as
    "Alfred Smith-Jones" with one: one child, one row."""
    received_father(extract)
    extract.person("C1", dob=date(2015, 4, 1), forenames="Alfred", surname="Smith-Jones")
    extract.relationship("P1", "C1", "PARENT")
    _family_home(extract, "C1")
    contact(extract, "SON", first="Alfie", last="Smith")
    extract.identify(method=METHOD)
    rows = decided(extract)
    assert len(rows) == 1, [(r["child_forenames"], r["sources"]) for r in rows]
    assert rows[0]["child_person_ids"] == "C1"
    assert "PRISON_CONTACT" in rows[0]["sources"]


def test_a_childs_second_nominal_with_a_digit_slipped_in_the_dob_is_one_row(
    extract: Extract,
) -> None:
    """One digit of the month mistyped (2015-03-12 for 2015-08-12) is five months apart but
    one slip; the twins beside them, one birthday and two names, stay two."""
    received_father(extract)
    extract.person("C1", dob=date(2015, 8, 12), forenames="Robin", sex="F")
    extract.person("C1B", dob=date(2015, 3, 12), forenames="Robin", sex="F")
    extract.person("T1", dob=date(2018, 7, 7), forenames="Ada", sex="F")
    extract.person("T2", dob=date(2018, 7, 7), forenames="Ava", sex="F")
    for c in ("C1", "C1B", "T1", "T2"):
        extract.relationship("P1", c, "PARENT")
    extract.identify(method=METHOD)
    assert sorted(str(r["child_person_ids"]) for r in decided(extract)) == ["C1;C1B", "T1", "T2"]


def test_a_child_declared_under_the_prisoners_surname_is_the_mothers_surnamed_nominal(
    extract: Extract,
) -> None:
    """Declared to the prison as "Sunita Testperson" (the prisoner's surname), no date of
    birth; recorded by the police as "Sunita Gill" (her mother's) with one: one child, one
    row. And a slip on each side of a forename ("Darern" declared, "Daarren" recorded) is
    still one child. A friend declared as "Sunita Patel" is someone else: she stays apart."""
    received_father(extract)
    extract.person("C1", dob=date(2016, 1, 22), forenames="Sunita", surname="Gill", sex="F")
    extract.person("C2", dob=date(2013, 4, 4), forenames="Daarren", surname="Testperson")
    for c in ("C1", "C2"):
        extract.relationship("P1", c, "PARENT")
    _family_home(extract, "C1", "C2")
    contact(extract, "DAU", first="Sunita", last="Testperson")
    contact(extract, "SON", first="Darern", last="Testperson")
    contact(extract, "FRI", first="Sunita", last="Patel")
    extract.identify(method=METHOD)
    merged = extract.rows(
        "SELECT DISTINCT child_key FROM pm_reception_candidates WHERE child_entity = 'C:3'"
    )
    assert merged == [{"child_key": "C:3"}]
    rows = [r for r in decided(extract) if r["child_person_ids"]]
    assert sorted(str(r["child_person_ids"]) for r in rows) == ["C1", "C2"], [
        (r["child_forenames"], r["sources"]) for r in rows
    ]
    assert all("PRISON_CONTACT" in r["sources"] for r in rows)


def test_twins_declared_without_dobs_stay_two_rows(extract: Extract) -> None:
    """Twins recorded by the police and declared to the prison by first name only, one of
    them under a double surname: two children, two rows."""
    received_father(extract)
    extract.person("T1", dob=date(2016, 7, 7), forenames="Alfred", surname="Smith-Jones")
    extract.person("T2", dob=date(2016, 7, 7), forenames="Harry", surname="Smith")
    for t in ("T1", "T2"):
        extract.relationship("P1", t, "PARENT")
    _family_home(extract, "T1", "T2")
    contact(extract, "SON", first="Alfie", last="Smith")
    contact(extract, "SON", first="Harry", last="Smith")
    extract.identify(method=METHOD)
    assert sorted(str(r["child_person_ids"]) for r in decided(extract)) == ["T1", "T2"]


def test_a_typed_nickname_and_a_short_surname_slip_are_still_one_child(extract: Extract) -> None:
    """Declared as "Alfiie" (Alfie, so Alfred) and as "Ellie Hill", neither with a date of
    birth; recorded as Alfred Hill and "Ellie Hll": two children, two rows."""
    received_father(extract)
    extract.person("C1", dob=date(2021, 1, 13), forenames="Alfred", surname="Hill", sex="M")
    extract.person("C2", dob=date(2022, 12, 3), forenames="Ellie", surname="Hll", sex="F")
    for c in ("C1", "C2"):
        extract.relationship("P1", c, "PARENT")
    contact(extract, "SON", first="Alfiie", last="Hill")
    contact(extract, "DAU", first="Ellie", last="Hill")
    extract.identify(method=METHOD)
    rows = decided(extract)
    assert sorted(str(r["child_person_ids"]) for r in rows) == ["C1", "C2"]
    assert all("PRISON_CONTACT" in r["sources"] for r in rows)
