"""Speed at force scale: `resolve` once, a 12-month `identify`, then a one-month `identify`
that reuses the stored load and resolution.

    .venv/bin/python benchmarks/resolve_identify_speed.py --population 2400000 --work /tmp/speed

The issue's budget on this 2-core machine: resolve + 12-month identify under 10 minutes
with peak memory under 8 GB; once resolved, a one-month identify under 30 seconds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from run_benchmarks import BIN, machine, measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=2_400_000)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--method", default="full")
    parser.add_argument("--work", type=Path, default=Path("bench-out/speed"))
    args = parser.parse_args()
    paramount = str(BIN / "paramount")
    force = args.work / f"force-{args.population}"
    db = args.work / "force.duckdb"
    extract = str(force / "extract")
    if db.exists():
        db.unlink()
    steps = {
        "synth": [paramount, "synth", "--population", str(args.population),
                  "--seed", str(args.seed), "--out", str(force)],
        "resolve (load + identity resolution)": [paramount, "resolve", extract, "--db", str(db)],
        "identify, 12 months": [paramount, "identify", extract, "--db", str(db),
                                "--from", "2025-01-01", "--to", "2025-12-31",
                                "--out", str(args.work / "run-12m"), "--method", args.method],
        "identify, 1 month (resolved)": [paramount, "identify", extract, "--db", str(db),
                                         "--from", "2025-11-01", "--to", "2025-11-30",
                                         "--out", str(args.work / "run-1m"),
                                         "--method", args.method],
    }  # fmt: skip
    lines = [
        f"Measured on {machine()}; population {args.population:,}; method {args.method}.",
        "",
        "| step | seconds | peak memory (MB) |",
        "|---|---:|---:|",
    ]
    for name, command in steps.items():
        print(f"{name} ...", file=sys.stderr, flush=True)
        figures = measure(command)
        lines.append(f"| {name} | {figures['seconds']:.1f} | {figures['peak_mb']:,} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
