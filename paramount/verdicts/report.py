"""What a run with verdicts writes beside its outputs: the rows set aside and how honest the
force's earlier lists were, as CSV a lead can open (`OUT/verdicts/`)."""

from __future__ import annotations

import csv
from pathlib import Path

from paramount.verdicts.learning import VerdictKnowledge

PROBLEM_COLUMNS = ("file", "row", "field", "reason")
BAND_COLUMNS = ("band", "rows", "stated", "measured", "interval_low", "interval_high")


def write_verdict_report(knowledge: VerdictKnowledge, out_dir: Path) -> list[Path]:
    """`problems.csv` (file, row, field, reason: every verdict row or file set aside) and
    `precision_by_band.csv` (stated confidence beside the share the checkers confirmed)."""
    folder = Path(out_dir) / "verdicts"
    folder.mkdir(parents=True, exist_ok=True)
    problems = folder / "problems.csv"
    with problems.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=PROBLEM_COLUMNS)
        writer.writeheader()
        writer.writerows(p.to_dict() for p in knowledge.problems)
    bands = folder / "precision_by_band.csv"
    with bands.open("w", newline="", encoding="utf-8") as fh:
        rows = csv.writer(fh)
        rows.writerow(BAND_COLUMNS)
        for b in knowledge.honesty:
            rows.writerow((b["band"], b["rows"], b["stated"], b["measured"], *b["interval"]))
    return [problems, bands]
