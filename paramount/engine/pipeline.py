"""A method is a pipeline of named SQL steps; the runner materialises each as a table.

Like Splink's `CTEPipeline`, a step is SQL plus the name of what it produces, and later steps
read earlier ones by that name. Unlike it, every step is materialised: the intermediate
tables are what an analyst inspects when a child is missing, and their row counts and timings
go into the run manifest.

A step marked `window_free` builds force-wide evidence that does not depend on the window
(every shared home, every recorded link). On a force database kept between runs (`--db`),
its table is kept too: it is rebuilt only when its key changes, the key being its SQL and
the fingerprints of the stored load and identity resolution (`INPUT_FINGERPRINTS`), so a
daily or monthly run pays only for what its window changes. Such a step may read only the
extract, procedure steps' tables and other window-free steps (`Pipeline.check`).

A step may also have a part in the decision model that a run learns from the whole force
(`Step.model`): the model's own tables (`LEARNT`: EM's parameters, the shares) are kept on the
force database after a run that learns them, and a later run whose inputs are the same reuses
them (`engine/model_store.py`): it copies them back, skips the steps that only fit them
(`FITTING`) and builds the force-wide steps (`SCOPED`) for its own candidates' children only.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp

from paramount.contract.tables import EXTRACT_TABLES
from paramount.db.backend import Backend
from paramount.engine.settings import DEFAULT_DECISION, DecisionSettings
from paramount.engine.sql import DUCKDB
from paramount.progress import Reporter, SilentReporter

if TYPE_CHECKING:
    from paramount.engine.decision.correction import Correction
    from paramount.engine.model_store import ModelStore
    from paramount.privacy import PartnerKey


# The input table a run with verdicts reads (made by `paramount.verdicts`): one row per
# (prisoner, child) a checker rejected.
VERDICTS_HELD = "verdicts_held"


@dataclass(frozen=True)
class RunParameters:
    """What a run is asked: the window of receptions (inclusive), the method and the decision
    model's settings (used by methods with a decision step; recorded for every run)."""

    window_from: date
    window_to: date
    method: str = "baseline"
    table_prefix: str = "pm_"
    decision: DecisionSettings = DEFAULT_DECISION
    # The force's checkers' verdicts, fitted (None: a run without verdicts). With them the
    # pipeline gains `verdict_decided` and reads the input table `verdicts_held`.
    verdicts: Correction | None = None
    # Set by the runner when the decision model kept on the force database is reused: the
    # `SCOPED` steps then build rows only for the window's candidates' children.
    model_reused: bool = False
    # The key partner data was encoded with (`paramount.privacy`), for identity resolution
    # to encode the police side with; never shown (`repr`) nor compared, never written.
    partner_key: PartnerKey | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.window_from > self.window_to:
            raise ValueError(f"window starts ({self.window_from}) after it ends ({self.window_to})")

    def table(self, step_name: str) -> str:
        """Physical name of a step's output table: steps read each other through this."""
        return f"{self.table_prefix}{step_name}"


# A step's part in the decision model learnt from the whole force (`Step.model`).
SCOPED = "scoped"  # force-wide rows; the window's candidates' children only when reused
LEARNT = "learnt"  # a table of the learnt model: kept, and copied back when reused
FITTING = "fitting"  # needed only to learn the model: not run when it is reused
MODEL_ROLES = ("", SCOPED, LEARNT, FITTING)


@dataclass(frozen=True)
class Step:
    """One named unit of the engine: SQL (DuckDB dialect) built from the run's parameters."""

    name: str
    description: str
    sql: Callable[[RunParameters], str]
    output: str | None = None  # output table's step name, if not the step's own name
    window_free: bool = False  # its SQL ignores the window: kept between runs (see above)
    model: str = ""  # its part in the learnt decision model: SCOPED, LEARNT, FITTING or none

    def __post_init__(self) -> None:
        if self.model not in MODEL_ROLES:
            raise ValueError(f"step {self.name!r}: model role {self.model!r} unknown")

    def output_table(self, params: RunParameters) -> str:
        return params.table(self.output or self.name)

    def reads(self, params: RunParameters) -> set[str]:
        """Tables the step's SQL reads (its own CTEs excluded), found by parsing it (once per
        shape of SQL: see `sql_shape`)."""
        sql = self.sql(params)
        shape = sql_shape(sql)
        if shape not in _READS:
            tree = sqlglot.parse_one(sql, read=DUCKDB)
            ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
            _READS[shape] = frozenset({t.name for t in tree.find_all(exp.Table)} - ctes)
        return set(_READS[shape])


# The tables each shape of SQL reads. Parsing a method's SQL takes seconds, a day's run's
# largest fixed cost, and what a statement reads does not depend on its numbers or dates: a
# force database remembers them (`READS_STATE`, loaded and saved by `run_pipeline`).
_READS: dict[str, frozenset[str]] = {}
READS_STATE = "pm_step_reads"
_NUMBER = re.compile(r"\b\d+\b")


def sql_shape(sql: str) -> str:
    """The SQL with every number (a date's too) as 0, hashed: one key for every window's
    statement of a step. A number never names a table (`pm_em_05` has no word boundary
    before its digits)."""
    return hashlib.sha256(_NUMBER.sub("0", sql).encode()).hexdigest()


def _remember_reads(backend: Backend, save: bool) -> None:
    """Load the database's remembered reads into `_READS`, or save the new ones (`save`);
    only on a force database that holds a load (the others are thrown away)."""
    if not backend.table_exists(INPUT_FINGERPRINTS[0]):
        return
    stored = set()
    if backend.table_exists(READS_STATE):
        for row in backend.fetch_rows(f"SELECT shape, reads FROM {READS_STATE}"):
            stored.add(row["shape"])
            _READS.setdefault(row["shape"], frozenset(json.loads(row["reads"])))
    elif save:
        backend.execute(f"CREATE TABLE {READS_STATE} (shape VARCHAR, reads VARCHAR)")
    new = [(s, json.dumps(sorted(t))) for s, t in _READS.items() if s not in stored]
    if save and new:
        backend.executemany(f"INSERT INTO {READS_STATE} VALUES (?, ?)", new)


@dataclass(frozen=True)
class ProcedureStep:
    """A step that runs Python against the backend instead of one SQL statement.

    For work SQL alone cannot do, such as identity resolution with Splink: `run(backend,
    params, reporter)` makes the tables it declares in `writes`, reading only those in
    `reads`, so `Pipeline.check()` still refuses a misordered method. `writes[0]` is the
    table counted in the manifest. The reporter is the run's, so a long procedure shows its
    own progress.
    """

    name: str
    description: str
    run: Callable[[Backend, RunParameters, Reporter], None]
    reads: frozenset[str]
    writes: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.writes:
            raise ValueError(f"procedure step {self.name!r} declares no table it writes")

    def output_table(self, params: RunParameters) -> str:
        return self.writes[0]

    def tables_read(self, params: RunParameters) -> set[str]:
        return set(self.reads)

    def tables_written(self, params: RunParameters) -> set[str]:
        return set(self.writes)


AnyStep = Step | ProcedureStep


def _reads(step: AnyStep, params: RunParameters) -> set[str]:
    return step.tables_read(params) if isinstance(step, ProcedureStep) else step.reads(params)


def _writes(step: AnyStep, params: RunParameters) -> set[str]:
    if isinstance(step, ProcedureStep):
        return step.tables_written(params)
    return {step.output_table(params)}


@dataclass(frozen=True)
class StepResult:
    """What the manifest records of a step."""

    name: str
    description: str
    table: str
    rows: int
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Pipeline:
    """Ordered steps; the last step's table is the method's result."""

    name: str
    steps: tuple[AnyStep, ...]
    description: str = ""

    def __post_init__(self) -> None:
        names = [s.name for s in self.steps]
        if not names:
            raise ValueError(f"pipeline {self.name!r} has no steps")
        if len(set(names)) != len(names):
            raise ValueError(f"pipeline {self.name!r} repeats a step name: {names}")

    @property
    def result_step(self) -> AnyStep:
        return self.steps[-1]

    def sql(self, params: RunParameters) -> dict[str, str]:
        """Each SQL step's SQL by step name, in order (for review, tests and transpiling);
        procedure steps have none."""
        return {s.name: s.sql(params) for s in self.steps if isinstance(s, Step)}

    def check(self, params: RunParameters, inputs: set[str]) -> None:
        """Refuse a pipeline whose step reads a table that is neither an input nor made by an
        earlier step (a misordered step would otherwise read a stale table of a past run), or
        writes a table an input or an earlier step already holds (it would replace it)."""
        available = set(inputs)
        window_free: set[str] = set()
        for step in self.steps:
            unknown = _reads(step, params) - available
            if unknown:
                raise ValueError(
                    f"step {step.name!r} of {self.name!r} reads {sorted(unknown)}, "
                    "which no earlier step makes and the extract does not hold"
                )
            if isinstance(step, Step) and step.window_free:
                window_bound = _reads(step, params) - set(inputs) - window_free
                if window_bound:
                    raise ValueError(
                        f"window-free step {step.name!r} of {self.name!r} reads "
                        f"{sorted(window_bound)}, which depend on the window"
                    )
            if isinstance(step, ProcedureStep) or step.window_free:
                window_free |= _writes(step, params)
            clash = _writes(step, params) & available
            if clash:
                raise ValueError(
                    f"step {step.name!r} of {self.name!r} writes {sorted(clash)}, "
                    "which an earlier step or the extract already holds"
                )
            available |= _writes(step, params)


def run_pipeline(
    pipeline: Pipeline,
    backend: Backend,
    params: RunParameters,
    reporter: Reporter | None = None,
    models: ModelStore | None = None,
) -> list[StepResult]:
    """Materialise every step in order, recording rows and seconds of each. With `models`,
    the decision model is reused from the force database when it still applies, and kept
    there when learnt (`engine/model_store.py`); without, it is learnt and not kept. A step
    not run (fitting a reused model) has no result."""
    reporter = reporter or SilentReporter()
    inputs = set(EXTRACT_TABLES) | ({VERDICTS_HELD} if params.verdicts is not None else set())
    _remember_reads(backend, save=False)
    pipeline.check(params, inputs)
    _remember_reads(backend, save=True)
    results: list[StepResult] = []
    kept: dict[str, str] = {}  # window-free table -> the key it was built or kept under
    decided = False  # whether `models` has said if the model is learnt or reused
    with reporter.task(f"Identifying children ({pipeline.name})", total=len(pipeline.steps)) as t:
        for step in pipeline.steps:
            role = step.model if isinstance(step, Step) else ""
            if role and models is not None and not decided:
                decided = True
                if models.plan(backend, pipeline, params, kept):
                    params = replace(params, model_reused=True)
            table = step.output_table(params)
            started = time.perf_counter()
            if params.model_reused and role == FITTING:
                backend.drop_table(table)  # no stale table of an earlier run left to read
                t.advance(1)
                continue
            if isinstance(step, ProcedureStep):
                step.run(backend, params, reporter)
            elif params.model_reused and role == LEARNT:
                assert models is not None  # reused only through a store
                models.restore(backend, step.name, table)
            elif step.window_free:
                kept[table] = _create_or_keep(backend, params, step, table, kept)
            else:
                backend.create_table(table, step.sql(params))
            rows = backend.count(table)
            seconds = time.perf_counter() - started
            results.append(StepResult(step.name, step.description, table, rows, round(seconds, 4)))
            t.advance(1)
    if models is not None and decided and not params.model_reused:
        models.keep(backend, pipeline, params)
    return results


# Tables whose rows say what a force database holds: the stored load
# (`paramount.loading.loader.STATE_TABLE`: its files' fingerprint and report) and the identity
# resolution (`paramount.linkage.fingerprint.INFO`: its inputs' fingerprint and when it ran,
# so a retrained resolution of the same extract counts as new).
INPUT_FINGERPRINTS = ("pm_load_state", "pm_resolution_info")
STEP_STATE = "pm_step_state"


def inputs_key(backend: Backend) -> str | None:
    """What the database holds, or None when it cannot say (no stored load: tables made by
    hand, as in tests), in which case nothing is kept."""
    if not backend.table_exists(INPUT_FINGERPRINTS[0]):
        return None
    parts = []
    for table in INPUT_FINGERPRINTS:
        if backend.table_exists(table):
            rows = backend.fetch_rows(f"SELECT * FROM {table}")
            parts.append(json.dumps(rows, sort_keys=True, default=str))
    return "\n".join(parts)


def _create_or_keep(
    backend: Backend, params: RunParameters, step: Step, table: str, kept: dict[str, str]
) -> str:
    """Build a window-free step's table unless the stored one was built from the same SQL, the
    same inputs and the same window-free tables before it (`kept`: their keys, so that a step
    whose SQL is unchanged, a union of routes' evidence, is rebuilt when a table it reads
    was); its key."""
    sql = step.sql(params)
    inputs = inputs_key(backend)
    upstream = "\n".join(f"{t}={kept[t]}" for t in sorted(step.reads(params)) if t in kept)
    key = hashlib.sha256(f"{params.method}\n{sql}\n{inputs}\n{upstream}".encode()).hexdigest()
    if inputs is None:
        backend.create_table(table, sql)
        return key
    if backend.table_exists(STEP_STATE) and backend.table_exists(table):
        stored = backend.fetch_rows(f"SELECT key FROM {STEP_STATE} WHERE table_name = '{table}'")
        if stored and stored[0]["key"] == key:
            return key
    backend.create_table(table, sql)
    if not backend.table_exists(STEP_STATE):
        backend.execute(f"CREATE TABLE {STEP_STATE} (table_name VARCHAR, key VARCHAR)")
    # replaced, not deleted from: a Parquet table (Spark's) takes no DELETE
    backend.create_table(
        STEP_STATE,
        f"SELECT * FROM {STEP_STATE} WHERE table_name <> '{table}' "
        f"UNION ALL SELECT '{table}' AS table_name, '{key}' AS key",
    )
    return key
