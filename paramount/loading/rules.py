"""The contract's row rules, generated as SQL from the `Table`/`Column` definitions.

Nothing here knows a table by name: a column's type, code list, `essential` and
`open_codes` and `identifier` attributes decide how it is read and what a bad
value costs.

- An *essential* column that is missing or unreadable sets the row aside (rejected).
- Any other unreadable value (a bad date, a code outside a closed list) is set to NULL and
  the row kept, with a warning. A code outside an open list (`open_codes`: the contract
  says "others occur") is a legitimate value and kept as it is.
- PNC and CRO numbers whose form or check letter fails are kept raw (the engine
  canonicalises and drops them itself) with a warning.
- NOMS numbers (`prisoner_number`) must match `A9999AA`; they are essential, so a bad one
  sets the row aside.
- Key (`Table.key`): the first row of a key (lowest data row) is kept, every later row with
  the same key is set aside as a duplicate. Only rows that pass the other checks take part.

Reasons never carry personal values; a code value is quoted only when it looks like a code
(upper-case letters, digits, underscores).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from paramount.contract.identifiers import canonical_cro_sql, canonical_pnc_sql, clean_sql
from paramount.contract.tables import Column, ColumnType, Table
from paramount.loading.mapping import TableMapping
from paramount.loading.sql import ident, lit

if TYPE_CHECKING:
    from paramount.db.backend import Backend
    from paramount.loading.report import LoadReport

_WS = "' ' || chr(9) || chr(10) || chr(13)"
_DATE_RE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DATETIME_RE = _DATE_RE + r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?"
_NOMS_RE = "[A-Z][0-9]{4}[A-Z]{2}"
_PNC_RE = "([0-9]{2}|[0-9]{4})/[0-9]{1,7}[A-Z]"
_CRO_RE = "[0-9]{1,6}/[0-9]{2}[A-Z]"
_CODE_SHOWN_RE = "[A-Z0-9_]{1,24}"
_PROBLEM_LIST = "STRUCT(field VARCHAR, reason VARCHAR)[]"

MISSING = "missing required value"


@dataclass(frozen=True)
class ColumnRule:
    """SQL for one contract column, given `v` (its text, trimmed, codes mapped) and `t`
    (its typed value)."""

    column: Column
    index: int
    fmt: str | None
    code_map: dict[str, str]

    @property
    def kind(self) -> str | None:
        return self.column.identifier

    @property
    def v(self) -> str:
        return f"v{self.index}"

    @property
    def t(self) -> str:
        return f"t{self.index}"

    def normalised(self, source: str) -> str:
        """Text value: trimmed, empty as NULL; NOMS numbers upper-cased."""
        expr = f"nullif(trim(CAST({source} AS VARCHAR), {_WS}), '')"
        return f"upper({expr})" if self.kind == "noms" else expr

    def mapped(self) -> str:
        """The force's code values replaced by the contract's."""
        if not self.code_map:
            return self.v
        whens = " ".join(f"WHEN {lit(k)} THEN {lit(val)}" for k, val in self.code_map.items())
        return f"CASE {self.v} {whens} ELSE {self.v} END"

    def typed(self) -> str:
        v, c = self.v, self.column
        if self.kind == "noms":
            return f"CASE WHEN regexp_full_match({v}, {lit(_NOMS_RE)}) THEN {v} END"
        if c.type == ColumnType.DATE:
            iso = (
                f"CASE WHEN regexp_full_match({v}, {lit(_DATE_RE)}) THEN try_cast({v} AS DATE) END"
            )
            if self.fmt:
                return f"coalesce(CAST(try_strptime({v}, {lit(self.fmt)}) AS DATE), {iso})"
            return iso
        if c.type == ColumnType.DATETIME:
            iso = (
                f"CASE WHEN regexp_full_match({v}, {lit(_DATETIME_RE)}) "
                f"THEN try_cast(replace({v}, 'T', ' ') AS TIMESTAMP) END"
            )
            if self.fmt:
                return f"coalesce(CAST(try_strptime({v}, {lit(self.fmt)}) AS TIMESTAMP), {iso})"
            return iso
        if c.codes:
            upper = {code.upper() for code in c.codes}
            if len(upper) == len(c.codes):  # case-insensitive match, contract spelling out
                whens = " ".join(f"WHEN {lit(code.upper())} THEN {lit(code)}" for code in c.codes)
                # An open list keeps a code it does not know; a closed list drops it.
                other = f" ELSE {v}" if c.open_codes else ""
                return f"CASE upper({v}) {whens}{other} END"
            if c.open_codes:
                return v
            return f"CASE WHEN {v} IN ({', '.join(lit(x) for x in c.codes)}) THEN {v} END"
        return v

    def bad(self) -> str | None:
        """SQL condition, given v IS NOT NULL, that the value is unreadable."""
        if self.kind == "pnc":
            return f"{canonical_pnc_sql(clean_sql(self.v))} IS NULL"
        if self.kind == "cro":
            return f"{canonical_cro_sql(clean_sql(self.v))} IS NULL"
        if self.typed() == self.v:
            return None
        return f"{self.t} IS NULL"

    def reason(self) -> str:
        v, c = self.v, self.column
        if self.kind == "noms":
            return lit("not a NOMS number (A9999AA)")
        if self.kind == "pnc":
            return (
                f"CASE WHEN regexp_full_match({clean_sql(v)}, {lit(_PNC_RE)}) "
                "THEN 'PNC check letter fails' "
                "ELSE 'PNC not in form YY/NNNNNNNC or YYYY/NNNNNNNC' END"
            )
        if self.kind == "cro":
            return (
                f"CASE WHEN regexp_full_match({clean_sql(v)}, {lit(_CRO_RE)}) "
                "THEN 'CRO check letter fails' ELSE 'CRO not in form NNNNNN/YYC' END"
            )
        if c.type in (ColumnType.DATE, ColumnType.DATETIME):
            word = "date" if c.type == ColumnType.DATE else "datetime"
            iso_re = _DATE_RE if c.type == ColumnType.DATE else _DATETIME_RE
            iso_name = (
                "YYYY-MM-DD" if c.type == ColumnType.DATE else "ISO 8601 (YYYY-MM-DDTHH:MM:SS)"
            )
            expected = f"{word} not in format {self.fmt}" if self.fmt else f"{word} not {iso_name}"
            return (
                f"CASE WHEN regexp_full_match({v}, {lit(iso_re)}) THEN {lit('impossible ' + word)} "
                f"ELSE {lit(expected)} END"
            )
        if c.codes:
            where = f" not in {c.name} list"
            return (
                f"CASE WHEN regexp_full_match({v}, {lit(_CODE_SHOWN_RE)}) "
                f"THEN 'code ''' || {v} || '''{where}' "
                f"ELSE {lit('code' + where + ' (value not shown)')} END"
            )
        return lit("unreadable value")

    def problem(self) -> str | None:
        """SQL giving this column's problem (a reason) or NULL."""
        bad = self.bad()
        missing = lit(MISSING) if self.column.essential else "NULL"
        if bad is None:
            return (
                f"CASE WHEN {self.v} IS NULL THEN {missing} END" if self.column.essential else None
            )
        return f"CASE WHEN {self.v} IS NULL THEN {missing} WHEN {bad} THEN {self.reason()} END"


def column_rules(table: Table, mapping: TableMapping) -> list[ColumnRule]:
    return [
        ColumnRule(
            column=c,
            index=i,
            fmt=mapping.format_for(c.name, c.type)
            if c.type in (ColumnType.DATE, ColumnType.DATETIME)
            else None,
            code_map=mapping.codes.get(c.name, {}),
        )
        for i, c in enumerate(table.columns)
    ]


def _problem_list(rules: list[ColumnRule]) -> str:
    items = [
        f"{{'field': {lit(r.column.name)}, 'reason': {p}}}"
        for r in rules
        if (p := r.problem()) is not None
    ]
    if not items:
        return f"CAST([] AS {_PROBLEM_LIST})"
    return f"list_filter([{', '.join(items)}], lambda x: x.reason IS NOT NULL)"


def check_sql(
    table: Table,
    mapping: TableMapping,
    source_sql: str,
    source_index: dict[str, int],
    record_columns: list[str],
    out: str,
    extra: dict[str, int] | None = None,
) -> str:
    """SQL creating temp table `out`: `_row`, the typed contract columns, any `extra`
    columns (name: its `c{i}`, kept as trimmed text, never checked), `_problems` (why the
    row is set aside; empty when loaded), `_warnings` and `_record` (the raw row as JSON,
    only for rows set aside).

    `source_index` maps each contract column to its `c{i}` in `source_sql`;
    `record_columns[i]` is the file's name of `c{i}`.
    """
    rules = column_rules(table, mapping)
    raw_cols = ", ".join(f"c{i}" for i in range(len(record_columns)))
    s1 = ", ".join(f"{r.normalised(f'c{source_index[r.column.name]}')} AS {r.v}" for r in rules)
    s2 = ", ".join(f"{r.mapped()} AS {r.v}" for r in rules)
    s3 = ", ".join(f"{r.typed()} AS {r.t}" for r in rules)
    v_cols = ", ".join(r.v for r in rules)
    t_cols = ", ".join(r.t for r in rules)
    essential = [r for r in rules if r.column.essential]
    optional = [r for r in rules if not r.column.essential]

    key_rules = [r for r in rules if r.column.name in table.key]
    if key_rules:
        parts = ", ".join(r.t for r in key_rules)
        first = (
            "CASE WHEN array_length(_rej) = 0 THEN min(_row) "
            f"OVER (PARTITION BY array_length(_rej) = 0, {parts}) END"
        )
        key_names = ", ".join(table.key)
        dup = (
            f"[{{'field': {lit(';'.join(table.key))}, "
            f"'reason': 'duplicate key {key_names} (first at row ' || _first || ')'}}]"
        )
        final_problems = (
            f"CASE WHEN array_length(_rej) > 0 THEN _rej WHEN _first < _row THEN {dup} "
            f"ELSE CAST([] AS {_PROBLEM_LIST}) END"
        )
    else:
        first = "CAST(NULL AS BIGINT)"
        final_problems = "_rej"

    record = (
        "json_object("
        + ", ".join(f"{lit(name)}, c{i}" for i, name in enumerate(record_columns))
        + ")"
    )
    outputs = ", ".join(
        [f"{r.t} AS {ident(r.column.name)}" for r in rules]
        + [
            f"nullif(trim(CAST(c{i} AS VARCHAR), {_WS}), '') AS {ident(name)}"
            for name, i in (extra or {}).items()
        ]
    )
    return f"""
        CREATE OR REPLACE TEMP TABLE {ident(out)} AS
        WITH s1 AS (SELECT _row, {raw_cols}, {s1} FROM {source_sql}),
        s2 AS (SELECT _row, {raw_cols}, {s2} FROM s1),
        s3 AS (SELECT _row, {raw_cols}, {v_cols}, {s3} FROM s2),
        s4 AS (
            SELECT _row, {raw_cols}, {t_cols},
                   {_problem_list(essential)} AS _rej,
                   {_problem_list(optional)} AS _warn
            FROM s3
        ),
        s5 AS (SELECT *, {first} AS _first FROM s4),
        s6 AS (SELECT *, {final_problems} AS _problems FROM s5)
        SELECT _row, {outputs}, _problems,
               CASE WHEN array_length(_problems) = 0 THEN _warn ELSE CAST([] AS {_PROBLEM_LIST}) END
                   AS _warnings,
               CASE WHEN array_length(_problems) > 0 THEN {record} END AS _record
        FROM s6
    """


@dataclass(frozen=True)
class Reference:
    """A column naming a row of another table: `table.column` -> `target.target_column`."""

    table: str
    column: str
    target: str
    target_column: str

    @property
    def reason(self) -> str:
        return f"{self.column} not in {self.target}"


# Every id that names a row of another extract table. A row whose id resolves to nothing
# (a relationship to a person in no `persons` row, a movement of a prisoner in no
# `prisoners` row) is kept, under the contract's rule that a row is set aside only when its
# own id is missing or duplicated or a field it cannot do without is unreadable, and
# reported as a warning (file, row, field) and counted (`TableLoad.unresolved_references`).
REFERENCES: tuple[Reference, ...] = (
    Reference("prison_movements", "prisoner_number", "prisoners", "prisoner_number"),
    Reference("prisoner_aliases", "prisoner_number", "prisoners", "prisoner_number"),
    Reference("prisoner_contacts", "prisoner_number", "prisoners", "prisoner_number"),
    Reference("person_aliases", "person_id", "persons", "person_id"),
    Reference("person_addresses", "person_id", "persons", "person_id"),
    Reference("person_addresses", "address_id", "addresses", "address_id"),
    Reference("occurrence_persons", "occurrence_id", "occurrences", "occurrence_id"),
    Reference("occurrence_persons", "person_id", "persons", "person_id"),
    Reference("relationships", "person_id", "persons", "person_id"),
    Reference("relationships", "related_person_id", "persons", "person_id"),
    Reference("person_flags", "person_id", "persons", "person_id"),
    Reference("partner_relationships", "partner_person_id", "partner_persons", "partner_person_id"),
    Reference(
        "partner_relationships", "related_partner_person_id", "partner_persons", "partner_person_id"
    ),
    Reference("partner_involvement", "partner_person_id", "partner_persons", "partner_person_id"),
)


def reference_warnings(db: Backend, report: LoadReport, warnings_table: str) -> None:
    """Add a warning for every loaded row whose reference resolves to no row of its target
    table, and count them on the report (warnings and `unresolved_references`). A reference
    to a table the extract does not hold (an optional one) is not checked."""
    order = {name: i for i, name in enumerate(report.tables)}
    for ref in REFERENCES:
        source, target = report.tables.get(ref.table), report.tables.get(ref.target)
        if source is None or target is None or source.file is None or target.file is None:
            continue  # a table the extract does not hold
        col, tcol = ident(ref.column), ident(ref.target_column)
        unresolved = f"""
            SELECT {order[ref.table]}, {lit(ref.table)}, {lit(source.file)}, t._row,
                   {lit(ref.column)}, {lit(ref.reason)}
            FROM {ident(ref.table)} t
            WHERE t.{col} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {ident(ref.target)} x WHERE x.{tcol} = t.{col})"""
        # counted, then inserted: not every engine says how many rows an INSERT wrote
        n = int(db.fetch_value(f"SELECT count(*) FROM ({unresolved})"))
        if n:
            db.execute(f"INSERT INTO {ident(warnings_table)} {unresolved}")
        source.warnings += n
        source.unresolved_references += n
