"""A sweep over worlds: forces whose recording habits differ the way real forces' do, each
identified as a new force would be, and scored; per world and for the worst.

    nice -n 10 .venv/bin/python benchmarks/world_sweep.py --worlds 101 102 103 \\
        --population-range 100000 300000 --work /tmp/worlds/sweep --method full

World K's parameters are `paramount.synth.worlds.sample_world(K)`, its population
`world_population(K, low, high)`, its generation seed K. Worlds 1 to 20 are for development;
report on 101 and above. Per world: rows, precision, recall of identifiable affected
children, duplicates, calibration per bin (bins of 30 rows or more more than 3 points off
are flagged) and the expected calibration error, nominal deduplication pairwise precision
and recall, and recall of children whose names are not of British origin against the rest.
Each world's result is written as it finishes (`DIR/world-K.json`), so a sweep resumes;
`DIR/sweep.json` and `DIR/sweep.md` hold the whole table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from run_benchmarks import machine
from wrong_rows import CLASSES, wrong_row_classes

from paramount.evaluation import evaluate
from paramount.evaluation.metrics import CALIBRATION_MIN_ROWS
from paramount.synth.worlds import sample_world, world_population, world_values

# the worlds' parameters shown in the table (the rest are in each world's params.json)
KEY_PARAMS = (
    ("p_young_adult_at_home", "young at home"),
    ("p_ex_step", "ex-step"),
    ("p_prisoner_wrong_parent_link", "wrong link"),
    ("p_only_via_other_parent", "via parent"),
    ("p_contact_child", "declared"),
    ("p_duplicate_child", "dup child"),
)


def log(msg: str) -> None:
    stamp = datetime.now(UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {msg}", file=sys.stderr, flush=True)


def run_world(k: int, args: argparse.Namespace) -> dict:
    """Generate world k, identify over the window, score; the result as a dict."""
    from paramount.run import identify_extract
    from paramount.synth import generate_force

    params = sample_world(k)
    population = world_population(k, *args.population_range)
    force = args.work / f"world-{k}"
    run_dir = force / "run"
    t0 = time.perf_counter()
    log(f"world {k}: synth {population:,} people")
    summary = generate_force(population, k, force, params=params, world=k)
    t1 = time.perf_counter()
    log(f"world {k}: identify --method {args.method} {args.date_from} to {args.date_to}")
    result = identify_extract(
        force / "extract",
        run_dir,
        date_from=args.date_from,
        date_to=args.date_to,
        method=args.method,
    )
    t2 = time.perf_counter()
    log(f"world {k}: evaluate")
    scores = evaluate(
        result.children_csv,
        force / "truth",
        args.date_from,
        args.date_to,
        verdicts_csv=run_dir / "verdicts.csv",
    )
    from paramount.evaluation import dedup_scores

    dedup = dedup_scores(result.database, force / "truth")
    classes = wrong_row_classes(params, population, k, force, run_dir / "verdicts.csv")
    t3 = time.perf_counter()
    origin = scores.recall_by_name_origin
    out = {
        "world": k,
        "population": population,
        "params": world_values(params),
        "world_traps": summary.world_traps,
        "rows": scores.rows,
        "right_rows": scores.right_rows,
        "duplicate_rows": scores.duplicate_rows,
        "identifiable": scores.identifiable,
        "precision": scores.precision,
        "recall": scores.recall,
        "duplicate_rate": scores.duplicate_rate,
        "calibration": scores.calibration,
        "calibration_error": scores.calibration_error,
        "bins_off": sum(1 for b in scores.calibration if b["off"]),
        "dedup": dedup,
        "recall_british": origin.get("BRITISH", {}).get("recall"),
        "recall_not_british": origin.get("NOT_BRITISH", {}).get("recall"),
        "not_british_children": origin.get("NOT_BRITISH", {}).get("children", 0),
        "recall_by_name_origin": origin,
        "recall_by_route": scores.recall_by_route,
        "wrong_rows_by_class": classes,
        "seconds": {
            "synth": round(t1 - t0, 1),
            "identify": round(t2 - t1, 1),
            "evaluate": round(t3 - t2, 1),
        },
    }
    if not args.keep:
        shutil.rmtree(force / "extract", ignore_errors=True)
        for f in run_dir.glob("paramount.duckdb*"):
            if f.is_dir():
                shutil.rmtree(f, ignore_errors=True)
            else:
                f.unlink()
    return out


def _f(v: float | None, digits: int = 3) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def top_bin(r: dict) -> dict | None:
    return r["calibration"][-1] if r["calibration"] else None


def origin_gap(r: dict) -> float | None:
    a, b = r["recall_british"], r["recall_not_british"]
    return None if a is None or b is None else round(b - a, 4)


def worst(results: list[dict]) -> dict:
    """The worst figure of each column over the worlds (each may come from another world)."""

    def pick(key, fn, better_high=True):
        vals = [(fn(r), r["world"]) for r in results if fn(r) is not None]
        if not vals:
            return None, None
        return min(vals) if better_high else max(vals)

    def top_gap(r):
        b = top_bin(r)
        return None if b is None else abs(b["gap"])

    def gap_abs(r):
        g = origin_gap(r)
        return None if g is None else abs(g)

    return {
        "precision": pick("precision", lambda r: r["precision"]),
        "recall": pick("recall", lambda r: r["recall"]),
        "duplicate_rate": pick("duplicate_rate", lambda r: r["duplicate_rate"], False),
        "top_bin_gap": pick("top", top_gap, False),
        "calibration_error": pick("ece", lambda r: r["calibration_error"], False),
        "bins_off": pick("off", lambda r: r["bins_off"], False),
        "dedup_precision": pick("dp", lambda r: r["dedup"]["precision"]),
        "dedup_recall": pick("dr", lambda r: r["dedup"]["recall"]),
        "origin_gap": pick("og", gap_abs, False),
    }


def markdown(results: list[dict], args: argparse.Namespace, started: str) -> str:
    lines = [
        f"Measured {started} on {machine()}; method `{args.method}`; receptions "
        f"{args.date_from} to {args.date_to} (extract 2026-01-31); populations drawn in "
        f"{args.population_range[0]:,} to {args.population_range[1]:,}.",
        "",
        "| world | people | rows | precision | recall | duplicates | top bin: rows, stated, "
        "right | ECE | bins off | dedup P | dedup R | recall British / not (n) |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        b = top_bin(r)
        tb = (
            "–" if b is None else f"{b['rows']}, {b['mean_confidence']:.3f}, {b['share_right']:.3f}"
        )
        lines.append(
            f"| {r['world']} | {r['population']:,} | {r['rows']:,} | {_f(r['precision'])} "
            f"| {_f(r['recall'])} | {r['duplicate_rate']:.1%} | {tb} "
            f"| {_f(r['calibration_error'])} | {r['bins_off']} | {_f(r['dedup']['precision'])} "
            f"| {_f(r['dedup']['recall'])} | {_f(r['recall_british'])} / "
            f"{_f(r['recall_not_british'])} ({r['not_british_children']}) |"
        )
    w = worst(results)

    def cell(key, fmt):
        v, k = w[key]
        return "–" if v is None else f"{fmt(v)} (w{k})"

    lines += [
        f"| **worst** | | | {cell('precision', _f)} | {cell('recall', _f)} "
        f"| {cell('duplicate_rate', lambda v: f'{v:.1%}')} "
        f"| top-bin gap {cell('top_bin_gap', _f)} | {cell('calibration_error', _f)} "
        f"| {cell('bins_off', str)} | {cell('dedup_precision', _f)} "
        f"| {cell('dedup_recall', _f)} | gap {cell('origin_gap', _f)} |",
        "",
        f"Calibration per world (bins of {CALIBRATION_MIN_ROWS} rows or more more than 3 points "
        "off are marked **off**): rows, mean stated, share right.",
        "",
        "| world | " + " | ".join(_bin_names(results)) + " |",
        "|---:|" + "---|" * len(_bin_names(results)),
    ]
    names = _bin_names(results)
    for r in results:
        by = {f"{b['from']:.2f}-{b['to']:.2f}": b for b in r["calibration"]}
        cells = []
        for n in names:
            b = by.get(n)
            if b is None:
                cells.append("")
            else:
                flag = " **off**" if b["off"] else ""
                cells.append(
                    f"{b['rows']}, {b['mean_confidence']:.3f}, {b['share_right']:.3f}{flag}"
                )
        lines.append(f"| {r['world']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Wrong rows by what the child really is to the prisoner (`benchmarks/wrong_rows.py`):",
        "",
        "| world | " + " | ".join(c.replace("_", " ") for c in CLASSES) + " |",
        "|---:|" + "---:|" * len(CLASSES),
    ]
    for r in results:
        by = r.get("wrong_rows_by_class", {})
        lines.append(f"| {r['world']} | " + " | ".join(str(by.get(c, 0)) for c in CLASSES) + " |")
    lines += [
        "",
        "Key parameters of each world (all in `DIR/world-K/truth/params.json`):",
        "",
        "| world | " + " | ".join(label for _, label in KEY_PARAMS) + " |",
        "|---:|" + "---:|" * len(KEY_PARAMS),
    ]
    for r in results:
        lines.append(
            f"| {r['world']} | "
            + " | ".join(f"{r['params'][name]:.3f}" for name, _ in KEY_PARAMS)
            + " |"
        )
    return "\n".join(lines) + "\n"


def _bin_names(results: list[dict]) -> list[str]:
    seen: dict[str, float] = {}
    for r in results:
        for b in r["calibration"]:
            seen[f"{b['from']:.2f}-{b['to']:.2f}"] = b["from"]
    return sorted(seen, key=seen.get)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, nargs="+", default=list(range(101, 113)))
    parser.add_argument(
        "--population-range", type=int, nargs=2, default=[100_000, 300_000], metavar=("LO", "HI")
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/worlds/sweep"))
    parser.add_argument("--method", default="full")
    parser.add_argument("--from", dest="date_from", type=date.fromisoformat,
                        default=date(2025, 2, 1))  # fmt: skip
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat,
                        default=date(2026, 1, 31))  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep extracts and databases")
    parser.add_argument("--rerun", action="store_true", help="ignore finished worlds' results")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results = []
    for k in args.worlds:
        path = args.work / f"world-{k}.json"
        if path.exists() and not args.rerun:
            log(f"world {k}: done before, read {path}")
            results.append(json.loads(path.read_text()))
            continue
        r = run_world(k, args)
        path.write_text(json.dumps(r, indent=2))
        log(
            f"world {k}: precision {r['precision']:.3f} recall {r['recall']:.3f} "
            f"duplicates {r['duplicate_rate']:.1%} ECE {r['calibration_error']:.3f} "
            f"dedup P/R {r['dedup']['precision']:.3f}/{r['dedup']['recall']:.3f} "
            f"({sum(r['seconds'].values()):.0f} s)"
        )
        results.append(r)
        (args.work / "sweep.md").write_text(markdown(results, args, started))
    doc = {
        "started": started,
        "machine": machine(),
        "command": " ".join(sys.argv),
        "method": args.method,
        "window": [args.date_from.isoformat(), args.date_to.isoformat()],
        "worlds": results,
        "worst": worst(results),
    }
    (args.work / "sweep.json").write_text(json.dumps(doc, indent=2))
    md = markdown(results, args, started)
    (args.work / "sweep.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
