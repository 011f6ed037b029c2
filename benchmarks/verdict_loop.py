"""Issue 12's measure: do the checkers' verdicts make the next list better?

For each world (a force generated to the contract with `paramount.synth.worlds` parameters,
as in `world_sweep.py`): list months 1 to 6 of the window, give a verdict from the truth for
every listed row (as checkers would: they see only what was listed; the reason is what the
child really is to the prisoner, `wrong_rows.row_classes`), then list months 7 to 12 without
verdicts and with them, with all of them and with a random share (to show how the gain grows
with the number of verdicts).

    .venv/bin/python benchmarks/verdict_loop.py --worlds 9 --population-range 900000 900000 \\
        --work /work/worlds/big --out /work/verdict-loop

Several processes' results are merged (table and chart) with `--merge A/verdict-loop.json
B/verdict-loop.json --out DIR --chart FILE`. A world already generated under
`--work/world-K` (by this script or `world_sweep.py --keep`) is reused. Writes
`OUT/verdict-loop.json`, `OUT/verdict-loop.md` and, with `--chart`, the chart of precision
and calibration error against verdicts used.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run_benchmarks import machine
from wrong_rows import row_classes

from paramount.contract.tables import VERDICT_COLUMNS, VERDICT_EXTRA_COLUMNS
from paramount.evaluation import Scores, evaluate
from paramount.synth.worlds import sample_world, world_population

MONTHS_1_6 = (date(2025, 2, 1), date(2025, 7, 31))
MONTHS_7_12 = (date(2025, 8, 1), date(2026, 1, 31))
CHECK_DAYS = 14  # a verdict is recorded about two weeks after the reception
REASONS = {  # what the child really is -> the reason a checker would record
    "ended_step": "RELATIONSHIP_ENDED",
    "sibling": "SIBLING",
    "adult": "ADULT",
    "ex_partner_child": "NOT_RELATED",
    "same_household": "OTHER_RELATIVE",
    "unrelated": "NOT_RELATED",
}
SHARES = (0.25, 0.5, 1.0)


def log(msg: str) -> None:
    print(f"[{datetime.now(UTC).strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def verdicts_from_truth(run_dir: Path, force: Path, k: int, population: int) -> Path:
    """`verdicts.csv` (contract 1.1 and Paramount's optional columns) for every row of
    `run_dir/children.csv`, judged against the truth as the force's checkers would."""
    scored = run_dir / "scored.csv"
    d0, d1 = _window(run_dir)
    evaluate(run_dir / "children.csv", force / "truth", d0, d1, verdicts_csv=scored)
    classes = row_classes(sample_world(k), population, k, force, scored)
    with (run_dir / "children.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with scored.open(encoding="utf-8") as fh:
        judged = {int(v["row_id"]): v for v in csv.DictReader(fh) if v["row_id"]}
    first_right: dict[tuple[str, str], dict] = {}  # (booking, individual) -> its RIGHT row
    for i, row in enumerate(rows, start=1):
        v = judged[i]
        if v["verdict"] == "RIGHT":
            first_right[(v["booking_id"], v["individual_id"])] = row
    out = run_dir / "verdicts-from-truth.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=(*VERDICT_COLUMNS, *VERDICT_EXTRA_COLUMNS))
        writer.writeheader()
        for i, row in enumerate(rows, start=1):
            v = judged[i]
            verdict, reason, dup = "CONFIRMED", "", None
            if v["verdict"] == "DUPLICATE":
                verdict, reason = "REJECTED", "DUPLICATE"
                dup = first_right.get((v["booking_id"], v["individual_id"]))
            elif v["verdict"] != "RIGHT":
                verdict = "REJECTED"
                reason = REASONS.get(classes.get(i, ""), "NOT_RELATED")
            checked = date.fromisoformat(row["reception_date"]) + timedelta(days=CHECK_DAYS)
            writer.writerow(
                {
                    **{c: row.get(c, "") for c in VERDICT_COLUMNS if c in row},
                    "verdict": verdict,
                    "reason": reason,
                    "checked_on": checked.isoformat(),
                    "duplicate_of_person_ids": dup["child_person_ids"] if dup else "",
                    "duplicate_of_partner_ids": dup["child_partner_ids"] if dup else "",
                    "stated_confidence": row["confidence"],
                    "force": f"world-{k}",
                }
            )
    return out


def _window(run_dir: Path) -> tuple[date, date]:
    params = json.loads((run_dir / "manifest.json").read_text())["parameters"]
    return date.fromisoformat(params["window_from"]), date.fromisoformat(params["window_to"])


def subsample(path: Path, share: float, seed: int) -> Path:
    """A random `share` of the verdict rows (checkers who have checked only some rows)."""
    if share >= 1.0:
        return path
    with path.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, list(reader)
    keep = random.Random(seed).sample(rows, round(share * len(rows)))
    out = path.with_name(f"verdicts-{int(share * 100)}.csv")
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header or [])
        writer.writeheader()
        writer.writerows(keep)
    return out


def _summary(s: Scores) -> dict:
    top = [b for b in s.calibration if b["from"] >= 0.99 and b["rows"]]
    return {
        "rows": s.rows,
        "right_rows": s.right_rows,
        "precision": s.precision,
        "recall": s.recall,
        "duplicate_rate": s.duplicate_rate,
        "calibration_error": s.calibration_error,
        "top_bin": (
            {
                "rows": top[0]["rows"],
                "stated": top[0]["mean_confidence"],
                "right": top[0]["share_right"],
            }
            if top
            else None
        ),
        "calibration": s.calibration,
    }


def run_world(k: int, args: argparse.Namespace) -> dict:
    from paramount.run import identify_extract
    from paramount.synth import generate_force

    population = world_population(k, *args.population_range)
    force = args.work / f"world-{k}"
    if not (force / "extract").exists():
        log(f"world {k}: synth {population:,} people")
        generate_force(population, k, force, params=sample_world(k), world=k)
    db = args.out / f"world-{k}.duckdb"
    if not db.exists() and (force / "run" / "paramount.duckdb").exists():
        shutil.copy(force / "run" / "paramount.duckdb", db)  # its resolution is reused

    def run(name: str, window: tuple[date, date], verdicts: list[Path]) -> tuple[Path, float]:
        t = time.perf_counter()
        result = identify_extract(
            force / "extract",
            args.out / f"world-{k}" / name,
            date_from=window[0],
            date_to=window[1],
            method="full",
            db=db,
            verdicts=verdicts,
        )
        return result.out_dir, time.perf_counter() - t

    log(f"world {k}: months 1-6")
    first, _ = run("months-1-6", MONTHS_1_6, [])
    verdicts = verdicts_from_truth(first, force, k, population)
    log(f"world {k}: months 7-12 without verdicts")
    plain, secs_plain = run("months-7-12", MONTHS_7_12, [])
    results = {
        "world": k,
        "population": population,
        "without": _summary(evaluate(plain / "children.csv", force / "truth", *MONTHS_7_12)),
        "with": {},
    }
    for share in SHARES:
        log(f"world {k}: months 7-12 with {share:.0%} of the verdicts")
        name = f"months-7-12-verdicts-{int(share * 100)}"
        out, secs = run(name, MONTHS_7_12, [subsample(verdicts, share, k)])
        manifest = json.loads((out / "manifest.json").read_text())
        s = _summary(evaluate(out / "children.csv", force / "truth", *MONTHS_7_12))
        s["labels_used"] = manifest["verdicts"]["labels_used"]
        s["rejected_labels"] = manifest["verdicts"]["correction"]["rejected"]
        s["pairs_held"] = manifest["verdicts"]["pairs_held"]
        s["measured_precision_by_band"] = manifest["verdicts"]["measured_precision_by_band"]
        s["seconds"] = round(secs, 1)
        results["with"][str(share)] = s
    results["seconds_without"] = round(secs_plain, 1)
    return results


def markdown(worlds: list[dict], started: str) -> str:
    lines = [
        f"Measured {started} on {machine()}; method `full`; verdicts from months 1 to 6 "
        f"({MONTHS_1_6[0]} to {MONTHS_1_6[1]}), list of months 7 to 12 "
        f"({MONTHS_7_12[0]} to {MONTHS_7_12[1]}).",
        "",
        "| world | people | verdicts (rejected) | precision without → with | recall without → "
        "with | top bin without: rows, stated, right | top bin with: rows, stated, right | "
        "ECE without → with |",
        "|---:|---:|---:|---|---|---|---|---|",
    ]

    def top(t: dict | None) -> str:
        return "" if not t else f"{t['rows']}, {t['stated']:.3f}, {t['right']:.3f}"

    for w in worlds:
        a, b = w["without"], w["with"]["1.0"]
        lines.append(
            f"| {w['world']} | {w['population']:,} | {b['labels_used']} ({b['rejected_labels']}) "
            f"| {a['precision']:.3f} → {b['precision']:.3f} | {a['recall']:.3f} → "
            f"{b['recall']:.3f} | {top(a['top_bin'])} | {top(b['top_bin'])} | "
            f"{a['calibration_error']:.3f} → {b['calibration_error']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def chart(worlds: list[dict], path: Path) -> None:
    """Precision, recall and calibration error of months 7 to 12 against the verdicts used
    (recall too, since the gain must not cost children)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(16, 5))
    markers = "os^vD<>phX*P"
    for i, w in enumerate(worlds):
        xs = [0] + [w["with"][str(s)]["labels_used"] for s in SHARES]
        ps = [w["without"]["precision"]] + [w["with"][str(s)]["precision"] for s in SHARES]
        es = [w["without"]["calibration_error"]] + [
            w["with"][str(s)]["calibration_error"] for s in SHARES
        ]
        rs = [w["without"]["recall"]] + [w["with"][str(s)]["recall"] for s in SHARES]
        style = {"marker": markers[i % len(markers)], "color": "black", "linewidth": 1}
        left.plot(xs, ps, label=f"world {w['world']}", **style)
        middle.plot(xs, rs, label=f"world {w['world']}", **style)
        right.plot(xs, es, label=f"world {w['world']}", **style)
    left.axhline(0.96, color="0.5", linestyle="--", label="target 0.96")
    left.set_xlabel("verdicts used (checked rows of months 1 to 6)")
    left.set_ylabel("precision of months 7 to 12")
    middle.set_xlabel("verdicts used (checked rows of months 1 to 6)")
    middle.set_ylabel("recall of months 7 to 12")
    right.set_xlabel("verdicts used (checked rows of months 1 to 6)")
    right.set_ylabel("calibration error (ECE) of months 7 to 12")
    for ax in (left, middle, right):
        ax.grid(True, color="0.85", linewidth=0.5)
        ax.legend(fontsize=8)
    fig.suptitle("The next list with the checkers' verdicts: precision, recall and honesty")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, nargs="+", default=[])
    parser.add_argument(
        "--merge", type=Path, nargs="+", default=[],
        help="instead of running: merge earlier runs' verdict-loop.json into OUT",
    )  # fmt: skip
    parser.add_argument("--population-range", type=int, nargs=2, default=[100_000, 300_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/worlds/verdicts"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/verdict-loop"))
    parser.add_argument("--chart", type=Path, help="write the chart (PNG) here")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    worlds = []
    for path in args.merge:
        earlier = json.loads(path.read_text())
        started = min(started, earlier["started"])
        worlds.extend(earlier["worlds"])
    for k in args.worlds:
        worlds.append(run_world(k, args))
        (args.out / f"world-{k}.json").write_text(json.dumps(worlds[-1], indent=2))
    doc = {"started": started, "machine": machine(), "command": " ".join(sys.argv)}
    (args.out / "verdict-loop.json").write_text(json.dumps({**doc, "worlds": worlds}, indent=2))
    md = markdown(worlds, started)
    (args.out / "verdict-loop.md").write_text(md)
    if args.chart:
        chart(worlds, args.chart)
    print(md)


if __name__ == "__main__":
    main()
