"""Shared constants and CSV helpers for loader tests (a uniquely named module, so it never
clashes with other test folders' conftest)."""

from __future__ import annotations

import csv
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures"
CONTRACT_EXTRACT = FIXTURES / "contract_extract"
MAPPED_EXTRACT = FIXTURES / "mapped_extract"
EXAMPLE_MAPPING = Path(__file__).parents[2] / "examples" / "mappings" / "example_force.toml"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]
