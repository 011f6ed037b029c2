"""`paramount run --config FORCE.toml`: a force's daily run, on a small synthetic force.

In this process (the test database): a run imports, tells each supervisor of the new cases
in their areas only (counts and a link, nothing about a family), and run again duplicates
nothing and emails nobody twice; a failed run emails the analysts through SMTP with the
step and a safe error, and exits non-zero; the config's errors name the file and key; the
lock refuses a second run and takes over a dead one's. The kill -9 test is in
test_daily_run_kill.py.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest
from daily_run_support import RUN_DATE, WINDOW, make_force
from typer.testing import CliRunner

from paramount.casework.codes import Role
from paramount.casework.models import (
    LPA,
    Case,
    CaseChild,
    CaseEvent,
    ChildIdentifier,
    Force,
    IdentificationRun,
    Notification,
    User,
)
from paramount.cli import app
from paramount.operations.daily_run import (
    LOCK_NAME,
    ConfigError,
    DailyRunConfig,
    RunLocked,
    run_daily,
    run_lock,
)
from paramount.operations.daily_run import (
    PAUSE_ENV as PAUSE,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return make_force(tmp_path_factory.mktemp("daily-force"))


def _world(area_code: str) -> tuple[Force, User, User]:
    force = Force.objects.create(code="TST", name="Test Valley Police")
    lpa = LPA.objects.create(force=force, code=area_code, name="Area One")
    everyone = User.objects.create_user(
        "sup_all", email="sup.all@force.example", role=Role.SUPERVISOR, force=force,
        password="a-long-test-password-1", first_name="Sam",
    )  # fmt: skip
    area = User.objects.create_user(
        "sup_area", email="sup.area@force.example", role=Role.SUPERVISOR, force=force,
        password="a-long-test-password-1", first_name="Ari",
    )  # fmt: skip
    area.lpas.set([lpa])
    User.objects.create_user(
        "champ", email="champ@force.example", role=Role.CHAMPION, force=force,
        password="a-long-test-password-1",
    )  # fmt: skip
    return force, everyone, area


def _contents(force: Force) -> dict[str, object]:
    return {
        "cases": Case.objects.filter(force=force).count(),
        "children": CaseChild.objects.filter(case__force=force).count(),
        "events": CaseEvent.objects.filter(case__force=force).count(),
        "runs": IdentificationRun.objects.filter(force=force).count(),
    }


@pytest.mark.django_db
def test_a_daily_run_imports_tells_supervisors_and_runs_again_without_duplicates(
    synthetic, tmp_path, smtp_server
) -> None:
    area_code = synthetic.children[0]["lpa"]
    force = _world(area_code)[0]
    config = DailyRunConfig.from_toml(synthetic.write_config(tmp_path))

    first = run_daily(config, run_date=RUN_DATE)
    assert first.ok, first.record["error"]
    assert (first.window_from, first.window_to) == WINDOW
    assert first.folder == tmp_path / "runs" / f"{WINDOW[0]}_{WINDOW[1]}"
    assert (
        not list((tmp_path / "runs").glob(".*partial"))
        and not (tmp_path / "runs" / LOCK_NAME).exists()
    )
    record = json.loads((first.folder / "manifest.json").read_text())
    daily = record["daily_run"]
    assert record["parameters"]["command"] == "identify"  # the identify manifest, kept
    assert daily["status"] == "succeeded"
    assert [s["step"] for s in daily["steps"]] == [
        "casework", "identify", "import", "notify", "publish",
    ]  # fmt: skip
    opened = Case.objects.filter(force=force).count()
    assert opened >= 2 and daily["import"]["new_cases"] == opened
    assert daily["import"]["counts"]["rows"] == len(synthetic.children)

    # one email per supervisor, each counting only the cases they may see
    in_area = Case.objects.filter(force=force, lpa__code=area_code).count()
    assert smtp_server.to("sup.all@force.example")[0]["Subject"].startswith(
        f"Paramount: {opened} new cases"
    )
    area_mail = smtp_server.to("sup.area@force.example")
    assert len(area_mail) == 1 and f"opened {in_area} new" in area_mail[0].get_payload()
    assert not smtp_server.to("champ@force.example")
    for message in smtp_server.messages:
        body = message.get_payload()
        assert "http://testserver/cases/" in body
        assert "PM-" not in body  # no case reference
        for child in synthetic.children:
            assert child["child_surname"] not in body
            assert child["postcode"] not in body

    before = _contents(force)
    children_csv = (first.folder / "children.csv").read_bytes()
    again = run_daily(config, run_date=RUN_DATE)
    assert again.ok and again.folder == first.folder
    assert _contents(force) == before
    assert (again.folder / "children.csv").read_bytes() == children_csv
    assert again.record["import"]["already_imported"] is True
    assert again.record["import"]["new_cases"] == opened  # from the event log: stable
    assert again.record["import"]["supervisors_emailed"] == 0
    assert len(smtp_server.messages) == 2  # nobody emailed twice
    assert Notification.objects.filter(kind="supervisor_new_cases", status="sent").count() == 2


@pytest.mark.django_db
def test_a_daily_run_learns_from_the_checkers_verdicts(synthetic, tmp_path, smtp_server) -> None:
    """With `learn_from_verdicts`, a run exports the force's verdicts from casework and
    identifies with them: a child a supervisor rejected as the prisoner's sibling is not
    listed again, and the run's manifest counts the verdicts it learnt from."""
    from paramount.casework.services.verdicts import record_verdict

    area_code = synthetic.children[0]["lpa"]
    _, supervisor, _ = _world(area_code)
    config = DailyRunConfig.from_toml(
        synthetic.write_config(
            tmp_path, learn_from_verdicts=True, method="routes-exact", memory_limit="1GB"
        )
    )  # every route and the decision; Splink's part is tested by the runs above
    first = run_daily(config, run_date=RUN_DATE)
    assert first.ok, first.record["error"]
    assert first.record["verdicts"] == {"rows": 0, "confirmed": 0, "rejected": 0}
    rejected = CaseChild.objects.select_related("reception").order_by("pk").first()
    assert rejected is not None
    record_verdict(user=supervisor, case_child=rejected, verdict="REJECTED", reason="SIBLING")

    again = run_daily(config, run_date=RUN_DATE)
    assert again.ok, again.record["error"]
    assert again.record["verdicts"] == {"rows": 1, "confirmed": 0, "rejected": 1}
    assert [s["step"] for s in again.record["steps"]][:3] == ["casework", "verdicts", "identify"]
    manifest = json.loads((again.folder / "manifest.json").read_text())
    assert manifest["verdicts"]["rows_matched"] == 1 and manifest["verdicts"]["pairs_held"] == 1
    # the configuration's memory limit is the one the database was held to
    assert manifest["parameters"]["memory_limit"] == "1GB"
    assert manifest["parameters"]["memory_limit_applied"] in ("953.6 MiB", "953.6MiB")
    with (again.folder / "children.csv").open(encoding="utf-8") as f:
        listed = {(r["booking_id"], r["child_person_ids"]) for r in csv.DictReader(f)}
    ids = {i.value for i in rejected.child.identifiers.filter(kind=ChildIdentifier.Kind.RMS)}
    booking = rejected.reception.booking_id
    assert not any(b == booking and ids & set(p.split(";")) for b, p in listed)


@pytest.mark.django_db
def test_a_failed_run_emails_the_analysts_and_exits_non_zero(
    synthetic, tmp_path, smtp_server
) -> None:
    force = Force.objects.create(code="TST", name="Test Valley Police")
    broken = tmp_path / "extract"
    shutil.copytree(synthetic.extract, broken)
    (broken / "prisoners.csv").unlink()
    config = synthetic.write_config(
        tmp_path, extract=broken, analysts=("analysts@force.example", "lead@force.example")
    )

    result = CliRunner().invoke(app, ["run", "--config", str(config), "--date", "2026-02-01"])
    assert result.exit_code == 1, result.output
    assert "Run failed at identify" in result.output
    failed = tmp_path / "runs" / f"{WINDOW[0]}_{WINDOW[1]}.failed"
    error = json.loads((failed / "manifest.json").read_text())["daily_run"]["error"]
    assert error["step"] == "identify" and error["type"] == "ContractError"
    assert "prisoners" in error["message"]
    assert not (tmp_path / "runs" / f"{WINDOW[0]}_{WINDOW[1]}").exists()
    assert not Case.objects.filter(force=force).exists()

    (mail,) = smtp_server.messages
    assert smtp_server.envelopes[0][1] == ["analysts@force.example", "lead@force.example"]
    assert mail["Subject"] == "Paramount daily run failed: TST 2025-02-01 (identify)"
    body = mail.get_payload()
    assert "Step: identify" in body and "ContractError" in body and "prisoners" in body
    for child in synthetic.children:
        assert child["child_surname"] not in body

    # fixed, the same window runs and the failure record goes
    shutil.rmtree(broken)
    shutil.copytree(synthetic.extract, broken)
    result = CliRunner().invoke(app, ["run", "--config", str(config), "--date", "2026-02-01"])
    assert result.exit_code == 0, result.output
    assert not failed.exists() and Case.objects.filter(force=force).exists()


@pytest.mark.django_db
def test_a_run_for_a_force_casework_does_not_know_fails_at_the_start(
    synthetic, tmp_path, smtp_server
) -> None:
    config = DailyRunConfig.from_toml(
        synthetic.write_config(tmp_path, force="NOPE", analysts=("analysts@force.example",))
    )
    result = run_daily(config, run_date=RUN_DATE)
    assert not result.ok
    assert result.record["error"]["step"] == "casework"
    assert "No force 'NOPE'" in result.record["error"]["message"]
    assert [s["step"] for s in result.record["steps"]] == []  # nothing identified
    assert "No force 'NOPE'" in smtp_server.messages[0].get_payload()


def test_config_errors_name_the_file_and_the_key(tmp_path) -> None:
    path = tmp_path / "force.toml"
    path.write_text('force = "TST"\nextract = "x"\nruns = "r"\n')
    with pytest.raises(ConfigError, match=rf"{path}: key 'force_db' is required"):
        DailyRunConfig.from_toml(path)
    path.write_text('force = "TST"\nextract = "x"\nforce_db = "d"\nruns = "r"\nmethod = "best"\n')
    with pytest.raises(ConfigError, match="key 'method' is 'best'"):
        DailyRunConfig.from_toml(path)
    path.write_text('force = "TST"\nextract = "x"\nforce_db = "d"\nruns = "r"\nwindow = 3\n')
    with pytest.raises(ConfigError, match="unknown key"):
        DailyRunConfig.from_toml(path)
    path.write_text('force = "TST"\nextract = "x"\nforce_db = "d"\nruns = "r"\n'
                    '[casework]\ndatabase = "x"\n')  # fmt: skip
    with pytest.raises(ConfigError, match=r"in \[casework\]: database"):
        DailyRunConfig.from_toml(path)
    path.write_text('force = "TST"\nextract = "x"\nforce_db = "d"\nruns = "r"\n'
                    'learn_from_verdicts = "yes"\n')  # fmt: skip
    with pytest.raises(ConfigError, match="key 'learn_from_verdicts' must be true or false"):
        DailyRunConfig.from_toml(path)
    path.write_text('force = "TST"\nextract = "x"\nforce_db = "d"\nruns = "r"\n'
                    'memory_limit = "lots"\n')  # fmt: skip
    with pytest.raises(ConfigError, match=r"key 'memory_limit': .* not a number and a unit"):
        DailyRunConfig.from_toml(path)
    path.write_text('force = "TST"\nextract = "x"\nforce_db = "d"\nruns = "r"\n')
    config = DailyRunConfig.from_toml(path)
    assert config.memory_limit is None  # half the machine
    assert config.extract == tmp_path / "x" and config.method == "full" and config.days == 1
    assert config.partner_key is None
    path.write_text('force = "TST"\nextract = "x"\nforce_db = "d"\nruns = "r"\n'
                    'partner_key = "keys/partner.key"\n')  # fmt: skip
    assert DailyRunConfig.from_toml(path).partner_key == tmp_path / "keys" / "partner.key"
    with pytest.raises(ConfigError, match="no such file"):
        DailyRunConfig.from_toml(tmp_path / "missing.toml")
    result = CliRunner().invoke(app, ["run", "--config", str(tmp_path / "missing.toml")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_the_lock_refuses_a_live_run_and_takes_over_a_dead_ones(tmp_path) -> None:
    lock = tmp_path / LOCK_NAME
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        import socket

        lock.write_text(json.dumps({"pid": alive.pid, "host": socket.gethostname()}))
        with pytest.raises(RunLocked, match=str(alive.pid)), run_lock(lock):
            pass
        lock.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname()}))
        with run_lock(lock):
            assert json.loads(lock.read_text())["pid"] == os.getpid()
        assert not lock.exists()
    finally:
        alive.kill()
        alive.wait()


# --- kill -9 at any step -----------------------------------------------------------------------

SETUP = """
import sys
from paramount.casework.bootstrap import setup_django
setup_django()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from paramount.casework.models import LPA, Force, User
area_code = sys.argv[1]
force = Force.objects.create(code="TST", name="Test Valley Police")
lpa = LPA.objects.create(force=force, code=area_code, name="Area One")
for name, lpas in (("all", []), ("area", [lpa])):
    user = User.objects.create_user(
        f"sup_{name}", email=f"sup.{name}@force.example", role="supervisor", force=force,
        password="a-long-test-password-1",
    )
    user.lpas.set(lpas)
"""

# Each scenario's supervisors get their own address, so its emails can be counted.
RENAME = """
import sys
from paramount.casework.bootstrap import setup_django
setup_django()
from paramount.casework.models import User
for user in User.objects.all():
    user.email = user.email.replace("@force.", f"@{sys.argv[1]}.")
    user.save(update_fields=["email"])
"""

SNAPSHOT = """
import json
from collections import Counter
from paramount.casework.bootstrap import setup_django
setup_django()
from paramount.casework.models import (
    Case, CaseChild, CaseEvent, Child, ChildIdentifier, IdentificationRun, Notification,
    Prisoner, Reception, ReviewTask,
)
cases = sorted(
    [c.lpa.code if c.lpa else "", c.state,
     sorted([cc.reception.booking_id, cc.relationship, cc.child_age or 0]
            for cc in c.case_children.all())]
    for c in Case.objects.all()
)
print(json.dumps({
    "cases": cases,
    "case_children": CaseChild.objects.count(),
    "children": Child.objects.count(),
    "identifiers": ChildIdentifier.objects.count(),
    "prisoners": Prisoner.objects.count(),
    "receptions": Reception.objects.count(),
    "review_tasks": ReviewTask.objects.count(),
    "runs": IdentificationRun.objects.count(),
    "events": sorted(Counter(CaseEvent.objects.values_list("code", flat=True)).items()),
    "notifications": sorted(
        [n.kind, n.to_email.split("@")[0], n.status, n.subject]
        for n in Notification.objects.all()
    ),
}))
"""


def _python(env: dict[str, str], script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _wait_for(path, process, seconds: float = 240) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, f"the run ended ({process.returncode}) before {path.name}"
        assert time.monotonic() < deadline, f"no {path.name} within {seconds} s"
        time.sleep(0.05)


@pytest.mark.postgres
def test_a_run_killed_at_any_step_gives_the_same_result_when_run_again(
    synthetic, tmp_path, postgres_cluster, smtp_server, settings
) -> None:
    """SIGKILL during identification, inside the import's transaction, after it committed
    and before the run folder is published; each time the rerun leaves casework, the
    outputs and the emails exactly as one uninterrupted run does."""
    import signal
    import time

    import psycopg

    area_code = synthetic.children[0]["lpa"]
    name = f"{WINDOW[0]}_{WINDOW[1]}"

    # the casework database, migrated with the force and its supervisors, made once
    server = postgres_cluster.url.rsplit("/", 1)[0]
    with psycopg.connect(postgres_cluster.url, autocommit=True) as con:
        con.execute("CREATE DATABASE daily_template")
    _python(
        {**os.environ, "DATABASE_URL": f"{server}/daily_template", "PARAMOUNT_DATA_DIR":
         str(tmp_path / "template")}, SETUP, area_code,
    )  # fmt: skip

    def scenario(kill_at: str | None) -> tuple[dict, bytes, dict]:
        tag = kill_at or "reference"
        folder = tmp_path / tag
        database = f"daily_{tag}"
        with psycopg.connect(postgres_cluster.url, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {database} TEMPLATE daily_template")
        url = f"{server}/{database}"
        env = {
            **os.environ,
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/wrong",  # the config's wins
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(settings.EMAIL_PORT),
            "PARAMOUNT_BASE_URL": "http://casework.example",
        }
        env.pop(PAUSE, None)
        config = synthetic.write_config(
            folder, casework={"database_url": url, "data_dir": str(folder / "data")}
        )
        _python({**env, "DATABASE_URL": url}, RENAME, tag)
        command = [sys.executable, "-m", "paramount.cli", "run", "--config", str(config),
                   "--date", RUN_DATE.isoformat()]  # fmt: skip
        runs = folder / "runs"
        if kill_at:
            process = subprocess.Popen(
                command, env={**env, PAUSE: kill_at}, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                _wait_for(runs / f".paused-{kill_at}", process)
                if kill_at == "identify":  # let identification get going, then kill it
                    (runs / f".resume-{kill_at}").touch()
                    time.sleep(0.25)
                    assert process.poll() is None
                    assert not (runs / f".{name}.partial" / "children.csv").exists()
                process.send_signal(signal.SIGKILL)
            finally:
                process.wait(timeout=60)
            assert process.returncode == -signal.SIGKILL
            assert (runs / LOCK_NAME).exists() and not (runs / name).exists()
            killed = json.loads(_python({**env, "DATABASE_URL": url}, SNAPSHOT))
            if kill_at in ("identify", "commit"):  # nothing imported, nothing queued
                assert killed["cases"] == [] and killed["notifications"] == []
                assert killed["runs"] == 0
            else:
                assert killed["cases"] and killed["runs"] == 1
            for marker in runs.glob(".paused-*"):
                marker.unlink()
            for marker in runs.glob(".resume-*"):
                marker.unlink()
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        assert not (runs / LOCK_NAME).exists() and not list(runs.glob(".*partial"))
        snapshot = json.loads(_python({**env, "DATABASE_URL": url}, SNAPSHOT))
        daily = json.loads((runs / name / "manifest.json").read_text())["daily_run"]
        mails = sorted(m["To"].split("@")[0] for m in smtp_server.messages if f"@{tag}." in m["To"])
        outcome = {"new_cases": daily["import"]["new_cases"], "mails": mails}
        return snapshot, (runs / name / "children.csv").read_bytes(), outcome

    reference = scenario(None)
    assert reference[0]["cases"] and reference[2]["mails"] == ["sup.all", "sup.area"]
    for kill_at in ("identify", "commit", "notify", "publish"):
        snapshot, children_csv, outcome = scenario(kill_at)
        assert snapshot == reference[0], kill_at
        assert children_csv == reference[1], kill_at
        assert outcome == reference[2], kill_at


def test_the_example_config_is_valid() -> None:
    from pathlib import Path

    example = Path(__file__).parents[2] / "examples" / "daily-run.toml"
    config = DailyRunConfig.from_toml(example)
    assert config.force == "TVP" and config.method == "full" and config.days == 1
    assert config.analysts and config.database_url is None and config.learn_from_verdicts
