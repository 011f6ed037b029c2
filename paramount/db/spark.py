"""`SparkBackend`: the same pipeline on Spark (local mode on one machine, or a cluster), and
the only module that imports PySpark (an optional extra: `pip install paramount[spark]`).

Every statement arrives in DuckDB's dialect and is translated once, by Paramount's Spark
dialect layer (`db/spark_dialect.py`). Tables are Parquet folders under
`PATH/warehouse`, listed with their schemas in `PATH/catalog.json` when the backend closes,
so a force's database folder is reopened by a later run as a DuckDB file is (a Hive
metastore would do the same at a second's cost a statement); a temporary table is a table
like any other, dropped when the backend closes. Identity resolution runs on Splink's own
`SparkAPI`, with Splink's similarity functions (Jaro-Winkler and the rest) from the jar
Splink ships.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyspark.sql import SparkSession
from pyspark.sql import types as T
from splink.backends.spark import SparkAPI, similarity_jar_location

from paramount.db.backend import Backend, Parameters
from paramount.db.engines import DEFAULT_SPARK_MASTER
from paramount.db.spark_dialect import SPARK, quote, to_spark
from paramount.db.sql import ident

CATALOG = "catalog.json"
# Splink's scored pairs: the tables its prediction writes (`linkage/chunks.py`), each a join
# of candidate pairs to their records, a comparison vector a pair and a threshold on the pair's
# probability (see `_SplinkOnSpark`).
SCORED_PAIRS = frozenset({"__splink__df_predict"})
OPTIMIZER_EXCLUDED_RULES = "spark.sql.optimizer.excludedRules"
PUSH_DOWN_PREDICATES = "org.apache.spark.sql.catalyst.optimizer.PushDownPredicates"
_DROP = re.compile(r"^\s*DROP TABLE IF EXISTS\s+(\S+)\s*$", re.I)
_INSERT_VALUES = re.compile(r"^\s*INSERT INTO\s+(\S+)\s+VALUES\s*\((.*)\)\s*$", re.I | re.S)


class SparkBackend(Backend):
    """Paramount's tables in a Spark session's catalog (Parquet under `PATH/warehouse`,
    listed with their schemas in `PATH/catalog.json` when the backend closes)."""

    dialect = SPARK

    def __init__(self, spark: SparkSession, path: Path) -> None:
        self.spark = spark
        self.path = path
        self._temporary: set[str] = set()
        self._views: set[str] = set()

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        master: str = DEFAULT_SPARK_MASTER,
        memory: str | None = None,
        conf: dict[str, str] | None = None,
    ) -> SparkBackend:
        """A Spark session whose tables live in the folder `path` (made if absent).
        `master`: `local[*]` (every core of this machine) or a cluster's URL; `memory`: the
        driver's memory ("4g"), which in local mode is all the memory Spark has."""
        folder = Path(path).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        builder = (
            SparkSession.builder.master(master)
            .appName("paramount")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
            .config("spark.sql.catalogImplementation", "in-memory")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")  # Paramount's reporter shows it
            .config("spark.sql.sources.default", "parquet")
            # DuckDB's arithmetic: NULL, not an error, for a division by zero
            .config("spark.sql.ansi.enabled", "false")
            # and DuckDB's length of a NULL list: NULL, not -1
            .config("spark.sql.legacy.sizeOfNull", "false")
        )
        if master.startswith("local"):
            # a partition a core: Spark's 200 suit a cluster, not one machine's few tables
            cores = _local_cores(master)
            builder = builder.config("spark.sql.shuffle.partitions", str(cores))
            builder = builder.config("spark.default.parallelism", str(cores))
        if memory:
            builder = builder.config("spark.driver.memory", memory)
        for key, value in (conf or {}).items():
            builder = builder.config(key, value)
        active = SparkSession.getActiveSession()
        if active is not None:  # a session's catalog and folder are fixed when it starts
            active.stop()
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        _quiet_code_generation(spark)
        # where Splink writes the tables it breaks lineage on (removed at close)
        spark.sparkContext.setCheckpointDir(str(folder / "checkpoints"))
        backend = cls(spark, folder)
        backend._reopen_tables()
        backend.splink_api()  # registers Splink's similarity functions for every step
        return backend

    # -- the catalog: a folder of Parquet tables, listed in catalog.json ----------------
    @property
    def _warehouse(self) -> Path:
        return self.path / "warehouse"

    def _reopen_tables(self) -> None:
        """Register the tables an earlier session left (Spark's in-memory catalog forgets
        them; a Hive metastore would remember, at a second's cost a statement)."""
        catalog = self.path / CATALOG
        if not catalog.exists():
            return
        for name, schema in json.loads(catalog.read_text()).items():
            location = self._warehouse / name
            if location.is_dir():
                self.spark.catalog.createTable(
                    name, path=str(location), source="parquet",
                    schema=T.StructType.fromJson(schema),
                )  # fmt: skip

    def _save_catalog(self) -> None:
        tables = {
            t.name: self.spark.table(quote(t.name)).schema.jsonValue()
            for t in self.spark.catalog.listTables()
            if not t.isTemporary and t.name not in self._temporary
        }
        (self.path / CATALOG).write_text(json.dumps(tables, sort_keys=True))

    def _forget(self, name: str) -> None:
        """A dropped table's files go too (a reopened table is external to Spark, and a
        new table cannot be made where files remain)."""
        location = self._warehouse / name.lower()
        if location.is_dir():
            shutil.rmtree(location)

    # -- DuckDB SQL in, Spark SQL out -------------------------------------------------
    def translate(self, sql: str) -> str:
        """Spark's statements for `sql`; the temporary tables they make are remembered here,
        to be dropped at close."""
        statements = to_spark(sql, lambda query: list(self.spark.sql(query).columns))
        self._temporary.update(s.temporary_table for s in statements if s.temporary_table)
        return ";\n".join(s.sql for s in statements)

    def _execute(self, sql: str, parameters: Parameters = None) -> None:
        for statement in (s for s in sql.split(";\n") if s.strip()):
            self.spark.sql(statement, args=list(parameters) if parameters else None).collect()
            dropped = _DROP.match(statement)
            if dropped:
                self._forget(dropped.group(1).strip("`"))

    def _fetch_tuples(self, sql: str, parameters: Parameters = None) -> list[tuple[Any, ...]]:
        rows = self.spark.sql(sql, args=list(parameters) if parameters else None).collect()
        return [tuple(row) for row in rows]

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """`INSERT INTO t VALUES (?, ..., constant, ...)` for many rows at once: one
        DataFrame appended, not a job a row."""
        match = _INSERT_VALUES.match(sql)
        if match is None:
            for row in rows:
                self._execute(sql, row)
            return
        table, template = match.group(1), [v.strip() for v in match.group(2).split(",")]
        schema = self.spark.table(table).schema
        filled = []
        for row in rows:
            values = iter(row)
            filled.append(tuple(next(values) if v == "?" else _constant(v) for v in template))
        if filled:
            self.spark.createDataFrame(filled, schema=schema).write.insertInto(table)

    def _fetch_arrow(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def _create_table_sql(self, name: str, query: str) -> str:
        raise NotImplementedError("create_table goes through CREATE OR REPLACE TABLE")

    def create_table(self, name: str, sql: str) -> None:
        """Materialise a query (DuckDB SQL) as Parquet table `name`, replacing it."""
        self.execute(f"CREATE OR REPLACE TABLE {ident(name)} AS {sql}")

    def drop_table(self, name: str) -> None:
        if name in self._views:
            self.unregister(name)
        self.spark.sql(f"DROP TABLE IF EXISTS {quote(name)}")
        self._forget(name)
        self._temporary.discard(name)

    def table_exists(self, name: str) -> bool:
        return bool(self.spark.catalog.tableExists(name))

    def tables(self, *, views: bool | None = None) -> set[str]:
        found = self.spark.catalog.listTables()
        if views is True:
            return {t.name for t in found if t.isTemporary or t.tableType == "VIEW"}
        if views is False:
            return {t.name for t in found if not t.isTemporary and t.tableType != "VIEW"}
        return {t.name for t in found}

    def memory_limit(self) -> str | None:
        return self.spark.conf.get("spark.driver.memory", None)

    def register_macros(self) -> None:
        """Nothing: the identifier macros are DuckDB's, for analysts' own queries."""

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self.spark.createDataFrame(table).createOrReplaceTempView(name)
        self._views.add(name)

    def unregister(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)
        self._views.discard(name)

    def splink_api(self) -> SparkAPI:
        return _SplinkOnSpark(spark_session=self.spark, break_lineage_method="parquet")

    def database_path(self) -> Path | None:
        return self.path

    def close(self) -> None:
        if self.spark.sparkContext._jsc is None:  # stopped already (another was opened)
            return
        for name in sorted(self._temporary):
            self.drop_table(name)
        self._save_catalog()
        self.spark.stop()
        shutil.rmtree(self.path / "checkpoints", ignore_errors=True)


class _SplinkOnSpark(SparkAPI):
    """Splink's `SparkAPI`, its scoring of pairs planned without pushing filters down.

    Splink scores a pair in steps, each a projection of the one before: the comparison levels
    (`gamma_surname`: a CASE over Jaro-Winkler and the rest), each level's weight (a CASE on
    that gamma), the match probability, then `WHERE match_probability >= threshold`. Spark's
    optimizer pushes that filter down through the projections into the join, putting each
    column's definition in place of its name; the weight's CASE names its gamma once a
    level, so every comparison is computed again for each of its levels, for every candidate
    pair (the date of birth's Damerau-Levenshtein up to eight times). Planned without
    pushdown, each comparison is computed once a pair and the filter is applied above it:
    the same rows, under a third of the CPU (the 300,000-person force's scoring, 2.6 million
    pairs: 172 CPU seconds with pushdown, 51 without; docs/scale.md). Only the scoring is
    planned so; Splink's blocking keeps pushdown, which applies a rule's one-sided filters
    (`l.dob IS NULL`) before its join."""

    def _break_lineage_and_repartition(
        self, spark_df: Any, templated_name: str, physical_name: str
    ) -> Any:
        # Splink runs the query here (a Parquet write: break_lineage_method="parquet"), so
        # the optimizer's rules set here are the ones it is planned with.
        if templated_name not in SCORED_PAIRS:
            return super()._break_lineage_and_repartition(spark_df, templated_name, physical_name)
        with excluded_rules(self.spark, PUSH_DOWN_PREDICATES):
            return super()._break_lineage_and_repartition(spark_df, templated_name, physical_name)


@contextmanager
def excluded_rules(spark: SparkSession, *rules: str) -> Iterator[None]:
    """Queries planned within leave out Spark's optimizer `rules` (as well as any the session
    leaves out already); the session's setting is restored after."""
    before = spark.conf.get(OPTIMIZER_EXCLUDED_RULES, None)
    spark.conf.set(OPTIMIZER_EXCLUDED_RULES, ",".join(r for r in (before, *rules) if r))
    try:
        yield
    finally:
        if before is None:
            spark.conf.unset(OPTIMIZER_EXCLUDED_RULES)
        else:
            spark.conf.set(OPTIMIZER_EXCLUDED_RULES, before)


def _quiet_code_generation(spark: SparkSession) -> None:
    """Silence Spark's generated-code compiler. Splink's wide comparison tables make methods
    past the JVM's 64 KB limit; Spark then runs the plan uncompiled, with the same answers,
    but first logs the whole generated source as an ERROR, thousands of lines a step."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None  # a session just started has its JVM
    jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(
        "org.apache.spark.sql.catalyst.expressions.codegen", jvm.org.apache.logging.log4j.Level.OFF
    )


def _local_cores(master: str) -> int:
    """The cores a local master uses: `local` 1, `local[4]` 4, `local[*]` all of them."""
    inside = master.partition("[")[2].partition("]")[0].split(",")[0]
    if inside.isdigit():
        return int(inside)
    if inside == "*":
        return os.cpu_count() or 1
    return 1


def _constant(text: str) -> Any:
    """A literal of an INSERT template (NULL, a number or a quoted string) as a value."""
    if text.upper() == "NULL":
        return None
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    return float(text) if "." in text else int(text)


__all__ = ["SparkBackend"]
