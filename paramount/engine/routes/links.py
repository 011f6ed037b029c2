"""Reading recorded links (police `relationships`, social care `partner_relationships`) as
directed adult -> child evidence between entities.

A row `(A, B, r)` reads "A is the r of B". Each code gives the adult and the child:

- PARENT, STEP_PARENT, GUARDIAN, CARER, GRANDPARENT: A is the adult, B the child;
- CHILD, STEP_CHILD, GRANDCHILD: the other way round (B is the adult);
- SIBLING and ASSOCIATE: evidence *against* a parent inference, both ways round;
- NEXT_OF_KIN: A is B's next of kin (weak, often a parent, taken for a child at an
  occurrence);
- EX_PARTNER: the adult's ex-partner's child (an EX_PARTNER link between the adult and a
  recorded parent of the child) is evidence against a current step-parent, and against a
  parent inference when no parent link of the adult exists.
"""

from __future__ import annotations

from paramount.engine.sql import literal

# code -> (direction, kind, implied contract relationship, against)
# direction F: person is the adult; I: related person is the adult; B: both ways.
LINK_CODES: dict[str, tuple[str, str, str | None, bool]] = {
    "PARENT": ("F", "PARENT", "PARENT", False),
    "CHILD": ("I", "PARENT", "PARENT", False),
    "STEP_PARENT": ("F", "STEP", "STEP_PARENT", False),
    "STEP_CHILD": ("I", "STEP", "STEP_PARENT", False),
    "GUARDIAN": ("F", "GUARDIAN", "GUARDIAN", False),
    "CARER": ("F", "GUARDIAN", "CARER", False),
    "GRANDPARENT": ("F", "GRAND", "GRANDPARENT", False),
    "GRANDCHILD": ("I", "GRAND", "GRANDPARENT", False),
    "NEXT_OF_KIN": ("F", "NOK", None, False),
    "SIBLING": ("B", "SIBLING", None, True),
    "ASSOCIATE": ("B", "ASSOCIATE", None, True),
}
# Kinds that make the adult a parent figure (for "the child's other recorded parent").
PARENT_KINDS = ("PARENT", "STEP", "GUARDIAN")


def _case(column: str, pick: int) -> str:
    whens = " ".join(
        f"WHEN {literal(code)} THEN {'NULL' if v[pick] is None else literal(str(v[pick]))}"
        for code, v in LINK_CODES.items()
    )
    return f"CASE {column} {whens} END"


def directed_links_sql(lifted: str) -> str:
    """SQL (a query) turning `lifted` (a_entity, b_entity, code, source, occurrence_id,
    recorded_at, record) into (adult_entity, child_entity, kind, relationship, against, code,
    source, occurrence_id, recorded_at, record, recorded_as)."""
    both = [c for c, v in LINK_CODES.items() if v[0] == "B"]
    fwd = [c for c, v in LINK_CODES.items() if v[0] in ("F", "B")]
    inv = [c for c, v in LINK_CODES.items() if v[0] in ("I", "B")]
    kind, rel, against = _case("code", 1), _case("code", 2), _case("code", 3)
    cols = "code, source, occurrence_id, recorded_at, record"

    def lst(codes: list[str]) -> str:
        return "(" + ", ".join(literal(c) for c in codes) + ")"

    return f"""
SELECT a_entity AS adult_entity, b_entity AS child_entity, {kind} AS kind,
       {rel} AS relationship, CAST({against} AS BOOLEAN) AS against, {cols},
       'FORWARD' AS recorded_as
FROM {lifted} WHERE code IN {lst(fwd)} AND a_entity <> b_entity
UNION ALL
SELECT b_entity AS adult_entity, a_entity AS child_entity, {kind} AS kind,
       {rel} AS relationship, CAST({against} AS BOOLEAN) AS against, {cols},
       CASE WHEN code IN {lst(both)} THEN 'FORWARD' ELSE 'INVERSE' END AS recorded_as
FROM {lifted} WHERE code IN {lst(inv)} AND a_entity <> b_entity
"""


def ex_partners_children_sql(lifted: str, directed: str) -> str:
    """(adult_entity, child_entity, ...) where the adult has an EX_PARTNER link with a
    recorded parent figure of the child: the adult's ex-partner's child."""
    return f"""
SELECT ex.a AS adult_entity, d.child_entity, 'EX_PARTNERS_CHILD' AS kind,
       CAST(NULL AS VARCHAR) AS relationship, TRUE AS against,
       'EX_PARTNER' AS code, ex.source, ex.occurrence_id, ex.recorded_at, ex.record,
       'VIA ' || ex.b AS recorded_as
FROM (
    SELECT a_entity AS a, b_entity AS b, source, occurrence_id, recorded_at, record
    FROM {lifted} WHERE code = 'EX_PARTNER'
    UNION ALL
    SELECT b_entity AS a, a_entity AS b, source, occurrence_id, recorded_at, record
    FROM {lifted} WHERE code = 'EX_PARTNER'
) AS ex
JOIN {directed} AS d ON d.adult_entity = ex.b AND d.kind IN ('PARENT', 'STEP', 'GUARDIAN')
WHERE d.child_entity <> ex.a
"""
