"""Nominal deduplication quality against a world's truth: pairwise precision, recall, F1, and
why the missed pairs were missed.

    .venv/bin/python benchmarks/dedup_quality.py --population 100000 --seed 1201 --hard \
        --work /tmp/dedup
    .venv/bin/python benchmarks/dedup_quality.py --world /work/worlds/dev-1 --work /tmp/dedup

A world is either generated here (`--population`, `--seed`; `--hard` raises the duplicate and
spelling-variant rates; `--set name=value` sets any `SynthParams` field) or read from a folder
holding `extract/` and `truth/`. `--swap-names` and `--double-surname` then rewrite a share of
the duplicate nominals (a record of an individual other than the first one) the way other
forces record them: forename and surname transposed, a second surname added with a hyphen.

Pairs are of person records (a nominal's aliases count with it). A true pair is two nominals
of one individual; it is found when both are in one entity. Each missed pair is put in one
category by how far it got: never compared (no blocking rule reaches it), compared but scored
under the review threshold, scored between review and accept, taken but the forenames differ
(the twins' guard), taken but split as a generation apart, or taken and still apart (a
transitive group cut elsewhere). Beside it, what differs: forename, surname, date of birth.
No personal data is printed.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import random
import time
from pathlib import Path

import duckdb

from paramount.db import DuckDBBackend
from paramount.linkage import resolve
from paramount.linkage.dedupe import PAIRS
from paramount.linkage.models import PREDICT_BLOCKING
from paramount.linkage.prepare import NOMINAL_RECORDS
from paramount.loading import load_extract
from paramount.synth import generate_force
from paramount.synth.params import DEFAULT_PARAMS

HARD = {
    "p_duplicate_adult": 0.12,
    "p_duplicate_child": 0.25,
    "p_duplicate_name_variant": 0.6,
    "p_duplicate_typo": 0.3,
    "p_duplicate_dob_error": 0.35,
    "p_duplicate_dob_missing": 0.25,
    "p_nominal_name_variant": 0.08,
}


def _value(text: str) -> float | int | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def make_world(args: argparse.Namespace, work: Path) -> Path:
    if args.world:
        return Path(args.world)
    changes: dict = dict(HARD) if args.hard else {}
    for item in args.set:
        name, value = item.split("=", 1)
        changes[name] = _value(value)
    params = dataclasses.replace(DEFAULT_PARAMS, **changes)
    out = work / "world"
    generate_force(args.population, args.seed, out, params=params)
    (out / "params.json").write_text(json.dumps(changes, indent=1))
    return out


def rewrite_duplicates(extract: Path, truth: Path, swap: float, double: float, seed: int) -> int:
    """Transpose names / add a second surname on a share of the duplicate nominals."""
    if not swap and not double:
        return 0
    rng = random.Random(seed)
    individual = {}
    with open(truth / "rms_persons.csv", newline="") as f:
        for row in csv.DictReader(f):
            individual[row["person_id"]] = row["individual_id"]
    path = extract / "persons.csv"
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames or []
        rows = list(reader)
    seen: set[str] = set()
    surnames = [r["surname"] for r in rows if r["surname"]]
    changed = 0
    for r in rows:
        ind = individual.get(r["person_id"])
        if ind in seen:
            u = rng.random()
            if u < swap and r["forenames"] and r["surname"]:
                first, *middle = r["forenames"].split(" ")
                r["forenames"], r["surname"] = " ".join([r["surname"], *middle]), first
                changed += 1
            elif u < swap + double and r["surname"]:
                r["surname"] = f"{r['surname']}-{rng.choice(surnames)}"
                changed += 1
        seen.add(ind)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return changed


def _blocked_sql() -> str:
    """True when some prediction blocking rule pairs records l and r."""
    parts = []
    for rule in PREDICT_BLOCKING:
        sql = rule.get_blocking_rule("duckdb").blocking_rule_sql
        for array in getattr(rule, "_arrays_to_explode", None) or []:
            sql = sql.replace(f'l."{array}" = r."{array}"', f"list_has_any(l.{array}, r.{array})")
        parts.append(f"({sql})")
    return " OR ".join(parts)


def measure(con: duckdb.DuckDBPyConnection, truth: Path) -> dict:
    con.execute(
        f"CREATE OR REPLACE TABLE tr AS SELECT person_id, individual_id FROM "
        f"read_csv('{truth}/rms_persons.csv', all_varchar = true)"
    )
    con.execute(
        "CREATE OR REPLACE TABLE m AS SELECT m.record_id AS person_id, m.entity_id, "
        "t.individual_id FROM pm_entity_members m JOIN tr t "
        "ON m.source = 'RMS' AND t.person_id = m.record_id"
    )

    def pairs(group: str) -> int:
        sql = f"SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) n FROM m GROUP BY {group})"
        return int(con.execute(sql).fetchall()[0][0] or 0)

    right = pairs("entity_id, individual_id")
    predicted, true = pairs("entity_id"), pairs("individual_id")
    p, r = right / max(predicted, 1), right / max(true, 1)
    out = {
        "nominals": int(con.execute("SELECT count(*) FROM m").fetchone()[0]),
        "true_pairs": true,
        "predicted_pairs": predicted,
        "right_pairs": right,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / max(p + r, 1e-9), 4),
    }
    # The same on nominals tied to anything (an address or someone recorded with them): a
    # nominal with only a name and no date of birth is one no route can reach either.
    con.execute("""
CREATE OR REPLACE TABLE mc AS SELECT * FROM m WHERE person_id IN (
    SELECT person_id FROM person_addresses UNION SELECT person_id FROM occurrence_persons
    UNION SELECT person_id FROM relationships UNION SELECT related_person_id FROM relationships)
""")
    sub = [
        int(con.execute(sql).fetchall()[0][0] or 0)
        for sql in (
            f"SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) n FROM mc GROUP BY {g})"
            for g in ("entity_id, individual_id", "entity_id", "individual_id")
        )
    ]
    out["precision_tied"] = round(sub[0] / max(sub[1], 1), 4)
    out["recall_tied"] = round(sub[0] / max(sub[2], 1), 4)
    # Missed pairs, each with how far it got and what differs.
    con.execute("""
CREATE OR REPLACE TABLE missed AS
SELECT a.person_id AS person_l, b.person_id AS person_r
FROM m AS a JOIN m AS b ON a.individual_id = b.individual_id AND a.person_id < b.person_id
WHERE a.entity_id <> b.entity_id
""")
    blocked = _blocked_sql()
    con.execute(f"""
CREATE OR REPLACE TABLE missed_why AS
WITH rec AS (SELECT * FROM {NOMINAL_RECORDS}),
pair_recs AS (
    SELECT x.person_l, x.person_r,
           bool_or(coalesce({blocked}, false)) AS blocked,
           bool_or(l.forename1 = r.forename1) AS fn_same,
           bool_or(l.forename_canon = r.forename_canon) AS fn_canon,
           bool_or(jaro_winkler_similarity(l.forename1, r.forename1) >= 0.8) AS fn_near,
           bool_or(l.forename1 = r.surname OR l.surname = r.forename1) AS transposed,
           bool_or(l.surname = r.surname) AS sn_same,
           bool_or(jaro_winkler_similarity(l.surname, r.surname) >= 0.8) AS sn_near,
           bool_or(l.surname LIKE '%' || r.surname || '%' OR r.surname LIKE '%' || l.surname
                   || '%') AS sn_contains,
           bool_or(l.dob IS NULL OR r.dob IS NULL) AS dob_missing,
           bool_or(l.dob = r.dob) AS dob_same,
           bool_or(abs(date_diff('day', l.dob, r.dob)) <= 366
                   OR damerau_levenshtein(CAST(l.dob AS VARCHAR), CAST(r.dob AS VARCHAR)) <= 1)
               AS dob_near
    FROM missed AS x JOIN rec AS l ON l.record_id = x.person_l
    JOIN rec AS r ON r.record_id = x.person_r
    GROUP BY 1, 2
)
SELECT pr.*, p.match_probability, p.accepted, p.split, p.gamma_forename
FROM pair_recs AS pr
LEFT JOIN {PAIRS} AS p ON p.person_l = pr.person_l AND p.person_r = pr.person_r
""")
    accept = 0.95
    rows = con.execute(f"""
SELECT CASE WHEN NOT blocked THEN '1 never compared'
            WHEN match_probability IS NULL THEN '2 compared, under review'
            WHEN split THEN '5 split: a generation apart'
            WHEN match_probability < {accept} THEN '3 between review and accept'
            WHEN NOT accepted THEN '4 accept-scoring, forenames differ'
            ELSE '6 taken, still apart' END AS how,
       CASE WHEN transposed THEN 'names transposed'
            WHEN fn_same OR fn_canon THEN 'forename same'
            WHEN fn_near THEN 'forename near' ELSE 'forename different' END
       || ', ' || CASE WHEN sn_same THEN 'surname same' WHEN sn_contains THEN 'surname within'
                       WHEN sn_near THEN 'surname near' ELSE 'surname different' END
       || ', ' || CASE WHEN dob_missing THEN 'dob missing' WHEN dob_same THEN 'dob same'
                       WHEN dob_near THEN 'dob near' ELSE 'dob different' END AS what,
       count(*) AS n
FROM missed_why GROUP BY ALL ORDER BY how, n DESC
""").fetchall()
    out["missed"] = [{"how": h, "what": w, "pairs": n} for h, w, n in rows]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--world", help="a folder with extract/ and truth/ (else one is generated)")
    ap.add_argument("--population", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1201)
    ap.add_argument("--hard", action="store_true", help="raised duplicate and variant rates")
    ap.add_argument("--set", action="append", default=[], help="a SynthParams field=value")
    ap.add_argument("--swap-names", type=float, default=0.0)
    ap.add_argument("--double-surname", type=float, default=0.0)
    ap.add_argument("--work", type=Path, default=Path("/tmp/dedup"))
    ap.add_argument("--top", type=int, default=25, help="missed-pair categories shown")
    ap.add_argument("--measure-only", action="store_true", help="re-read the last resolution")
    args = ap.parse_args()
    if args.measure_only:
        world = Path(args.world) if args.world else args.work / "world"
        con = duckdb.connect(str(args.work / "force.duckdb"))
        show(measure(con, world / "truth"), args)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    world = make_world(args, args.work)
    extract, truth = world / "extract", world / "truth"
    if args.swap_names or args.double_surname:
        copy = args.work / "extract"
        if world.resolve() != args.work.resolve() / "world":
            import shutil

            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(extract, copy)
            extract = copy
        n = rewrite_duplicates(extract, truth, args.swap_names, args.double_surname, args.seed)
        print(f"rewrote {n} duplicate nominals (names transposed or a second surname)")
    synth_s = time.perf_counter() - started
    db_path = args.work / "force.duckdb"
    db_path.unlink(missing_ok=True)
    con = duckdb.connect(str(db_path))
    db = DuckDBBackend(con)
    load_extract(extract, db, quarantine_dir=args.work / "quarantine")
    t0 = time.perf_counter()
    report = resolve(db, models_dir=args.work / "models", retrain=True)
    resolve_s = time.perf_counter() - t0
    out = measure(con, truth)
    out["seconds"] = {"synth_and_load": round(synth_s, 1), "resolve": round(resolve_s, 1)}
    out["resolve_seconds"] = report.seconds
    out["pairs_split_by_generation"] = report.pairs_split_by_generation
    show(out, args)


def show(out: dict, args: argparse.Namespace) -> None:
    missed = out.pop("missed")
    print(json.dumps(out, indent=1))
    total = sum(m["pairs"] for m in missed)
    print(f"missed pairs: {total}")
    for m in missed[: args.top]:
        print(f"{m['pairs']:>7}  {m['how']:<38} {m['what']}")
    (args.work / "dedup_quality.json").write_text(json.dumps({**out, "missed": missed}, indent=1))


if __name__ == "__main__":
    main()
