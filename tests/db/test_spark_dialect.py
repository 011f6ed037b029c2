"""The Spark dialect layer: DuckDB SQL in, Spark SQL out (sqlglot only, no Spark needed).

What each rewrite means is checked against Spark itself in `test_spark.py`; here, that the
rewrite happens and keeps what DuckDB's form says (order, nulls, anchoring)."""

from __future__ import annotations

import pytest

from paramount.db import DuckDBBackend
from paramount.db.spark_dialect import ACCENTED, UNACCENTED, to_spark


def one(sql: str, columns: list[str] | None = None) -> str:
    statements = to_spark(sql, (lambda _query: columns) if columns is not None else None)
    assert len(statements) == 1
    return statements[0].sql


def test_an_ordered_list_keeps_its_order() -> None:
    # sqlglot alone writes COLLECT_LIST(x), dropping the ORDER BY
    sql = one("SELECT list(x ORDER BY k) FROM t")
    assert (
        sql
        == "SELECT TRANSFORM(ARRAY_SORT(COLLECT_LIST(STRUCT(k AS k0, x AS v))), s -> s.v) FROM t"
    )


def test_a_descending_ordered_list_is_refused_not_silently_reordered() -> None:
    with pytest.raises(NotImplementedError):
        one("SELECT list(x ORDER BY k DESC) FROM t")


def test_slices_overlaps_and_full_matches_become_spark_functions() -> None:
    sql = one("SELECT l[1:5], a && b, regexp_full_match(s, '[A-Z]+') FROM t")
    assert "SLICE(l, 1, (5 - 1) + 1)" in sql
    assert "ARRAYS_OVERLAP(a, b)" in sql
    assert "s RLIKE CONCAT('^(?:', '[A-Z]+', ')$')" in sql


def test_json_object_keeps_null_fields() -> None:
    sql = one("SELECT json_object('a', x) FROM t")
    assert sql == "SELECT TO_JSON(NAMED_STRUCT('a', x), MAP('ignoreNullFields', 'false')) FROM t"


def test_strip_accents_table_agrees_with_duckdb() -> None:
    """Spark has no strip_accents: a translate table stands in, and it must give DuckDB's
    answer for every letter it holds."""
    assert len(ACCENTED) == len(UNACCENTED) > 100
    with DuckDBBackend.open() as db:
        assert db.fetch_value("SELECT strip_accents(?)", [ACCENTED]) == UNACCENTED


def test_a_window_aggregate_filter_becomes_a_case() -> None:
    sql = one("SELECT count(*) FILTER (WHERE a > 1) OVER (PARTITION BY b) FROM t")
    assert sql == "SELECT COUNT(CASE WHEN a > 1 THEN 1 END) OVER (PARTITION BY b) FROM t"


def test_a_whole_row_hash_hashes_every_column() -> None:
    assert "SUM(HASH(*))" in one("SELECT sum(hash(t)) FROM persons AS t")


def test_replacing_a_table_drops_then_creates_it_as_parquet() -> None:
    statements = to_spark("CREATE OR REPLACE TABLE x AS SELECT 1 AS a")
    assert [s.sql for s in statements] == [
        "DROP TABLE IF EXISTS `x`",
        "CREATE TABLE x USING PARQUET AS SELECT 1 AS a",
    ]
    assert all(s.temporary_table is None for s in statements)


def test_a_table_that_reads_itself_is_replaced_through_a_copy() -> None:
    statements = [s.sql for s in to_spark("CREATE OR REPLACE TABLE x AS SELECT * FROM x")]
    assert statements[1] == "CREATE TABLE x__new USING PARQUET AS SELECT * FROM x"
    assert statements[2:] == [
        "DROP TABLE IF EXISTS `x`",
        "CREATE TABLE `x` USING PARQUET AS SELECT * FROM `x__new`",
        "DROP TABLE IF EXISTS `x__new`",
    ]


def test_a_temporary_table_is_named_for_dropping_and_loses_its_constraints() -> None:
    statements = to_spark("CREATE OR REPLACE TEMP TABLE t (a VARCHAR PRIMARY KEY, b INT)")
    assert statements[-1].sql == "CREATE TABLE t (a STRING, b INT) USING PARQUET"
    assert statements[-1].temporary_table == "t"


def test_star_exclude_is_written_out_from_the_engines_columns() -> None:
    sql = one(
        "WITH r AS (SELECT 1 AS a, 2 AS b, 3 AS c) SELECT * EXCLUDE (b) FROM r", ["a", "b", "c"]
    )
    assert sql.endswith("SELECT `a`, `c` FROM r")


def test_star_exclude_without_the_engine_is_refused() -> None:
    with pytest.raises(NotImplementedError):
        one("SELECT * EXCLUDE (b) FROM r")


def test_union_by_name_lines_the_columns_up() -> None:
    answers = iter([["a", "b"], ["b", "c"]])  # the columns of each side, as Spark says
    statements = to_spark(
        "SELECT a, b FROM x UNION ALL BY NAME SELECT b, c FROM y", lambda _q: next(answers)
    )
    text = statements[0].sql
    assert "BY NAME" not in text
    assert "SELECT `a`, `b`, NULL AS `c` FROM (SELECT a, b FROM x)" in text
    assert "SELECT NULL AS `a`, `b`, `c` FROM (SELECT b, c FROM y)" in text
