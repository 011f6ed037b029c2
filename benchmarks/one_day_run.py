"""A day's run on a resolved force database: learning the decision model once, then reusing it
(issue 13, item 5). Each run's wall time, CPU time and peak memory, the model learnt or
reused, and whether the next day's rows reusing the model are those of learning afresh.

    .venv/bin/python benchmarks/one_day_run.py EXTRACT RESOLVED.duckdb --work /tmp/day \\
        [--day 2025-11-14]

RESOLVED.duckdb is copied into --work first (never written). The runs, in order: `learn` (the
day, on the copy: learns and keeps the model), `reuse1` and `reuse2` (the same day again),
`next` (the day after, reusing the model learnt a day away) and `next-fresh` (the day after
with `--relearn`). Each is `paramount identify EXTRACT --db COPY --from D --to D --method full
--out WORK/NAME`, the command's own process measured (`RUSAGE_CHILDREN`), with the machine's
load average before it, since a shared machine's load moves wall times.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path


def _run(extract: Path, db: Path, out: Path, day: date, *extra: str) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = ["paramount", "identify", str(extract), "--db", str(db), "--method", "full"]
    command += ["--from", str(day), "--to", str(day), "--out", str(out), *extra]
    # measure.py runs it as its only child: its wall time and its own peak
    measured = json.loads(
        subprocess.check_output(
            [sys.executable, str(Path(__file__).with_name("measure.py")), *command]
        )
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    manifest = json.loads((out / "manifest.json").read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "exit": measured["exit"],
        "wall_s": measured["seconds"],
        "cpu_s": round(cpu, 2),  # the command's and measure.py's own (a few tenths)
        "peak_mb": measured["peak_mb"],
        "load_before": round(load, 2),
        "model": manifest["identification"]["model"],
        "identify_s": manifest["timings"]["identification"]["total"],
        "load_check_s": manifest["timings"]["load"],
        "steps_s": dict(
            sorted(manifest["timings"]["identification"]["steps"].items(), key=lambda kv: -kv[1])[
                :8
            ]
        ),
    }


def _rows(out: Path) -> dict[tuple[str, str, str], str]:
    rows = {}
    for name in ("children.csv", "review.csv"):
        if (out / name).exists():
            with (out / name).open(newline="") as f:
                for r in csv.DictReader(f):
                    rows[(name, r["booking_id"], r["child_entity"])] = r["confidence"]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path)
    parser.add_argument("resolved", type=Path)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--day", type=date.fromisoformat, default=date(2025, 11, 14))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db = args.work / "force.duckdb"
    shutil.copy(args.resolved, db)
    nxt = args.day + timedelta(days=1)
    plan = [
        ("learn", args.day, ()),
        ("reuse1", args.day, ()),
        ("reuse2", args.day, ()),
        ("next", nxt, ()),
        ("next-fresh", nxt, ("--relearn",)),
    ]
    results = {name: _run(args.extract, db, args.work / name, d, *x) for name, d, x in plan}
    results["same_rows"] = {
        "reuse1_vs_learn": _rows(args.work / "reuse1") == _rows(args.work / "learn"),
        "next_vs_next_fresh": _rows(args.work / "next") == _rows(args.work / "next-fresh"),
    }
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
