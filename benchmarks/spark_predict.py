"""Splink's nominal prediction alone, on Spark, timed: where Spark's time a pair goes.

    .venv/bin/python benchmarks/spark_predict.py SOURCE --work DIR --models MODELS \\
        [--memory 4g] [--master local[*]] [--conf KEY=VALUE ...] [--splink KEY=VALUE ...] \\
        [--repeat N] [--events]

SOURCE holds a force's standardised nominal records (`pm_lk_nominal_records`, made by
`prepare.py`): a DuckDB database after `paramount resolve`, whose records are copied once
into the Spark folder `DIR` (a later run reuses them), or a Spark database folder after a
Spark resolve (used as `DIR`). MODELS is the folder of saved identity models
(`nominal.json`).

Each repeat builds the nominal model as `dedupe.py` does (`build_linker`, the saved model
reused), then times Splink's two materialised steps of a prediction in one piece, the two
that grow with the pairs: blocking (the candidate pairs' ids, `__splink__blocked_id_pairs`)
and scoring (each pair's comparison vector and probability, kept at Paramount's review
threshold, `__splink__df_predict`). It prints the pairs, the seconds and CPU seconds of this
process and its JVM, and microseconds a pair; `--events` adds Spark's own task metrics from
its event log (tasks, run time, CPU, GC, spill) for every query of the scoring.

`--conf` passes Spark settings to `SparkBackend.open` (after Paramount's own, so they win;
`spark.driver.extraJavaOptions=-XX:StartFlightRecording=filename=F.jfr,settings=profile`
records where the JVM's time goes). `--splink` uses Splink's own `SparkAPI` with these
options (`num_partitions_on_repartition=8`, `repartition_after_blocking=true`,
`break_lineage_method=persist`) in place of the backend's, which plans the scoring without
predicate pushdown: `--splink break_lineage_method=parquet` is the prediction as Spark ran
it before that change. Runs one configuration a process: Spark's settings are fixed when
its JVM starts.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from paramount.db.duckdb import DuckDBBackend
from paramount.db.spark import SparkBackend
from paramount.linkage.models import build_linker
from paramount.linkage.prepare import NOMINAL_RECORDS
from paramount.linkage.resolve import REVIEW

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """User and system CPU of this process and every process it started (Spark's JVM)."""
    children: dict[int, list[int]] = defaultdict(list)
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        children[int(fields[1])].append(pid)
        times[pid] = (int(fields[11]) + int(fields[12])) / _TICKS
    total, todo = 0.0, [os.getpid()]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


def _value(text: str) -> Any:
    """A `--splink` option's value: a number, a boolean, or the text."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return int(text) if text.isdigit() else text


def _pairs(options: list[str]) -> dict[str, str]:
    return dict(option.split("=", 1) for option in options)


def import_records(source: Path, db: SparkBackend) -> None:
    """The nominal records of a DuckDB database, copied into the Spark database as a table."""
    with DuckDBBackend.open(source) as duck:
        records = duck.fetch_arrow(f"SELECT * FROM {NOMINAL_RECORDS}")
    db.register_arrow("pm_bench_records", records)
    db.create_table(NOMINAL_RECORDS, "SELECT * FROM pm_bench_records")
    db.unregister("pm_bench_records")


def timed(label: str, step: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = step()
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    print(f"  {label:<9} {wall:8.1f} s  {cpu:8.1f} CPU s", flush=True)
    return result, wall, cpu


def one_prediction(db: SparkBackend, models: Path) -> dict[str, float]:
    """Blocking, then scoring, of the nominal model on the nominal records, timed apart."""
    model = build_linker(
        db, [NOMINAL_RECORDS], link_type="dedupe_only", model_path=models / "nominal.json",
        retrain=False,
    )  # fmt: skip
    inference = model.linker.inference
    blocked, block_s, block_cpu = timed("blocking", inference.compute_blocked_pairs_for_predict)
    pairs = db.count(blocked.physical_name)
    scored, score_s, score_cpu = timed(
        "scoring", lambda: inference.predict(threshold_match_probability=REVIEW)
    )
    kept = db.count(scored.physical_name)
    scored.drop_table_from_database_and_remove_from_cache()
    blocked.drop_table_from_database_and_remove_from_cache()
    seconds, cpu = block_s + score_s, block_cpu + score_cpu
    print(f"  {pairs:,} pairs, {kept:,} kept: {seconds / pairs * 1e6:.1f} us a pair, "
          f"{cpu / pairs * 1e6:.1f} us of CPU a pair", flush=True)  # fmt: skip
    return {"pairs": pairs, "kept": kept, "blocking_s": block_s, "scoring_s": score_s,
            "blocking_cpu_s": block_cpu, "scoring_cpu_s": score_cpu,
            "us_per_pair": seconds / pairs * 1e6, "cpu_us_per_pair": cpu / pairs * 1e6}  # fmt: skip


def event_summary(folder: Path, since_ms: int) -> list[dict[str, Any]]:
    """Spark's task metrics, summed for each SQL query that started after `since_ms`: tasks,
    run time, CPU, GC, spill, and the query's first words."""
    queries: dict[int, dict[str, Any]] = {}
    job_query: dict[int, int] = {}
    stage_query: dict[int, int] = {}
    for log in folder.rglob("events_*"):
        if log.suffix:  # a compressed log (--events writes them plain)
            continue
        for line in log.read_text().splitlines():
            event = json.loads(line)
            kind = event["Event"]
            if kind.endswith("SparkListenerSQLExecutionStart") and event["time"] >= since_ms:
                queries[event["executionId"]] = {
                    "what": " ".join(event["description"].split())[:70], "start": event["time"],
                    "end": event["time"], "tasks": 0, "run_s": 0.0, "cpu_s": 0.0, "gc_s": 0.0,
                    "spill_mb": 0.0, "shuffle_mb": 0.0,
                }  # fmt: skip
            elif kind.endswith("SparkListenerSQLExecutionEnd") and event["executionId"] in queries:
                queries[event["executionId"]]["end"] = event["time"]
            elif kind == "SparkListenerJobStart":
                execution = event.get("Properties", {}).get("spark.sql.execution.id")
                if execution is not None:
                    job_query[event["Job ID"]] = int(execution)
                    for stage in event["Stage IDs"]:
                        stage_query[stage] = int(execution)
            elif kind == "SparkListenerTaskEnd":
                query = queries.get(stage_query.get(event["Stage ID"], -1))
                metrics = event.get("Task Metrics")
                if query is None or not metrics:
                    continue
                query["tasks"] += 1
                query["run_s"] += metrics["Executor Run Time"] / 1e3
                query["cpu_s"] += metrics["Executor CPU Time"] / 1e9
                query["gc_s"] += metrics["JVM GC Time"] / 1e3
                query["spill_mb"] += metrics["Disk Bytes Spilled"] / 2**20
                query["shuffle_mb"] += (
                    metrics["Shuffle Write Metrics"]["Shuffle Bytes Written"] / 2**20
                )
    return sorted(queries.values(), key=lambda q: q["start"])


def print_events(folder: Path, since_ms: int) -> None:
    """The last run's queries of a second or more, with their task metrics."""
    print("  query (first words)                                        "
          "tasks   wall s  run s  cpu s   gc s  spill MB  shuffle MB")  # fmt: skip
    for q in event_summary(folder, since_ms):
        wall = (q["end"] - q["start"]) / 1e3
        if wall >= 1:
            print(f"  {q['what']:<58} {q['tasks']:5} {wall:8.1f} {q['run_s']:6.1f} "
                  f"{q['cpu_s']:6.1f} {q['gc_s']:6.1f} {q['spill_mb']:9.0f} "
                  f"{q['shuffle_mb']:11.0f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="a DuckDB database or a Spark folder")
    parser.add_argument("--work", type=Path, default=None, help="the Spark folder")
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--memory", default="4g", help="the driver's memory (local mode)")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--conf", nargs="*", default=[], help="Spark settings, KEY=VALUE")
    parser.add_argument("--splink", nargs="*", default=[], help="SparkAPI options, KEY=VALUE")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--events", action="store_true", help="summarise Spark's event log")
    parser.add_argument("--json", type=Path, default=None, help="append the result here")
    args = parser.parse_args()

    from_duckdb = args.source.is_file()
    work = args.work if from_duckdb else args.source
    if work is None:
        parser.error("--work: the Spark folder to copy a DuckDB database's records into")
    conf = _pairs(args.conf)
    events = work / "events"
    if args.events:
        events.mkdir(parents=True, exist_ok=True)
        conf |= {"spark.eventLog.enabled": "true", "spark.eventLog.dir": str(events),
                 "spark.eventLog.compress": "false"}  # fmt: skip
    db = SparkBackend.open(work, master=args.master, memory=args.memory, conf=conf)
    splink = {k: _value(v) for k, v in _pairs(args.splink).items()}
    if splink:  # the backend's SparkAPI with these options in place of its own
        from splink.backends.spark import SparkAPI

        options = {"break_lineage_method": "parquet", **splink}
        db.splink_api = lambda: SparkAPI(spark_session=db.spark, **options)  # type: ignore[method-assign]
    try:
        if from_duckdb and not db.table_exists(NOMINAL_RECORDS):
            timed("import", lambda: import_records(args.source, db))
        print(f"{db.count(NOMINAL_RECORDS):,} nominal records; Spark {db.spark.version}, "
              f"{args.master}, driver {args.memory}; conf {conf or '-'}; "
              f"Splink {splink or '-'}")  # fmt: skip
        runs, starts = [], []
        for n in range(args.repeat):
            print(f"run {n + 1}, load average {os.getloadavg()[0]:.1f}", flush=True)
            starts.append(int(time.time() * 1000))
            run = one_prediction(db, args.models)
            run["load_average"] = os.getloadavg()[0]
            runs.append(run)
        if args.json:
            with args.json.open("a") as out:
                out.write(json.dumps({"conf": conf, "splink": splink, "memory": args.memory,
                                      "master": args.master, "runs": runs}) + "\n")  # fmt: skip
    finally:
        db.close()
    if args.events:  # Spark writes its event log out in full when the session stops
        print_events(events, starts[-1] if starts else 0)


if __name__ == "__main__":
    main()
