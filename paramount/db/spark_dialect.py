"""DuckDB SQL as Spark SQL: the one place the engine's dialect is bent to Spark's.

sqlglot translates most expressions. What it gets wrong or cannot do is done here, on the
parsed statement, before Spark SQL is written:

- an ordered aggregate (`list(x ORDER BY k)`) keeps its order (sqlglot drops it);
- list slices (`l[1:5]`), `&&`, `regexp_full_match`, `json_object` (nulls kept),
  `strip_accents` and `jarowinkler_similarity` become their Spark equivalents;
- `* EXCLUDE (...)` and `UNION ALL BY NAME`, which need the columns, are expanded by asking
  Spark for the columns of the star's source (`ColumnsOf`);
- a table replaced or made temporary is dropped and created (Spark's session catalog
  neither replaces a Parquet table nor keeps temporary tables), through a new name when the
  query reads the table it replaces; column constraints (`PRIMARY KEY`) are dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp

SPARK = "spark"

# The columns a query gives (Spark's analyser asked, nothing run).
ColumnsOf = Callable[[str], list[str]]


@dataclass(frozen=True)
class SparkStatement:
    """One statement in Spark SQL, and the table it creates when it is a temporary one."""

    sql: str
    temporary_table: str | None = None


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _accents() -> tuple[str, str]:
    """Latin letters with diacritics and their bare letters, as `strip_accents` gives them
    (decomposed, marks removed): Spark has no such function, so `translate` does it."""
    src, dst = [], []
    for code in range(0xC0, 0x250):
        ch = chr(code)
        bare = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if bare != ch and len(bare) == 1:
            src.append(ch)
            dst.append(bare)
    return "".join(src), "".join(dst)


ACCENTED, UNACCENTED = _accents()


def to_spark(sql: str, columns_of: ColumnsOf | None = None) -> list[SparkStatement]:
    """The statements of `sql` (DuckDB's dialect) as Spark runs them. `columns_of` answers
    what a star stands for; without it, a star with EXCLUDE is refused."""
    out: list[SparkStatement] = []
    for tree in sqlglot.parse(sql, read="duckdb"):
        if tree is None:
            continue
        tree = tree.transform(_expression)
        _expand_stars(tree, columns_of)
        if isinstance(tree, exp.Create) and tree.kind == "TABLE":
            out.extend(_create_table(tree))
        else:
            out.append(SparkStatement(tree.sql(dialect=SPARK)))
    return out


def _expression(node: exp.Expression) -> Any:
    """One node as Spark needs it (called on every node, children first)."""
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        return _ordered_list(node.this)
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        piece = node.expressions[0]
        if isinstance(piece, exp.Slice):
            start, end = piece.this, piece.expression
            length = exp.Paren(this=exp.Sub(this=end, expression=start)) + exp.Literal.number(1)
            return exp.func("SLICE", node.this, start, length)
    if isinstance(node, exp.Window) and isinstance(node.this, exp.Filter):
        node.set("this", _unfiltered(node.this))
    if isinstance(node, exp.ArrayOverlaps):
        return exp.func("ARRAYS_OVERLAP", node.this, node.expression)
    if isinstance(node, exp.RegexpFullMatch):
        pattern = exp.func("CONCAT", exp.Literal.string("^(?:"), node.expression,
                           exp.Literal.string(")$"))  # fmt: skip
        return exp.RegexpLike(this=node.this, expression=pattern)
    if isinstance(node, exp.JSONObject):
        pairs: list[exp.Expression] = []
        for kv in node.expressions:
            pairs += [kv.this, kv.expression]
        options = exp.Anonymous(this="MAP", expressions=[
            exp.Literal.string("ignoreNullFields"), exp.Literal.string("false")])  # fmt: skip
        return exp.func("TO_JSON", exp.func("NAMED_STRUCT", *pairs), options)
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "strip_accents":
        return exp.func(
            "TRANSLATE", node.expressions[0], exp.Literal.string(ACCENTED),
            exp.Literal.string(UNACCENTED),
        )  # fmt: skip
    if (
        isinstance(node, exp.Anonymous)
        and str(node.this).lower() == "hash"
        and len(node.expressions) == 1
        and isinstance(node.expressions[0], exp.Column)
        and not node.expressions[0].table
    ):  # DuckDB's hash of a whole row (its table's alias): Spark hashes every column
        alias = node.expressions[0].name
        select = node.find_ancestor(exp.Select)
        source = select.args.get("from_") if select is not None else None
        if source is not None and source.this.alias_or_name == alias:
            return exp.Anonymous(this="HASH", expressions=[exp.Star()])
    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.func("jaro_winkler", node.this, node.expression)  # Splink's jar
    if isinstance(node, exp.ColumnDef):
        node.set("constraints", [])
    return node


def _unfiltered(filtered: exp.Filter) -> Any:
    """`agg(x) FILTER (WHERE c)` as `agg(CASE WHEN c THEN x END)`: Spark takes no filter
    on a window aggregate, and every aggregate skips NULLs."""
    agg, condition = filtered.this, filtered.expression.this
    argument = agg.this
    if isinstance(argument, exp.Star) or argument is None:
        argument = exp.Literal.number(1)
    agg.set("this", exp.Case(ifs=[exp.If(this=condition, true=argument)]))
    return agg


def _ordered_list(order: exp.Order) -> Any:
    """`list(v ORDER BY k1, k2)`: the values sorted by their keys (ascending only)."""
    keys = []
    for i, ordered in enumerate(order.expressions):
        if ordered.args.get("desc"):
            raise NotImplementedError("an ordered list in descending order has no Spark form")
        keys.append(exp.alias_(ordered.this, f"k{i}"))
    pack = exp.func("STRUCT", *keys, exp.alias_(order.this, "v"))
    lam = exp.Lambda(this=exp.column("v", table="s"), expressions=[exp.to_identifier("s")])
    return exp.func("TRANSFORM", exp.func("ARRAY_SORT", exp.func("COLLECT_LIST", pack)), lam)


def _expand_stars(tree: exp.Expression, columns_of: ColumnsOf | None) -> None:
    """Every `* EXCLUDE` and `UNION BY NAME` written out as the columns they stand for."""
    for select in list(tree.find_all(exp.Select)):
        for i, item in enumerate(list(select.expressions)):
            star = item.this if isinstance(item, exp.Column) else item
            if not isinstance(star, exp.Star) or not star.args.get("except_"):
                continue
            if columns_of is None:
                raise NotImplementedError("SELECT * EXCLUDE needs the engine's columns")
            excluded = {c.name for c in star.args["except_"]}
            table = item.table if isinstance(item, exp.Column) else ""
            star.set("except_", None)
            names = columns_of(_probe(tree, select, item))
            kept = [
                exp.column(n, table=table or None, quoted=True) for n in names if n not in excluded
            ]
            select.expressions[i : i + 1] = kept
            select.set("expressions", select.expressions)
    for union in list(tree.find_all(exp.Union)):
        if not union.args.get("by_name"):
            continue
        if columns_of is None:
            raise NotImplementedError("UNION BY NAME needs the engine's columns")
        left = columns_of(_probe(tree, union.this, None))
        right = columns_of(_probe(tree, union.expression, None))
        names = left + [n for n in right if n not in left]
        for side, have in ((union.this, left), (union.expression, right)):
            columns = [
                exp.column(n, quoted=True) if n in have else exp.alias_(exp.Null(), n, quoted=True)
                for n in names
            ]
            alias = exp.TableAlias(this=exp.to_identifier("by_name"))
            outer = exp.select(*columns).from_(exp.Subquery(this=side.copy(), alias=alias))
            side.replace(outer)
        union.set("by_name", None)


def _probe(tree: exp.Expression, select: exp.Expression, star: exp.Expression | None) -> str:
    """A query Spark can analyse for the columns of `star` (or of all of `select`), with
    the statement's common table expressions in scope."""
    body = select.copy()
    if star is not None and isinstance(body, exp.Select):
        body.set("expressions", [star.copy()])
    with_ = (tree.expression if isinstance(tree, exp.Create) else tree).args.get("with_")
    if with_ is not None and body.args.get("with_") is None:
        body.set("with_", with_.copy())
    return body.sql(dialect=SPARK)


def _create_table(tree: exp.Create) -> list[SparkStatement]:
    target = tree.this if isinstance(tree.this, exp.Table) else tree.this.find(exp.Table)
    assert target is not None
    name = target.name
    properties = tree.args.get("properties")
    temporary = properties is not None and any(
        isinstance(p, exp.TemporaryProperty) for p in properties.expressions
    )
    replace = bool(tree.args.get("replace"))
    tree.set("replace", False)
    parquet = exp.FileFormatProperty(this=exp.var("PARQUET"))
    tree.set("properties", exp.Properties(expressions=[parquet]))
    query = tree.expression
    reads_itself = query is not None and any(t.name == name for t in query.find_all(exp.Table))
    made = name if temporary else None
    if not (replace or temporary):
        return [SparkStatement(tree.sql(dialect=SPARK), made)]
    drop = SparkStatement(f"DROP TABLE IF EXISTS {quote(name)}")
    if not reads_itself:
        return [drop, SparkStatement(tree.sql(dialect=SPARK), made)]
    # through a copy, not a rename: a table reopened from its folder is renamed in the
    # catalog only, not on disk
    staging = f"{name}__new"
    target.set("this", exp.to_identifier(staging))
    return [
        SparkStatement(f"DROP TABLE IF EXISTS {quote(staging)}"),
        SparkStatement(tree.sql(dialect=SPARK)),
        drop,
        SparkStatement(
            f"CREATE TABLE {quote(name)} USING PARQUET AS SELECT * FROM {quote(staging)}", made
        ),
        SparkStatement(f"DROP TABLE IF EXISTS {quote(staging)}"),
    ]
