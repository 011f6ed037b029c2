"""Identity resolution: the behaviour the routes depend on, on hand-made people inside a
small generated force (one training for the whole module)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from linkage_world import Resolved

from paramount.db import DuckDBBackend
from paramount.linkage import ACCEPT, REVIEW, resolution_is_current, resolve


def test_a_childs_two_nominals_are_one_individual_with_both_ids(resolved: Resolved) -> None:
    entity = resolved.entity("RMS", "TC1A")
    assert resolved.entity("RMS", "TC1B") == entity
    person_ids = resolved.con.execute(
        "SELECT person_ids FROM pm_entities WHERE entity_id = ?", [entity]
    ).fetchall()[0][0]
    assert person_ids == "TC1A;TC1B"
    assert entity == "R:TC1A"


def test_names_keyed_the_wrong_way_round_are_one_person(resolved: Resolved) -> None:
    """ "James Thomas" and "Thomas James", one date of birth, one home: the transposed names
    are reached by blocking and weighed once."""
    assert resolved.entity("RMS", "TTR1") == resolved.entity("RMS", "TTR2")


def test_an_undated_nominal_joins_through_someone_recorded_with_both(resolved: Resolved) -> None:
    """A name with no date of birth and no address is too weak alone (0.7 here); recorded as
    the same mother's son it is the same boy. His mother stays her own person."""
    assert resolved.entity("RMS", "TUD1") == resolved.entity("RMS", "TUD2")
    assert resolved.entity("RMS", "TUDM") != resolved.entity("RMS", "TUD1")


def test_twins_stay_two_people_and_their_pair_goes_to_review(resolved: Resolved) -> None:
    assert resolved.entity("RMS", "TTW1") != resolved.entity("RMS", "TTW2")
    reasons = resolved.con.execute(
        "SELECT reason FROM pm_identity_review WHERE source_l = 'RMS' "
        "AND least(record_l, record_r) = 'TTW1' AND greatest(record_l, record_r) = 'TTW2'"
    ).fetchall()
    assert reasons and "forenames differ" in reasons[0][0]


def test_a_long_form_pnc_matches_the_short_form_nominal(resolved: Resolved) -> None:
    entity, probability, basis = resolved.member("PRISONER", "T1111AA")
    assert entity == resolved.entity("RMS", "TAD1")
    assert (probability, basis) == (1.0, "PNC")


def test_a_nickname_and_swapped_dob_match_by_model(resolved: Resolved) -> None:
    entity, probability, basis = resolved.member("PRISONER", "T2222BB")
    assert entity == resolved.entity("RMS", "TAD2")
    assert basis == "SPLINK" and probability >= ACCEPT


def test_an_alias_under_another_forename_does_not_hold_back_the_prisoners_own_name(
    resolved: Resolved,
) -> None:
    """Tyler, received with his date of birth ten days out and his surname mistyped, has an
    alias "Luke" with the right date: the alias pair scores highest but its forenames
    differ; his own name's pair, above the accept threshold too, decides."""
    entity, probability, basis = resolved.member("PRISONER", "T3333CC")
    assert entity == resolved.entity("RMS", "TAD3")
    assert basis == "SPLINK" and probability >= ACCEPT


def test_a_contact_matches_the_child_in_the_circle_not_a_namesake(resolved: Resolved) -> None:
    entity, probability, basis = resolved.member("CONTACT", resolved.contact_row("Katie"))
    assert entity == resolved.entity("RMS", "TCH3")
    assert entity != resolved.entity("RMS", "TCH4")
    assert basis == "CONTACT_NAME" and probability >= ACCEPT


def test_an_unmatched_contact_is_its_own_person(resolved: Resolved) -> None:
    row = resolved.contact_row("Zebedee")
    assert resolved.member("CONTACT", row) == (f"C:{row}", 1.0, "SINGLETON")


def test_a_contact_is_never_the_prisoner_nor_of_the_other_sex(resolved: Resolved) -> None:
    """A son named after his father is not the father; a declared son is not a girl of the
    same name. Both stay their own people (the decision step still sees them as children)."""
    for first in ("William", "Katherine"):
        row = resolved.contact_row(first)
        assert resolved.member("CONTACT", row) == (f"C:{row}", 1.0, "SINGLETON")
    sex = resolved.con.execute(
        "SELECT sex FROM pm_entities WHERE entity_id = ?",
        [f"C:{resolved.contact_row('Katherine')}"],
    ).fetchall()[0][0]
    assert sex == "M"


def test_every_record_belongs_to_exactly_one_individual(resolved: Resolved) -> None:
    con = resolved.con
    for source, table, key in (
        ("RMS", "persons", "person_id"),
        ("PARTNER", "partner_persons", "partner_person_id"),
        ("PRISONER", "prisoners", "prisoner_number"),
        ("CONTACT", "prisoner_contacts", "CAST(_row AS VARCHAR)"),
    ):
        expected = con.execute(f"SELECT count(DISTINCT {key}) FROM {table}").fetchall()[0][0]
        got, distinct = con.execute(
            "SELECT count(*), count(DISTINCT record_id) FROM pm_entity_members WHERE source = ?",
            [source],
        ).fetchall()[0]
        assert got == distinct == expected, source
    orphans = con.execute(
        "SELECT count(*) FROM pm_entity_members m "
        "WHERE m.entity_id NOT IN (SELECT entity_id FROM pm_entities)"
    ).fetchall()[0][0]
    assert orphans == 0


def test_review_rows_are_neither_taken_nor_dropped(resolved: Resolved) -> None:
    con = resolved.con
    band = con.execute(
        "SELECT count(*) FROM pm_identity_review WHERE match_probability >= ? "
        "AND match_probability < ?",
        [REVIEW, ACCEPT],
    ).fetchall()[0][0]
    assert band > 0
    # a nominal pair under review is not in one individual ...
    merged = con.execute(
        "SELECT count(*) FROM pm_identity_review r "
        "JOIN pm_entity_members a ON a.source = 'RMS' AND a.record_id = r.record_l "
        "JOIN pm_entity_members b ON b.source = 'RMS' AND b.record_id = r.record_r "
        "WHERE r.source_l = 'RMS' AND a.entity_id = b.entity_id"
    ).fetchall()[0][0]
    assert merged == 0
    # ... and every review row is kept as evidence in the pairs table
    missing = con.execute(
        "SELECT count(*) FROM pm_identity_review r WHERE r.source_l = 'RMS' AND NOT EXISTS ("
        " SELECT 1 FROM pm_identity_pairs p WHERE p.source_l = 'RMS' AND NOT p.taken"
        " AND p.record_l = r.record_l AND p.record_r = r.record_r)"
    ).fetchall()[0][0]
    assert missing == 0
    words = con.execute("SELECT agreement FROM pm_identity_review LIMIT 50").fetchall()
    assert all(w[0] for w in words)


def test_reuse_does_not_retrain_and_a_changed_extract_is_noticed(resolved: Resolved) -> None:
    con = resolved.con
    assert resolved.report.trained == {"nominal": True, "prisoner": True, "partner": True}
    assert resolution_is_current(DuckDBBackend(con))
    stamps = {p.name: p.stat().st_mtime_ns for p in resolved.models_dir.glob("*.json")}
    assert set(stamps) == {"nominal.json", "prisoner.json", "partner.json"}
    again = resolve(DuckDBBackend(con), models_dir=resolved.models_dir, retrain=False)
    assert again.trained == {"nominal": False, "prisoner": False, "partner": False}
    assert {p.name: p.stat().st_mtime_ns for p in resolved.models_dir.glob("*.json")} == stamps
    assert again.individuals == resolved.report.individuals
    assert resolution_is_current(DuckDBBackend(con))
    con.execute("UPDATE persons SET surname = 'Changed' WHERE person_id = 'TCH4'")
    assert not resolution_is_current(DuckDBBackend(con))
    resolve(DuckDBBackend(con), models_dir=resolved.models_dir)
    assert resolution_is_current(DuckDBBackend(con))


def test_a_model_saved_with_other_comparisons_is_trained_again(
    resolved: Resolved, tmp_path: Path
) -> None:
    """A nominal model saved by an earlier version (here: one level fewer) would be read with
    this version's words and columns; it is trained again, the others are reused."""
    models = tmp_path / "models"
    shutil.copytree(resolved.models_dir, models)
    saved = json.loads((models / "nominal.json").read_text())
    address = next(c for c in saved["comparisons"] if c["output_column_name"] == "address")
    address["comparison_levels"].pop(2)
    (models / "nominal.json").write_text(json.dumps(saved))
    report = resolve(DuckDBBackend(resolved.con), models_dir=models, retrain=False)
    assert report.trained == {"nominal": True, "prisoner": False, "partner": False}
