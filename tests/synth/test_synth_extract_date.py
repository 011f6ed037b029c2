"""`paramount synth --extract-date`: the demo's force can end yesterday, while the default
(31 January 2026, on which tests and benchmarks rely) is left alone."""

from __future__ import annotations

import csv
import hashlib
from datetime import date

from typer.testing import CliRunner

from paramount.cli import app
from paramount.synth import generate_force


def _last_admission(extract) -> date:
    with (extract / "prison_movements.csv").open(encoding="utf-8") as f:
        return max(
            date.fromisoformat(row["movement_datetime"][:10])
            for row in csv.DictReader(f)
            if row["movement_type"] == "ADM"
        )


def _digest(extract) -> str:
    return hashlib.sha256((extract / "prison_movements.csv").read_bytes()).hexdigest()


def test_extract_date_moves_the_force_and_the_default_is_unchanged(tmp_path) -> None:
    runner = CliRunner()
    dated = runner.invoke(
        app,
        [
            "synth",
            "--population",
            "3000",
            "--seed",
            "2",
            "--out",
            str(tmp_path / "dated"),
            "--extract-date",
            "2026-12-04",
        ],
    )
    assert dated.exit_code == 0, dated.output
    last = _last_admission(tmp_path / "dated" / "extract")
    assert date(2026, 9, 1) < last <= date(2026, 12, 4)

    plain = runner.invoke(
        app, ["synth", "--population", "3000", "--seed", "2", "--out", str(tmp_path / "plain")]
    )
    assert plain.exit_code == 0, plain.output
    generate_force(3000, 2, tmp_path / "library")  # the library's default, as before
    assert _digest(tmp_path / "plain" / "extract") == _digest(tmp_path / "library" / "extract")
    assert _last_admission(tmp_path / "plain" / "extract") <= date(2026, 1, 31)
