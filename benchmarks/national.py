"""Issue 13, item 3: what a national run adds to each force running alone.

    .venv/bin/paramount synth --forces 3 --population 100000 --seed 31 --out COUNTRY
    .venv/bin/python benchmarks/national.py --country COUNTRY --out RUNS \\
        --from 2025-01-01 --to 2025-12-31 [--method full]

For each force of a synthetic country (`COUNTRY/<code>/extract`), `identify` on its extract
alone; then one national run over all of them (`identify --force CODE=EXTRACT ...`). Each
list is scored with `paramount evaluate`:

- a force alone against `<code>/truth` (its own task as today: the children of the prisoners
  who live in the force, wherever the children live), and against `<code>/truth-national`
  (the children who live in the force, whoever's prisoner the parent is);
- the national run's list for the force against `<code>/truth-national`;
- and, of the children living in the force, those whose prisoner lives in another force
  (`COUNTRY/truth/affected_children.csv`'s `prisoner_force` and `child_force`) apart.

Printed as a Markdown table and written to `RUNS/national.json`: rows, precision, recall and
distinct children found per list, what the national run adds per force, the rows it lists
whose prisoner lives in another force, the seconds of every run, identity across forces
(`cross_force_identity`) and the pairs the national run's prediction rules make
(`blocked_pairs`, Splink's exact count).
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from paramount.evaluation import evaluate
from paramount.linkage.prepare import NOMINAL_RECORDS, PARTNER_RECORDS, PRISONER_RECORDS
from paramount.run import identify_extract, identify_national

sys.path.insert(0, str(Path(__file__).parent))
from blocked_pairs import count_pairs, records_in_memory  # a sibling script


def crossing_pairs(country: Path) -> set[tuple[str, str]]:
    """(child, booking) pairs whose child lives in another force than the prisoner."""
    with (country / "truth" / "affected_children.csv").open(encoding="utf-8") as f:
        return {
            (r["child_individual_id"], r["booking_id"])
            for r in csv.DictReader(f)
            if r["prisoner_force"] and r["child_force"] != r["prisoner_force"]
        }


def score(
    children: Path, truth: Path, start: date, end: date, crossing: set[tuple[str, str]]
) -> dict[str, float | int]:
    judged = children.with_name(f"judged-{truth.name}.csv")
    s = evaluate(children, truth, start, end, verdicts_csv=judged)
    with judged.open(encoding="utf-8") as f:
        verdicts = [
            (r["verdict"], (r["individual_id"], r["booking_id"])) for r in csv.DictReader(f)
        ]
    right = [k for v, k in verdicts if v == "RIGHT"]
    missed = [k for v, k in verdicts if v == "MISSED"]
    found_x = sum(k in crossing for k in right)
    return {
        "crossing_found": found_x,
        "crossing_identifiable": found_x + sum(k in crossing for k in missed),
        "rows": s.rows,
        "right": s.right_rows,
        "precision": s.precision,
        "recall": s.recall,
        "found": s.found_identifiable,
        "identifiable": s.identifiable,
        "affected": s.affected,
        "unmatched": s.unmatched_rows,
        "outside": s.outside_rows,
    }


def cross_force_identity(database: Path, country: Path, codes: list[str]) -> dict[str, int]:
    """Nominals of different forces put in one entity by the national run, against the truth:
    pairs (same person, two forces) there are, pairs the run made, and how many are right."""
    con = duckdb.connect(str(database), read_only=True)
    truth = " UNION ALL ".join(
        f"SELECT '{code}:' || person_id AS record_id, individual_id FROM read_csv("
        f"'{country / code / 'truth' / 'rms_persons.csv'}', all_varchar = true)"
        for code in codes
    )
    con.execute(
        f"""
        CREATE TEMP TABLE n AS
        SELECT m.entity_id, t.record_id, t.individual_id, split_part(t.record_id, ':', 1) AS force
        FROM ({truth}) t LEFT JOIN pm_entity_members m
          ON m.record_id = t.record_id AND m.source = 'RMS'
        """
    )
    true_pairs, made, right = con.execute(
        """
        SELECT
          (SELECT count(*) FROM n a JOIN n b ON a.individual_id = b.individual_id
             AND a.force < b.force),
          (SELECT count(*) FROM n a JOIN n b ON a.entity_id = b.entity_id AND a.force < b.force),
          (SELECT count(*) FROM n a JOIN n b ON a.entity_id = b.entity_id AND a.force < b.force
             AND a.individual_id = b.individual_id)
        """
    ).fetchall()[0]
    con.close()
    return {"true_pairs": true_pairs, "made_pairs": made, "right_pairs": right}


def blocked_pairs(database: Path) -> dict[str, int]:
    """The pairs the national run's saved prediction rules make, counted exactly by Splink
    (every record, `chunks.blocked_pairs` samples): the nominal dedupe and the two links."""
    db = records_in_memory(database, [NOMINAL_RECORDS, PRISONER_RECORDS, PARTNER_RECORDS])
    models = database.with_name(database.name + ".models")
    pairs = {}
    for name, tables in (
        ("nominal", [NOMINAL_RECORDS]),
        ("prisoner", [PRISONER_RECORDS, NOMINAL_RECORDS]),
        ("partner", [PARTNER_RECORDS, NOMINAL_RECORDS]),
    ):
        model = json.loads((models / f"{name}.json").read_text())
        rules = model["blocking_rules_to_generate_predictions"]
        pairs[name] = sum(count_pairs(db, tables, rules, model["link_type"], 1.0))
    db.close()
    return pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--country", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--from", dest="start", type=date.fromisoformat, required=True)
    ap.add_argument("--to", dest="end", type=date.fromisoformat, required=True)
    ap.add_argument("--method", default="full")
    ap.add_argument("--skip-alone", action="store_true", help="reuse RUNS/alone/<code>/")
    ap.add_argument("--score-only", action="store_true", help="score the runs already in RUNS")
    args = ap.parse_args()
    with (args.country / "truth" / "forces.csv").open(encoding="utf-8") as f:
        codes = [r["force"] for r in csv.DictReader(f)]
    forces = {code: args.country / code / "extract" for code in codes}
    seconds: dict[str, float] = {}
    for code in codes:
        if (args.skip_alone or args.score_only) and (
            args.out / "alone" / code / "children.csv"
        ).exists():
            continue
        started = time.perf_counter()
        identify_extract(
            forces[code],
            args.out / "alone" / code,
            date_from=args.start,
            date_to=args.end,
            method=args.method,
        )
        seconds[f"alone {code}"] = round(time.perf_counter() - started, 1)
        print(f"alone {code}: {seconds[f'alone {code}']} s", flush=True)
    national_seconds: dict[str, float] = {}
    if not args.score_only:
        started = time.perf_counter()
        national = identify_national(
            forces,
            args.out / "national",
            date_from=args.start,
            date_to=args.end,
            method=args.method,
        )
        seconds["national"] = round(time.perf_counter() - started, 1)
        national_seconds = national.seconds
        print(f"national: {seconds['national']} s {national.seconds}", flush=True)

    results: dict[str, dict] = {}
    crossing = crossing_pairs(args.country)
    for code in codes:
        truth, truth_nat = args.country / code / "truth", args.country / code / "truth-national"
        alone_csv = args.out / "alone" / code / "children.csv"
        nat_csv = args.out / "national" / code / "children.csv"
        manifest = json.loads((nat_csv.parent / "manifest.json").read_text())
        results[code] = {
            "alone": score(alone_csv, truth, args.start, args.end, crossing),
            "alone_living_here": score(alone_csv, truth_nat, args.start, args.end, crossing),
            "national": score(nat_csv, truth_nat, args.start, args.end, crossing),
            "national_rows_other_prisoner_force": manifest["parameters"][
                "children_from_other_forces"
            ],
        }
    identity = cross_force_identity(
        args.out / "national" / "national" / "paramount.duckdb", args.country, codes
    )
    print(f"identity across forces: {identity}", flush=True)
    pairs = blocked_pairs(args.out / "national" / "national" / "paramount.duckdb")
    print(f"blocked pairs of the national run: {pairs}", flush=True)
    report = {
        "identity_across_forces": identity,
        "blocked_pairs": pairs,
        "machine": f"{platform.processor() or platform.machine()}, 2 cores, 24 GiB",
        "python": platform.python_version(),
        "country": str(args.country),
        "window": [args.start.isoformat(), args.end.isoformat()],
        "method": args.method,
        "seconds": seconds,
        "national_seconds": national_seconds,
        "forces": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    name = "national-scores.json" if args.score_only else "national.json"
    (args.out / name).write_text(json.dumps(report, indent=2))
    print(render(results))


def render(results: dict[str, dict]) -> str:
    """The Markdown table of docs/benchmarks.md."""
    head = (
        "| force | alone: rows, precision, recall (its prisoners' children) | alone: children "
        "living here found / identifiable, precision | national: rows, precision | national: "
        "children living here found / identifiable, recall | added by the national run | "
        "national rows whose prisoner lives in another force | children living here of "
        "another force's prisoner: found alone / national / identifiable |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    tot = dict.fromkeys(("alone", "alone_here", "nat", "ident_own", "ident_here"), 0)
    for code, r in results.items():
        a, h, n = r["alone"], r["alone_living_here"], r["national"]
        lines.append(
            f"| {code} | {a['rows']}, {a['precision']:.3f}, {a['recall']:.3f} | "
            f"{h['found']} / {h['identifiable']}, {h['precision']:.3f} | "
            f"{n['rows']}, {n['precision']:.3f} | {n['found']} / {n['identifiable']}, "
            f"{n['recall']:.3f} | +{n['found'] - h['found']} | "
            f"{r['national_rows_other_prisoner_force']} | {h['crossing_found']} / "
            f"{n['crossing_found']} / {n['crossing_identifiable']} |"
        )
        tot["alone"] += a["found"]
        tot["alone_here"] += h["found"]
        tot["nat"] += n["found"]
        tot["ident_own"] += a["identifiable"]
        tot["ident_here"] += n["identifiable"]
    lines.append(
        f"\nCountry: the forces alone find {tot['alone']} of {tot['ident_own']} identifiable "
        f"children of their own prisoners ({tot['alone_here']} of them living in the force "
        f"that found them); the national run finds {tot['nat']} of {tot['ident_here']} "
        "identifiable children, each listed for the force where the child lives."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
