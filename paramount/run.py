"""`identify_extract`: one whole identification run as a library call.

Load the extract, identify the children of the window's receptions, write the outputs
(children.csv, worklist.xlsx, review.csv and identity_review.csv where the method makes
them) and manifest.json, and return where everything is. The `paramount identify` command
is this call with progress bars; a daily job, a test or a benchmark calls it directly:

    from paramount.run import identify_extract

    result = identify_extract(
        Path("extract"), Path("runs/2025-06"),
        date_from=date(2025, 6, 1), date_to=date(2025, 6, 30),
    )
    result.children_csv, result.counts["children"], result.manifest

Raises `paramount.loading.ContractError` when the extract does not meet the contract, and
`paramount.linkage.TooFewRecordsToTrain` when it is too small to train identity models.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from paramount.db import DEFAULT_ENGINE, DEFAULT_SPARK_MASTER, database_name, open_backend
from paramount.engine import DEFAULT_METHOD, METHODS, DecisionSettings, IdentificationResult
from paramount.engine import identify as run_identify
from paramount.loading import LoadReport, load_extract
from paramount.loading.national import check_forces, district_forces, merge_extracts
from paramount.outputs.children_csv import write_children_csv
from paramount.outputs.figures_csv import write_figures_csv
from paramount.outputs.manifest import write_manifest
from paramount.outputs.national import split_by_force
from paramount.outputs.national_figures import figures_by_force
from paramount.outputs.review import write_identity_review, write_review
from paramount.outputs.worklist import write_worklist
from paramount.privacy import PartnerKey
from paramount.progress import Reporter, SilentReporter
from paramount.verdicts import (
    VerdictKnowledge,
    learn_from_verdicts,
    read_verdicts,
    write_verdict_report,
)


@dataclass
class IdentifyResult:
    """Where a run's outputs are, what it found (counts only) and how long each part took."""

    out_dir: Path
    database: Path
    children_csv: Path
    worklist: Path
    manifest: Path
    review_csv: Path | None  # None when the method has no review or nothing fell short
    identity_review_csv: Path | None
    load: LoadReport
    identification: IdentificationResult
    verdicts: VerdictKnowledge | None = None  # what the checkers' verdicts taught the run
    figures_csv: Path | None = None  # counts per reception day (`engine/figures.py`)
    seconds: dict[str, float] = field(default_factory=dict)  # load, identify, outputs, total

    @property
    def counts(self) -> dict[str, int | None]:
        """Rows of each output (None: the method makes no such output)."""
        result = self.identification
        return {
            "children": result.children.num_rows,
            "review": None if result.review is None else result.review.num_rows,
            "identity_review": (
                None if result.identity_review is None else result.identity_review.num_rows
            ),
        }

    @property
    def outputs(self) -> list[Path]:
        """Every file written but the manifest, in the manifest's order."""
        extra = (
            p
            for p in (self.review_csv, self.identity_review_csv, self.figures_csv)
            if p is not None
        )
        return [self.children_csv, self.worklist, *extra]


def identify_extract(
    extract: Path,
    out: Path,
    *,
    date_from: date,
    date_to: date,
    method: str = DEFAULT_METHOD,
    mapping: Path | None = None,
    db: Path | None = None,
    reporter: Reporter | None = None,
    decision: DecisionSettings | None = None,
    verdicts: Sequence[Path] = (),
    memory_limit: str | None = None,
    relearn: bool = False,
    run_name: str | None = None,
    engine: str = DEFAULT_ENGINE,
    spark_master: str | None = None,
    partner_key: PartnerKey | None = None,
) -> IdentifyResult:
    """Identify the children of prisoners received from `date_from` to `date_to` (inclusive)
    in the extract folder `extract`, writing every output and the manifest into `out`.

    `method`: `full` (the default and best), `routes-exact` or `baseline` (the original
    process, the ruler). `mapping`: a per-force mapping file (TOML) onto the contract. `db`:
    a per-force DuckDB file kept between runs, so an extract it already holds is not loaded
    again and window-free work is reused; without it a fresh `out/paramount.duckdb` is made.
    `reporter`: progress of every long step (default: silent). `decision`: the decision
    model's settings (default: the recommended), recorded in the manifest. `verdicts`:
    the force's checkers' `verdicts.csv` files (or folders of them): pairs they rejected are
    held, duplicates merged, the confidence recalibrated on their labels, and the measured
    precision of the earlier lists written to `out/verdicts/` and the manifest.
    `memory_limit` ("4GB"): what the database may hold in memory before it spills to disk
    (default: half the machine's memory). `engine`: `duckdb` (the default) or `spark`
    (PySpark, `spark_master` `local[*]` by default or a cluster's URL; `db` is then a folder),
    the same pipeline and the same outputs. `relearn`: learn the decision model afresh even
    when the one kept on `db` by an earlier run still applies (`engine/model_store.py`).
    `run_name`: what a model this run learns says learnt it (default: `out`; the daily run
    names the folder its hidden one becomes). `partner_key`: the key the local authority
    encoded its partner data with (`paramount partner encode`), so identity resolution can
    encode the police side with it and link on the encodings; required when the extract's
    partner data is encoded, refused (`PartnerKeyError`) when it is not the one used.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {sorted(METHODS)}")
    if date_to < date_from:
        raise ValueError(f"the window ends ({date_to}) before it starts ({date_from})")
    reporter = reporter or SilentReporter()
    decision = decision or DecisionSettings()
    started = time.perf_counter()
    started_at = datetime.now().astimezone()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db_path = Path(db) if db is not None else out / database_name(engine)
    if db is None and db_path.is_dir():
        shutil.rmtree(db_path)
    elif db is None and db_path.exists():
        db_path.unlink()
    seconds: dict[str, float] = {}

    backend = open_backend(engine, db_path, memory_limit=memory_limit, spark_master=spark_master)
    held_to = backend.memory_limit()
    try:
        load = load_extract(
            extract,
            backend,
            mapping=mapping,
            quarantine_dir=out / "quarantine",
            reporter=reporter,
            reuse=db is not None,
        )
        seconds["load"] = round(time.perf_counter() - started, 3)
        knowledge = None
        if verdicts:
            knowledge = learn_from_verdicts(
                backend,
                read_verdicts(list(verdicts)),
                method=method,
                decision=decision,
                reporter=reporter,
            )
            seconds["verdicts"] = round(time.perf_counter() - started - seconds["load"], 3)
        result = run_identify(
            backend,
            date_from,
            date_to,
            method=method,
            reporter=reporter,
            decision=decision,
            verdicts=None if knowledge is None else knowledge.correction,
            relearn=relearn,
            run=run_name or str(out),
            partner_key=partner_key,
        )
        seconds["identify"] = round(
            time.perf_counter() - started - seconds["load"] - seconds.get("verdicts", 0.0), 3
        )
    finally:
        backend.close()

    written = time.perf_counter()
    children = out / "children.csv"
    worklist = out / "worklist.xlsx"
    write_children_csv(result.children, children)
    write_worklist(
        result.children, worklist, window_from=date_from, window_to=date_to, method=method
    )
    review = write_review(result.review, out)
    identity_review = write_identity_review(result.identity_review, out)
    figures = None
    if result.figures is not None:
        figures = write_figures_csv(result.figures, out / "figures.csv")
    outputs = [children, worklist, *(p for p in (review, identity_review, figures) if p)]
    if knowledge is not None:
        outputs += write_verdict_report(knowledge, out)
    manifest = write_manifest(
        out / "manifest.json",
        parameters={
            "command": "identify",
            "extract": str(extract),
            "window_from": date_from.isoformat(),
            "window_to": date_to.isoformat(),
            "method": method,
            "mapping": str(mapping) if mapping else None,
            "database": str(db_path),
            "decision": decision.to_dict(),
            "verdicts": [str(p) for p in verdicts],
            "memory_limit": memory_limit,  # None: the default, half the machine
            "memory_limit_applied": held_to,
            "relearn": relearn,
            "engine": engine,
            "spark_master": (spark_master or DEFAULT_SPARK_MASTER) if engine == "spark" else None,
            # which key encoded partner data was linked with: its fingerprint, never the key
            **({"partner_key": partner_key.fingerprint} if partner_key is not None else {}),
        },
        verdicts=None if knowledge is None else knowledge.to_dict(),
        load=load.to_dict(),
        identification=result.to_dict(),
        outputs=outputs,
        started_at=started_at,
    )
    seconds["outputs"] = round(time.perf_counter() - written, 3)
    seconds["total"] = round(time.perf_counter() - started, 3)
    return IdentifyResult(
        out_dir=out,
        database=db_path,
        children_csv=children,
        worklist=worklist,
        manifest=manifest,
        review_csv=review,
        identity_review_csv=identity_review,
        load=load,
        identification=result,
        verdicts=knowledge,
        figures_csv=figures,
        seconds=seconds,
    )


@dataclass
class ForceOutputs:
    """One force's share of a national run: its own children.csv, worklist and manifest."""

    code: str
    out_dir: Path
    children_csv: Path
    worklist: Path
    manifest: Path
    review_csv: Path | None
    children: int  # rows listed for the force
    from_other_forces: int  # of them, children of a prisoner who lives in another force
    figures_csv: Path | None = None  # the force's own counts per reception day


@dataclass
class NationalResult:
    """A national run: the run over the merged extract and each force's outputs."""

    national: IdentifyResult
    forces: dict[str, ForceOutputs]
    seconds: dict[str, float] = field(default_factory=dict)


def identify_national(
    forces: Mapping[str, Path],
    out: Path,
    *,
    date_from: date,
    date_to: date,
    method: str = DEFAULT_METHOD,
    reporter: Reporter | None = None,
    decision: DecisionSettings | None = None,
    memory_limit: str | None = None,
    engine: str = DEFAULT_ENGINE,
    spark_master: str | None = None,
) -> NationalResult:
    """Identify over several forces' extracts at once (`forces`: {code: extract folder}).

    The extracts become one national extract (`OUT/national/extract/`, every force's ids and
    LPAs prefixed with its code, the prison side once), identified in one run
    (`OUT/national/`: the loaded database, the national children.csv and manifest), so
    identity is resolved across forces and a child living in one force is found for a
    prisoner living in another. Each force then gets `OUT/<code>/` (children.csv,
    worklist.xlsx, review.csv, manifest.json) with the children who live in its area, in its
    own ids, each row naming `child_force` and `prisoner_force`. `engine` and `spark_master`
    choose the national run's database, as for `identify_extract`.
    """
    reporter = reporter or SilentReporter()
    started = time.perf_counter()
    started_at = datetime.now().astimezone()
    out = Path(out)
    check_forces(forces)
    national_dir = out / "national"
    merged = national_dir / "extract"
    with reporter.task("National extract: the forces' extracts as one", total=1) as task:
        merge_extracts(forces, merged)
        task.advance()
    seconds = {"merge": round(time.perf_counter() - started, 3)}
    run = identify_extract(
        merged,
        national_dir,
        date_from=date_from,
        date_to=date_to,
        method=method,
        reporter=reporter,
        decision=decision,
        memory_limit=memory_limit,
        engine=engine,
        spark_master=spark_master,
    )
    seconds["national_run"] = run.seconds["total"]
    split_started = time.perf_counter()
    codes = list(forces)
    districts = district_forces(forces)
    children = split_by_force(run.identification.children, codes, districts)
    review = (
        split_by_force(run.identification.review, codes, districts)
        if run.identification.review is not None
        else None
    )
    figures = None
    if run.identification.figure_tables is not None:
        backend = open_backend(
            engine, run.database, memory_limit=memory_limit, spark_master=spark_master
        )
        try:
            figures = figures_by_force(
                backend, run.identification.figure_tables, children, codes, districts
            )
        finally:
            backend.close()
    outputs: dict[str, ForceOutputs] = {}
    for code in codes:
        folder = out / code
        folder.mkdir(parents=True, exist_ok=True)
        listed = children[code]
        children_csv = write_children_csv(listed, folder / "children.csv")
        worklist = write_worklist(
            listed,
            folder / "worklist.xlsx",
            window_from=date_from,
            window_to=date_to,
            method=method,
        )
        review_csv = write_review(None if review is None else review[code], folder)
        figures_csv = (
            None if figures is None else write_figures_csv(figures[code], folder / "figures.csv")
        )
        crossing = sum(
            1
            for c, p in zip(
                listed["child_force"].to_pylist(), listed["prisoner_force"].to_pylist(), strict=True
            )
            if p != c
        )
        files = [children_csv, worklist, *(p for p in (review_csv, figures_csv) if p)]
        manifest = write_manifest(
            folder / "manifest.json",
            parameters={
                "command": "identify",
                "national": True,
                "force": code,
                "forces": {c: str(p) for c, p in forces.items()},
                "extract": str(forces[code]),
                "window_from": date_from.isoformat(),
                "window_to": date_to.isoformat(),
                "method": method,
                "national_manifest": str(run.manifest),
                "children_from_other_forces": crossing,
            },
            inputs=sorted(p for p in Path(forces[code]).iterdir() if p.is_file()),
            outputs=files,
            started_at=started_at,
        )
        outputs[code] = ForceOutputs(
            code,
            folder,
            children_csv,
            worklist,
            manifest,
            review_csv,
            listed.num_rows,
            crossing,
            figures_csv,
        )
    seconds["split"] = round(time.perf_counter() - split_started, 3)
    seconds["total"] = round(time.perf_counter() - started, 3)
    return NationalResult(run, outputs, seconds)
