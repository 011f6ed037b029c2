"""Blocking over several forces (`linkage/forces.py`): a date of birth or a national
identifier pairs records across forces, every looser rule only within a force; a single
force's run keeps its own rules. Real DuckDB and real Splink throughout."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from linkage_world import Resolved

from paramount.contract.tables import EXTRACT_TABLES, SOURCE_FORCE, create_table_sql
from paramount.db import DuckDBBackend
from paramount.linkage import REVIEW, chunks, forces
from paramount.linkage.models import (
    LINK_BLOCKING,
    PREDICT_BLOCKING,
    TrainedModel,
    build_linker,
    settings,
)
from paramount.linkage.prepare import (
    NOMINAL_RECORDS,
    PARTNER_RECORDS,
    PRISONER_RECORDS,
    prepare_records,
)

# The rules whose key holds an exact date of birth, a national identifier or a full home
# postcode, by their keys.
CROSSING = {
    ("pnc",),
    ("cro",),
    ("dob", "surname"),
    ("dob", "forename_canon"),
    ("surname_parts", "forename_canon", "dob"),
    ("forename_canon", "postcode1"),
    ("dob", "substr(surname, 1, 1)", "substr(forename1, 1, 1)"),
    ("postcode1", "substr(surname, 1, 1)", "substr(forename1, 1, 1)"),
}


def _db() -> DuckDBBackend:
    return DuckDBBackend(duckdb.connect())


def _dicts(rules: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [{**r.create_blocking_rule_dict("duckdb")} for r in rules]


def _rules(creator: Any) -> list[dict[str, Any]]:
    return creator.create_settings_dict("duckdb")["blocking_rules_to_generate_predictions"]


def test_a_national_run_keeps_the_strict_rules_and_restricts_the_rest() -> None:
    db = _db()
    before = _dicts(PREDICT_BLOCKING)
    after = _rules(settings("dedupe_only", db, multi_force=True))
    assert len(after) == len(before)
    kept = [a for a, b in zip(after, before, strict=True) if a == b]
    restricted = [a for a, b in zip(after, before, strict=True) if a != b]
    assert len(kept) == len(CROSSING) and len(restricted) == len(before) - len(CROSSING)
    for rule in kept:
        assert forces.crosses_forces(rule["blocking_rule"])
        assert forces.SAME_FORCE not in rule["blocking_rule"]
    for new, old in zip(after, before, strict=True):
        if new in restricted:
            assert new["blocking_rule"] == f"({old['blocking_rule']}) AND {forces.SAME_FORCE}"
            assert new.get("arrays_to_explode") == old.get("arrays_to_explode")
    # the rule a list is exploded for keeps its list (the associates one, restricted)
    assert any(r.get("arrays_to_explode") == ["associates"] for r in restricted)
    assert any(r.get("arrays_to_explode") == ["surname_parts"] for r in kept)
    # a month and day of birth is not a date of birth; a missing one is not either
    assert not forces.crosses_forces("(MONTH(l.dob) = MONTH(r.dob)) AND (l.yob = r.yob)")
    assert not forces.crosses_forces("l.dob IS NULL AND l.surname = r.surname")
    assert forces.crosses_forces("(l.`dob` = r.`dob`) AND (l.`surname` = r.`surname`)")  # Spark
    # the link's rules alike
    link = _rules(settings("link_only", db, multi_force=True))
    assert len(link) == len(LINK_BLOCKING)
    crossing = len(CROSSING) - 1  # a link explodes no list: no double-surname rule
    assert sum(forces.SAME_FORCE in r["blocking_rule"] for r in link) == len(link) - crossing


def test_a_single_force_run_keeps_its_rules() -> None:
    db = _db()
    # the very rule objects it always had
    assert settings("dedupe_only", db).blocking_rules_to_generate_predictions == list(
        PREDICT_BLOCKING
    )
    assert settings("link_only", db).blocking_rules_to_generate_predictions == list(LINK_BLOCKING)
    own = _dicts(PREDICT_BLOCKING)
    assert forces.for_run(own, multi=False, db=db) == own
    # a model saved by a national run, reused by one force: its own rules back, word for word
    national = forces.for_run(own, multi=True, db=db)
    assert national != own
    assert forces.for_run(national, multi=False, db=db) == own
    assert forces.for_run(national, multi=True, db=db) == national  # and not restricted twice


def test_a_run_is_several_forces_when_its_records_are() -> None:
    db = _db()
    db.execute("CREATE TABLE own (unique_id VARCHAR, source_force VARCHAR)")
    db.execute("INSERT INTO own VALUES ('a', NULL), ('b', NULL)")
    db.execute("CREATE TABLE one AS SELECT unique_id, 'F1' AS source_force FROM own")
    db.execute("CREATE TABLE two (unique_id VARCHAR, source_force VARCHAR)")
    db.execute("INSERT INTO two VALUES ('a', 'F1'), ('b', 'F2')")
    db.execute("CREATE TABLE older (unique_id VARCHAR)")
    assert not forces.multi_force(db, ["own"])  # a force's own extract
    assert not forces.multi_force(db, ["one"])  # one force through the national run
    assert forces.multi_force(db, ["two"])
    assert not forces.multi_force(db, ["older"])  # records made before the column
    # prisoners (no force: the prison system is national) against two forces' nominals
    assert not forces.multi_force(db, ["own", "two"])


def _extract_tables(db: DuckDBBackend, forced: tuple[str, ...] = ("persons",)) -> None:
    """Every contract table, empty; those in `forced` with the national extract's force."""
    for table in EXTRACT_TABLES.values():
        extra = (SOURCE_FORCE,) if table.name in forced else ()
        db.execute(create_table_sql(table, extra=extra))


# Two forces' nominals: one man in both, the date of birth the same (no PNC to tie them), and
# two men of one name and year of birth, a date of birth apart, each in his own force.
PEOPLE = [
    ("F1:P1", "Quarrington", "Zebedee", "1990-03-04", "F1"),
    ("F2:P9", "Quarrington", "Zebedee", "1990-03-04", "F2"),
    ("F1:P2", "Pettigrew", "Ambrose", "1985-01-10", "F1"),
    ("F2:P8", "Pettigrew", "Ambrose", "1985-07-22", "F2"),
    ("F1:P3", "Okonkwo", "Chidera", "2001-11-30", "F1"),
    ("F2:P7", "Lindqvist", "Saga", "1977-05-16", "F2"),
]


def _two_forces(
    tmp_path: Path, resolved: Resolved, one_force: bool
) -> tuple[DuckDBBackend, TrainedModel]:
    """`PEOPLE` as two forces' records (`one_force`: all of F1), and the model a single
    force trained (the linkage tests' force), reused on them."""
    tmp_path.mkdir()
    db = DuckDBBackend(duckdb.connect(str(tmp_path / "country.duckdb")))
    _extract_tables(db)
    for i, (pid, surname, forename, dob, force) in enumerate(PEOPLE, start=1):
        db.execute(
            "INSERT INTO persons (person_id, surname, forenames, date_of_birth, sex, "
            "source_force, _row) VALUES (?, ?, ?, CAST(? AS DATE), 'M', ?, ?)",
            [pid, surname, forename, dob, "F1" if one_force else force, i],
        )
    prepare_records(db)
    model_path = tmp_path / "nominal.json"
    shutil.copy(resolved.models_dir / "nominal.json", model_path)
    model = build_linker(
        db, [NOMINAL_RECORDS], link_type="dedupe_only", model_path=model_path, retrain=False
    )
    return db, model


def _pairs(db: DuckDBBackend, model: TrainedModel) -> dict[frozenset[str], float]:
    """Every blocked pair (threshold 0) and its probability."""
    predictions = chunks.predict(db, model, [NOMINAL_RECORDS], threshold=0.0, pieces=1)
    rows = db.fetch_tuples(
        f"SELECT record_id_l, record_id_r, match_probability FROM {predictions.physical_name}"
    )
    return {frozenset((a, b)): p for a, b, p in rows}


@pytest.mark.slow
def test_one_man_in_two_forces_is_paired_and_namesakes_are_not(
    resolved: Resolved, tmp_path: Path
) -> None:
    db, national = _two_forces(tmp_path / "national", resolved, one_force=False)
    rules = national.linker.misc.save_model_to_json()["blocking_rules_to_generate_predictions"]
    assert any(forces.SAME_FORCE in r["blocking_rule"] for r in rules)  # the saved model's,
    pairs = _pairs(db, national)  # rewritten for the national run
    # the control: the same records all of one force keep every rule
    db_alone, alone = _two_forces(tmp_path / "alone", resolved, one_force=True)
    rules = alone.linker.misc.save_model_to_json()["blocking_rules_to_generate_predictions"]
    assert not any(forces.SAME_FORCE in r["blocking_rule"] for r in rules)
    pairs_alone = _pairs(db_alone, alone)

    same_man, namesakes = frozenset(("F1:P1", "F2:P9")), frozenset(("F1:P2", "F2:P8"))
    # dob and names pair him across forces, scored as in one force (the rules choose the
    # pairs, never a score): a candidate at least (REVIEW) on names and dob alone
    assert same_man in pairs and pairs[same_man] == pytest.approx(pairs_alone[same_man])
    assert pairs[same_man] >= REVIEW
    # names and year of birth only: paired within a force, not across
    assert namesakes in pairs_alone and namesakes not in pairs
    assert set(pairs) == set(pairs_alone) - {namesakes}
    # the count chunks.py sizes the prediction by is the national rules' too
    assert chunks.blocked_pairs(db, national, [NOMINAL_RECORDS]) == len(pairs)


def test_prisoners_carry_no_force_and_partner_persons_their_own() -> None:
    """Prisoners are the national prison system's: no force, so their link keeps every rule;
    partner persons are their force's local authority's, as its extract says."""
    db = _db()
    _extract_tables(db, forced=("persons", "partner_persons"))
    db.execute(
        "INSERT INTO persons (person_id, surname, source_force, _row) "
        "VALUES ('F1:P1', 'Hill', 'F1', 1), ('F2:P1', 'Cole', 'F2', 2)"
    )
    db.execute(
        "INSERT INTO partner_persons (partner_person_id, surname, source_force, _row) "
        "VALUES ('F1:S1', 'Hill', 'F1', 1), ('F2:S1', 'Cole', 'F2', 2)"
    )
    db.execute(
        "INSERT INTO prisoners (prisoner_number, last_name, _row) VALUES ('A1234BC', 'Hill', 1)"
    )
    prepare_records(db)
    assert forces.multi_force(db, [NOMINAL_RECORDS])
    assert forces.multi_force(db, [PARTNER_RECORDS, NOMINAL_RECORDS])
    assert not forces.multi_force(db, [PRISONER_RECORDS, NOMINAL_RECORDS])
    assert db.fetch_tuples(f"SELECT DISTINCT source_force FROM {PRISONER_RECORDS}") == [(None,)]
