"""The common shape of every route's evidence, and the union the decision reads.

One row is one piece of evidence between an adult entity and a (possibly) child entity:

| column | meaning |
|---|---|
| adult_entity, child_entity | entity ids (`pm_entities`) |
| route | a contract route: RMS_RELATIONSHIP, PRISON_CONTACT, PARTNER, CO_RESIDENCE, ... |
| kind | what the record says, route-specific (PARENT, STEP, SIBLING, HOME, SHARED, FAMILY...) |
| relationship | the contract code it implies for the adult (PARENT, STEP_PARENT, ...), or null |
| against | true when the record speaks against a parent inference (a sibling, an ex-partner) |
| weight | the route's own weight input (co-residence: 1/log2(1+residents); co-occurrence: the
  Adamic-Adar sum), null where a record simply is or is not there |
| surprise | -log10 of the chance of the observation under independence (co-occurrence) |
| events | how many records or events the row rests on |
| first_seen, last_seen | dates of the evidence (co-residence: the overlap; null = open) |
| open_ended | co-residence still running at the extract's end; the route through the other
  parent: the couple declared as partners at the reception |
| current_at | the route through the other parent: the newest record of the couple as
  partners (not as ex-partners), null elsewhere |
| records | the ids it rests on, for an analyst to check |
| detail | a clause in plain words, without the date (the decision adds dates) |

Routes never decide: the decision step (`engine/decision/`) turns these rows into levels. The
union of every route's rows is the registry's `EVIDENCE` step (`registry.py`).
"""

from __future__ import annotations

EVIDENCE_COLUMNS: tuple[str, ...] = (
    "adult_entity",
    "child_entity",
    "route",
    "kind",
    "relationship",
    "against",
    "weight",
    "surprise",
    "events",
    "first_seen",
    "last_seen",
    "open_ended",
    "current_at",
    "records",
    "detail",
)


def select_evidence(**columns: str) -> str:
    """A SELECT list in the evidence shape: given expressions, typed nulls for the rest."""
    types = {
        "against": "BOOLEAN",
        "weight": "DOUBLE",
        "surprise": "DOUBLE",
        "events": "BIGINT",
        "first_seen": "DATE",
        "last_seen": "DATE",
        "open_ended": "BOOLEAN",
        "current_at": "DATE",
    }
    unknown = set(columns) - set(EVIDENCE_COLUMNS)
    if unknown:
        raise ValueError(f"not evidence columns: {sorted(unknown)}")
    parts = []
    for name in EVIDENCE_COLUMNS:
        expr = columns.get(name, "NULL")
        parts.append(f"CAST({expr} AS {types.get(name, 'VARCHAR')}) AS {name}")
    return ",\n       ".join(parts)
