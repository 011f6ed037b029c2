"""Finding an extract's files and reading them raw (every value as text) into DuckDB.

A raw read keeps two things the checks need: the 1-based data row of every record (header
excluded), so every finding points back to its line, and every malformed CSV record
(wrong field count, broken quoting, bad UTF-8), which DuckDB's rejects table captures
instead of dropping.

Row numbers of a CSV: DuckDB keeps file order in a materialised table (insertion order)
and numbers rejected records by their record number. A good row's data row is therefore
its position among good rows shifted by the records skipped before it: the malformed ones,
and blank lines, which DuckDB skips silently (blank lines are not rows, but they keep the
numbering of the lines after them in step with the file).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from paramount.db.backend import Backend, EngineError
from paramount.db.sql import DUCKDB
from paramount.loading.errors import ContractError
from paramount.loading.sql import ident, lit

_CHUNK = 16 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    path: Path
    format: str  # "csv" | "parquet"

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class RawTable:
    """A table read raw: `source_sql` is a FROM-able query giving `_row` and `c0..cN`
    (text, one per file column); `columns[i]` is the file's name for `c{i}`."""

    source_sql: str
    columns: list[str]
    malformed_sql: str | None = None  # query: _row, field, reason, record
    sha256: str = ""


def find_source(extract_dir: Path, stem: str) -> SourceFile | None:
    """`<stem>.csv` or `<stem>.parquet` in the folder (extension in any case; the stem
    exactly, else in any case). Both present is ambiguous and stops the run."""
    files = [
        p for p in extract_dir.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".parquet")
    ]
    found = [p for p in files if p.stem == stem] or [
        p for p in files if p.stem.lower() == stem.lower()
    ]
    if not found:
        return None
    if len(found) > 1:
        names = ", ".join(sorted(p.name for p in found))
        raise ContractError(f"more than one file for '{stem}' in {extract_dir}: {names}")
    path = found[0]
    return SourceFile(path=path, format=path.suffix.lower().lstrip("."))


def csv_header(path: Path) -> list[str]:
    """The header row of a CSV file, names stripped of surrounding whitespace."""
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as f:
        try:
            header = next(csv.reader(f))
        except StopIteration:
            raise ContractError(f"{path.name} is empty: expected a header row") from None
        except csv.Error as e:
            raise ContractError(f"{path.name}: header row cannot be read as CSV ({e})") from None
    return [h.strip() for h in header]


def parquet_columns(path: Path) -> list[str]:
    try:
        return list(pq.read_schema(path).names)
    except (OSError, pa.ArrowException) as e:
        first = str(e).splitlines()[0]
        raise ContractError(f"{path.name} cannot be read as Parquet: {first}") from None


def hash_and_blank_lines(path: Path) -> tuple[str, bool]:
    """sha256 of the file, and whether it may hold blank lines (one pass over the bytes)."""
    h = hashlib.sha256()
    blank = False
    tail = b""
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            if not blank:
                window = tail + chunk
                blank = b"\n\n" in window or b"\n\r\n" in window
                tail = window[-2:]
    return h.hexdigest(), blank


def blank_records(path: Path) -> list[int]:
    """Data-row numbers of blank records (the slow path, only when the file has any)."""
    out: list[int] = []
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        try:
            for i, rec in enumerate(reader, start=1):
                if not rec:
                    out.append(i)
        except csv.Error:
            pass  # the rest is one malformed record; DuckDB reports it
    return out


def read_csv_raw(db: Backend, source: SourceFile, prefix: str, header: list[str]) -> RawTable:
    """Read a CSV as text into temp table `{prefix}raw`, malformed records into
    `{prefix}bad`."""
    sha, maybe_blank = hash_and_blank_lines(source.path)
    raw, rej, scan, bad, gaps = (f"{prefix}{s}" for s in ("raw", "rej", "scan", "bad", "gaps"))
    for t in (rej, scan):
        db.execute(f"DROP TABLE IF EXISTS {ident(t)}")
    # Only DuckDB has a CSV reader that keeps rejected records; another engine, or a file
    # DuckDB's strict parser gives up on, is read in Python.
    numbered = not (db.dialect == DUCKDB and _read_csv_duckdb(db, source, len(header), prefix))
    if numbered:
        for t in (rej, scan):
            db.execute(f"DROP TABLE IF EXISTS {ident(t)}")
        _read_csv_python(db, source.path, len(header), raw, rej)

    # One malformed record per rejected line, whatever number of errors it had.
    db.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {ident(bad)} AS
        SELECT CAST(line - 1 AS BIGINT) AS _row,
               arg_min(coalesce(column_name, ''), coalesce(column_idx, 0)) AS field,
               arg_min(CAST(error_type AS VARCHAR), coalesce(column_idx, 0)) AS error_type,
               arg_min(error_message, coalesce(column_idx, 0)) AS error_message,
               arg_min(csv_line, coalesce(column_idx, 0)) AS csv_line
        FROM {ident(rej)} GROUP BY line
        """
    )
    for t in (rej, scan):
        db.execute(f"DROP TABLE IF EXISTS {ident(t)}")

    skipped = [r[0] for r in db.fetch_tuples(f"SELECT _row FROM {ident(bad)}")]
    if maybe_blank and not numbered:
        skipped.extend(blank_records(source.path))
    skipped = sorted(set(skipped))

    names = _unique(header)
    cols_sql = ", ".join(f"c{i}" for i in range(len(header)))
    if numbered:
        source_sql = f"(SELECT _row, {cols_sql} FROM {ident(raw)})"
    elif skipped:
        db.execute(f"CREATE OR REPLACE TEMP TABLE {ident(gaps)} (t BIGINT, j BIGINT)")
        # Good row k sits at data row k + #{skipped s_j : s_j - j + 1 <= k}.
        pairs = [(s - j + 1, j) for j, s in enumerate(skipped, start=1)]
        db.executemany(f"INSERT INTO {ident(gaps)} VALUES (?, ?)", pairs)
        source_sql = (
            f"(SELECT r._k + coalesce(g.j, 0) AS _row, {cols_sql} "
            f"FROM (SELECT rowid + 1 AS _k, * FROM {ident(raw)}) r "
            f"ASOF LEFT JOIN (SELECT t, max(j) AS j FROM {ident(gaps)} GROUP BY t) g "
            "ON r._k >= g.t)"
        )
    else:
        source_sql = f"(SELECT rowid + 1 AS _row, {cols_sql} FROM {ident(raw)})"

    malformed_sql = f"""
        SELECT _row, field,
               'malformed CSV line: ' || CASE error_type
                   WHEN 'TOO MANY COLUMNS' THEN 'too many fields (' || error_message || ')'
                   WHEN 'MISSING COLUMNS' THEN 'too few fields (' || error_message || ')'
                   WHEN 'UNQUOTED VALUE' THEN 'unterminated or stray quote'
                   WHEN 'INVALID ENCODING' THEN 'not valid UTF-8'
                   WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line too long'
                   ELSE lower(error_type) END AS reason,
               json_object('malformed_line', csv_line) AS record
        FROM {ident(bad)}
    """
    return RawTable(source_sql=source_sql, columns=names, malformed_sql=malformed_sql, sha256=sha)


def _read_csv_duckdb(db: Backend, source: SourceFile, ncols: int, prefix: str) -> bool:
    """DuckDB's strict reader: good records into `{prefix}raw`, rejected ones into
    `{prefix}rej`. False when it gives up on some damage (a stray carriage return in an
    unquoted field) instead of rejecting the record."""
    raw, rej, scan = (f"{prefix}{s}" for s in ("raw", "rej", "scan"))
    cols = "{" + ", ".join(f"{lit(f'c{i}')}: 'VARCHAR'" for i in range(ncols)) + "}"
    try:
        db.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(raw)} AS SELECT * FROM read_csv("
            f"{lit(str(source.path))}, columns = {cols}, header = true, auto_detect = false, "
            "delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
            "null_padding = false, store_rejects = true, "
            f"rejects_table = {lit(rej)}, rejects_scan = {lit(scan)})"
        )
    except EngineError:
        return False
    return True


def read_parquet_raw(db: Backend, source: SourceFile, columns: list[str]) -> RawTable:
    """A Parquet file needs no raw copy: its row numbers come with the scan."""
    sha, _ = hash_and_blank_lines(source.path)
    if db.dialect != DUCKDB:
        return _read_parquet_arrow(db, source, columns, sha)
    cols_sql = ", ".join(f"{ident(c)} AS c{i}" for i, c in enumerate(columns))
    source_sql = (
        f"(SELECT file_row_number + 1 AS _row, {cols_sql} "
        f"FROM read_parquet({lit(str(source.path))}, file_row_number = true))"
    )
    return RawTable(source_sql=source_sql, columns=_unique(columns), sha256=sha)


def _read_parquet_arrow(db: Backend, source: SourceFile, columns: list[str], sha: str) -> RawTable:
    """Parquet for an engine that numbers no rows of its own: read here, numbered, handed
    over as Arrow (text, as every raw read is)."""
    table = pq.read_table(source.path)
    arrays = {"_row": pa.array(range(1, table.num_rows + 1), pa.int64())}
    arrays |= {f"c{i}": table.column(c).cast(pa.string()) for i, c in enumerate(columns)}
    view = f"pm_load_{source.path.stem}_parquet"
    db.register_arrow(view, pa.table(arrays))
    return RawTable(source_sql=ident(view), columns=_unique(columns), sha256=sha)


def _read_csv_python(db: Backend, path: Path, ncols: int, raw: str, rej: str) -> None:
    """The slow, forgiving reader: numbered good records into `raw` (`_row`, `c0..`), and
    malformed ones into `rej`, shaped like DuckDB's rejects table."""
    consumed: list[str] = []

    def lines(f):
        for line in f:
            consumed.append(line)
            yield line

    good: list[list[int | str | None]] = [[] for _ in range(ncols + 1)]  # row, then fields
    bad: list[tuple[int, str, str, str]] = []
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as f:
        reader = csv.reader(lines(f), strict=True)
        next(reader, None)  # header
        row = 0
        while True:
            consumed.clear()
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error:
                row += 1
                bad.append((row, "UNQUOTED VALUE", "", "".join(consumed)))
                continue
            row += 1
            text = "".join(consumed)
            if not rec:
                continue  # a blank line: not a row, but it keeps its number
            if len(rec) != ncols:
                kind = "TOO MANY COLUMNS" if len(rec) > ncols else "MISSING COLUMNS"
                msg = f"Expected Number of Columns: {ncols} Found: {len(rec)}"
                bad.append((row, kind, msg, text))
            elif any("\ufffd" in v for v in rec):
                bad.append((row, "INVALID ENCODING", "", text))
            else:
                good[0].append(row)
                for i, v in enumerate(rec, start=1):
                    good[i].append(v if v != "" else None)
    arrays = {"_row": pa.array(good[0], pa.int64())}
    arrays |= {f"c{i}": pa.array(good[i + 1], pa.string()) for i in range(ncols)}
    view = f"{raw}_arrow"
    db.register_arrow(view, pa.table(arrays))
    try:
        db.execute(f"CREATE OR REPLACE TEMP TABLE {ident(raw)} AS SELECT * FROM {ident(view)}")
    finally:
        db.unregister(view)
    db.execute(
        f"""CREATE OR REPLACE TEMP TABLE {ident(rej)} (line BIGINT, column_name VARCHAR,
        column_idx BIGINT, error_type VARCHAR, error_message VARCHAR, csv_line VARCHAR)"""
    )
    if bad:
        db.executemany(
            f"INSERT INTO {ident(rej)} VALUES (?, NULL, 0, ?, ?, ?)",
            [(r + 1, kind, msg, text) for r, kind, msg, text in bad],
        )


def drop_raw(db: Backend, prefix: str, keep_malformed: bool = False) -> None:
    """Drop a table's raw temp tables (all but the malformed records, if asked)."""
    for s in (
        ("raw", "rej", "scan", "gaps") if keep_malformed else ("raw", "rej", "scan", "bad", "gaps")
    ):
        db.execute(f"DROP TABLE IF EXISTS {ident(prefix + s)}")


def _unique(names: list[str]) -> list[str]:
    """Column names made unique (`name`, `name#2`, ...) so a raw record keeps every field."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}#{seen[n]}")
    return out


__all__ = [
    "RawTable",
    "SourceFile",
    "csv_header",
    "drop_raw",
    "find_source",
    "parquet_columns",
    "read_csv_raw",
    "read_parquet_raw",
]
