"""The Spark backend against DuckDB, on PySpark in local mode: the same SQL (DuckDB's
dialect, translated once) gives the same answers, a database folder is reopened as a file
is, and a whole run writes the same `children.csv`.

One Spark session serves the module's checks (as in Splink's own Spark tests: started
once, one core, few partitions); the tests that reopen a folder or run the pipeline start
their own, last. The whole run (a few minutes: Spark pays a job for each of some 700
statements) is what keeps a DuckDB-only construct out of the pipeline, so CI runs it;
`benchmarks/engine_parity.py` measures the same on larger forces."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

pytest.importorskip("pyspark")

from paramount.db import DuckDBBackend
from paramount.db.spark import (
    OPTIMIZER_EXCLUDED_RULES,
    PUSH_DOWN_PREDICATES,
    SparkBackend,
    excluded_rules,
)
from paramount.run import identify_extract
from paramount.synth import generate_force

pytestmark = pytest.mark.spark
SMALL = {"spark.sql.shuffle.partitions": "1", "spark.default.parallelism": "1"}


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkBackend]:
    backend = SparkBackend.open(tmp_path_factory.mktemp("spark"), master="local[1]", conf=SMALL)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def duck() -> Iterator[DuckDBBackend]:
    with DuckDBBackend.open() as backend:
        yield backend


PEOPLE = pa.table(
    {
        "id": ["a", "b", "c", "d", "e"],
        "grp": ["x", "x", "x", "y", "y"],
        "k": [3, 1, 2, 2, 1],
        "name": ["Zoë", "Łukasz", None, "ANNE", "O'Neil"],
        "tags": [["p", "q"], ["q"], [], ["r"], None],
    }
)

# Each query is DuckDB SQL over `people`; both engines must give the same rows.
SAME_ANSWER = {
    "ordered list": "SELECT grp, array_to_string(list(id ORDER BY k), ',') AS ids FROM people "
    "GROUP BY grp ORDER BY grp",
    "distinct sorted list": "SELECT array_to_string(list_sort(list_distinct(list(grp))), ';') "
    "AS grps FROM people",
    "slice": "SELECT array_to_string(list_sort(list(id))[2:3], ',') AS ids FROM people",
    "overlap": "SELECT id FROM people WHERE tags && ['q', 'r'] ORDER BY id",
    "list length": "SELECT id, array_length(tags) AS n FROM people ORDER BY id",
    "full match": "SELECT id FROM people WHERE regexp_full_match(coalesce(name, ''), '[A-Z]+') "
    "ORDER BY id",
    "accents": "SELECT id, strip_accents(name) AS bare FROM people ORDER BY id",
    "json with nulls": "SELECT id, json_object('name', name, 'k', k) AS j FROM people ORDER BY id",
    "window filter": "SELECT id, count(*) FILTER (WHERE k > 1) OVER (PARTITION BY grp) AS n "
    "FROM people ORDER BY id",
    "star exclude": "WITH r AS (SELECT * FROM people) SELECT * EXCLUDE (tags, name) FROM r "
    "ORDER BY id",
    "union by name": "SELECT id, k FROM people WHERE k = 1 UNION ALL BY NAME "
    "SELECT grp, id FROM people WHERE k = 3 ORDER BY id",
    "arg min": "SELECT grp, arg_min(id, k) AS first FROM people GROUP BY grp ORDER BY grp",
}


@pytest.fixture(scope="module")
def people(spark: SparkBackend, duck: DuckDBBackend) -> None:
    for backend in (spark, duck):
        backend.register_arrow("people_in", PEOPLE)
        backend.create_table("people", "SELECT * FROM people_in")


@pytest.mark.parametrize("case", sorted(SAME_ANSWER))
def test_the_same_sql_gives_the_same_answer(
    case: str, spark: SparkBackend, duck: DuckDBBackend, people: None
) -> None:
    sql = SAME_ANSWER[case]
    assert spark.fetch_rows(sql) == duck.fetch_rows(sql)


def test_a_table_may_be_replaced_by_a_query_that_reads_it(spark: SparkBackend) -> None:
    spark.create_table("counter", "SELECT 1 AS n")
    spark.create_table("counter", "SELECT n + 1 AS n FROM counter")
    assert spark.fetch_value("SELECT n FROM counter") == 2


def test_many_rows_are_inserted_at_once(spark: SparkBackend) -> None:
    spark.execute("CREATE OR REPLACE TEMP TABLE pairs (a VARCHAR, b BIGINT, c VARCHAR)")
    spark.executemany("INSERT INTO pairs VALUES (?, ?, NULL)", [("x", 1), ("y", 2)])
    assert spark.fetch_tuples("SELECT a, b, c FROM pairs ORDER BY a") == [
        ("x", 1, None),
        ("y", 2, None),
    ]


def test_a_csv_is_written_as_duckdb_writes_it(
    spark: SparkBackend, duck: DuckDBBackend, people: None, tmp_path: Path
) -> None:
    sql = "SELECT id, k, name, k > 1 AS big FROM people ORDER BY id"
    spark.write_csv(sql, tmp_path / "spark.csv")
    duck.write_csv(sql, tmp_path / "duck.csv")
    assert (tmp_path / "spark.csv").read_bytes() == (tmp_path / "duck.csv").read_bytes()


# A threshold on a score computed from both sides of a join, as Splink's scoring ends.
SCORED = """
SELECT * FROM (SELECT l.id, CASE WHEN l.v + r.v > 4 THEN 1 ELSE 0 END AS s
               FROM sides AS l JOIN sides AS r ON l.id = r.id - 1)
WHERE s = 1
"""


def test_without_pushdown_a_threshold_on_a_score_stays_above_the_join(
    spark: SparkBackend,
) -> None:
    spark.spark.sql("CREATE OR REPLACE TEMP VIEW sides AS SELECT id, id * 2 AS v FROM range(5)")

    def join_and_rows() -> tuple[str, list[tuple[int, int]]]:
        query = spark.spark.sql(SCORED)
        plan = query._jdf.queryExecution().optimizedPlan().toString()
        join = next(line for line in plan.splitlines() if "Join" in line)
        return join, sorted((r.id, r.s) for r in query.collect())

    pushed, rows = join_and_rows()
    with excluded_rules(spark.spark, PUSH_DOWN_PREDICATES):
        kept_above, same_rows = join_and_rows()
    assert ">" in pushed  # the score computed in the join's condition, for every pair
    assert ">" not in kept_above  # the join on its keys alone, the score once a pair above it
    assert same_rows == rows == [(1, 1), (2, 1), (3, 1)]
    assert spark.spark.conf.get(OPTIMIZER_EXCLUDED_RULES, None) is None  # restored


def test_splinks_scoring_alone_is_planned_without_pushdown(
    spark: SparkBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Splink's scored pairs without predicate pushdown (which computes each comparison again
    for every level of its weight); its blocking with it (a rule's one-sided filter applied
    before its join)."""
    from splink.backends.spark import SparkAPI

    planned: dict[str, str | None] = {}

    def run(api: SparkAPI, frame: object, templated_name: str, physical_name: str) -> object:
        planned[templated_name] = api.spark.conf.get(OPTIMIZER_EXCLUDED_RULES, None)
        return frame

    monkeypatch.setattr(SparkAPI, "_break_lineage_and_repartition", run)
    api = spark.splink_api()
    frame = spark.spark.sql("SELECT 1 AS n")
    for table in ("__splink__blocked_id_pairs", "__splink__df_predict"):
        api._break_lineage_and_repartition(frame, table, f"{table}_1")
    assert planned == {
        "__splink__blocked_id_pairs": None,
        "__splink__df_predict": PUSH_DOWN_PREDICATES,
    }
    assert spark.spark.conf.get(OPTIMIZER_EXCLUDED_RULES, None) is None


def test_a_database_folder_is_reopened_without_its_temporary_tables(tmp_path: Path) -> None:
    first = SparkBackend.open(tmp_path / "db", master="local[1]", conf=SMALL)
    first.create_table("kept", "SELECT 'a' AS v UNION ALL SELECT 'b'")
    first.create_table("empty", "SELECT 'a' AS v WHERE false")
    first.execute("CREATE TEMP TABLE scratch AS SELECT 1 AS n")
    first.close()
    again = SparkBackend.open(tmp_path / "db", master="local[1]", conf=SMALL)
    try:
        assert again.count("kept") == 2
        assert again.columns("empty") == ["v"]
        assert not again.table_exists("scratch")
        again.create_table("kept", "SELECT 'c' AS v")  # replacing a reopened table
        assert again.fetch_tuples("SELECT v FROM kept") == [("c",)]
    finally:
        again.close()


def _rows(run: Path) -> list[dict[str, str]]:
    with (run / "children.csv").open(newline="", encoding="utf-8") as f:
        return sorted(csv.DictReader(f), key=lambda r: (r["booking_id"], r["child_person_ids"]))


@pytest.mark.slow
def test_a_whole_run_on_spark_writes_the_same_children_as_duckdb(tmp_path: Path) -> None:
    """Load, identity resolution (Splink's SparkAPI) and every engine step on Spark."""
    generate_force(5_000, 3, tmp_path / "force")
    extract = tmp_path / "force" / "extract"
    window = {"date_from": date(2025, 2, 1), "date_to": date(2026, 1, 30)}
    on_duckdb = identify_extract(extract, tmp_path / "duckdb", **window)
    # The identity models DuckDB trained serve Spark as they are (translated as they load):
    # the run compares the engines, not two trainings, and Splink's training is the slowest
    # thing Spark does on a small force.
    shutil.copytree(
        tmp_path / "duckdb" / "paramount.duckdb.models",
        tmp_path / "spark" / "paramount.spark.models",
    )
    on_spark = identify_extract(
        extract, tmp_path / "spark", engine="spark", spark_master="local[1]", **window
    )
    duck_rows, spark_rows = _rows(on_duckdb.out_dir), _rows(on_spark.out_dir)
    assert duck_rows, "the force should give children to compare"
    models = tmp_path / "spark" / "paramount.spark.models"
    for saved in models.glob("*.json"):  # reused, not trained again (a retrain saves Spark's)
        assert json.loads(saved.read_text())["sql_dialect"] == "duckdb", saved.name
    assert [r["child_person_ids"] for r in spark_rows] == [r["child_person_ids"] for r in duck_rows]
    for d, s in zip(duck_rows, spark_rows, strict=True):
        assert round(float(s["confidence"]), 6) == round(float(d["confidence"]), 6)
        assert s == d | {"confidence": s["confidence"]}
