"""Blocking over several forces: strict keys cross borders, loose keys stay within a force.

A blocking rule pairs every two records that share its key, so its pairs grow as the square
of the records it runs over. Measured on single forces of 0.3, 1 and 2.4 million people, the
prediction rules made 2.6, 27.6 and 156 million pairs, growing as the square but for the PNC,
CRO and associates rules (docs/benchmarks.md, issue 13). One national pool of 60 million
people would make some 100 billion. Most of them come from the loose rules (names and a year,
one name and an initial), there to catch a typo or a slipped date among one force's
records. The same person in two forces' records is found by keys that do not depend on who
recorded him and stay narrow over any pool: an exact date of birth (with a name or
initials), the national identifiers (PNC, CRO), and a full home postcode (one street, with
a forename or initials: a family that moved across the border, recorded undated by one force).

So a run over several forces keeps the rules whose key holds one of those as they are, and
gives every other rule the condition that both records come from the same force: an
equi-join, so the loose rules grow with each force's square, not the country's. A single
force's run is untouched, and the rewriting happens where the linker is built
(`models.build_linker`), so a model saved by one kind of run serves the other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from paramount.contract.tables import SOURCE_FORCE
from paramount.db.backend import Backend

# The keys that may pair records of two forces: the same person's records agree on them
# whoever recorded him, and each is narrow enough that a national block on it stays small:
# an exact date of birth, a national identifier, or a full home postcode (one street's
# households however large the pool; without it, a person recorded undated in one force is
# lost to his dated record in the next: identity recall across three forces 0.928, against
# 0.986 with it, for 2.4 % more pairs, docs/benchmarks.md).
CROSS_FORCE_KEYS: tuple[str, ...] = ("dob", "pnc", "cro", "postcode1")

# Both records from one force, in DuckDB's dialect (translated for the run's engine).
SAME_FORCE = f'l."{SOURCE_FORCE}" = r."{SOURCE_FORCE}"'

_Q = '[`"]?'  # a column quoted by DuckDB (") or Spark (`), or bare


def _side_eq(column: str) -> str:
    """`l.<column> = r.<column>` (either way round, any quoting) as a whole conjunct."""
    col = re.escape(column)
    eq = rf"(?:l\.{_Q}{col}{_Q}\s*=\s*r\.{_Q}{col}{_Q}|r\.{_Q}{col}{_Q}\s*=\s*l\.{_Q}{col}{_Q})"
    return rf"(?:^|\(|\bAND\s)\s*{eq}\s*(?=\)|\bAND\b|$)"


_CROSSES = re.compile("|".join(_side_eq(k) for k in CROSS_FORCE_KEYS), re.IGNORECASE)
_ADDED = re.compile(
    rf"^\((?P<rule>.*)\)\s+AND\s+l\.{_Q}{SOURCE_FORCE}{_Q}\s*=\s*r\.{_Q}{SOURCE_FORCE}{_Q}\s*$",
    re.IGNORECASE | re.DOTALL,
)


def crosses_forces(rule_sql: str) -> bool:
    """Whether a prediction rule may pair records of two forces: its key (a conjunction of
    equalities, as Splink's `block_on` and Paramount's own rules are) holds the two sides'
    equality on a `CROSS_FORCE_KEYS` column. `month(l.dob) = month(r.dob)` or
    `l.dob IS NULL` is not an exact date of birth: such a rule stays within a force."""
    return _CROSSES.search(rule_sql) is not None


def without_force(rule_sql: str) -> str:
    """A rule as it was before `for_run` restricted it to one force (unchanged if it was not)."""
    match = _ADDED.match(rule_sql)
    return rule_sql if match is None else match["rule"]


def multi_force(db: Backend, tables: Sequence[str]) -> bool:
    """Whether the records of `tables` are several forces': more than one force among them,
    and every record carries one.

    Decided on the records, not the extract or the command: a force's own extract has no
    force, and a single force passed through the national run has one (its run must be its
    own run, `loading/national.py`); only records of two forces can make a pair across a
    border. Every record must carry one because NULL equals nothing: the prisoners (the one
    national prison system's, no force's) would be cut off from every restricted rule, so a
    link of them keeps its rules whole."""
    if any(SOURCE_FORCE not in db.columns(t) for t in tables):
        return False
    union = " UNION ALL ".join(f"SELECT {SOURCE_FORCE} AS f FROM {t}" for t in tables)
    forces, unknown = db.fetch_tuples(
        f"SELECT count(DISTINCT f), count(*) - count(f) FROM ({union}) AS t"
    )[0]
    return int(forces) > 1 and int(unknown) == 0


def for_run(rules: Sequence[dict[str, Any]], *, multi: bool, db: Backend) -> list[dict[str, Any]]:
    """Prediction rules (Splink's dicts, in `db`'s dialect) for this run: each first given
    back as it was without a force condition (a model saved by a national run, reused by one
    force), then, when `multi`, every rule that does not cross forces given `SAME_FORCE`.
    Every other key (`arrays_to_explode`, the dialect) is kept."""
    same = db.translate_condition(SAME_FORCE)
    out = []
    for rule in rules:
        sql = without_force(rule["blocking_rule"])
        if multi and not crosses_forces(sql):
            sql = f"({sql}) AND {same}"
        out.append({**rule, "blocking_rule": sql})
    return out
