"""Linkage without names, beside clear text, on fresh synthetic forces (issue 14, item 5).

    .venv/bin/python benchmarks/encoded_linkage.py --population 100000 --seeds 11 12 13 \\
        --work /tmp/encoded

For each seed: a synthetic force (`paramount synth`); its partner tables encoded as a local
authority would (`paramount partner keygen`, `paramount partner encode`) and put in place of
the clear ones in a copy of the extract; then a twelve-month `identify --method full` on the
clear extract and on the encoded one (`--partner-key`), each in its own process
(`benchmarks/measure.py`), both scored (`paramount evaluate`). From each run's database: the
partner persons identity resolution matched to a nominal, and whether the match is right
(the partner person's individual, `truth/partner_persons.csv`, among the matched entity's
nominals' individuals, `truth/rms_persons.csv`). Prints Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from run_benchmarks import WINDOW, machine, measure

from paramount.db import DuckDBBackend

PARAMOUNT = [sys.executable, "-m", "paramount.cli"]
PARTNER_FILES = ("partner_persons", "partner_relationships", "partner_involvement")


def matches(database: Path, truth: Path) -> dict[str, tuple[str, bool]]:
    """partner_person_id -> (the matched entity, whether it holds the partner's individual)."""
    with DuckDBBackend.open(database) as db:
        rows = db.fetch_tuples(f"""
WITH tp AS (SELECT * FROM read_csv('{truth}/partner_persons.csv', all_varchar = true)),
tr AS (SELECT * FROM read_csv('{truth}/rms_persons.csv', all_varchar = true)),
partner AS (
    SELECT record_id, entity_id FROM pm_entity_members
    WHERE source = 'PARTNER' AND basis = 'SPLINK'
),
members AS (
    SELECT m.entity_id, tr.individual_id FROM pm_entity_members AS m
    JOIN tr ON m.source = 'RMS' AND tr.person_id = m.record_id
)
SELECT p.record_id, min(n.record_id) AS nominal,
       coalesce(bool_or(x.individual_id = tp.individual_id), false) AS right
FROM partner AS p
JOIN pm_entity_members AS n ON n.entity_id = p.entity_id AND n.source = 'RMS'
LEFT JOIN tp ON tp.partner_person_id = p.record_id
LEFT JOIN members AS x ON x.entity_id = p.entity_id
GROUP BY p.record_id""")
    return {r[0]: (r[1], bool(r[2])) for r in rows}


def findable(truth: Path) -> int:
    """Partner persons whose individual has a police nominal: what a link could find."""
    with DuckDBBackend.open(None) as db:
        return int(
            db.fetch_value(f"""
SELECT count(DISTINCT tp.partner_person_id)
FROM read_csv('{truth}/partner_persons.csv', all_varchar = true) AS tp
JOIN read_csv('{truth}/rms_persons.csv', all_varchar = true) AS tr USING (individual_id)""")
        )


def identify(extract: Path, run: Path, truth: Path, extra: list[str]) -> tuple[dict, dict]:
    timing = measure([*PARAMOUNT, "identify", str(extract), "--from", WINDOW[0], "--to",
                      WINDOW[1], "--out", str(run), "--method", "full", *extra])  # fmt: skip
    scores = run / "scores.json"
    measure([*PARAMOUNT, "evaluate", str(run / "children.csv"), "--truth", str(truth),
             "--from", WINDOW[0], "--to", WINDOW[1], "--extract", str(extract),
             "--json", str(scores)])  # fmt: skip
    return timing, json.loads(scores.read_text())


def one_seed(seed: int, population: int, work: Path, key: Path) -> dict:
    force = work / f"s{seed}"
    if not (force / "truth").exists():
        measure([*PARAMOUNT, "synth", "--population", str(population), "--seed", str(seed),
                 "--out", str(force)])  # fmt: skip
    extract, truth = force / "extract", force / "truth"
    partner = force / "la-clear"
    shutil.rmtree(partner, ignore_errors=True)
    partner.mkdir()
    for name in PARTNER_FILES:
        shutil.copy(extract / f"{name}.csv", partner)
    encoded = force / "la-encoded"
    shutil.rmtree(encoded, ignore_errors=True)
    encode = measure([*PARAMOUNT, "partner", "encode", str(partner), "--key", str(key),
                      "--out", str(encoded)])  # fmt: skip
    enc_extract = force / "enc-extract"
    shutil.rmtree(enc_extract, ignore_errors=True)
    shutil.copytree(extract, enc_extract)
    for path in encoded.iterdir():
        shutil.copy(path, enc_extract)
    runs = {}
    for name, source, extra in (
        ("clear", extract, []),
        ("encoded", enc_extract, ["--partner-key", str(key)]),
    ):
        run = force / f"run-{name}"
        shutil.rmtree(run, ignore_errors=True)
        timing, scores = identify(source, run, truth, extra)
        found = matches(run / "paramount.duckdb", truth)
        runs[name] = {"timing": timing, "scores": scores, "matches": found}
    clear, enc = runs["clear"]["matches"], runs["encoded"]["matches"]
    both = {p for p in clear if p in enc and enc[p][0] == clear[p][0]}
    n_findable = findable(truth)

    def link(found: dict[str, tuple[str, bool]]) -> dict:
        right = sum(ok for _, ok in found.values())
        return {
            "matched": len(found),
            "right": right,
            "precision": round(right / max(len(found), 1), 4),
            "recall": round(right / max(n_findable, 1), 4),
        }

    return {
        "seed": seed,
        "population": population,
        "partner_persons": sum(1 for _ in (extract / "partner_persons.csv").open()) - 1,
        "findable": n_findable,
        "encode_seconds": encode["seconds"],
        "clear": link(clear),
        "encoded": link(enc),
        "overlap": len(both),
        "encoded_recall_of_clear": round(len(both) / max(len(clear), 1), 4),
        "identify": {
            name: {
                "precision": r["scores"]["precision"],
                "recall": r["scores"]["recall"],
                "rows": r["scores"]["rows"],
                "seconds": r["timing"]["seconds"],
                "peak_mb": r["timing"]["peak_mb"],
            }
            for name, r in runs.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=100_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    parser.add_argument("--work", type=Path, default=Path("bench-out/encoded"))
    args = parser.parse_args()
    if any(seed >= 101 for seed in args.seeds):
        parser.error("seeds of 101 and above are held back for reports")
    args.work.mkdir(parents=True, exist_ok=True)
    key = args.work / "partner.key"
    if not key.exists():
        measure([*PARAMOUNT, "partner", "keygen", "--out", str(key)])
    results = [one_seed(seed, args.population, args.work, key) for seed in args.seeds]
    (args.work / "results.json").write_text(json.dumps(results, indent=2))
    print(f"Machine: {machine()}; window {WINDOW[0]} to {WINDOW[1]}, method full.\n")
    print(
        "| seed | partner persons (findable) | clear: matched, precision, recall "
        "| encoded: matched, precision, recall | both | encoded recall of clear |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        c, e = r["clear"], r["encoded"]
        print(f"| {r['seed']} | {r['partner_persons']:,} ({r['findable']:,}) "
              f"| {c['matched']:,}, {c['precision']:.4f}, {c['recall']:.4f} "
              f"| {e['matched']:,}, {e['precision']:.4f}, {e['recall']:.4f} "
              f"| {r['overlap']:,} | {r['encoded_recall_of_clear']:.4f} |")  # fmt: skip
    print("\n| seed | identification | precision | recall | rows | seconds | peak MB |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        for name, s in r["identify"].items():
            print(f"| {r['seed']} | {name} | {s['precision']:.3f} | {s['recall']:.3f} "
                  f"| {s['rows']} | {s['seconds']:.0f} | {s['peak_mb']:.0f} |")  # fmt: skip
    print(
        "\nEncoding the partner tables: "
        + ", ".join(f"{r['encode_seconds']:.1f} s (seed {r['seed']})" for r in results)
    )


if __name__ == "__main__":
    main()
