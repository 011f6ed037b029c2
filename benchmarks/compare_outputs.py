"""Compare two identify runs' outputs byte for byte: did a change change any result?

    python benchmarks/compare_outputs.py REF_DIR NEW_DIR

REF_DIR and NEW_DIR are `paramount identify --out` folders, or folders of such folders (each
run in its own subfolder, matched by name). children.csv, review.csv and identity_review.csv
are compared; a file absent from both runs is equal (baseline writes no review). For each
file that differs the first differing rows are printed (synthetic data only: never point
this at a real force's outputs in a shared log). Exit status 0 when every file is identical,
1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

FILES = ("children.csv", "review.csv", "identity_review.csv")


def compare_run(ref: Path, new: Path, *, show: int = 5) -> list[str]:
    """The differences between two run folders, one line each (empty: identical)."""
    problems: list[str] = []
    for name in FILES:
        a, b = ref / name, new / name
        if not a.exists() and not b.exists():
            continue
        if a.exists() != b.exists():
            where = "reference" if a.exists() else "new run"
            problems.append(f"{name}: only in the {where}")
            continue
        if a.read_bytes() == b.read_bytes():
            continue
        rows_a = a.read_text().splitlines()
        rows_b = b.read_text().splitlines()
        problems.append(f"{name}: differs ({len(rows_a):,} rows vs {len(rows_b):,})")
        columns = differing_columns(a, b)
        if columns:
            problems.append(
                "  same rows, differing columns: "
                + ", ".join(f"{c} ({n:,} rows)" for c, n in columns.most_common())
            )
        shown = 0
        for number in range(max(len(rows_a), len(rows_b))):
            row_a = rows_a[number] if number < len(rows_a) else "<no row>"
            row_b = rows_b[number] if number < len(rows_b) else "<no row>"
            if row_a != row_b:
                problems.append(f"  row {number + 1}:\n    - {row_a}\n    + {row_b}")
                shown += 1
                if shown >= show:
                    break
    return problems


def differing_columns(a: Path, b: Path) -> Counter[str] | None:
    """When both files have the same header and number of rows: how many rows differ in
    each column (row by row, in file order); None when the shapes differ."""
    with a.open(newline="") as fa, b.open(newline="") as fb:
        ra, rb = list(csv.reader(fa)), list(csv.reader(fb))
    if not ra or not rb or ra[0] != rb[0] or len(ra) != len(rb):
        return None
    counts: Counter[str] = Counter()
    for row_a, row_b in zip(ra[1:], rb[1:], strict=True):
        for column, x, y in zip(ra[0], row_a, row_b, strict=False):
            if x != y:
                counts[column] += 1
    return counts


def runs(folder: Path) -> dict[str, Path]:
    """The run folders under `folder` by name (the folder itself if it is a run)."""
    if any((folder / name).exists() for name in FILES):
        return {".": folder}
    return {
        child.name: child
        for child in sorted(folder.iterdir())
        if child.is_dir() and any((child / name).exists() for name in FILES)
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", type=Path, help="the reference run (or folder of runs)")
    parser.add_argument("new", type=Path, help="the new run (or folder of runs)")
    parser.add_argument("--show", type=int, default=5, help="differing rows shown per file")
    args = parser.parse_args(argv)
    ref_runs, new_runs = runs(args.ref), runs(args.new)
    if not ref_runs:
        print(f"no run outputs in {args.ref}", file=sys.stderr)
        return 2
    same = True
    for name, ref in ref_runs.items():
        new = new_runs.get(name)
        if new is None:
            print(f"{name}: missing from {args.new}")
            same = False
            continue
        problems = compare_run(ref, new, show=args.show)
        print(f"{name}: {'identical' if not problems else 'DIFFERENT'}")
        for line in problems:
            print(f"  {line}")
        same = same and not problems
    for name in sorted(set(new_runs) - set(ref_runs)):
        print(f"{name}: not in the reference (not compared)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
