"""The run's identity review keeps only the uncertain matches that touch its own families."""

from __future__ import annotations

from datetime import date

import duckdb
import sqlglot
from sqlglot import exp

from paramount.engine.identity_review import identity_review_pairs_sql, identity_review_sql
from paramount.engine.pipeline import RunParameters

PARAMS = RunParameters(window_from=date(2025, 1, 1), window_to=date(2025, 12, 31), method="full")


def _tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE pm_entity_members AS SELECT * FROM (VALUES
            ('R:P1', 'PRISONER', 'A1234BC'), ('R:P1', 'RMS', 'P1'),
            ('R:C1', 'RMS', 'C1'), ('R:C1B', 'RMS', 'C1B'),
            ('R:X1', 'RMS', 'X1'), ('R:X2', 'RMS', 'X2'),
            ('R:N1', 'RMS', 'N1'), ('R:N2', 'RMS', 'N2')
        ) AS t(entity_id, source, record_id);
        CREATE TABLE pm_in_area AS
            SELECT 'B1' AS booking_id, 'A1234BC' AS prisoner_number,
                   DATE '2025-03-01' AS reception_date;
        CREATE TABLE pm_reception_candidates AS SELECT * FROM (VALUES
            ('B1', 'R:C1', 'R:C1'), ('B1', 'R:X1', 'R:X1')
        ) AS t(booking_id, child_entity, child_key);
        CREATE TABLE pm_decided AS SELECT * FROM (VALUES
            ('B1', 'R:C1', DATE '2025-03-01', 'WORKLIST'),
            ('B1', 'R:X1', DATE '2025-03-01', 'DROPPED')
        ) AS t(booking_id, child_key, reception_date, decision);
        CREATE TABLE pm_identity_review AS SELECT * FROM (VALUES
            ('RMS', 'C1', 'RMS', 'C1B', 'R:C1B', 0.7, 'between', 'names'),
            ('RMS', 'X1', 'RMS', 'X2', 'R:X2', 0.6, 'between', 'names'),
            ('RMS', 'N1', 'RMS', 'N2', 'R:N2', 0.5, 'between', 'names'),
            ('PRISONER', 'A1234BC', 'RMS', 'N2', 'R:N2', 0.8, 'another', 'names')
        ) AS t(source_l, record_l, source_r, record_r, entity_r, match_probability, reason,
               agreement);
        """
    )


def _review(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    con.execute(
        f"CREATE OR REPLACE TABLE pm_identity_review_pairs AS {identity_review_pairs_sql(PARAMS)}"
    )
    return con.execute(identity_review_sql(PARAMS)).fetchall()


def test_only_pairs_touching_the_runs_prisoners_and_listed_children_are_kept() -> None:
    con = duckdb.connect()
    _tables(con)
    rows = _review(con)
    kept = {(r[2], r[4], r[6]) for r in rows}
    # the listed child's second nominal, and the prisoner's doubtful other record; not the
    # dropped candidate's pair, nor a pair of strangers
    assert kept == {("CHILD (WORKLIST)", "C1", "C1B"), ("PRISONER", "A1234BC", "N2")}
    assert all(r[0] == "B1" for r in rows)


def test_a_pair_touching_a_reception_twice_is_listed_in_one_order() -> None:
    """A doubtful pair joining the prisoner's record to a listed child's touches the
    reception in two roles; both rows tie on every sort key but the role, so the role (and
    then every column) breaks the tie, and identity_review.csv is the same bytes every run."""
    con = duckdb.connect()
    _tables(con)
    con.execute(
        "INSERT INTO pm_identity_review VALUES "
        "('RMS', 'P1', 'RMS', 'C1', 'R:C1', 0.65, 'between', 'names')"
    )
    rows = _review(con)
    twice = [r[2] for r in rows if (r[4], r[6]) == ("P1", "C1")]
    assert twice == ["CHILD (WORKLIST)", "PRISONER"]


def test_the_order_leaves_no_tie_between_different_rows() -> None:
    """Every output column is a sort key (after the doubt and the reception): two different
    rows can never tie, so the file's bytes do not depend on the database's scheduling."""
    tree = sqlglot.parse_one(identity_review_sql(PARAMS), read="duckdb")
    keys = {o.this.sql() for o in tree.args["order"].expressions}
    outputs = [s.this.sql() if isinstance(s, exp.Alias) else s.sql() for s in tree.selects]
    assert [c for c in outputs if c not in keys and not c.startswith("ROUND(")] == []
