"""`load_extract`: an extract folder in, contract tables in DuckDB out, nothing lost.

For each contract table: find its file (through the mapping, if any), check its columns,
read it raw, apply the contract's row rules (`rules.py`), insert the usable rows into a
table named as the contract table, and add the rest to the quarantine. Rows set aside and
values dropped are written to `rejected.csv` and `warnings.csv`; the counts reconcile.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from paramount.contract.tables import (
    EXTRACT_TABLES,
    SOURCE_FORCE,
    SOURCE_FORCE_TABLES,
    Table,
    create_table_sql,
)
from paramount.db.backend import Backend
from paramount.loading.encoded_partner import encoded_files, load_encoded_partner
from paramount.loading.errors import ContractError
from paramount.loading.file_hashes import file_sha256s
from paramount.loading.mapping import IDENTITY, ForceMapping, TableMapping, load_mapping
from paramount.loading.reading import (
    SourceFile,
    csv_header,
    drop_raw,
    find_source,
    parquet_columns,
    read_csv_raw,
    read_parquet_raw,
)
from paramount.loading.report import LoadReport, TableLoad
from paramount.loading.rules import check_sql, reference_warnings
from paramount.loading.sql import ident, lit
from paramount.progress import Reporter, SilentReporter

_PREFIX = "_pm_load_"
_REJECTED = f"{_PREFIX}q_rejected"
_WARNINGS = f"{_PREFIX}q_warnings"
# A load kept in the database, so a later run on the same files can skip it (`reuse=True`).
STATE_TABLE = "pm_load_state"
STORED_REJECTED = "pm_quarantine_rejected"
STORED_WARNINGS = "pm_quarantine_warnings"
REJECTED_COLUMNS = ("table", "file", "row", "field", "reason", "record")
WARNING_COLUMNS = ("table", "file", "row", "field", "reason")


def load_extract(
    extract_dir: Path,
    db: Backend,
    *,
    mapping: Path | None = None,
    quarantine_dir: Path,
    reporter: Reporter | None = None,
    reuse: bool = False,
    only_group: str | None = None,
) -> LoadReport:
    """Load every contract table of `extract_dir` into the database `db`, one table per
    contract table.

    With `reuse`, a load already in `db` of byte-identical files (and mapping) is kept as
    it is: its report is returned (`reused` set) and its quarantine files written again, so
    a daily run on a per-force database does not pay for loading twice.

    Raises `ContractError` (before loading anything) when a required table or any contract
    column of a present table is missing, or the mapping file is wrong. Bad rows never
    raise: they are set aside into `quarantine_dir/rejected.csv` (table, file, row, field,
    reason, record) and dropped values into `quarantine_dir/warnings.csv`.

    Duplicate keys: the first row of a key (lowest data row) is kept and every later row
    with that key is rejected. Row numbers are 1-based data rows (the header is not a row).

    An extract whose partner folder was encoded also holds Paramount's optional encoded
    partner file and its manifest (`encoded_partner.py`), loaded beside the contract tables
    and part of the load's fingerprint. `only_group` loads that group's tables alone (the
    local authority's `partner` tables, for `paramount partner encode`).
    """
    started = time.perf_counter()
    extract_dir = Path(extract_dir)
    quarantine_dir = Path(quarantine_dir)
    reporter = reporter or SilentReporter()
    force_mapping = load_mapping(mapping) if mapping else IDENTITY
    if not extract_dir.is_dir():
        raise ContractError(f"extract folder {extract_dir} not found")

    # Every check that can stop the run happens before any data is read.
    plan = _plan(extract_dir, db, force_mapping, mapping, only_group)
    encoded = encoded_files(extract_dir) if only_group is None else {}

    db.register_macros()  # DuckDB's identifier macros, for analysts' own queries
    fingerprint = _fingerprint(_plan_hashes(db, plan, encoded), mapping) if reuse else None
    if fingerprint is not None:
        stored = _stored_report(db, fingerprint, extract_dir, quarantine_dir, mapping)
        if stored is not None:
            stored.seconds = time.perf_counter() - started  # this run's cost: the check
            return stored
    _create_quarantine_tables(db)
    report = LoadReport(extract_dir=extract_dir, quarantine_dir=quarantine_dir, mapping=mapping)
    # The database's own progress display fights the reporter's: off while loading.
    with db.own_progress_off():
        try:
            for order, (table, tm, source, columns) in enumerate(plan):
                with reporter.task(f"load {table.name}", total=3) as task:
                    report.tables[table.name] = _load_table(
                        db, order, table, tm, source, columns, task
                    )
            reference_warnings(db, report, _WARNINGS)
            load_encoded_partner(db, encoded)
            quarantine_dir.mkdir(parents=True, exist_ok=True)
            _write_quarantine(db, report)
            report.seconds = time.perf_counter() - started
            _store(
                db,
                report,
                fingerprint
                or _fingerprint(
                    {name: t.sha256 for name, t in report.tables.items()}
                    | file_sha256s(db, {k: v for k, v in encoded.items()}, False),
                    mapping,
                ),
            )
        finally:
            for t in (_REJECTED, _WARNINGS):
                db.execute(f"DROP TABLE IF EXISTS {ident(t)}")
    return report


Plan = list[tuple[Table, TableMapping, SourceFile | None, list[str]]]


def _plan(
    extract_dir: Path,
    db: Backend,
    force_mapping: ForceMapping,
    mapping_path: Path | None,
    only_group: str | None = None,
) -> Plan:
    """Find every table's file and check its columns; raise on what the contract requires
    (of `only_group`'s tables alone, when given)."""
    plan: Plan = []
    for table in EXTRACT_TABLES.values():
        if only_group is not None and table.group != only_group:
            continue
        tm = force_mapping.table(table.name)
        source = find_source(extract_dir, tm.stem)
        if source is None:
            if table.required:
                mapped = f" (mapped in {mapping_path.name})" if mapping_path and tm.file else ""
                raise ContractError(
                    f"required table '{table.name}' is missing: expected {tm.stem}.csv or "
                    f"{tm.stem}.parquet{mapped} in {extract_dir}"
                )
            plan.append((table, tm, None, []))
            continue
        if source.format == "csv":
            columns = csv_header(source.path)
        else:
            columns = parquet_columns(source.path)
        _resolve_columns(table, tm, source, columns)
        plan.append((table, tm, source, columns))
    return plan


def _resolve_columns(
    table: Table, tm: TableMapping, source: SourceFile, columns: list[str]
) -> dict[str, int]:
    """Position in the file of each contract column: exact name first, then ignoring case.
    A missing column is a `ContractError` naming it."""
    exact: dict[str, int] = {}
    folded: dict[str, int] = {}
    for i, name in enumerate(columns):
        exact.setdefault(name, i)
        folded.setdefault(name.strip().lower(), i)
    index: dict[str, int] = {}
    for col in table.column_names:
        want = tm.source_column(col)
        position = exact.get(want, folded.get(want.strip().lower()))
        if position is None:
            what = f"'{want}' (contract column '{col}')" if want != col else f"'{col}'"
            raise ContractError(
                f"{source.name} is missing required column {what} of table "
                f"'{table.name}' ({_found(table, tm, columns)})"
            )
        index[col] = position
    return index


def _found(table: Table, tm: TableMapping, columns: list[str]) -> str:
    """The header found, unless it does not look like a header at all: a file without
    one has data in its first line, and data may be personal."""
    known = {tm.source_column(c).lower() for c in table.column_names}
    if not any(c.strip().lower() in known for c in columns):
        return f"found {len(columns)} columns, none of them a contract column: no header row?"
    shown = ", ".join(columns[:40]) + (", ..." if len(columns) > 40 else "")
    return f"found: {shown}"


def _extra_columns(table: Table, columns: list[str]) -> dict[str, int]:
    """The columns beyond the contract's that the loader keeps, and their place in the file:
    `source_force` on a force's people, when the file has it (a national extract's)."""
    if table.name not in SOURCE_FORCE_TABLES:
        return {}
    folded = [c.strip().lower() for c in columns]
    return {SOURCE_FORCE: folded.index(SOURCE_FORCE)} if SOURCE_FORCE in folded else {}


def _load_table(
    db: Backend,
    order: int,
    table: Table,
    tm: TableMapping,
    source: SourceFile | None,
    columns: list[str],
    task,
) -> TableLoad:
    db.execute(f"DROP TABLE IF EXISTS {ident(table.name)}")
    extra = _extra_columns(table, columns)
    db.execute(create_table_sql(table, extra=tuple(extra)))
    result = TableLoad(table=table.name, required=table.required)
    if source is None:
        task.advance(3)
        return result
    result.file, result.format = source.name, source.format
    prefix = f"{_PREFIX}{table.name}_"
    checked = f"{prefix}chk"
    try:
        if source.format == "csv":
            raw = read_csv_raw(db, source, prefix, columns)
        else:
            raw = read_parquet_raw(db, source, columns)
        result.sha256 = raw.sha256
        task.advance(1)

        index = _resolve_columns(table, tm, source, columns)
        db.execute(check_sql(table, tm, raw.source_sql, index, raw.columns, checked, extra))
        drop_raw(db, prefix, keep_malformed=True)  # lower the peak before the insert
        task.advance(1)

        names = ", ".join(ident(c) for c in (*table.column_names, *extra))
        db.execute(
            f"INSERT INTO {ident(table.name)} ({names}, _row) SELECT {names}, _row "
            f"FROM {ident(checked)} WHERE array_length(_problems) = 0 ORDER BY _row"
        )
        head = f"{order}, {lit(table.name)}, {lit(source.name)}"
        db.execute(
            f"""INSERT INTO {ident(_REJECTED)}
            SELECT {head}, _row,
                   array_to_string(
                       list_transform(_problems, lambda x: x.field), ';'),
                   array_to_string(list_transform(_problems, lambda x: x.reason), '; '), _record
            FROM {ident(checked)} WHERE array_length(_problems) > 0"""
        )
        if raw.malformed_sql:
            db.execute(
                f"INSERT INTO {ident(_REJECTED)} SELECT {head}, _row, field, reason, record "
                f"FROM ({raw.malformed_sql})"
            )
        db.execute(
            f"""INSERT INTO {ident(_WARNINGS)}
            SELECT {head}, _row, w.field, w.reason
            FROM (SELECT _row, unnest(_warnings) AS w FROM {ident(checked)})"""
        )
        counts = db.fetch_tuples(
            f"""SELECT
                (SELECT count(*) FROM {ident(checked)}),
                (SELECT count(*) FROM {ident(table.name)}),
                (SELECT count(*) FROM {ident(_REJECTED)} WHERE _ord = {order}),
                (SELECT count(*) FROM {ident(_WARNINGS)} WHERE _ord = {order})"""
        )[0]
        checked_rows, result.loaded, result.rejected, result.warnings = counts
        malformed = result.rejected - (checked_rows - result.loaded)
        result.rows_read = checked_rows + malformed
        task.advance(1)
    finally:
        db.execute(f"DROP TABLE IF EXISTS {ident(checked)}")
        drop_raw(db, prefix)
    return result


def _mapping_sha(mapping: Path | None) -> str | None:
    return hashlib.sha256(Path(mapping).read_bytes()).hexdigest() if mapping else None


def _fingerprint(files: dict[str, str | None], mapping: Path | None) -> str:
    """What identifies a load: every source file's sha256, and the mapping's."""
    return json.dumps({"files": files, "mapping": _mapping_sha(mapping)}, sort_keys=True)


def _plan_hashes(
    db: Backend, plan: Plan, encoded: dict[str, Path] | None = None
) -> dict[str, str | None]:
    """Every planned file's sha256 (and the encoded partner files', where the extract has
    them), remembered on the force database where it safely can be (`file_hashes.py`: an
    unchanged file is not read again)."""
    files: dict[str, Path | None] = {t.name: src.path if src else None for t, _, src, _ in plan}
    return file_sha256s(db, files | dict(encoded or {}), True)


def _store(db: Backend, report: LoadReport, fingerprint: str) -> None:
    """Keep the load's report and quarantine in the database beside the loaded tables."""
    db.execute(f"CREATE OR REPLACE TABLE {STORED_REJECTED} AS SELECT * FROM {ident(_REJECTED)}")
    db.execute(f"CREATE OR REPLACE TABLE {STORED_WARNINGS} AS SELECT * FROM {ident(_WARNINGS)}")
    db.execute(f"CREATE OR REPLACE TABLE {STATE_TABLE} (fingerprint VARCHAR, report VARCHAR)")
    db.execute(
        f"INSERT INTO {STATE_TABLE} VALUES (?, ?)", [fingerprint, json.dumps(report.to_dict())]
    )


def _stored_report(
    db: Backend,
    fingerprint: str,
    extract_dir: Path,
    quarantine_dir: Path,
    mapping: Path | None,
) -> LoadReport | None:
    """The stored load's report when its fingerprint matches, its quarantine rewritten."""
    if not db.table_exists(STATE_TABLE):
        return None
    rows = db.fetch_tuples(f"SELECT fingerprint, report FROM {STATE_TABLE}")
    if not rows or rows[0][0] != fingerprint:
        return None
    report = LoadReport.from_dict(json.loads(rows[0][1]), quarantine_dir=quarantine_dir)
    report.extract_dir, report.mapping, report.reused = extract_dir, mapping, True
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    _write_quarantine(db, report, STORED_REJECTED, STORED_WARNINGS)
    return report


def _create_quarantine_tables(db: Backend) -> None:
    db.execute(
        f"""CREATE OR REPLACE TEMP TABLE {ident(_REJECTED)} (_ord INTEGER, "table" VARCHAR,
        file VARCHAR, "row" BIGINT, field VARCHAR, reason VARCHAR, record VARCHAR)"""
    )
    db.execute(
        f"""CREATE OR REPLACE TEMP TABLE {ident(_WARNINGS)} (_ord INTEGER, "table" VARCHAR,
        file VARCHAR, "row" BIGINT, field VARCHAR, reason VARCHAR)"""
    )


def _write_quarantine(
    db: Backend,
    report: LoadReport,
    rejected: str = _REJECTED,
    warnings: str = _WARNINGS,
) -> None:
    """Both files are always written (with their header), so an empty one proves a clean load."""
    for table, columns, path in (
        (rejected, REJECTED_COLUMNS, report.rejected_csv),
        (warnings, WARNING_COLUMNS, report.warnings_csv),
    ):
        cols = ", ".join(ident(c) for c in columns)
        db.write_csv(f'SELECT {cols} FROM {ident(table)} ORDER BY _ord, "row", field', path)
