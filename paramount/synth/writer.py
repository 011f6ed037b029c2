"""Writing tables exactly as the contract says: its columns in its order, CSV (UTF-8,
RFC 4180, empty = null, dates `YYYY-MM-DD`, date-times `YYYY-MM-DDTHH:MM:SS`) or Parquet."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from paramount.contract.tables import EXTRACT_TABLES, TRUTH_TABLES, ColumnType


def conform(name: str, table: pa.Table) -> pa.Table:
    """The table with exactly the contract's columns, typed: strings, date32, timestamps."""
    spec = EXTRACT_TABLES[name]
    missing = [c for c in spec.column_names if c not in table.column_names]
    extra = [c for c in table.column_names if c not in spec.column_names]
    if missing or extra:
        raise ValueError(f"{name}: missing {missing}, unexpected {extra}")
    cols = []
    for col in spec.columns:
        arr = table[col.name]
        if col.type == ColumnType.DATE:
            arr = arr.cast(pa.date32())
        elif col.type == ColumnType.DATETIME:
            arr = arr.cast(pa.timestamp("s"))
        else:
            arr = arr.cast(pa.string())
        cols.append(arr)
    return pa.table(cols, names=list(spec.column_names))


def _csv_ready(table: pa.Table) -> pa.Table:
    cols = []
    for arr in table.columns:
        if pa.types.is_timestamp(arr.type):
            arr = pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S")
        cols.append(arr)
    return pa.table(cols, names=table.column_names)


def write_extract(name: str, table: pa.Table, folder: Path, fmt: str) -> int:
    table = conform(name, table)
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(table, folder / f"{name}.parquet", compression="zstd")
    elif fmt == "csv":
        pacsv.write_csv(_csv_ready(table), folder / f"{name}.csv")
    else:
        raise ValueError(f"unknown format {fmt!r}: csv or parquet")
    return table.num_rows


def write_truth(name: str, table: pa.Table, folder: Path) -> int:
    spec = TRUTH_TABLES[name]
    if tuple(table.column_names) != spec.columns:
        raise ValueError(f"truth {name}: columns {table.column_names} != {spec.columns}")
    folder.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, folder / f"{name}.csv")
    return table.num_rows
