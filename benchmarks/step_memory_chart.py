"""Chart how each step's peak memory grows with the force, from `step_memory.py` results.

    .venv/bin/python benchmarks/step_memory_chart.py --out docs/img/step-memory.png \\
        300000=/tmp/steps/300k/steps.json 1000000=/tmp/steps/1m/steps.json ...

Draws the steps that are ever among the largest, the
whole run's peak and, when the runs were held to one, the memory limit.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from paramount.db.duckdb import size_in_bytes

SHOWN = 6  # the steps drawn: those whose largest peak is among the six largest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="POPULATION=steps.json")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    pairs = (r.split("=", 1) for r in args.runs)
    runs = sorted(((int(k), json.loads(Path(v).read_text())) for k, v in pairs), key=lambda r: r[0])
    people = [p for p, _ in runs]
    peaks: dict[str, list[float]] = {}
    for i, (_, run) in enumerate(runs):
        for row in run["steps"]:
            peaks.setdefault(row["step"], [float("nan")] * len(runs))[i] = row["peak_mb"] / 1024
    largest = sorted(peaks, key=lambda s: -max(v for v in peaks[s] if v == v))[:SHOWN]
    fig, ax = plt.subplots(figsize=(8, 5))
    markers = "osD^vP"
    for step, marker in zip(largest, markers, strict=False):
        ax.plot(people, peaks[step], marker=marker, label=step, color="0.3")
    ax.plot(people, [r["peak_mb"] / 1024 for _, r in runs], marker="*", markersize=12,
            label="whole run (largest step)", color="black", linewidth=2.5)  # fmt: skip
    limit = runs[-1][1].get("memory_limit")
    limit_bytes = size_in_bytes(limit) if limit else None
    top = max(r["peak_mb"] for _, r in runs) / 1024
    if limit_bytes:
        ax.axhline(limit_bytes / 2**30, linestyle="--", color="black")
        ax.annotate(f"memory limit ({limit})", (people[-1], limit_bytes / 2**30), ha="right",
                    textcoords="offset points", xytext=(0, 5))  # fmt: skip
        top = max(top, limit_bytes / 2**30)
    ax.set_xscale("log")
    ax.set_xticks(people, [f"{p / 1e6:g} million" for p in people])
    ax.minorticks_off()
    ax.set_xlabel("people in the force (synthetic)")
    ax.set_ylabel("peak resident memory of the step (GiB)")
    ax.set_title("Peak memory per step: load, resolve and a 12-month identify")
    ax.set_ylim(0, top * 1.15)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0, 0.93))
    ax.grid(True, color="0.85")
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
