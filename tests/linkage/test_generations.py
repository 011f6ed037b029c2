"""One person is never two generations: a father and son of one name, bridged by a third
record of that name without a date of birth, stay two people."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from paramount.db import DuckDBBackend
from paramount.linkage.dedupe import (
    CLUSTERS,
    PAIRS,
    generations_apart_sql,
    split_generations,
)


def _world(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""
        CREATE TABLE persons AS SELECT * FROM (VALUES
            ('F1', DATE '1979-04-24'), ('S1', DATE '2017-07-27'), ('U1', NULL),
            ('S2', DATE '2017-07-27'), ('Q1', DATE '1990-01-01'), ('Q2', DATE '1991-01-01')
        ) AS t(person_id, date_of_birth);
        CREATE TABLE {CLUSTERS} AS SELECT * FROM (VALUES
            ('F1', 'R:F1', 0.99, 'SPLINK'), ('S1', 'R:F1', 0.99, 'SPLINK'),
            ('U1', 'R:F1', 0.99, 'SPLINK'), ('S2', 'R:F1', 0.99, 'SPLINK'),
            ('Q1', 'R:Q1', 0.99, 'SPLINK'), ('Q2', 'R:Q1', 0.99, 'SPLINK')
        ) AS t(person_id, entity_id, match_probability, basis);
        CREATE TABLE {PAIRS} AS SELECT * FROM (VALUES
            ('S1', 'U1', 0.999, true, 'SPLINK', false),
            ('F1', 'U1', 0.998, true, 'SPLINK', false),
            ('S1', 'S2', 0.97, true, 'SPLINK', false),
            ('Q1', 'Q2', 0.99, true, 'SPLINK', false)
        ) AS t(person_l, person_r, match_probability, accepted, basis, split);
        """
    )


def test_a_bridged_father_and_son_are_split_strongest_pair_first() -> None:
    con = duckdb.connect()
    _world(con)
    assert split_generations(DuckDBBackend(con)) == 1
    entity = dict(con.execute(f"SELECT person_id, entity_id FROM {CLUSTERS}").fetchall())
    # the undated record joins the son (the stronger pair); the father stands alone
    assert entity["S1"] == entity["U1"] == entity["S2"] != entity["F1"]
    assert entity["Q1"] == entity["Q2"]  # a year apart: not touched
    split = con.execute(f"SELECT person_l, person_r FROM {PAIRS} WHERE split").fetchall()
    assert split == [("F1", "U1")]
    (alone,) = con.execute(f"SELECT basis FROM {CLUSTERS} WHERE person_id = 'F1'").fetchall()[0]
    assert alone == "SINGLETON"


@pytest.mark.parametrize(
    ("a", "b", "apart"),
    [
        (date(1979, 4, 24), date(2017, 7, 27), True),
        (date(1985, 3, 4), date(1995, 3, 4), False),  # one digit slipped
        (date(1990, 1, 1), date(2001, 6, 1), False),  # eleven years: not a generation
        (date(1960, 5, 6), date(1999, 6, 5), True),
    ],
)
def test_what_is_a_generation(a: date, b: date, apart: bool) -> None:
    (sql,) = (
        duckdb.connect()
        .execute(
            f"SELECT {generations_apart_sql('?::DATE', '?::DATE')}", [a, b, a, b, a, b, a, b, a, b]
        )
        .fetchall()[0]
    )
    assert sql is apart
