"""`paramount casework ...`: the casework commands, for analysts and administrators.

Django is set up only when a command runs, so `paramount --help` stays quick. Settings come
from the environment (see `paramount.casework.settings`); the database is migrated before an
import so a fresh demo needs no separate step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

casework_app = typer.Typer(
    name="casework",
    help="Stage two: import identification runs into casework, retention, demo users, and "
    "Django's manage.py for the casework application.",
    no_args_is_help=True,
)


def _django() -> None:
    from paramount.casework.bootstrap import setup_django

    setup_django()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _as_user(as_user: str | None, what: str):  # -> User | None (Django set up by then)
    """The active user `--as` names (None without it); an unknown one ends the command."""
    from paramount.casework.models import User

    if not as_user:
        return None
    user = User.objects.filter(username=as_user, is_active=True).first()
    if user is None:
        typer.echo(f"{what}: no active user {as_user!r}.", err=True)
        raise typer.Exit(2)
    return user


@casework_app.command("import")
def import_(
    folder: Annotated[Path, typer.Argument(help="A run folder from `paramount identify`.")],
    force: Annotated[
        str | None, typer.Option(help="Force code (default: the only force there is).")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Username of the analyst importing.")
    ] = None,
    demo_daily: Annotated[
        bool,
        typer.Option(
            "--demo-daily",
            help="Demo only: import as daily runs would have, each reception day's cases "
            "opened the next morning (PARAMOUNT_DEMO=1).",
        ),
    ] = False,
) -> None:
    """Import children.csv (+ review.csv, manifest.json): idempotent, no duplicate cases.
    Without --force: the only force there is (in the demo, on a fresh database, the demo's)."""
    _django()
    _migrate()
    from django.core.exceptions import ImproperlyConfigured, ValidationError
    from django.core.management import call_command
    from django.core.management.base import CommandError

    if demo_daily:
        from paramount.casework.management.commands.casework_import import resolve_force
        from paramount.casework.services.demo import import_run_daily

        try:
            target = resolve_force(force)
            counts = import_run_daily(folder, force=target)
        except (CommandError, ImproperlyConfigured, ValidationError) as error:
            typer.echo(f"Not imported: {error}", err=True)
            raise typer.Exit(2) from error
        typer.echo(
            f"Imported into {target.code} as {counts['days']} daily runs: {counts['rows']} "
            f"rows, {counts['cases_opened']} new cases."
        )
        return
    args = [str(folder)]
    if force:
        args += ["--force", force]
    if as_user:
        args += ["--as", as_user]
    try:
        call_command("casework_import", *args)
    except CommandError as error:
        typer.echo(f"Not imported: {error}", err=True)
        raise typer.Exit(2) from error


@casework_app.command("export-verdicts")
def export_verdicts(
    file: Annotated[Path, typer.Argument(help="Where to write verdicts.csv.")],
    since: Annotated[
        str | None,
        typer.Option(help="Only verdicts recorded on or after this day (YYYY-MM-DD)."),
    ] = None,
    force: Annotated[
        str | None, typer.Option(help="Force code (default: the only force there is).")
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Username of the analyst or supervisor exporting (their "
                     "force and areas); without it, the whole force, audited as 'cli'."),
    ] = None,
) -> None:
    """Write the force's verdicts (is each listed child the prisoner's?) as verdicts.csv,
    for `paramount identify` to read back. Audited as a disclosure; prints counts only."""
    from datetime import date

    day = None
    if since is not None:
        try:
            day = date.fromisoformat(since)
        except ValueError as error:
            typer.echo("Not exported: --since must be a date like 2025-04-01.", err=True)
            raise typer.Exit(2) from error
    _django()
    _migrate()
    from django.core.exceptions import PermissionDenied
    from django.core.management.base import CommandError

    from paramount.casework.management.commands.casework_import import resolve_force
    from paramount.casework.services.verdicts import export_verdicts as export

    user = _as_user(as_user, "Not exported")
    try:
        # The signed-in user's force unless --force names one (refused if not theirs).
        target = user.force if user and user.force and not force else resolve_force(force)
    except CommandError as error:
        typer.echo(f"Not exported: {error}", err=True)
        raise typer.Exit(2) from error
    partial = file.with_name(f".{file.name}.partial")
    try:
        with partial.open("w", newline="", encoding="utf-8") as out:
            result = export(out, force=target, user=user, since=day, destination=file.name)
    except PermissionDenied as error:
        partial.unlink(missing_ok=True)
        typer.echo(f"Not exported: {error}", err=True)
        raise typer.Exit(2) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(file)
    typer.echo(f"Wrote {result.summary()} of force {target.code} to {file}.")


@casework_app.command("export-evaluation")
def export_evaluation(
    out: Annotated[
        Path,
        typer.Option("--out", help="Where to write the extract (CSV); its data dictionary is "
                     "written beside it as NAME-dictionary.md."),
    ],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="An earlier evaluation's key file: the same pseudonyms "
                     "as its extracts."),
    ] = None,
    key_out: Annotated[
        Path | None,
        typer.Option("--key-out", help="Start a new evaluation: write its new key here (kept "
                     "by the force, never sent with the extract)."),
    ] = None,
    force: Annotated[
        str | None, typer.Option(help="Force code (default: the only force there is).")
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Username of the evaluator taking it (their force); "
                     "without it, the deployer, audited as 'cli'."),
    ] = None,
) -> None:
    """Write the evaluators' extract: one row per child per case, keyed pseudonyms, bands and
    months, k-anonymous (k = 5) on its quasi-identifiers, with a data dictionary. Audited
    as a disclosure; prints counts only."""
    if (key is None) == (key_out is None):
        typer.echo("Not exported: give --key-out FILE for a new evaluation, or --key FILE to "
                   "repeat one.", err=True)
        raise typer.Exit(2)
    if key_out is not None and key_out.exists():
        typer.echo(f"Not exported: {key_out} exists; a key file is never overwritten.",
                   err=True)
        raise typer.Exit(2)
    _django()
    _migrate()
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.core.management.base import CommandError

    from paramount.casework.management.commands.casework_import import resolve_force
    from paramount.casework.services import evaluation_extract as ev

    user = _as_user(as_user, "Not exported")
    try:
        target = user.force if user and user.force and not force else resolve_force(force)
        secret = ev.read_key_file(key, target) if key is not None else ev.new_key()
    except (CommandError, ValidationError) as error:
        message = "; ".join(getattr(error, "messages", [str(error)]))
        typer.echo(f"Not exported: {message}", err=True)
        raise typer.Exit(2) from error
    dictionary = out.with_name(f"{out.stem}-dictionary.md")
    partials = [p.with_name(f".{p.name}.partial") for p in (out, dictionary)]
    # The key first (never over a file), so no extract exists whose key was not kept.
    written_key = key_out is not None and bool(ev.write_key_file(key_out, secret, target))

    def undo() -> None:
        for partial in partials:
            partial.unlink(missing_ok=True)
        if written_key and key_out is not None:
            key_out.unlink(missing_ok=True)

    try:
        with partials[0].open("w", newline="", encoding="utf-8") as rows, partials[1].open(
            "w", encoding="utf-8"
        ) as words:
            result = ev.export_evaluation(rows, words, force=target, key=secret, user=user,
                                          destination=out.name)
    except PermissionDenied as error:
        undo()
        typer.echo(f"Not exported: {error}", err=True)
        raise typer.Exit(2) from error
    except BaseException:
        undo()
        raise
    partials[0].replace(out)
    partials[1].replace(dictionary)
    typer.echo(f"Wrote {result.summary()} of force {target.code} to {out}, its dictionary to "
               f"{dictionary}" + (f", and the key to {key_out}: keep it with the force." if
                                  key_out else "."))


@casework_app.command()
def retention(
    dispose: Annotated[
        bool, typer.Option(help="Dispose of closed cases past their review date.")
    ] = False,
) -> None:
    """List retention reviews due; with --dispose, erase closed cases past retention."""
    _django()
    from django.core.management import call_command

    call_command("casework_retention", *(["--dispose"] if dispose else []))


@casework_app.command("demo-users")
def demo_users(
    force: Annotated[str, typer.Option(help="Demo force code.")] = "DEMO",
) -> None:
    """Create a demo account per role with known passwords (PARAMOUNT_DEMO=1 only)."""
    _django()
    _migrate()
    from django.core.management import call_command

    call_command("casework_demo_users", "--force", force)


@casework_app.command("demo-progress")
def demo_progress(
    seed: Annotated[int, typer.Option(help="Seed for which cases reach which stage.")] = 7,
    force: Annotated[str, typer.Option(help="Demo force code.")] = "DEMO",
    judged: Annotated[
        Path | None,
        typer.Option(help="A run folder holding children.csv and judged.csv (`paramount "
                     "evaluate --verdicts RUN/judged.csv`): checkers record the truth's "
                     "verdicts."),
    ] = None,
) -> None:
    """Walk a share of the demo's new cases through the workflow as the demo users, so the
    dashboard has figures (PARAMOUNT_DEMO=1 only; run demo-users and import first)."""
    _django()
    _migrate()
    from django.core.exceptions import ImproperlyConfigured

    from paramount.casework.services.demo import STOPS, judged_rows, progress_demo_cases

    try:
        truth = judged_rows(judged) if judged else None
        result = progress_demo_cases(force_code=force, seed=seed, judged=truth)
    except ImproperlyConfigured as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    typer.echo(f"Demo casework (force {force}, seed {seed}): where the {result.cases} cases "
               "that were new now stand:")
    for _, stop in STOPS:
        typer.echo(f"  {stop:<18} {result.stopped_at.get(stop, 0)}")


@casework_app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def manage(ctx: typer.Context) -> None:
    """Django's manage.py for casework, e.g. `paramount casework manage migrate`."""
    from paramount.casework.manage import main

    main(list(ctx.args))


# Setting a force up and its accounts (`paramount casework force|user ...`).
from paramount.casework.cli_accounts import force_app, user_app  # noqa: E402

casework_app.add_typer(force_app, name="force")
casework_app.add_typer(user_app, name="user")


def _period(date_from: str, date_to: str, what: str):  # -> tuple[date, date]
    """--from and --to as days, the first not after the second; else the command ends."""
    from datetime import date

    try:
        start, end = date.fromisoformat(date_from), date.fromisoformat(date_to)
    except ValueError as error:
        typer.echo(f"{what}: --from and --to must be dates like 2025-04-01.", err=True)
        raise typer.Exit(2) from error
    if end < start:
        typer.echo(f"{what}: the period ends ({end}) before it starts ({start}).", err=True)
        raise typer.Exit(2)
    return start, end


def report(
    date_from: Annotated[
        str, typer.Option("--from", help="First reception day of the period (YYYY-MM-DD).")
    ],
    date_to: Annotated[
        str, typer.Option("--to", help="Last reception day of the period (YYYY-MM-DD).")
    ],
    out: Annotated[Path, typer.Option(help="Folder to write the report into.")],
    force: Annotated[
        str | None, typer.Option(help="Force code (default: the only force there is).")
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Username of the supervisor or analyst making it (their "
                     "force); without it, the force, audited as 'cli'."),
    ] = None,
) -> None:
    """Write the board report for a period (HTML and PDF): children identified by month and
    route, the funnel, days to first contact, outcomes, the original process's count and
    the checkers' measured precision. Counts under 5 are shown as "<5"."""
    start, end = _period(date_from, date_to, "Not made")
    _django()
    _migrate()
    from django.core.exceptions import PermissionDenied
    from django.core.management.base import CommandError

    from paramount.casework.board_report import write_board_report
    from paramount.casework.codes import AuditAction
    from paramount.casework.management.commands.casework_import import resolve_force
    from paramount.casework.selectors.board import board_figures, board_figures_for_force
    from paramount.casework.services.audit import CLI_ACTOR, audit

    user = _as_user(as_user, "Not made")
    try:
        if user is not None:
            if force and (user.force is None or user.force.code != force):
                raise PermissionDenied(f"{as_user} is not of force {force}.")
            figures = board_figures(user, start, end)
        else:
            target = resolve_force(force)
            figures = board_figures_for_force(target, start, end)
            audit(None, AuditAction.VIEW, "report", object_ref="board_report",
                  detail={"from": start.isoformat(), "to": end.isoformat(),
                          "force": target.code}, system_name=CLI_ACTOR)
    except (CommandError, PermissionDenied) as error:
        typer.echo(f"Not made: {error}", err=True)
        raise typer.Exit(2) from error
    written = write_board_report(figures, out)
    typer.echo(f"Board report for {figures.force_code}, {start} to {end}:")
    typer.echo(f"  HTML: {written.html}")
    typer.echo(f"  PDF:  {written.pdf}")


@casework_app.command("national-figures")
def national_figures(
    date_from: Annotated[
        str, typer.Option("--from", help="First reception day (YYYY-MM-DD), a quarter's first.")
    ],
    date_to: Annotated[
        str, typer.Option("--to", help="Last reception day (YYYY-MM-DD), a quarter's last.")
    ],
    out: Annotated[Path, typer.Option(help="The CSV file to write.")],
    force: Annotated[
        str | None, typer.Option(help="Force code (default: the only force there is).")
    ] = None,
) -> None:
    """Write the force's quarterly national figures (receptions, parents and children found
    by parent's sex and child's age band; counts under 5 suppressed) for a national body to
    sum across forces; prints each quarter beside the Ministry of Justice's estimate."""
    start, end = _period(date_from, date_to, "Not written")
    _django()
    _migrate()
    import csv

    from django.core.management.base import CommandError

    from paramount.casework.codes import AuditAction
    from paramount.casework.management.commands.casework_import import resolve_force
    from paramount.casework.selectors import national_figures as nf
    from paramount.casework.services.audit import CLI_ACTOR, audit

    try:
        target = resolve_force(force)
    except CommandError as error:
        typer.echo(f"Not written: {error}", err=True)
        raise typer.Exit(2) from error
    rows, summaries = nf.quarterly_figures(target, start, end)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(nf.COLUMNS)
        writer.writerows(r.as_csv() for r in rows)
    audit(None, AuditAction.EXPORT, "report", object_ref="national_figures",
          detail={"from": start.isoformat(), "to": end.isoformat(), "force": target.code,
                  "rows": len(rows)}, system_name=CLI_ACTOR)
    moj = nf.MOJ_CHILDREN / nf.MOJ_PARENTS
    typer.echo(f"National figures for {target.code} written to {out} ({len(rows)} rows).")
    typer.echo("quarter   days   receptions  parents  children  per 100 receptions  per parent")
    for s in summaries:
        days = f"{s.days_covered}/{s.days_in_quarter}"
        per_100 = "-" if s.per_100_receptions is None else f"{s.per_100_receptions:.1f}"
        per_parent = "-" if s.children_per_parent is None else f"{s.children_per_parent:.2f}"
        typer.echo(f"{s.quarter}  {days:>6}  {s.receptions:>10}  {s.parents_found:>7}  "
                   f"{s.children_found:>8}  {per_100:>18}  {per_parent:>10}")
    typer.echo(f"Ministry of Justice, July 2024: {nf.MOJ_CHILDREN:,} children of "
               f"{nf.MOJ_PARENTS:,} parents in prison, {moj:.2f} children per parent.")
