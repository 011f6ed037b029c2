"""The command line, as an analyst meets it: help, a run on a fixture, and refusals."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from paramount.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("synth", "validate", "identify", "evaluate"):
        assert command in result.output


def test_identify_writes_the_three_outputs(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        [
            "identify", str(FIXTURES / "contract_extract"), "--from", "2020-01-01",
            "--to", "2026-12-31", "--out", str(out), "--method", "baseline",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("children.csv", "worklist.xlsx", "manifest.json"):
        assert (out / name).exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["load"]["reconciles"] is True
    assert manifest["parameters"]["method"] == "baseline"
    step_names = [s["name"] for s in manifest["identification"]["steps"]]
    assert step_names[0] == "receptions"


def test_missing_required_table_stops_with_its_name(tmp_path: Path) -> None:
    extract = tmp_path / "extract"
    shutil.copytree(FIXTURES / "contract_extract", extract)
    (extract / "persons.csv").unlink()
    result = runner.invoke(
        app, ["identify", str(extract), "--from", "2024-01-01", "--to", "2024-12-31",
              "--out", str(tmp_path / "run")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "persons" in result.output


def test_mapped_extract_loads_only_with_its_mapping(tmp_path: Path) -> None:
    extract = str(FIXTURES / "mapped_extract")
    mapping = str(Path(__file__).parents[1] / "examples" / "mappings" / "example_force.toml")
    refused = runner.invoke(app, ["validate", extract, "--out", str(tmp_path / "a")])
    assert refused.exit_code == 2
    loaded = runner.invoke(
        app, ["validate", extract, "--out", str(tmp_path / "b"), "--mapping", mapping]
    )
    assert loaded.exit_code == 0, loaded.output
    assert "Counts reconcile: yes" in loaded.output


def test_unknown_method_and_backwards_window_are_refused(tmp_path: Path) -> None:
    base = ["identify", str(FIXTURES / "contract_extract"), "--out", str(tmp_path / "r")]
    unknown = runner.invoke(app, [*base, "--from", "2024-01-01", "--to", "2024-12-31",
                                  "--method", "guesswork"])  # fmt: skip
    assert unknown.exit_code != 0
    backwards = runner.invoke(app, [*base, "--from", "2024-12-31", "--to", "2024-01-01"])
    assert backwards.exit_code != 0


def test_full_method_on_a_force_too_small_to_train_says_so(tmp_path: Path) -> None:
    """A handful of records cannot train the identity model without labels: a plain error
    naming what to do, not a traceback."""
    result = CliRunner().invoke(
        app,
        ["identify", str(FIXTURES / "contract_extract"), "--from", "2020-01-01",
         "--to", "2026-12-31", "--out", str(tmp_path / "run"), "--method", "full"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "too few records to train" in " ".join(result.output.split())
    assert "routes-exact" in result.output


def test_identify_runs_the_best_method_unless_told(tmp_path: Path) -> None:
    """No --method: `full` (probabilistic identity), which the fixture is too small to
    train; the baseline is only ever run when asked for."""
    result = CliRunner().invoke(
        app,
        ["identify", str(FIXTURES / "contract_extract"), "--from", "2020-01-01",
         "--to", "2026-12-31", "--out", str(tmp_path / "run")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "too few records to train" in " ".join(result.output.split())


def test_identify_reads_verdicts_and_reports_what_it_set_aside(tmp_path: Path) -> None:
    """A verdicts file none of whose receptions is in the extract (another force's) is set
    aside whole, named in the output, the manifest and `verdicts/problems.csv`; the run goes
    on. A verdicts path that does not exist stops the run before any work."""
    from paramount.contract.tables import VERDICT_COLUMNS

    verdicts = tmp_path / "verdicts.csv"
    verdicts.write_text(
        ",".join(VERDICT_COLUMNS) + "\n"
        "Z1,Z9999ZZ,P1,,Example,Alex,2015-01-01,REJECTED,SIBLING,2024-03-01\n"
    )
    out = tmp_path / "run"
    args = ["identify", str(FIXTURES / "contract_extract"), "--from", "2020-01-01",
            "--to", "2026-12-31", "--out", str(out), "--method", "baseline"]  # fmt: skip
    result = runner.invoke(app, [*args, "--verdicts", str(verdicts)])
    assert result.exit_code == 0, result.output
    assert "1 rows read" in result.output and "1 files set aside" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["verdicts"]["files_set_aside"] == [str(verdicts)]
    assert manifest["parameters"]["verdicts"] == [str(verdicts)]
    problems = (out / "verdicts" / "problems.csv").read_text().splitlines()
    assert problems[1].startswith(f"{verdicts},0,booking_id,")
    missing = runner.invoke(app, [*args, "--verdicts", str(tmp_path / "none.csv")])
    assert missing.exit_code == 2 and "no such verdicts file" in missing.output


def test_identify_over_several_forces_writes_each_forces_outputs(tmp_path: Path) -> None:
    extract = str(FIXTURES / "contract_extract")
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        [
            "identify", "--force", f"AA={extract}", "--force", f"BB={extract}",
            "--from", "2020-01-01", "--to", "2026-12-31", "--out", str(out),
            "--method", "baseline",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for code in ("AA", "BB"):
        for name in ("children.csv", "worklist.xlsx", "manifest.json"):
            assert (out / code / name).exists(), (code, name)
        manifest = json.loads((out / code / "manifest.json").read_text())
        assert manifest["parameters"]["force"] == code
    assert (out / "national" / "extract" / "persons.csv").exists()
    assert "AA" in result.output and "BB" in result.output


def test_several_forces_are_refused_with_one_extract_or_a_bad_code(tmp_path: Path) -> None:
    extract = str(FIXTURES / "contract_extract")
    window = ["--from", "2020-01-01", "--to", "2026-12-31", "--out", str(tmp_path / "o")]
    for args in (
        [extract, "--force", f"AA={extract}"],
        ["--force", extract],
        ["--force", f"AA={extract}", "--force", f"AA={extract}"],
        [],
    ):
        result = runner.invoke(app, ["identify", *args, *window])
        assert result.exit_code != 0, args
        assert not (tmp_path / "o" / "national").exists()
