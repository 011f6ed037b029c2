"""Quoting and dialects: every name and literal that reaches SQL goes through these, and
`to_dialect` is the only place sqlglot is asked to transpile (DuckDB SQL in, a backend's
dialect out)."""

from __future__ import annotations

import sqlglot

DUCKDB = "duckdb"


def to_dialect(sql: str, dialect: str) -> str:
    """The statement(s) of `sql` (DuckDB dialect) in `dialect`; unchanged for DuckDB."""
    if dialect == DUCKDB:
        return sql
    return ";\n".join(sqlglot.transpile(sql, read=DUCKDB, write=dialect))


def ident(name: str) -> str:
    """A quoted identifier (table or column name)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"
