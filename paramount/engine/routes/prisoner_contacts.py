"""Route PRISON_CONTACT: the children a prisoner declared to the prison.

A second route independent of police records. The contact row is its own record; identity
resolution (`pm_entity_members`, source CONTACT) says which entity it is, so a declared son
who is also a police nominal is one child. Codes: SON/DAU a child, SSON/SDAU a stepchild,
GUA/ILP a child in the prisoner's care, GSON/GDAU a grandchild (a parent only in the sense
of primary carer, which co-residence decides); anything else (BRO, SIS, FRI...) speaks
against a parent inference.
"""

from __future__ import annotations

from paramount.engine.pipeline import RunParameters, Step
from paramount.engine.routes.evidence import select_evidence
from paramount.engine.routes.route import AGAINST_FACTOR, Feature, PairColumn, Route
from paramount.engine.routes.step_ended import (
    STEP_ENDED_FIXED,
    STEP_ENDED_LEVELS,
    step_levels_sql,
)
from paramount.engine.sql import literal

CONTRACT_NAME = "PRISON_CONTACT"
PARTNER_CONTACT_CODES = ("WIFE", "HUS", "PART")
_KINDS = {
    "SON": ("PARENT", "PARENT", "son"),
    "DAU": ("PARENT", "PARENT", "daughter"),
    "SSON": ("STEP", "STEP_PARENT", "stepson"),
    "SDAU": ("STEP", "STEP_PARENT", "stepdaughter"),
    "GUA": ("GUARDIAN", "GUARDIAN", "a child in their guardianship"),
    "ILP": ("GUARDIAN", "CARER", "a child in their care (in loco parentis)"),
    "GSON": ("GRAND", "GRANDPARENT", "grandson"),
    "GDAU": ("GRAND", "GRANDPARENT", "granddaughter"),
}


def codes_of(kinds: tuple[str, ...]) -> tuple[str, ...]:
    """The contact codes whose evidence kind is one of `kinds` (SON and DAU for PARENT)."""
    return tuple(code for code, v in _KINDS.items() if v[0] in kinds)


def _case(column: str, pick: int, default: str) -> str:
    whens = " ".join(f"WHEN {literal(k)} THEN {literal(v[pick])}" for k, v in _KINDS.items())
    return f"CASE {column} {whens} ELSE {default} END"


def evidence_contacts_sql(params: RunParameters) -> str:
    members = params.table("entity_members")
    kind = _case("c.relationship_code", 0, "'OTHER'")
    rel = _case("c.relationship_code", 1, "NULL")
    other = "'contact (' || coalesce(c.relationship_code, '?') || ')'"
    words = _case("c.relationship_code", 2, other)
    flags = (
        "CASE WHEN c.next_of_kin = 'Y' THEN ', next of kin' ELSE '' END"
        " || CASE WHEN c.emergency_contact = 'Y' THEN ', emergency contact' ELSE '' END"
    )
    partner = "(" + ", ".join(literal(c) for c in PARTNER_CONTACT_CODES) + ")"
    return f"""
SELECT {
        select_evidence(
            adult_entity="x.entity_id",
            child_entity="k.entity_id",
            route=literal(CONTRACT_NAME),
            kind=kind,
            relationship=rel,
            against=f"{kind} = 'OTHER'",
            events="1",
            records="'contact row ' || CAST(c._row AS VARCHAR) || ' of ' || c.prisoner_number"
            " || coalesce(' booking ' || c.booking_id, '')",
            detail=f"'declared as ' || {words} || ' to the prison' || {flags}",
        )
    }
FROM prisoner_contacts AS c
JOIN {members} AS x ON x.source = 'PRISONER' AND x.record_id = c.prisoner_number
JOIN {members} AS k ON k.source = 'CONTACT' AND k.record_id = CAST(c._row AS VARCHAR)
WHERE coalesce(c.relationship_code, '') NOT IN {partner} AND x.entity_id <> k.entity_id
"""


EVIDENCE_CONTACTS = Step(
    "evidence_contacts",
    "Children a prisoner declared to the prison, as entities",
    evidence_contacts_sql,
    window_free=True,
)

_ON = f"e.route = {literal(CONTRACT_NAME)}"

ROUTE = Route(
    "prisoner_contacts",
    CONTRACT_NAME,
    steps=(EVIDENCE_CONTACTS,),
    list_order=2,
    pair_columns=(
        PairColumn("c_parent", f"{_ON} AND e.kind = 'PARENT'"),
        PairColumn("c_step", f"{_ON} AND e.kind = 'STEP'"),
        PairColumn("c_guard", f"{_ON} AND e.kind = 'GUARDIAN'"),
        PairColumn("c_grand", f"{_ON} AND e.kind = 'GRAND'"),
        PairColumn("c_other", f"{_ON} AND e.kind = 'OTHER'"),
    ),
    features=(
        Feature(
            "contact",
            levels={
                "PARENT": (0.5, 0.01),
                "STEP": (0.05, 0.005),
                **STEP_ENDED_LEVELS,
                "GUARDIAN": (0.02, 0.002),
                "GRAND": (0.01, 0.01),
                "OTHER": (0.01, 0.05),
                "NONE": (0.4, 0.92),
            },
            levels_sql=f"""CASE WHEN NOT adult_declared THEN NULL
            WHEN c_parent = 1 THEN 'PARENT'
            {step_levels_sql("c_step", ("rms_step",))}
            WHEN c_guard = 1 THEN 'GUARDIAN' WHEN c_grand = 1 THEN 'GRAND'
            WHEN c_other = 1 THEN 'OTHER' ELSE 'NONE' END""",
            applies="adult_declared",
            # the prisoner's own word that the child is a nephew, a friend...; a stepchild of
            # a step-relationship the records show over (`step_ended`): against a current
            # parent figure, once (where the police's step link already says so, neutral)
            fixed={"OTHER": AGAINST_FACTOR, **STEP_ENDED_FIXED},
            record=True,
        ),
    ),
)
