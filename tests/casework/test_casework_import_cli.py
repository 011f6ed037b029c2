"""`paramount casework import OUT/` as the README shows it: without --force it takes the only
force there is; on a fresh database, or one with several forces, it says what to do (and
in the demo, a fresh database gets the demo force)."""

from __future__ import annotations

import pytest
from casework_factories import child_row, write_run
from typer.testing import CliRunner

from paramount.casework.models import Case, Force
from paramount.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _import(folder) -> tuple[int, str]:
    result = runner.invoke(app, ["casework", "import", str(folder)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"a traceback instead of a message: {result.exception!r}"
    )
    return result.exit_code, result.output


def test_import_into_the_only_force_without_naming_it(tmp_path) -> None:
    force = Force.objects.create(code="TST", name="Test Valley Police")
    folder = write_run(tmp_path / "run", [child_row(child_ids="P1")])
    code, output = _import(folder)
    assert code == 0, output
    assert "Imported into TST" in output
    assert Case.objects.filter(force=force).count() == 1


def test_a_fresh_database_says_to_create_the_force_first(tmp_path, settings) -> None:
    settings.DEMO = False
    folder = write_run(tmp_path / "run", [child_row(child_ids="P1")])
    code, output = _import(folder)
    assert code == 2
    assert "No force in the casework database yet" in output
    assert "paramount casework force create CODE" in output
    assert not Force.objects.exists() and not Case.objects.exists()


def test_a_fresh_demo_database_gets_the_demo_force(tmp_path, settings) -> None:
    settings.DEMO = True
    folder = write_run(tmp_path / "run", [child_row(child_ids="P1")])
    code, output = _import(folder)
    assert code == 0, output
    assert Case.objects.filter(force__code="DEMO").count() == 1


def test_several_forces_name_them_and_ask_which(tmp_path) -> None:
    Force.objects.create(code="TST", name="Test Valley Police")
    Force.objects.create(code="OTH", name="Other Shire Police")
    folder = write_run(tmp_path / "run", [child_row(child_ids="P1")])
    code, output = _import(folder)
    assert code == 2
    assert "2 forces (OTH, TST)" in output and "--force CODE" in output
    assert not Case.objects.exists()
    result = runner.invoke(app, ["casework", "import", str(folder), "--force", "NOPE"])
    assert result.exit_code == 2
    assert "No force with code 'NOPE'" in result.output and "OTH, TST" in result.output
