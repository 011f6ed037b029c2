"""The pipeline machinery: steps run in order, counted and timed; SQL carries to Spark."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
import sqlglot
from engine_extract import WINDOW, Extract

from paramount.contract.tables import EXTRACT_TABLES
from paramount.engine import METHODS, EngineError, Pipeline, RunParameters, Step, identify
from paramount.engine import pipeline as pipeline_module
from paramount.engine.pipeline import ProcedureStep, run_pipeline
from paramount.engine.sql import to_dialect

PARAMS = RunParameters(window_from=WINDOW[0], window_to=WINDOW[1])
ALL_STEPS = [(m, s) for m, p in METHODS.items() for s in p.steps if isinstance(s, Step)]


def test_baseline_is_registered_with_its_steps() -> None:
    assert [s.name for s in METHODS["baseline"].steps] == [
        "receptions",
        "prisoner_nominals",
        "in_area",
        "recorded_children",
        "children",
    ]


@pytest.mark.parametrize(("method", "step"), ALL_STEPS, ids=[f"{m}-{s.name}" for m, s in ALL_STEPS])
def test_every_step_transpiles_to_spark(method: str, step) -> None:
    sql = step.sql(PARAMS)
    spark = sqlglot.transpile(
        sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
    )
    assert len(spark) == 1 and spark[0].upper().startswith(("SELECT", "WITH"))
    assert to_dialect(sql, "spark") == spark[0]
    assert to_dialect(sql, "duckdb") == sql


def test_the_verdict_step_transpiles_to_spark() -> None:
    """The step a run with verdicts adds (`verdict_decided`, a fitted correction inlined)
    is DuckDB SQL that Spark can run too, like every other step."""
    from paramount.engine.decision.correction import fit_correction
    from paramount.engine.methods import get_method

    correction = fit_correction([(0.99, ["lone=yes"], False), (0.9, ["lone=no"], True)])
    params = RunParameters(WINDOW[0], WINDOW[1], method="full", verdicts=correction)
    pipeline = get_method("full", with_verdicts=True)
    pipeline.check(params, {*EXTRACT_TABLES, "verdicts_held"})
    (step,) = [s for s in pipeline.steps if s.name == "verdict_decided"]
    assert isinstance(step, Step)
    spark = sqlglot.transpile(
        step.sql(params), read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
    )
    assert len(spark) == 1 and "verdicts_held" in spark[0]


def test_identify_records_counts_and_timings(extract: Extract) -> None:
    extract.received_with_child()
    result = extract.identify()
    d = result.to_dict()
    assert d["method"] == "baseline" and d["window_from"] == "2024-01-01"
    assert [(s["name"], s["rows"]) for s in d["steps"]] == [
        ("receptions", 1),
        ("prisoner_nominals", 1),
        ("in_area", 1),
        ("recorded_children", 1),
        ("children", 1),
    ]
    assert all(s["seconds"] >= 0 for s in d["steps"])
    assert result.counts["children"] == result.children.num_rows == 1
    assert d["result_table"] == result.table == "pm_children"
    assert extract.backend().table_exists("pm_children")


def test_an_empty_extract_runs(extract: Extract) -> None:
    result = extract.identify()
    assert result.children.num_rows == 0
    assert all(s.rows == 0 for s in result.steps)


def test_unknown_method_and_backwards_window_are_refused(extract: Extract) -> None:
    with pytest.raises(ValueError, match="unknown method"):
        extract.identify(method="nonesuch")
    with pytest.raises(ValueError, match="after it ends"):
        identify(extract.backend(), date(2024, 2, 1), date(2024, 1, 1))


def test_reporter_sees_each_step(extract: Extract) -> None:
    events: list[tuple[str, float | None, float]] = []

    class Task:
        def advance(self, amount: float = 1) -> None:
            events.append(("advance", None, amount))

    class Reporter:
        @contextmanager
        def task(self, description: str, total: float | None = None):
            events.append((description, total, 0))
            yield Task()

    identify(extract.backend(), *WINDOW, method="baseline", reporter=Reporter())
    assert events[0][1] == 5
    assert sum(e[2] for e in events[1:]) == 5


def test_a_failing_statement_names_its_sql(extract: Extract) -> None:
    with pytest.raises(EngineError, match="no_such_table"):
        extract.backend().create_table("x", "SELECT * FROM no_such_table")


def test_steps_read_only_the_extract_and_earlier_steps() -> None:
    for pipeline in METHODS.values():
        pipeline.check(PARAMS, set(EXTRACT_TABLES))  # raises if not


def test_a_step_that_would_replace_an_earlier_table_is_refused() -> None:
    first = METHODS["baseline"].steps[0]
    again = Step("again", "the same table once more", first.sql, output=first.name)
    with pytest.raises(ValueError, match="already holds"):
        Pipeline("twice", (first, again)).check(PARAMS, set(EXTRACT_TABLES))


def test_a_window_free_step_may_not_read_what_the_window_changes() -> None:
    receptions = METHODS["baseline"].steps[0]
    kept = Step("kept", "reads the window's receptions", lambda p: "SELECT * FROM pm_receptions",
                window_free=True)  # fmt: skip
    with pytest.raises(ValueError, match="depend on the window"):
        Pipeline("leaky", (receptions, kept)).check(PARAMS, set(EXTRACT_TABLES))


def test_a_kept_window_free_table_is_rebuilt_when_the_resolution_is_new(
    extract: Extract,
) -> None:
    backend = extract.backend()
    backend.execute("CREATE TABLE pm_load_state AS SELECT 'f1' AS fingerprint, '' AS report")
    backend.execute(
        "CREATE TABLE pm_resolution_info AS "
        "SELECT 'r1' AS fingerprint, TIMESTAMP '2025-01-01 10:00' AS resolved_at"
    )
    kept = Step("kept", "force-wide", lambda p: "SELECT count(*) AS n FROM persons",
                window_free=True)  # fmt: skip
    pipeline = Pipeline("kept-only", (kept,))

    def planted() -> int:
        return backend.fetch_rows("SELECT count(*) AS n FROM pm_kept WHERE n = -1")[0]["n"]

    run_pipeline(pipeline, backend, PARAMS)
    backend.execute("INSERT INTO pm_kept VALUES (-1)")
    run_pipeline(pipeline, backend, PARAMS)
    assert planted() == 1  # same inputs: kept
    backend.execute("UPDATE pm_resolution_info SET resolved_at = TIMESTAMP '2025-02-01 10:00'")
    run_pipeline(pipeline, backend, PARAMS)
    assert planted() == 0  # resolved again (say, retrained): rebuilt


def test_a_kept_window_free_table_is_rebuilt_when_a_table_it_reads_is(
    extract: Extract,
) -> None:
    """A union's SQL does not change when one of its parts' SQL does (a new version of a
    route's evidence): the union is rebuilt all the same, never kept stale."""
    backend = extract.backend()
    backend.execute("CREATE TABLE pm_load_state AS SELECT 'f1' AS fingerprint, '' AS report")

    def pipeline(part_sql: str) -> Pipeline:
        part = Step("part", "force-wide", lambda p: part_sql, window_free=True)
        union = Step("union", "reads the part", lambda p: "SELECT * FROM pm_part",
                     window_free=True)  # fmt: skip
        return Pipeline("two", (part, union))

    run_pipeline(pipeline("SELECT 1 AS n"), backend, PARAMS)
    run_pipeline(pipeline("SELECT 2 AS n"), backend, PARAMS)
    assert backend.fetch_rows("SELECT n FROM pm_union") == [{"n": 2}]


def test_a_misordered_pipeline_is_refused() -> None:
    steps = METHODS["baseline"].steps
    broken = Pipeline("broken", (steps[1], steps[0]))
    with pytest.raises(ValueError, match=r"prisoner_nominals.*pm_receptions"):
        broken.check(PARAMS, set(EXTRACT_TABLES))


@pytest.mark.parametrize(("method", "step"), ALL_STEPS, ids=[f"{m}-{s.name}" for m, s in ALL_STEPS])
def test_steps_use_no_duckdb_macros(method: str, step) -> None:
    """Macros exist only on DuckDB: steps spell the identifier rules out in plain SQL."""
    sql = step.sql(PARAMS)
    for macro in ("pm_clean(", "pm_canonical_pnc(", "pm_canonical_cro(", "pm_postcode_district("):
        assert macro not in sql


def _procedure(reads: frozenset[str]) -> ProcedureStep:
    def run(backend, params, reporter) -> None:
        backend.create_table("pm_made", "SELECT count(*) AS n FROM persons")
        backend.create_table("pm_also", "SELECT 1 AS one")

    return ProcedureStep("made", "Python against the backend", run, reads, ("pm_made", "pm_also"))


def test_a_procedure_step_runs_python_and_later_steps_read_its_tables(extract: Extract) -> None:
    later = Step("later", "reads the procedure's second table", lambda p: "SELECT * FROM pm_also")
    pipeline = Pipeline("with_procedure", (_procedure(frozenset({"persons"})), later))
    assert list(pipeline.sql(PARAMS)) == ["later"]
    results = run_pipeline(pipeline, extract.backend(), PARAMS)
    assert [(r.name, r.table, r.rows) for r in results] == [
        ("made", "pm_made", 1),
        ("later", "pm_later", 1),
    ]


def test_check_refuses_a_procedure_reading_an_unknown_table() -> None:
    pipeline = Pipeline("bad", (_procedure(frozenset({"pm_not_made_yet"})),))
    with pytest.raises(ValueError, match="pm_not_made_yet"):
        pipeline.check(PARAMS, set(EXTRACT_TABLES))
    with pytest.raises(ValueError, match="declares no table"):
        ProcedureStep("x", "y", lambda b, p, r: None, frozenset(), ())


def test_what_a_step_reads_is_parsed_once_and_remembered_on_a_force_database(
    extract: Extract, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing the full method's SQL takes seconds: a day's run finds what each statement
    reads remembered by its shape (its numbers as 0), whatever the window."""
    steps = {s.name: s for s in METHODS["full"].steps if isinstance(s, Step)}
    other = RunParameters(date(2024, 3, 5), date(2024, 3, 9), method="full")
    full = RunParameters(WINDOW[0], WINDOW[1], method="full")
    shape = pipeline_module.sql_shape
    assert shape(steps["in_area"].sql(other)) == shape(steps["in_area"].sql(full))
    # the digits of a table's name are not a number: EM's steps read different tables
    assert shape(steps["em_05"].sql(full)) != shape(steps["em_06"].sql(full))

    backend = extract.backend()
    backend.execute("CREATE TABLE pm_load_state AS SELECT 'f1' AS fingerprint, '' AS report")
    kept = Step("kept", "reads persons", lambda p: "SELECT count(*) AS n FROM persons")
    run_pipeline(Pipeline("one", (kept,)), backend, PARAMS)
    assert backend.count(pipeline_module.READS_STATE) >= 1

    monkeypatch.setattr(pipeline_module, "_READS", {})  # a new process
    monkeypatch.setattr(pipeline_module.sqlglot, "parse_one", None)  # parsing would fail
    run_pipeline(Pipeline("one", (kept,)), backend, PARAMS)
    assert kept.reads(PARAMS) == {"persons"}
