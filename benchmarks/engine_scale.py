"""Issue 13, item 4: DuckDB and Spark side by side at several force sizes, step by step.

    .venv/bin/python benchmarks/engine_scale.py 300000=EXTRACT 1000000=EXTRACT ... \\
        --work DIR --memory-limit 4GB --models MODELS [--engines duckdb spark] [--chart PNG]

For each force and engine, in that order, runs `step_memory.py` in a fresh process (so each
run's peak is its own, and each Spark run starts its own JVM): load, identity resolution
with the saved identity models `MODELS` (the same for every run, so the engines are compared
and not two trainings), and a 12-month `identify --method full`. Each run writes
`DIR/PEOPLE/ENGINE/steps.json`; a run whose file exists is not run again, so the series can
be stopped and taken up again. Prints the runs side by side as a table (and, with
`--chart`, draws each step's time against the force's size for both engines).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PHASES = ("load", "resolve", "identify")  # as `step_memory.py` marks each step


def run_one(extract: Path, work: Path, engine: str, args: argparse.Namespace) -> None:
    """One force on one engine, in its own process; its output kept beside its result."""
    work.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-W", "ignore", str(HERE / "step_memory.py"), str(extract),
               "--work", str(work), "--engine", engine, "--models", str(args.models),
               "--from", args.date_from, "--to", args.date_to]  # fmt: skip
    if args.memory_limit:
        command += ["--memory-limit", args.memory_limit]
    if engine == "spark" and args.spark_master:
        command += ["--spark-master", args.spark_master]
    print(f"{work}: running", flush=True)
    with (work / "steps.md").open("w") as out, (work / "steps.log").open("w") as log:
        done = subprocess.run(command, stdout=out, stderr=log, check=False)
    if done.returncode:
        print(f"{work}: failed ({done.returncode}); see {work / 'steps.log'}", flush=True)


def phases(result: dict) -> dict[str, tuple[float, int]]:
    """A run's seconds and peak (MB) for loading, identity resolution and identification."""
    groups = {phase: [r for r in result["steps"] if r["phase"] == phase] for phase in PHASES}
    return {name: (sum(r["seconds"] for r in group), max((r["peak_mb"] for r in group), default=0))
            for name, group in groups.items()}  # fmt: skip


def table(results: dict[tuple[int, str], dict]) -> str:
    lines = ["| people | engine | load | resolve | 12-month identify | whole run | load average |",
             "|---:|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for (people, engine), result in sorted(results.items()):
        cells = [f"{s:,.0f} s, {m / 1024:.1f} GB" for s, m in phases(result).values()]
        whole = f"**{result['seconds']:,.0f} s, {result['peak_mb'] / 1024:.1f} GB**"
        kept = [r for r in result["steps"] if "load_average" in r]  # by the time spent
        weight = sum(r["seconds"] for r in kept)
        busy = sum(r["load_average"] * r["seconds"] for r in kept) / weight if weight else None
        row = [f"{people:,}", engine, *cells, whole, "not kept" if busy is None else f"{busy:.1f}"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def chart(results: dict[tuple[int, str], dict], out: Path) -> None:
    """Seconds of each phase against people, one line per engine and phase (log-log)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.5))
    styles = {"duckdb": ("black", "-"), "spark": ("0.45", "--")}
    markers = dict(zip(PHASES, "osD", strict=True))
    for engine, (color, line) in styles.items():
        runs = sorted((p, r) for (p, e), r in results.items() if e == engine)
        if not runs:
            continue
        people = [p for p, _ in runs]
        for phase, marker in markers.items():
            seconds = [phases(r)[phase][0] for _, r in runs]
            peaks = [phases(r)[phase][1] / 1024 for _, r in runs]
            label = f"{engine}: {phase}"
            axes[0].plot(people, seconds, marker=marker, color=color, linestyle=line, label=label)
            axes[1].plot(people, peaks, marker=marker, color=color, linestyle=line, label=label)
    sizes = sorted({p for p, _ in results})
    for ax, ylabel in zip(axes, ("seconds", "peak resident memory (GiB)"), strict=True):
        ax.set_xscale("log")
        ax.set_xticks(sizes, [f"{p / 1e6:g}M" for p in sizes])
        ax.minorticks_off()
        ax.set_xlabel("people in the force (synthetic)")
        ax.set_ylabel(ylabel)
        ax.grid(True, color="0.85")
    axes[0].set_yscale("log")
    axes[0].set_title("Time per phase (log scales)")
    axes[1].set_title("Peak memory per phase")
    axes[1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    fig.suptitle("DuckDB and Spark (local mode) on one machine, the same forces and models")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forces", nargs="+", help="PEOPLE=EXTRACT")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    parser.add_argument("--spark-master", default=None)
    parser.add_argument("--from", dest="date_from", default="2025-01-01")
    parser.add_argument("--to", dest="date_to", default="2025-12-31")
    parser.add_argument("--chart", type=Path, default=None)
    parser.add_argument("--report-only", action="store_true", help="run nothing; tabulate")
    args = parser.parse_args()
    forces = sorted((int(p), Path(e)) for p, e in (f.split("=", 1) for f in args.forces))
    results = {}
    for people, extract in forces:
        for engine in args.engines:
            work = args.work / str(people) / engine
            if not (work / "steps.json").exists() and not args.report_only:
                run_one(extract, work, engine, args)
            if (work / "steps.json").exists():
                results[(people, engine)] = json.loads((work / "steps.json").read_text())
    print(table(results))
    if args.chart and results:
        chart(results, args.chart)


if __name__ == "__main__":
    main()
