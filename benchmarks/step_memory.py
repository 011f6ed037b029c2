"""Peak memory and time of every step: loading, each phase of identity resolution and each
step of an `identify` run, on one force, in one process.

    .venv/bin/python benchmarks/step_memory.py EXTRACT --work /tmp/steps [--memory-limit 4GB]
        [--engine spark [--spark-master local[*]]]

Each step's peak is the resident high-water mark over that step alone of this process and
every process it started (on Spark, the JVM that does the work): Linux resets each on request
(`/proc/PID/clear_refs`, value 5) and reports it as `VmHWM`. With more than one process the
figure is the sum of their marks, an upper bound on their peak together. The steps are
read off the progress reporter the library already takes (a task for each resolution phase,
one advance for each pipeline step), so the product runs unchanged. Because the mark is reset,
a peak taken from outside (`measure.py`'s `RUSAGE_CHILDREN`) would see only the last step;
this script reports the overall peak as the largest step's.

Writes `steps.json` into `--work` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from paramount.db.engines import ENGINES, open_backend
from paramount.engine import get_method
from paramount.linkage import resolve
from paramount.loading import load_extract
from paramount.run import identify_extract

_HWM = re.compile(r"VmHWM:\s+(\d+) kB")


def _process_tree(root: int) -> list[int]:
    """`root` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def peak_mb_since_reset() -> int:
    """The resident high-water marks since the last reset of this process and its
    descendants, summed, in MB; then reset them."""
    peak_kb = 0
    for pid in _process_tree(os.getpid()):
        try:
            match = _HWM.search(Path(f"/proc/{pid}/status").read_text())
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            continue
        peak_kb += int(match.group(1)) if match else 0
    return peak_kb // 1024


class StepRecorder:
    """A progress reporter that records each step's seconds and peak memory."""

    def __init__(self, pipeline_steps: list[str]) -> None:
        self.pipeline_steps = pipeline_steps
        self.rows: list[dict] = []
        self._mark = time.perf_counter()

    def record(self, name: str, phase: str = "identify") -> None:
        now = time.perf_counter()
        row = {
            "step": name,
            "phase": phase,
            "seconds": round(now - self._mark, 2),
            "peak_mb": peak_mb_since_reset(),
            "load_average": os.getloadavg()[0],  # other work on the machine stretches time
        }
        self.rows.append(row)
        print(f"  {row['step']:<44} {row['seconds']:>8.1f} s {row['peak_mb']:>7,} MB",
              file=sys.stderr, flush=True)  # fmt: skip
        self._mark = time.perf_counter()

    def start(self) -> None:
        peak_mb_since_reset()
        self._mark = time.perf_counter()

    @contextmanager
    def task(self, description: str, total: float | None = None) -> Iterator[_StepTask]:
        if description.startswith("Identifying children"):
            self.start()  # the pipeline's steps are reported one advance each
            yield _StepTask(self, iter(self.pipeline_steps))
        elif description.startswith("Identity:"):
            self.start()
            yield _StepTask(self, None)
            self.record(description.removeprefix("Identity: "), "resolve")
        else:
            yield _StepTask(self, None)


class _StepTask:
    def __init__(self, recorder: StepRecorder, steps: Iterator[str] | None) -> None:
        self._recorder = recorder
        self._steps = steps

    def advance(self, amount: float = 1) -> None:
        if self._steps is not None:
            self._recorder.record(next(self._steps, "?"))

    def note(self, text: str) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--memory-limit", default=None)
    parser.add_argument("--from", dest="date_from", default="2025-01-01")
    parser.add_argument("--to", dest="date_to", default="2025-12-31")
    parser.add_argument("--method", default="full")
    parser.add_argument("--models", type=Path, default=None,
                        help="saved identity models to reuse (default: train them)")  # fmt: skip
    parser.add_argument("--engine", choices=ENGINES, default="duckdb")
    parser.add_argument("--spark-master", default=None)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db_path = args.work / ("force.duckdb" if args.engine == "duckdb" else "force.spark")
    for old in (db_path, db_path.with_name(db_path.name + ".wal")):
        if old.is_dir():
            shutil.rmtree(old)
        old.unlink(missing_ok=True)
    models = args.models or args.work / "models"
    steps = [s.name for s in get_method(args.method).steps]
    recorder = StepRecorder(steps)

    started = time.perf_counter()
    engine = {"memory_limit": args.memory_limit, "spark_master": args.spark_master}
    recorder.start()
    with open_backend(args.engine, db_path, **engine) as db:
        recorder.record("start the engine", "load")
        load_extract(args.extract, db, quarantine_dir=args.work / "quarantine")
        recorder.record("load", "load")
        resolve(db, models_dir=models, reporter=recorder)
    identify_extract(
        args.extract,
        args.work / "run",
        date_from=date.fromisoformat(args.date_from),
        date_to=date.fromisoformat(args.date_to),
        method=args.method,
        db=db_path,
        reporter=recorder,
        engine=args.engine,
        **engine,
    )
    seconds = round(time.perf_counter() - started, 1)
    result = {
        "extract": str(args.extract),
        "memory_limit": args.memory_limit,
        "engine": args.engine,
        "method": args.method,
        "seconds": seconds,
        "peak_mb": max(r["peak_mb"] for r in recorder.rows),
        "steps": recorder.rows,
    }
    (args.work / "steps.json").write_text(json.dumps(result, indent=2))
    print("| step | seconds | peak memory (MB) |\n|---|---:|---:|")
    for row in recorder.rows:
        print(f"| {row['step']} | {row['seconds']:.1f} | {row['peak_mb']:,} |")
    print(f"| **all** | {seconds:.1f} | {result['peak_mb']:,} |")


if __name__ == "__main__":
    main()
