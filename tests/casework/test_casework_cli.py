"""`paramount casework ...`: import twice from the command line, demo users only in a demo."""

from __future__ import annotations

import pytest
from casework_factories import child_row, make_world, write_run
from typer.testing import CliRunner

from paramount.casework.models import Case, User
from paramount.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_import_from_the_command_line_is_idempotent(tmp_path) -> None:
    world = make_world()
    folder = write_run(tmp_path / "run", [child_row(child_ids="P1")])
    outputs = []
    for _ in range(2):
        result = runner.invoke(app, ["casework", "import", str(folder), "--force", "TST",
                                     "--as", "analyst"])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert Case.objects.filter(force=world.force).count() == 1
    assert "1 new cases" in outputs[0]
    assert "nothing duplicated" in outputs[1] and "Fictus" not in "".join(outputs)


def test_import_refuses_an_unknown_force(tmp_path) -> None:
    make_world()
    folder = write_run(tmp_path / "run", [child_row(child_ids="P1")])
    result = runner.invoke(app, ["casework", "import", str(folder), "--force", "NOPE"])
    assert result.exit_code != 0
    assert Case.objects.count() == 0


def test_demo_users_only_in_the_demo(settings) -> None:
    settings.DEMO = False
    result = runner.invoke(app, ["casework", "demo-users"])
    assert result.exit_code != 0 and not User.objects.exists()
    settings.DEMO = True
    result = runner.invoke(app, ["casework", "demo-users"])
    assert result.exit_code == 0, result.output
    assert "supervisor-demo-pass" in result.output
    assert {u.role for u in User.objects.all()} >= {"analyst", "checker", "champion",
                                                   "supervisor", "partner", "evaluator",
                                                   "auditor", "administrator"}
