"""The `paramount` command line: one sub-command per job an analyst runs.

Thin by design: each command parses its options, opens progress bars, calls the library
(`paramount.synth`, `paramount.loading`, `paramount.engine`, `paramount.outputs`,
`paramount.evaluation`) and says where the results are. No personal data is printed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from paramount import __version__

if TYPE_CHECKING:  # the commands import what they run, so `paramount --help` stays quick
    from paramount.db import Backend
    from paramount.loading import LoadReport
    from paramount.privacy import PartnerKey
    from paramount.verdicts import VerdictKnowledge

MEMORY_LIMIT_OPTION = typer.Option(
    help="What the database may hold in memory (such as 4GB); beyond it, work spills to a "
    "folder beside the database and identity resolution scores in pieces (default: half the "
    "machine's memory)."
)


ENGINE_OPTION = typer.Option(
    help="duckdb (one machine: the default) or spark (PySpark, pip install "
    "'paramount[spark]'; the same pipeline, the same outputs, local mode or a cluster)."
)
SPARK_MASTER_OPTION = typer.Option(
    help="With --engine spark: the Spark master, local[*] (every core here: the default) or "
    "a cluster's URL (spark://host:7077, yarn)."
)


PARTNER_KEY_OPTION = typer.Option(
    "--partner-key",
    help="The key file the local authority encoded its partner data with (paramount partner "
    "keygen): the police side is encoded with it and partner persons linked on the "
    "encodings. Needed when the extract's partner data is encoded; with clear partner data, "
    "links on encodings all the same.",
)


def _check_engine(engine: str) -> None:
    from paramount.db import ENGINES

    if engine not in ENGINES:
        raise typer.BadParameter(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")


@contextmanager
def _engine_refused() -> Iterator[None]:
    """An engine that is not installed stops the command with how to install it."""
    from paramount.db import EngineUnavailable

    try:
        yield
    except EngineUnavailable as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


def _check_memory_limit(limit: str | None) -> None:
    from paramount.db import check_memory_limit

    if limit is not None:
        try:
            check_memory_limit(limit)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from error


app = typer.Typer(
    name="paramount",
    help=(
        "Find the children affected by a parent's or carer's imprisonment, from a police "
        "force's extract, so their families can be offered support."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console(stderr=True)
out = Console(soft_wrap=True)

DATE_FORMATS = ["%Y-%m-%d"]


def _day(value: datetime) -> date:
    return value.date()


def _version(value: bool) -> None:
    if value:
        out.print(f"paramount {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Paramount: identification, scoring and (later) casework for children of prisoners."""


@app.command()
def synth(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write extract/ and truth/ into.")
    ],
    population: Annotated[int, typer.Option(help="Residents of the synthetic force.")] = 100_000,
    seed: Annotated[
        int | None,
        typer.Option(help="Random seed: the same seed gives the same force (default 1, or K)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    extract_date: Annotated[
        datetime | None,
        typer.Option(
            "--extract-date",
            formats=DATE_FORMATS,
            help="The day the extract is taken; its records end there (default 2026-01-31).",
        ),
    ] = None,
    world: Annotated[
        int | None,
        typer.Option(
            help="World K: the force's recording habits drawn from the ranges of "
            "paramount/synth/worlds.py (1-20 for development, 101 and above for reports)."
        ),
    ] = None,
    forces: Annotated[
        int | None,
        typer.Option(
            help="A synthetic country of N neighbouring forces (1-9) of about --population "
            "residents each, one prison system, families across force borders: "
            "OUT/F1..FN/extract, truth and truth-national, and OUT/truth (the national truth)."
        ),
    ] = None,
    near_share: Annotated[
        float,
        typer.Option(
            help="With --forces: the share of separated parents who live in their children's "
            "LPA (0: anywhere in the country, so about a third of the children of prisoners "
            "live in another force; 0.7: about a tenth)."
        ),
    ] = 0.0,
) -> None:
    """Generate a synthetic force (or, with --forces, a country of several): an extract per
    the data contract and its ground truth."""
    from paramount.progress import RichReporter
    from paramount.synth import DEFAULT_EXTRACT_DATE, DEFAULT_PARAMS, generate_force
    from paramount.synth.worlds import sample_world

    params = DEFAULT_PARAMS if world is None else sample_world(world)
    if seed is None:
        seed = 1 if world is None else world

    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter("--format must be csv or parquet")
    started = time.perf_counter()
    if forces is not None:
        from paramount.synth.country import generate_country

        with RichReporter() as reporter:
            country = generate_country(
                forces,
                population,
                seed,
                out_dir,
                fmt=fmt,
                reporter=reporter,
                extract_date=_day(extract_date) if extract_date else DEFAULT_EXTRACT_DATE,
                params=params,
                world=world,
                near_share=near_share,
            )
        out.print(country.render())
        out.print(
            f"Wrote {', '.join(str(out_dir / code) for code in country.forces)} and "
            f"{out_dir / 'truth'} in {time.perf_counter() - started:.1f} s."
        )
        return
    with RichReporter() as reporter:
        summary = generate_force(
            population,
            seed,
            out_dir,
            fmt=fmt,
            reporter=reporter,
            extract_date=_day(extract_date) if extract_date else DEFAULT_EXTRACT_DATE,
            params=params,
            world=world,
        )
    out.print(summary.render())
    out.print(
        f"Wrote {out_dir / 'extract'} and {out_dir / 'truth'} "
        f"in {time.perf_counter() - started:.1f} s."
    )


@app.command()
def validate(
    extract: Annotated[Path, typer.Argument(help="The extract folder (one file a table).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Where the quarantine files go.")],
    mapping: Annotated[
        Path | None, typer.Option(help="A per-force mapping file (TOML) onto the contract.")
    ] = None,
) -> None:
    """Load and validate an extract against the contract, without identifying."""
    from paramount.db import DuckDBBackend

    with DuckDBBackend.open() as db:
        report = _load(extract, out_dir, mapping, db)
    _print_load(report)


@app.command()
def identify(
    window_from: Annotated[
        datetime, typer.Option("--from", formats=DATE_FORMATS, help="First reception day.")
    ],
    window_to: Annotated[
        datetime, typer.Option("--to", formats=DATE_FORMATS, help="Last reception day.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the run's outputs.")],
    extract: Annotated[
        Path | None,
        typer.Argument(help="The extract folder (one file a table); or give --force instead."),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            help="full (every route, probabilistic identity: the best), routes-exact (every "
            "route, exact identity) or baseline (the original process: PNC/CRO and recorded "
            "links, the ruler)."
        ),
    ] = "full",
    mapping: Annotated[
        Path | None, typer.Option(help="A per-force mapping file (TOML) onto the contract.")
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            help="A per-force database (a DuckDB file; a folder with --engine spark), kept "
            "between runs: an extract it already holds "
            "is not loaded again (default: a fresh OUT/paramount.duckdb)."
        ),
    ] = None,
    verdicts: Annotated[
        list[Path] | None,
        typer.Option(
            "--verdicts",
            help="The force's checkers' verdicts.csv (repeatable, or a folder of them): "
            "rejected pairs are not listed again, duplicates are merged, the confidence is "
            "recalibrated on them, and the earlier lists' measured precision is reported.",
        ),
    ] = None,
    memory_limit: Annotated[str | None, MEMORY_LIMIT_OPTION] = None,
    relearn: Annotated[
        bool,
        typer.Option(
            "--relearn",
            help="Learn the decision model from the whole force afresh, even when the one "
            "kept on --db by an earlier run still applies (same extract and resolution, "
            "window within a month of the one it was learnt for).",
        ),
    ] = False,
    engine: Annotated[str, ENGINE_OPTION] = "duckdb",
    spark_master: Annotated[str | None, SPARK_MASTER_OPTION] = None,
    force: Annotated[
        list[str] | None,
        typer.Option(
            "--force",
            help="CODE=EXTRACT, repeatable: a national run over several forces' extracts at "
            "once (identity resolved across forces; the prison side taken once). Each force "
            "gets OUT/CODE/ (children.csv, worklist.xlsx, manifest.json) listing the children "
            "who live in its area, in its own ids, with child_force and prisoner_force; "
            "OUT/national/ holds the national run.",
        ),
    ] = None,
    partner_key: Annotated[Path | None, PARTNER_KEY_OPTION] = None,
) -> None:
    """Identify the children of prisoners received in a window; write the worklist."""
    from paramount.engine import METHODS
    from paramount.progress import RichReporter
    from paramount.run import identify_extract

    if force:
        if partner_key is not None:
            raise typer.BadParameter("--partner-key is for one force's extract, not --force")
        if extract is not None or mapping or db or verdicts:
            raise typer.BadParameter(
                "--force runs over several extracts: give no EXTRACT, --mapping, --db or "
                "--verdicts with it"
            )
        _identify_national(
            force, window_from, window_to, out_dir, method, memory_limit, engine, spark_master
        )
        return
    if extract is None:
        raise typer.BadParameter("give the extract folder, or --force CODE=EXTRACT")
    if method not in METHODS:
        raise typer.BadParameter(f"unknown method {method!r}; choose from {sorted(METHODS)}")
    start, end = _day(window_from), _day(window_to)
    if end < start:
        raise typer.BadParameter("--to is before --from")
    for path in verdicts or []:
        if not path.exists():
            raise typer.BadParameter(f"no such verdicts file or folder: {path}")
    _check_memory_limit(memory_limit)
    _check_engine(engine)
    with _key_refused():
        key = _read_key(partner_key)
    with (
        _engine_refused(),
        _contract_refused(),
        _untrainable_refused(),
        _key_refused(),
        RichReporter() as reporter,
    ):
        run = identify_extract(
            extract,
            out_dir,
            date_from=start,
            date_to=end,
            method=method,
            mapping=mapping,
            db=db,
            reporter=reporter,
            verdicts=verdicts or [],
            memory_limit=memory_limit,
            relearn=relearn,
            engine=engine,
            spark_master=spark_master,
            partner_key=key,
        )
    _print_load(run.load)
    counts = run.counts
    out.print(
        f"[bold]{counts['children']:,}[/bold] children found for receptions "
        f"{start} to {end} (method {method})."
    )
    out.print(
        f"  worklist:  {run.worklist}\n  children:  {run.children_csv}\n  manifest:  {run.manifest}"
    )
    if run.review_csv:
        out.print(f"  review:    {run.review_csv} ({counts['review']:,} uncertain, for an analyst)")
    if run.identity_review_csv:
        out.print(
            f"  identity:  {run.identity_review_csv} ({counts['identity_review']:,} uncertain "
            "identity matches touching these families)"
        )
    model = run.identification.model
    if model and model["model"] == "reused":
        learnt = model["learnt_by"]
        where = f" ({learnt['run']})" if learnt["run"] else ""
        out.print(
            f"  model:     reused, learnt {model['learnt_at']} by the run of "
            f"{learnt['window_from']} to {learnt['window_to']}{where} (--relearn: learn afresh)"
        )
    if run.verdicts is not None:
        _print_verdicts(run.verdicts, run.out_dir)


def _identify_national(
    force: list[str],
    window_from: datetime,
    window_to: datetime,
    out_dir: Path,
    method: str,
    memory_limit: str | None,
    engine: str,
    spark_master: str | None,
) -> None:
    """`identify --force A=... --force B=...`: one run over several forces' extracts."""
    from paramount.engine import METHODS
    from paramount.progress import RichReporter
    from paramount.run import identify_national

    if method not in METHODS:
        raise typer.BadParameter(f"unknown method {method!r}; choose from {sorted(METHODS)}")
    forces: dict[str, Path] = {}
    for item in force:
        code, sep, folder = item.partition("=")
        if not sep or not code or not folder:
            raise typer.BadParameter(f"--force {item!r}: write it CODE=EXTRACT_FOLDER")
        if code in forces:
            raise typer.BadParameter(f"--force {code} given twice")
        forces[code] = Path(folder)
    start, end = _day(window_from), _day(window_to)
    if end < start:
        raise typer.BadParameter("--to is before --from")
    _check_memory_limit(memory_limit)
    _check_engine(engine)
    with (
        _engine_refused(),
        _contract_refused(),
        _untrainable_refused(),
        RichReporter() as reporter,
    ):
        run = identify_national(
            forces,
            out_dir,
            date_from=start,
            date_to=end,
            method=method,
            reporter=reporter,
            memory_limit=memory_limit,
            engine=engine,
            spark_master=spark_master,
        )
    _print_load(run.national.load)
    out.print(
        f"National run over {len(forces)} forces: [bold]{run.national.counts['children']:,}"
        f"[/bold] children found for receptions {start} to {end} (method {method}); "
        f"national outputs in {run.national.out_dir}."
    )
    table = Table(title="Each force's list: the children who live in its area")
    for column in ("force", "children", "prisoner in another force", "worklist"):
        table.add_column(column, justify="right" if column != "worklist" else "left")
    for code, result in run.forces.items():
        table.add_row(
            code, f"{result.children:,}", f"{result.from_other_forces:,}", str(result.worklist)
        )
    out.print(table)


def _print_verdicts(knowledge: VerdictKnowledge, out_dir: Path) -> None:
    """What the verdicts taught the run, and the earlier lists' honesty as a table."""
    summary = knowledge.to_dict()
    out.print(
        f"Verdicts: {summary['rows_read']:,} rows read, {summary['rows_matched']:,} matched, "
        f"{summary['labels_used']:,} used as labels, {summary['pairs_held']:,} rejected pairs "
        f"held; {summary['rows_set_aside']:,} rows and {len(summary['files_set_aside'])} "
        f"files set aside (see {out_dir / 'verdicts' / 'problems.csv'})."
    )
    if knowledge.honesty:
        table = Table(title="Earlier lists: the confidence stated and the share checkers confirmed")
        for column in ("confidence band", "rows", "stated", "measured", "95% interval"):
            table.add_column(column, justify="right")
        for b in knowledge.honesty:
            low, high = b["interval"]
            table.add_row(
                b["band"],
                f"{b['rows']:,}",
                f"{b['stated']:.3f}",
                f"{b['measured']:.3f}",
                f"{low:.2f} to {high:.2f}",
            )
        out.print(table)


@app.command()
def resolve(
    extract: Annotated[Path, typer.Argument(help="The extract folder (one file a table).")],
    db: Annotated[
        Path,
        typer.Option(
            help="The force's database to load and resolve into (a DuckDB file, or a folder "
            "with --engine spark)."
        ),
    ],
    mapping: Annotated[
        Path | None, typer.Option(help="A per-force mapping file (TOML) onto the contract.")
    ] = None,
    models: Annotated[
        Path | None,
        typer.Option(help="Folder of saved identity models (default: DB.models beside it)."),
    ] = None,
    retrain: Annotated[
        bool, typer.Option("--retrain", help="Train the models again even if saved ones exist.")
    ] = False,
    memory_limit: Annotated[str | None, MEMORY_LIMIT_OPTION] = None,
    engine: Annotated[str, ENGINE_OPTION] = "duckdb",
    spark_master: Annotated[str | None, SPARK_MASTER_OPTION] = None,
    partner_key: Annotated[Path | None, PARTNER_KEY_OPTION] = None,
) -> None:
    """Resolve identities across police, prison and social-care records; later runs reuse it."""
    from paramount.db import open_backend
    from paramount.linkage import resolve as run_resolve
    from paramount.progress import RichReporter

    _check_memory_limit(memory_limit)
    _check_engine(engine)
    db.parent.mkdir(parents=True, exist_ok=True)
    models_dir = models or db.with_name(db.name + ".models")
    with _key_refused():
        key = _read_key(partner_key)
    with (
        _engine_refused(),
        open_backend(engine, db, memory_limit=memory_limit, spark_master=spark_master) as database,
    ):
        load = _load(extract, db.parent, mapping, database)
        _print_load(load)
        with _untrainable_refused(), _key_refused(), RichReporter() as reporter:
            report = run_resolve(
                database,
                models_dir=models_dir,
                reporter=reporter,
                retrain=retrain,
                partner_key=key,
            )
    out.print(report.render())
    out.print(f"Resolution written to {db}; models in {models_dir}.")


@app.command()
def evaluate(
    children: Annotated[Path, typer.Argument(help="A children.csv from `paramount identify`.")],
    truth: Annotated[Path, typer.Option(help="The truth/ folder of a synthetic extract.")],
    window_from: Annotated[
        datetime, typer.Option("--from", formats=DATE_FORMATS, help="First reception day.")
    ],
    window_to: Annotated[
        datetime, typer.Option("--to", formats=DATE_FORMATS, help="Last reception day.")
    ],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the scores as JSON here.")
    ] = None,
    extract: Annotated[
        Path | None,
        typer.Option(help="The extract folder (default: beside truth/), for contact rows."),
    ] = None,
    verdicts: Annotated[
        Path | None,
        typer.Option(help="Also write each row's verdict, and each missed child, to this CSV."),
    ] = None,
) -> None:
    """Score a list of children against a synthetic extract's ground truth."""
    from paramount.evaluation import evaluate as score
    from paramount.evaluation import render, render_reliability

    scores = score(
        children,
        truth,
        _day(window_from),
        _day(window_to),
        extract_dir=extract,
        verdicts_csv=verdicts,
    )
    out.print(render(scores))
    if len(scores.reliability) > 1:
        out.print(render_reliability(scores))
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(scores.to_json())
        out.print(f"Scores written to {json_out}")


@contextmanager
def _untrainable_refused() -> Iterator[None]:
    """An extract too small to train the identity models: a plain message and exit 2."""
    from paramount.linkage import TooFewRecordsToTrain

    try:
        yield
    except TooFewRecordsToTrain as error:
        console.print(f"[red]Cannot resolve identities:[/red] {error}")
        raise typer.Exit(code=2) from error


@contextmanager
def _contract_refused() -> Iterator[None]:
    """An extract that does not meet the contract: a plain message and exit 2."""
    from paramount.loading import ContractError

    try:
        yield
    except ContractError as error:
        console.print(f"[red]Extract does not meet the contract:[/red] {error}")
        raise typer.Exit(code=2) from error


@contextmanager
def _key_refused() -> Iterator[None]:
    """A partner key missing, unreadable, open to others or not the one the data was encoded
    with: a plain message (naming the file, never the key) and exit 2."""
    from paramount.privacy import PartnerKeyError

    try:
        yield
    except PartnerKeyError as error:
        console.print(f"[red]Partner key refused:[/red] {error}")
        raise typer.Exit(code=2) from error


def _read_key(path: Path | None) -> PartnerKey | None:
    from paramount.privacy import read_key_file

    return None if path is None else read_key_file(path)


def _load(extract: Path, out_dir: Path, mapping: Path | None, db: Backend) -> LoadReport:
    from paramount.loading import load_extract
    from paramount.progress import RichReporter

    with _contract_refused(), RichReporter() as reporter:
        return load_extract(
            extract, db, mapping=mapping, quarantine_dir=out_dir / "quarantine", reporter=reporter
        )


def _print_load(report: LoadReport) -> None:
    totals = report.to_dict()["totals"]
    if report.reused:
        out.print("The database already holds this extract (same files): load reused.")
    out.print(
        f"Loaded {totals['loaded']:,} of {totals['rows_read']:,} rows; "
        f"{totals['rejected']:,} rejected, {totals['warnings']:,} warnings "
        f"(see quarantine/). Counts reconcile: {'yes' if report.reconciles else 'NO'}."
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo_logins: Annotated[
        bool, typer.Option(help="Print the demo accounts (PARAMOUNT_DEMO=1 only).")
    ] = False,
) -> None:
    """Run the casework application (threaded; migrates first; no query strings in its log).
    In production run `gunicorn -c python:paramount.casework.gunicorn_conf` behind a TLS
    proxy instead (docs/deploy.md)."""
    import os

    os.environ.setdefault("PARAMOUNT_BASE_URL", f"http://{host}:{port}")
    from paramount.casework.bootstrap import setup_django

    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application

    from paramount.casework.accesslog import install_on_development_server

    call_command("migrate", interactive=False, verbosity=0)
    install_on_development_server()
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    address = f"http://{host}:{port}/"
    out.print(f"Paramount casework at [bold]{address}[/bold]  (Ctrl-C to stop)")
    if demo_logins and settings.DEMO:
        from paramount.casework.models import User
        from paramount.casework.services.users import demo_password

        out.print("Demo logins (synthetic data; no second factor in the demo):")
        for user in User.objects.filter(is_active=True).order_by("role", "username"):
            out.print(f"  {user.role_label:<34} {user.username:<11} {demo_password(user.username)}")
    try:
        run(host, port, get_wsgi_application(), threading=True, server_cls=WSGIServer)
    except KeyboardInterrupt:
        out.print("Stopped.")


@app.command("run")
def run_command(
    config: Annotated[Path, typer.Option("--config", help="The force's daily-run TOML file.")],
    window_from: Annotated[
        datetime | None,
        typer.Option("--from", formats=DATE_FORMATS, help="First reception day (override)."),
    ] = None,
    window_to: Annotated[
        datetime | None,
        typer.Option("--to", formats=DATE_FORMATS, help="Last reception day (override)."),
    ] = None,
    run_date: Annotated[
        datetime | None,
        typer.Option("--date", formats=DATE_FORMATS, help="Run as on this day (default today)."),
    ] = None,
) -> None:
    """A force's daily run: load, identify (default: yesterday's receptions), import into
    casework, email the supervisors; safe to run again. See docs/daily-run.md."""
    from rich.markup import escape

    from paramount.operations.daily_run import (
        ConfigError,
        DailyRunConfig,
        DailyRunError,
        RunLocked,
        run_daily,
    )

    try:
        settings = DailyRunConfig.from_toml(config)
        result = run_daily(
            settings,
            run_date=_day(run_date) if run_date else None,
            window_from=_day(window_from) if window_from else None,
            window_to=_day(window_to) if window_to else None,
        )
    except ConfigError as error:
        console.print(f"[red]Bad config:[/red] {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(code=2) from error
    except RunLocked as error:
        console.print(f"[red]Not run:[/red] {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(code=75) from error
    except DailyRunError as error:
        console.print(f"[red]Not run:[/red] {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(code=2) from error
    record = result.record
    window = f"{result.window_from} to {result.window_to}"
    if not result.ok:
        failure = record["error"]
        told = "analysts emailed" if record.get("analysts_told") else "analysts NOT emailed"
        console.print(
            f"[red]Run failed[/red] at {failure['step']} ({window}): "
            + escape(f"{failure['type']}: {failure['message']} ({told}); manifest: ")
            + escape(str(result.folder / "manifest.json")),
            soft_wrap=True,
        )
        raise typer.Exit(code=1)
    imported = record["import"]
    again = " (imported before: nothing duplicated)" if imported["already_imported"] else ""
    out.print(
        f"Run for {settings.force}, receptions {window}: {imported['counts'].get('rows', 0)} "
        f"rows imported{again}, {imported['new_cases']} new cases, "
        f"{imported['supervisors_emailed']} supervisors emailed."
    )
    out.print(f"  outputs and manifest: {result.folder}")


partner_app = typer.Typer(
    help="The local authority's side of linkage without names: a shared key, and its partner "
    "tables encoded with it (docs/partner-encoding.md).",
    no_args_is_help=True,
)
app.add_typer(partner_app, name="partner")


@partner_app.command("keygen")
def partner_keygen(
    key_out: Annotated[
        Path, typer.Option("--out", help="The key file to make (never overwritten).")
    ],
) -> None:
    """Make a new random key file (mode 0600) to share between the local authority and the
    force only, by a route the two agree; never with the encoded files."""
    from paramount.privacy import make_key_file

    with _key_refused():
        key = make_key_file(key_out)
    out.print(f"Key written to {key_out} (readable by you alone); fingerprint {key.fingerprint}.")


@partner_app.command("encode")
def partner_encode(
    partner_dir: Annotated[
        Path,
        typer.Argument(
            help="The folder of partner_persons, partner_relationships and "
            "partner_involvement (the data contract's partner tables)."
        ),
    ],
    key_file: Annotated[Path, typer.Option("--key", help="The shared key file.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the encoded tables.")],
    mapping: Annotated[
        Path | None, typer.Option(help="A mapping file (TOML) onto the contract's tables.")
    ] = None,
) -> None:
    """Encode the partner tables for the force: names as a keyed Bloom-filter encoding, date
    of birth and postcode as keyed hashes, workers' names and emails left out."""
    from paramount.linkage import encode_partner_folder
    from paramount.privacy import read_key_file

    if not partner_dir.is_dir():
        raise typer.BadParameter(f"no such folder: {partner_dir}")
    with _key_refused():
        key = read_key_file(key_file)
    with _contract_refused():
        report = encode_partner_folder(partner_dir, out_dir, key, mapping=mapping)
    rows = ", ".join(f"{n:,} {t}" for t, n in report.rows.items())
    out.print(f"Encoded {rows}; {report.rejected:,} rows set aside by the contract's rules.")
    out.print(f"Written to {out_dir}: copy the whole folder into the force's extract.")


def _add_casework() -> None:
    """`paramount casework ...` and `paramount report` (owned by paramount/casework/cli.py)."""
    from paramount.casework.cli import casework_app, report

    app.add_typer(casework_app, name="casework")
    app.command("report")(report)


_add_casework()


if __name__ == "__main__":
    app()
