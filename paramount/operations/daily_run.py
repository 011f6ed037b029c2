"""A force's daily run: load the extract, identify a window's children, import them into
casework, tell the supervisors, and keep a manifest of what was done.

`paramount run --config FORCE.toml` is a thin wrapper around `run_daily`. The run is meant to
be started by a timer and left alone, so it is built to be run again without harm:

- **Idempotent.** The casework import finds what is already there (same run, same child,
  same reception) and duplicates nothing; the supervisors are told only when the import
  opened the run for the first time.
- **Crash-safe.** The import, and the supervisors' emails queued in the casework outbox, are
  one database transaction: a run killed before it commits left nothing, one killed after has
  done it all. The outputs are written into a hidden `.NAME.partial` folder that is renamed
  into place only at the end, so a run folder either is complete or does not exist. A lock
  file (holding the process id) keeps two runs from overlapping; a lock left by a process
  that no longer exists is taken over.
- **Loud when it fails.** A failure is written to `NAME.failed/manifest.json` (the step, the
  error's type and, for Paramount's own errors, which never carry personal data, its
  message) and emailed to the force's analysts; the exit code is non-zero.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import sys
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from paramount import __version__

STEPS = ("casework", "verdicts", "identify", "import", "notify", "publish")
VERDICTS_IN = "verdicts-in.csv"  # the force's verdicts the run learnt from, in its folder
LOCK_NAME = ".paramount-run.lock"
# Test-only hook: the run waits before the named step until a `.resume-STEP` file appears in
# the runs folder (it writes `.paused-STEP` first), so a test can kill it at a known point.
PAUSE_ENV = "PARAMOUNT_TEST_PAUSE_AT"


class ConfigError(ValueError):
    """The daily-run TOML is missing a key or holds a wrong value (names file and key)."""


class DailyRunError(RuntimeError):
    """A daily run cannot go on; the message is safe to email (no personal data)."""


class RunLocked(DailyRunError):
    """Another run of this force is still going."""


@dataclass(frozen=True)
class DailyRunConfig:
    """What a force's daily run needs; relative paths are relative to the TOML file."""

    force: str
    extract: Path
    force_db: Path
    runs: Path
    method: str = "full"
    mapping: Path | None = None
    days: int = 1
    analysts: tuple[str, ...] = ()
    database_url: str | None = None
    data_dir: Path | None = None
    base_url: str | None = None
    source: Path | None = None
    # Export the force's verdicts from casework before identifying, and identify with them
    # (held pairs, merged duplicates, recalibrated confidence: `identify --verdicts`).
    learn_from_verdicts: bool = False
    # What the force database may hold in memory ("4GB"; None: half the machine).
    memory_limit: str | None = None
    # The key file the local authority encoded its partner data with (`identify
    # --partner-key`, docs/partner-encoding.md); read at each run, never logged.
    partner_key: Path | None = None

    @classmethod
    def from_toml(cls, path: str | Path) -> DailyRunConfig:
        path = Path(path).absolute()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise ConfigError(f"{path}: no such file") from error
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML ({error})") from error
        return cls.from_mapping(data, source=path)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], *, source: Path | None = None) -> DailyRunConfig:
        where = str(source) if source else "config"
        base = source.parent if source else Path.cwd()
        casework = data.get("casework", {})
        if not isinstance(casework, dict):
            raise ConfigError(f"{where}: [casework] must be a table")
        known = {
            "force",
            "extract",
            "force_db",
            "runs",
            "method",
            "mapping",
            "days",
            "analysts",
            "casework",
            "learn_from_verdicts",
            "memory_limit",
            "partner_key",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
        unknown = sorted(set(casework) - {"database_url", "data_dir", "base_url"})
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) in [casework]: {', '.join(unknown)}")

        def text(table: dict, key: str, label: str, required: bool = False) -> str | None:
            value = table.get(key)
            if value is None or value == "":
                if required:
                    raise ConfigError(f"{where}: key {label!r} is required")
                return None
            if not isinstance(value, str):
                raise ConfigError(f"{where}: key {label!r} must be a string")
            return value

        def path(table: dict, key: str, label: str, required: bool = False) -> Path | None:
            value = text(table, key, label, required)
            return (base / Path(value).expanduser()) if value else None

        from paramount.engine import METHODS

        method = text(data, "method", "method") or "full"
        if method not in METHODS:
            raise ConfigError(
                f"{where}: key 'method' is {method!r}; choose from {', '.join(sorted(METHODS))}"
            )
        days = data.get("days", 1)
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise ConfigError(f"{where}: key 'days' must be a whole number of days, 1 or more")
        analysts = data.get("analysts", [])
        if isinstance(analysts, str):
            analysts = [analysts]
        if not isinstance(analysts, list) or not all(
            isinstance(a, str) and "@" in a for a in analysts
        ):
            raise ConfigError(f"{where}: key 'analysts' must be a list of email addresses")
        memory_limit = text(data, "memory_limit", "memory_limit")
        if memory_limit is not None:
            from paramount.db import check_memory_limit

            try:
                memory_limit = check_memory_limit(memory_limit)
            except ValueError as error:
                raise ConfigError(f"{where}: key 'memory_limit': {error}") from error
        learn = data.get("learn_from_verdicts", False)
        if not isinstance(learn, bool):
            raise ConfigError(f"{where}: key 'learn_from_verdicts' must be true or false")
        return cls(
            force=text(data, "force", "force", required=True),
            extract=path(data, "extract", "extract", required=True),
            force_db=path(data, "force_db", "force_db", required=True),
            runs=path(data, "runs", "runs", required=True),
            method=method,
            mapping=path(data, "mapping", "mapping"),
            days=days,
            analysts=tuple(analysts),
            database_url=text(casework, "database_url", "casework.database_url"),
            data_dir=path(casework, "data_dir", "casework.data_dir"),
            base_url=text(casework, "base_url", "casework.base_url"),
            source=source,
            learn_from_verdicts=learn,
            memory_limit=memory_limit,
            partner_key=path(data, "partner_key", "partner_key"),
        )


@dataclass
class DailyRunResult:
    ok: bool
    folder: Path
    window_from: date
    window_to: date
    record: dict[str, Any] = field(default_factory=dict)


def resolve_window(
    config: DailyRunConfig,
    run_date: date | None = None,
    window_from: date | None = None,
    window_to: date | None = None,
) -> tuple[date, date]:
    """The receptions to look at: by default the `days` days up to yesterday (of
    `run_date`, default today); `window_from`/`window_to` override either end."""
    today = run_date or date.today()
    end = window_to or today - timedelta(days=1)
    start = window_from or end - timedelta(days=config.days - 1)
    if end < start:
        raise DailyRunError(f"The window ends ({end}) before it starts ({start}).")
    return start, end


def folder_name(start: date, end: date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()}_{end.isoformat()}"


def run_daily(
    config: DailyRunConfig,
    *,
    run_date: date | None = None,
    window_from: date | None = None,
    window_to: date | None = None,
) -> DailyRunResult:
    """One daily run (see the module's docstring); never raises for a failed step: the
    result says `ok`, and the analysts were emailed."""
    start, end = resolve_window(config, run_date, window_from, window_to)
    runs = config.runs
    runs.mkdir(parents=True, exist_ok=True)
    name = folder_name(start, end)
    final, partial = runs / name, runs / f".{name}.partial"
    failed, old = runs / f"{name}.failed", runs / f".{name}.old"
    record: dict[str, Any] = {
        "command": "run",
        "paramount_version": __version__,
        "force": config.force,
        "config": str(config.source) if config.source else None,
        "run_date": (run_date or date.today()).isoformat(),
        "window_from": start.isoformat(),
        "window_to": end.isoformat(),
        "method": config.method,
        "started_at": _now(),
        "status": "running",
        "steps": [],
        "error": None,
    }
    with run_lock(runs / LOCK_NAME):
        for leftover in (partial, old):  # a killed run's: we hold the lock, nobody uses them
            shutil.rmtree(leftover, ignore_errors=True)
        partial.mkdir()
        step = STEPS[0]
        try:
            with _step(record, "casework", runs):
                force = _casework(config)
            verdicts: list[Path] = []
            if config.learn_from_verdicts:
                step = "verdicts"
                with _step(record, step, runs):
                    verdicts, record["verdicts"] = _export_verdicts(force, partial)
            step = "identify"
            with _step(record, step, runs):
                identify_window(config, start, end, partial, verdicts, final)
            step = "import"
            with _step(record, step, runs):
                record["import"] = _import(force, partial, start, end, runs)
            step = "notify"
            with _step(record, step, runs):
                record["notifications"] = _send_pending(force)
            step = "publish"
            _pause(step, runs)
            record["steps"].append({"step": step})
            record["status"] = "succeeded"
            record["finished_at"] = _now()
            _write_manifest(partial, record, moved_to=final)
            if final.exists():
                final.rename(old)
            partial.rename(final)  # the run folder appears whole, or not at all
            shutil.rmtree(old, ignore_errors=True)
            shutil.rmtree(failed, ignore_errors=True)
            return DailyRunResult(True, final, start, end, record)
        except Exception as error:
            record["status"] = "failed"
            record["error"] = {"step": step, **safe_error(error)}
            record["finished_at"] = _now()
            shutil.rmtree(failed, ignore_errors=True)
            if partial.exists():
                partial.rename(failed)
            failed.mkdir(exist_ok=True)
            record["analysts_told"] = tell_analysts(config, record, failed)
            _write_manifest(failed, record)
            return DailyRunResult(False, failed, start, end, record)


# --- the steps -------------------------------------------------------------------------------


def identify_window(
    config: DailyRunConfig,
    start: date,
    end: date,
    out_dir: Path,
    verdicts: Sequence[Path] = (),
    published: Path | None = None,
) -> None:
    """Load the extract into the force database and identify the window's children into
    `out_dir` (children.csv, review.csv, worklist.xlsx, manifest.json): the daily run's only
    call into identification, the library's `identify_extract`. The load is reused from the
    force database, so a day costs only its window, and so is the decision model a run
    learnt there (`engine/model_store.py`; `published`: the folder a model learnt here is
    said to come from, as `out_dir` is the hidden one). `ContractError` and
    `TooFewRecordsToTrain` (and `PartnerKeyError`) reach the caller as they are."""
    from paramount.privacy import read_key_file
    from paramount.run import identify_extract

    key = read_key_file(config.partner_key) if config.partner_key is not None else None
    config.force_db.parent.mkdir(parents=True, exist_ok=True)
    identify_extract(  # the method and the window are checked with the config
        config.extract,
        out_dir,
        date_from=start,
        date_to=end,
        method=config.method,
        mapping=config.mapping,
        db=config.force_db,
        verdicts=list(verdicts),
        memory_limit=config.memory_limit,
        partner_key=key,
        # a decision model learnt here names the folder the run is published as
        run_name=str(published) if published else None,
    )


def _export_verdicts(force, folder: Path) -> tuple[list[Path], dict[str, int]]:
    """The force's verdicts, every one recorded so far (a rejection holds for good), written
    into the run's folder for identification (audited as a disclosure, by the deployer)."""
    from paramount.casework.services.verdicts import export_verdicts

    path = folder / VERDICTS_IN
    with path.open("w", encoding="utf-8", newline="") as out:
        result = export_verdicts(out, force=force, destination=str(path))
    counts = {"rows": result.rows, "confirmed": result.confirmed, "rejected": result.rejected}
    return ([path] if result.rows else []), counts


def _casework(config: DailyRunConfig):
    """Django on the configured casework database, migrated, with the force in it."""
    from django.apps import apps

    if not apps.ready:  # a caller that set Django up (a test, a shell) keeps its database
        for key, value in (
            ("DATABASE_URL", config.database_url),
            ("PARAMOUNT_DATA_DIR", str(config.data_dir) if config.data_dir else None),
            ("PARAMOUNT_BASE_URL", config.base_url),
        ):
            if value:
                os.environ[key] = value
    from paramount.casework.bootstrap import setup_django

    setup_django()
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    from paramount.casework.models import Force

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise DailyRunError(
                f"The casework database lacks {len(pending)} migration(s): run "
                "`paramount casework manage migrate` (as the schema's owner) first."
            )
        force = Force.objects.filter(code=config.force).first()
    except DatabaseError as error:
        raise DailyRunError(
            f"Cannot use the casework database ({type(error).__name__}): check DATABASE_URL "
            "or the casework table of the config."
        ) from None
    if force is None:
        raise DailyRunError(
            f"No force {config.force!r} in casework: create it first "
            f"(`paramount casework force create {config.force} NAME "
            "--areas EXTRACT/force_area.csv`)."
        )
    return force


def _import(force, folder: Path, start: date, end: date, runs: Path) -> dict[str, Any]:
    """Import the run and queue the supervisors' emails in ONE transaction."""
    from django.db import transaction

    from paramount.casework.services.importing import import_run
    from paramount.casework.services.notifications import supervisors_new_cases

    with transaction.atomic():
        result = import_run(folder, force=force)
        opened = new_case_ids(result.run)
        queued = []
        if not result.already_imported:
            queued = supervisors_new_cases(force, opened, window_from=start, window_to=end)
        _pause("commit", runs)  # inside the transaction: a kill here must leave nothing
    return {
        "casework_run": result.run.pk,
        "already_imported": result.already_imported,
        "counts": dict(result.counts),
        "new_cases": len(opened),
        "supervisors_emailed": len(queued),
    }


def new_case_ids(run) -> list[int]:
    """The cases this identification run opened (from the event log, so the same answer
    however many times the run is imported)."""
    from paramount.casework.codes import EventCode
    from paramount.casework.models import CaseEvent

    return sorted(
        set(
            CaseEvent.objects.filter(
                case__force_id=run.force_id, code=EventCode.CASE_OPENED, payload__run=run.pk
            ).values_list("case_id", flat=True)
        )
    )


def _send_pending(force) -> dict[str, int]:
    """Send the force's supervisor emails still in the outbox (normally sent at commit;
    left pending by a crash or an SMTP failure)."""
    from paramount.casework.codes import Role
    from paramount.casework.models import Notification, User
    from paramount.casework.services.notifications import send_notifications

    emails = User.objects.filter(force=force, role=Role.SUPERVISOR).values_list("email", flat=True)
    ids = list(
        Notification.objects.filter(
            kind=Notification.Kind.SUPERVISOR_NEW_CASES, to_email__in=list(emails)
        )
        .exclude(status="sent")
        .values_list("pk", flat=True)
    )
    sent, failed = send_notifications(ids) if ids else (0, 0)
    return {"sent_now": sent, "failed": failed}


def tell_analysts(config: DailyRunConfig, record: dict[str, Any], folder: Path) -> bool:
    """Email the analysts that the run failed: the step and the safe error, nothing else."""
    if not config.analysts:
        return False
    error = record.get("error") or {}
    body = (
        f"Paramount's daily run for force {config.force} failed.\n\n"
        f"Receptions: {record['window_from']} to {record['window_to']}\n"
        f"Step: {error.get('step')}\n"
        f"Error: {error.get('type')}: {error.get('message')}\n\n"
        f"The run's manifest: {folder / 'manifest.json'}\n"
        "Nothing was imported unless the step above is 'notify' or 'publish'. Running it "
        "again is safe: `paramount run --config "
        f"{config.source or 'FORCE.toml'} --from {record['window_from']} --to "
        f"{record['window_to']}`.\n"
    )
    try:
        from paramount.casework.bootstrap import setup_django

        setup_django()
        from django.conf import settings
        from django.core.mail import send_mail

        send_mail(
            f"Paramount daily run failed: {config.force} {record['window_from']} "
            f"({error.get('step')})",
            body,
            settings.DEFAULT_FROM_EMAIL,
            list(config.analysts),
            fail_silently=False,
        )
    except Exception as mail_error:
        print(f"Could not email the analysts: {type(mail_error).__name__}", file=sys.stderr)
        return False
    return True


# --- machinery -------------------------------------------------------------------------------


def safe_error(error: BaseException) -> dict[str, str]:
    """The error's type, and its message only where it is known to carry no personal data:
    Paramount's own errors, validation and file errors. A database or library error's text
    can quote a row, so only its type is kept."""
    from django.core.exceptions import ValidationError

    kind = type(error).__name__
    if isinstance(error, ValidationError):
        return {"type": kind, "message": "; ".join(error.messages)}
    if isinstance(error, OSError | ImportError) or type(error).__module__.startswith("paramount"):
        return {"type": kind, "message": str(error)}
    return {"type": kind, "message": "(not shown: it may quote data; see the step)"}


@contextlib.contextmanager
def _step(record: dict[str, Any], name: str, runs: Path) -> Iterator[None]:
    _pause(name, runs)
    started = time.perf_counter()
    print(f"paramount run: {name}", file=sys.stderr, flush=True)
    yield
    record["steps"].append({"step": name, "seconds": round(time.perf_counter() - started, 3)})


def _pause(step: str, runs: Path) -> None:
    if os.environ.get(PAUSE_ENV) != step:
        return
    (runs / f".paused-{step}").write_text(str(os.getpid()))
    while not (runs / f".resume-{step}").exists():
        time.sleep(0.05)


def _write_manifest(folder: Path, record: dict[str, Any], moved_to: Path | None = None) -> Path:
    """The identify manifest (if the run got that far) with the daily run's record in it,
    written to a temporary file and renamed, so it is never half written; paths in it name
    the folder it is about to be renamed to."""
    path = folder / "manifest.json"
    manifest: dict[str, Any] = {}
    if path.is_file():
        with contextlib.suppress(ValueError):
            manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["daily_run"] = record
    temporary = folder / ".manifest.json.tmp"
    text = json.dumps(manifest, indent=2, default=str) + "\n"
    if moved_to is not None:
        text = text.replace(json.dumps(str(folder))[1:-1], json.dumps(str(moved_to))[1:-1])
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


@contextlib.contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold `path` (made exclusively, holding our pid and host) for the run; a lock whose
    process no longer exists on this host is stale and taken over."""
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _lock_holder(path)
            if holder is not None:
                raise RunLocked(
                    f"Another run holds {path} (process {holder}); if it is not running, "
                    "remove the file."
                ) from None
            path.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w") as lock:
            json.dump({"pid": os.getpid(), "host": socket.gethostname(), "at": _now()}, lock)
        break
    else:
        raise RunLocked(f"Could not take the lock {path}.")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _lock_holder(path: Path) -> str | None:
    """Who holds the lock, or None if it is stale (its process is gone)."""
    try:
        held = json.loads(path.read_text())
        pid, host = int(held["pid"]), str(held["host"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        # made but not yet written, or garbage: stale unless it is brand new
        try:
            young = time.time() - path.stat().st_mtime < 10
        except FileNotFoundError:
            return None
        return "unknown" if young else None
    if host != socket.gethostname():
        return f"{pid} on {host}"
    return str(pid) if pid != os.getpid() and _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped) is not running
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")
