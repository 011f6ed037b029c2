"""Per-force mapping: a force's own file names, column names, code values and date formats,
mapped onto the data contract.

Forces name things their own way; rather than asking each force to rewrite its extract,
a small TOML file says how to read it. Everything not mentioned maps to itself, so an
extract already in contract shape needs no mapping at all.

    force = "Example Constabulary"        # optional, free text
    date_format = "%d/%m/%Y"              # optional default for every DATE column
    datetime_format = "%d/%m/%Y %H:%M"    # optional default for every DATETIME column

    [tables.persons]
    file = "NOMINALS"                     # the force's file stem (NOMINALS.csv / .parquet)
    date_format = "%d/%m/%Y"              # DATE columns of this table
    [tables.persons.columns]
    person_id = "NOMINAL_ID"              # contract column = force column
    [tables.persons.codes.sex]
    MALE = "M"                            # force value = contract value
    [tables.persons.date_formats]
    date_of_birth = "%d/%m/%Y"            # one column

The file is checked when it is read: an unknown table, column, code or format is a
`MappingError` naming it, before any data is touched.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paramount.contract.tables import EXTRACT_TABLES, ColumnType, Table
from paramount.db import DuckDBBackend, EngineError
from paramount.loading.errors import MappingError

_TOP_KEYS = {"force", "date_format", "datetime_format", "tables"}
_TABLE_KEYS = {"file", "columns", "codes", "date_format", "datetime_format", "date_formats"}


@dataclass(frozen=True)
class TableMapping:
    """How one contract table is found and read in a force's extract."""

    table: str
    file: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    date_format: str | None = None
    datetime_format: str | None = None
    date_formats: dict[str, str] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        """The file stem to look for: the force's name, else the contract table name."""
        return self.file or self.table

    def source_column(self, column: str) -> str:
        """The force's name for a contract column (itself when not mapped)."""
        return self.columns.get(column, column)

    def format_for(self, column: str, kind: ColumnType) -> str | None:
        """The strptime format of a date/datetime column, or None for the contract's ISO."""
        if column in self.date_formats:
            return self.date_formats[column]
        return self.date_format if kind == ColumnType.DATE else self.datetime_format


@dataclass(frozen=True)
class ForceMapping:
    """A whole mapping file; `table()` gives the identity mapping for unmentioned tables."""

    tables: dict[str, TableMapping] = field(default_factory=dict)
    force: str | None = None
    path: Path | None = None

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name) or TableMapping(table=name)


IDENTITY = ForceMapping()


def load_mapping(path: Path) -> ForceMapping:
    """Read and check a mapping file."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise MappingError(f"mapping file {path} not found") from None
    except tomllib.TOMLDecodeError as e:
        raise MappingError(f"mapping file {path.name} is not valid TOML: {e}") from None
    return parse_mapping(data, source=path.name, path=path)


def parse_mapping(
    data: dict[str, Any], source: str = "mapping", path: Path | None = None
) -> ForceMapping:
    """Check a parsed mapping and turn it into a `ForceMapping`."""
    _no_unknown_keys(data, _TOP_KEYS, f"{source}")
    force = data.get("force")
    if force is not None and not isinstance(force, str):
        raise MappingError(f"{source}: 'force' must be a string")
    default_date = _format(data.get("date_format"), f"{source}: date_format")
    default_datetime = _format(data.get("datetime_format"), f"{source}: datetime_format")

    raw_tables = data.get("tables", {})
    if not isinstance(raw_tables, dict):
        raise MappingError(f"{source}: [tables] must be a table of contract tables")
    tables: dict[str, TableMapping] = {}
    stems: dict[str, str] = {}
    for name, spec in raw_tables.items():
        if name not in EXTRACT_TABLES:
            raise MappingError(
                f"{source}: unknown contract table '{name}' (known: {', '.join(EXTRACT_TABLES)})"
            )
        where = f"{source}: [tables.{name}]"
        if not isinstance(spec, dict):
            raise MappingError(f"{where} must be a table")
        tm = _parse_table(EXTRACT_TABLES[name], spec, where, default_date, default_datetime)
        if tm.stem.lower() in stems:
            raise MappingError(
                f"{where}: file '{tm.stem}' is already mapped to table '{stems[tm.stem.lower()]}'"
            )
        stems[tm.stem.lower()] = name
        tables[name] = tm
    # Tables not mentioned still get the default date formats.
    if default_date or default_datetime:
        for name in EXTRACT_TABLES:
            if name not in tables:
                tables[name] = TableMapping(
                    table=name, date_format=default_date, datetime_format=default_datetime
                )
    return ForceMapping(tables=tables, force=force, path=path)


def _parse_table(
    table: Table,
    spec: dict[str, Any],
    where: str,
    default_date: str | None,
    default_datetime: str | None,
) -> TableMapping:
    _no_unknown_keys(spec, _TABLE_KEYS, where)
    file = spec.get("file")
    if file is not None:
        if not isinstance(file, str) or not file.strip():
            raise MappingError(f"{where}: 'file' must be a non-empty file stem")
        file = file.strip()
        for ext in (".csv", ".parquet"):
            if file.lower().endswith(ext):
                file = file[: -len(ext)]

    columns = _str_dict(spec.get("columns", {}), f"{where}.columns")
    for col in columns:
        _contract_column(table, col, f"{where}.columns")
    seen: dict[str, str] = {}
    for col, src in columns.items():
        if src in seen:
            raise MappingError(
                f"{where}.columns: force column '{src}' is mapped to both '{seen[src]}' and '{col}'"
            )
        seen[src] = col

    codes_raw = spec.get("codes", {})
    if not isinstance(codes_raw, dict):
        raise MappingError(f"{where}.codes must be a table of columns")
    codes: dict[str, dict[str, str]] = {}
    for col, values in codes_raw.items():
        column = _contract_column(table, col, f"{where}.codes")
        if not column.codes:
            raise MappingError(f"{where}.codes.{col}: '{col}' is not a code column")
        values = _str_dict(values, f"{where}.codes.{col}")
        for force_value, contract_value in values.items():
            if contract_value not in column.codes:
                raise MappingError(
                    f"{where}.codes.{col}: '{force_value}' maps to '{contract_value}', "
                    f"which is not in the {col} list ({', '.join(column.codes)})"
                )
        codes[col] = values

    date_formats = _str_dict(spec.get("date_formats", {}), f"{where}.date_formats")
    for col, fmt in date_formats.items():
        column = _contract_column(table, col, f"{where}.date_formats")
        if column.type not in (ColumnType.DATE, ColumnType.DATETIME):
            raise MappingError(f"{where}.date_formats.{col}: '{col}' is not a date column")
        _format(fmt, f"{where}.date_formats.{col}")

    return TableMapping(
        table=table.name,
        file=file,
        columns=columns,
        codes=codes,
        date_format=_format(spec.get("date_format"), f"{where}.date_format") or default_date,
        datetime_format=_format(spec.get("datetime_format"), f"{where}.datetime_format")
        or default_datetime,
        date_formats=date_formats,
    )


def _contract_column(table: Table, col: str, where: str):
    try:
        return table.column(col)
    except KeyError:
        raise MappingError(
            f"{where}: unknown column '{col}' of contract table '{table.name}' "
            f"(known: {', '.join(table.column_names)})"
        ) from None


def _str_dict(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MappingError(f"{where} must be a table of strings")
    for k, v in value.items():
        if not isinstance(v, str):
            raise MappingError(f"{where}.{k} must be a string")
    return dict(value)


def _format(value: Any, where: str) -> str | None:
    """A strptime format, checked by DuckDB itself so a typo fails here and not mid-load."""
    if value is None:
        return None
    if not isinstance(value, str) or "%" not in value:
        raise MappingError(f"{where} must be a strptime format such as '%d/%m/%Y'")
    problem = _format_problem(value)
    if problem:
        raise MappingError(f"{where}: invalid date format '{value}': {problem}")
    return value


@functools.cache
def _format_problem(fmt: str) -> str | None:
    try:
        with DuckDBBackend.open() as db:
            db.execute("SELECT try_strptime('01/01/2000', ?)", [fmt])
    except EngineError as e:
        return str(e).splitlines()[0]
    return None


def _no_unknown_keys(spec: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise MappingError(
            f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
        )
