"""`figures.csv`: a run's counts per reception day (`paramount.engine.figures`), for casework.

One row per day, measure, parent's sex and child's age band, exact counts with no names or
ids in them. Casework keeps the latest run's rows for each day it covers and sums them into
the board report's and the national table's months and quarters.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from paramount.engine.figures import FIGURES_COLUMNS
from paramount.outputs.children_csv import format_value


def write_figures_csv(figures: pa.Table, path: Path) -> Path:
    """Write the figures (every `FIGURES_COLUMNS` column, in that order)."""
    missing = [c for c in FIGURES_COLUMNS if c not in figures.column_names]
    if missing:
        raise ValueError(f"figures table lacks column(s): {', '.join(missing)}")
    columns = [figures.column(c).to_pylist() for c in FIGURES_COLUMNS]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(FIGURES_COLUMNS)
        for row in zip(*columns, strict=True):
            writer.writerow([format_value(v) for v in row])
    return path
