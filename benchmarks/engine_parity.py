"""Issue 13, item 2: does the Spark engine write the same `children.csv` as DuckDB?

Runs `identify` on one extract with each engine (or reads two finished runs) and compares
the rows (the same child for the same reception) and their confidences.

    python benchmarks/engine_parity.py EXTRACT --from 2025-02-01 --to 2026-01-30 --work DIR
    python benchmarks/engine_parity.py --compare RUN_A RUN_B

Prints the rows only one engine lists, the largest confidence difference, and each row
whose confidence differs beyond 6 decimal places, with the evidence of both; writes the
figures to WORK/parity.json. Exit status 1 when the rows differ.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from datetime import date
from pathlib import Path

KEY = ("booking_id", "child_person_ids", "child_partner_ids", "child_surname",
       "child_forenames", "child_date_of_birth")  # fmt: skip
PLACES = 6


def read_rows(run: Path) -> dict[tuple[str, ...], dict[str, str]]:
    with (run / "children.csv").open(newline="", encoding="utf-8") as f:
        return {tuple(r[k] for k in KEY): r for r in csv.DictReader(f)}


def compare(a: Path, b: Path) -> dict[str, object]:
    left, right = read_rows(a), read_rows(b)
    only_a = sorted(set(left) - set(right))
    only_b = sorted(set(right) - set(left))
    both = sorted(set(left) & set(right))
    differ = []
    for key in both:
        ca, cb = float(left[key]["confidence"]), float(right[key]["confidence"])
        if round(ca, PLACES) != round(cb, PLACES):
            differ.append({"key": key, "a": ca, "b": cb, "evidence_a": left[key]["evidence"],
                           "evidence_b": right[key]["evidence"]})  # fmt: skip
    gap = max((abs(float(left[k]["confidence"]) - float(right[k]["confidence"])) for k in both),
              default=0.0)  # fmt: skip
    return {"rows_a": len(left), "rows_b": len(right), "only_a": only_a, "only_b": only_b,
            "confidence_differs": differ, "largest_confidence_gap": gap}  # fmt: skip


def run_both(extract: Path, start: date, end: date, work: Path) -> dict[str, float]:
    from paramount.run import identify_extract

    seconds = {}
    for engine in ("duckdb", "spark"):
        t = time.perf_counter()
        identify_extract(extract, work / engine, date_from=start, date_to=end, engine=engine)
        seconds[engine] = round(time.perf_counter() - t, 1)
        print(f"{engine}: {seconds[engine]} s", flush=True)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path, nargs="?")
    parser.add_argument("--from", dest="start", type=date.fromisoformat)
    parser.add_argument("--to", dest="end", type=date.fromisoformat)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("RUN_A", "RUN_B"))
    args = parser.parse_args()
    if args.compare:
        a, b = args.compare
        seconds = None
    else:
        seconds = run_both(args.extract, args.start, args.end, args.work)
        a, b = args.work / "duckdb", args.work / "spark"
    result = compare(a, b)
    result["seconds"] = seconds
    print(f"rows: {result['rows_a']} and {result['rows_b']}; only in {a.name}: "
          f"{len(result['only_a'])}, only in {b.name}: {len(result['only_b'])}; confidences "
          f"differing beyond {PLACES} places: {len(result['confidence_differs'])}; largest gap "
          f"{result['largest_confidence_gap']:.2e}")  # fmt: skip
    for row in result["confidence_differs"]:
        print(f"  {row['key'][0]} {row['key'][3]}: {row['a']:.8f} vs {row['b']:.8f}")
    if args.work:
        (args.work / "parity.json").write_text(json.dumps(result, indent=2, default=list))
    return 1 if result["only_a"] or result["only_b"] else 0


if __name__ == "__main__":
    sys.exit(main())
