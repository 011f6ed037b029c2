"""How nominal deduplication's candidate pairs grow with the force, rule by rule.

    .venv/bin/python benchmarks/blocked_pairs.py --models MODELS \\
        300000=DIR/force.duckdb 1000000=DIR/force.duckdb 2400000=DIR/force.duckdb [--out F.json]

Each database is a resolved force (`paramount resolve`, or `step_memory.py`'s), read only: its
standardised nominal records are copied into memory and Splink counts the pairs each of the
saved nominal model's prediction rules adds to the rules before it
(`count_comparisons_from_blocking_rules`: exact for a small force, on a sample of records
for a large one, as Splink estimates). Prints each rule's pairs per force and the exponent
of its growth with the records (1: linear, 2: the square), from which `docs/scale.md`
plans a national run. One thread, so it can run beside other work. `--several-forces`: the
rules as a run over several forces uses them (`paramount/linkage/forces.py`: the loose ones
only within a force), for a national run's database.
"""

from __future__ import annotations

import argparse
import json
import math
import warnings
from collections.abc import Sequence
from pathlib import Path

import duckdb
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from paramount.db import DuckDBBackend
from paramount.linkage.forces import for_run
from paramount.linkage.prepare import NOMINAL_RECORDS

EXACT_UP_TO = 500_000  # records counted exactly; above, a sample as large as this


def records_in_memory(database: Path, tables: Sequence[str]) -> DuckDBBackend:
    """An in-memory database holding copies of a resolved database's `tables` (read only:
    Splink writes its working tables where it counts)."""
    db = DuckDBBackend(duckdb.connect())
    db.execute(f"ATTACH '{database}' AS resolved (READ_ONLY)")
    for table in tables:
        db.execute(f"CREATE TABLE {table} AS SELECT * FROM resolved.{table}")
    db.execute("DETACH resolved")
    return db


def count_pairs(
    db: DuckDBBackend, tables: Sequence[str], rules: list[dict], link_type: str, sample: float
) -> list[int]:
    """The pairs each rule adds to the rules before it (Splink's count: exact at `sample`
    1.0, else estimated from that share of the records)."""
    api = db.splink_api()
    inputs = [api.register(t) for t in tables]
    with warnings.catch_warnings(), db.own_progress_off():
        warnings.simplefilter("ignore", UserWarning)  # Splink: a sampled count is an estimate
        counts = count_comparisons_from_blocking_rules(
            inputs[0] if len(inputs) == 1 else inputs,
            blocking_rules=rules,
            link_type=link_type,
            record_sample_proportion=sample,
        )
    return [int(c["marginal_comparison_count"]) for c in counts]


def count(database: Path, rules: list[dict], link_type: str) -> dict:
    db = records_in_memory(database, [NOMINAL_RECORDS])
    db.execute("SET threads = 1")
    records = db.count(NOMINAL_RECORDS)
    sample = min(1.0, EXACT_UP_TO / records)
    pairs = count_pairs(db, [NOMINAL_RECORDS], rules, link_type, sample)
    db.close()
    return {"records": records, "sample": sample, "pairs": pairs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forces", nargs="+", help="PEOPLE=resolved force database")
    parser.add_argument("--models", type=Path, required=True, help="saved identity models")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--several-forces", action="store_true")
    args = parser.parse_args()
    model = json.loads((args.models / "nominal.json").read_text())
    rules = model["blocking_rules_to_generate_predictions"]
    if args.several_forces:
        rules = for_run(rules, multi=True, db=DuckDBBackend(duckdb.connect()))
    forces = sorted((int(p), Path(d)) for p, d in (f.split("=", 1) for f in args.forces))
    results = {people: count(db, rules, model["link_type"]) for people, db in forces}
    first, last = results[forces[0][0]], results[forces[-1][0]]
    growth = math.log(last["records"] / first["records"])
    header = " | ".join(f"{p:,} people ({r['records']:,} records)" for p, r in results.items())
    print(f"| rule | {header} | growth exponent |\n|---|" + "---:|" * (len(results) + 1))
    for i, rule in enumerate(rules):
        pairs = [r["pairs"][i] for r in results.values()]
        grew = pairs[0] and pairs[-1] and growth
        exponent = math.log(pairs[-1] / pairs[0]) / growth if grew else 0.0
        cells = " | ".join(f"{p:,}" for p in pairs)
        print(f"| `{rule['blocking_rule']}` | {cells} | {exponent:.2f} |")
    totals = [sum(r["pairs"]) for r in results.values()]
    exponent = math.log(totals[-1] / totals[0]) / growth if totals[0] and growth else 0.0
    print("| **all** | " + " | ".join(f"**{t:,}**" for t in totals) + f" | **{exponent:.2f}** |")
    if args.out:
        args.out.write_text(json.dumps({"rules": rules, "forces": results}, indent=1))


if __name__ == "__main__":
    main()
