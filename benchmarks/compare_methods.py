"""Methods side by side on fresh synthetic forces: accuracy, the ratio over the baseline,
recall by route, calibration, and time.

    .venv/bin/python benchmarks/compare_methods.py --population 300000 --seeds 101 102 \\
        --methods baseline full --work /tmp/compare

Each seed is a force the methods were not developed on. Every method runs on the same
extract, in its own fresh process (`benchmarks/measure.py`), over the twelve months of 2025.
Prints Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from run_benchmarks import BIN, WINDOW, machine, measure

from paramount.contract.tables import ROUTES


def run_method(paramount: str, force: Path, run_dir: Path, method: str) -> tuple[dict, dict]:
    identify = [paramount, "identify", str(force / "extract"), "--from", WINDOW[0],
                "--to", WINDOW[1], "--out", str(run_dir), "--method", method]  # fmt: skip
    timing = measure(identify)
    scores_path = run_dir / "scores.json"
    measure([paramount, "evaluate", str(run_dir / "children.csv"), "--truth",
             str(force / "truth"), "--from", WINDOW[0], "--to", WINDOW[1],
             "--json", str(scores_path)])  # fmt: skip
    return timing, json.loads(scores_path.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=300_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[101])
    parser.add_argument("--methods", nargs="+", default=["baseline", "full"])
    parser.add_argument("--work", type=Path, default=Path("bench-out/compare"))
    args = parser.parse_args()
    paramount = str(BIN / "paramount")
    summary = [
        f"Measured on {machine()}; population {args.population:,}; receptions "
        f"{WINDOW[0]} to {WINDOW[1]}.",
        "",
        "| seed | method | rows | precision | recall | coverage | duplicates "
        "| recall / baseline | identify s | peak MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    by_route = [
        "| seed | method | " + " | ".join(ROUTES) + " |",
        "|---:|---|" + "---:|" * len(ROUTES),
    ]
    reliability: list[str] = []
    for seed in args.seeds:
        force = args.work / f"force-{args.population}-{seed}"
        print(f"[seed {seed}] synth ...", file=sys.stderr, flush=True)
        measure([paramount, "synth", "--population", str(args.population), "--seed", str(seed),
                 "--out", str(force)])  # fmt: skip
        baseline_recall = None
        for method in args.methods:
            print(f"[seed {seed}] {method} ...", file=sys.stderr, flush=True)
            timing, s = run_method(paramount, force, args.work / f"run-{seed}-{method}", method)
            if method == "baseline":
                baseline_recall = s["recall"]
            ratio = f"{s['recall'] / baseline_recall:.1f}x" if baseline_recall else "n/a"
            summary.append(
                f"| {seed} | {method} | {s['rows']:,} | {s['precision']:.3f} | {s['recall']:.3f}"
                f" | {s['coverage']:.3f} | {s['duplicate_rate']:.3f} | {ratio} "
                f"| {timing['seconds']:.1f} | {timing['peak_mb']:,} |"
            )
            by_route.append(
                f"| {seed} | {method} | "
                + " | ".join(f"{s['recall_by_route'].get(r, 0):.3f}" for r in ROUTES)
                + " |"
            )
            if len(s["reliability"]) > 1:
                reliability += [
                    "",
                    f"Calibration, seed {seed}, method {method}:",
                    "",
                    "| confidence | rows | mean stated | share right |",
                    "|---|---:|---:|---:|",
                    *(
                        f"| {b['from']:.1f} to {b['to']:.1f} | {b['rows']:,} "
                        f"| {b['mean_confidence']:.3f} | {b['share_right']:.3f} |"
                        for b in s["reliability"]
                    ),
                ]
    print("\n".join([*summary, "", "Recall by route:", "", *by_route, *reliability]))


if __name__ == "__main__":
    main()
