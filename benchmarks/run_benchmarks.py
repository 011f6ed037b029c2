"""Time and peak memory of `synth`, `identify` and `evaluate` at several force sizes.

    .venv/bin/python benchmarks/run_benchmarks.py [--sizes 100000 2400000] [--work DIR]

Prints a Markdown table for docs/benchmarks.md, with the date and the machine, and the
baseline's scores on a 12-month window. Every command runs in a fresh process measured by
`benchmarks/measure.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
WINDOW = ("2025-01-01", "2025-12-31")


def measure(command: list[str]) -> dict:
    result = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), *command],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["exit"] != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return figures


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GiB, Python {platform.python_version()}"


def run(sizes: list[int], work: Path, seed: int, fmt: str) -> str:
    paramount = str(BIN / "paramount")
    lines = [
        f"Measured {date.today().isoformat()} on {machine()}.",
        "",
        "| population | step | seconds | peak memory (MB) |",
        "|---:|---|---:|---:|",
    ]
    scores_lines = []
    for size in sizes:
        force = work / f"force-{size}"
        run_dir = work / f"run-{size}"
        steps = {
            "synth": [paramount, "synth", "--population", str(size), "--seed", str(seed),
                      "--out", str(force), "--format", fmt],
            "identify (baseline, 12 months)": [
                paramount, "identify", str(force / "extract"), "--from", WINDOW[0],
                "--to", WINDOW[1], "--out", str(run_dir), "--method", "baseline"],
            "evaluate": [
                paramount, "evaluate", str(run_dir / "children.csv"), "--truth",
                str(force / "truth"), "--from", WINDOW[0], "--to", WINDOW[1],
                "--json", str(run_dir / "scores.json")],
        }  # fmt: skip
        for name, command in steps.items():
            print(f"[{size:,}] {name} ...", file=sys.stderr, flush=True)
            figures = measure(command)
            lines.append(
                f"| {size:,} | {name} | {figures['seconds']:.1f} | {figures['peak_mb']:,} |"
            )
        scores = json.loads((run_dir / "scores.json").read_text())
        scores_lines.append(
            f"| {size:,} | {scores['rows']:,} | {scores['affected']:,} | "
            f"{scores['identifiable']:,} | {scores['precision']:.3f} | {scores['recall']:.3f} | "
            f"{scores['coverage']:.3f} | {scores['duplicate_rate']:.3f} |"
        )
    lines += [
        "",
        f"Baseline scores, receptions {WINDOW[0]} to {WINDOW[1]} (seed {seed}):",
        "",
        "| population | rows | affected | identifiable | precision | recall | coverage "
        "| duplicates |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        *scores_lines,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 2_400_000])
    parser.add_argument("--work", type=Path, default=Path("bench-out"))
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--format", default="csv", choices=["csv", "parquet"])
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(run(args.sizes, args.work, args.seed, args.format))


if __name__ == "__main__":
    main()
