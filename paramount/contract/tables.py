"""The data contract (version 1) as code: every table, column, type and code list.

One source of truth for the loader (validation), the synthetic force (what it writes),
the engine (what it may read) and the outputs (what they must hold). The prose contract
lives in `docs/data-contract.md`; if the two disagree, this module is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    """Logical types of the contract. Every identifier is a string."""

    STR = "str"
    CODE = "code"  # a string from a closed list
    FLAG = "flag"  # Y or N
    DATE = "date"  # YYYY-MM-DD
    DATETIME = "datetime"  # ISO 8601, UK local time


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = ColumnType.STR
    nullable: bool = True
    codes: tuple[str, ...] = ()
    # A column the row cannot live without: unreadable or missing -> the row is set aside.
    essential: bool = False
    # The contract's list is indicative ("others occur", "flags include"): an unknown code is
    # kept as it is. A closed list's unknown code is dropped (null) with a warning instead.
    open_codes: bool = False
    # An identifier with its own rules on top of its type: "noms", "pnc" or "cro".
    identifier: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    required: bool = True
    key: tuple[str, ...] = ()  # unique key; a duplicate key row is set aside
    group: str = "police"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


S, C, F, D, DT = (
    ColumnType.STR,
    ColumnType.CODE,
    ColumnType.FLAG,
    ColumnType.DATE,
    ColumnType.DATETIME,
)

MOVEMENT_TYPES = ("ADM", "CRT", "REL", "TAP", "TRN")
DIRECTIONS = ("IN", "OUT")
ADMISSION_REASONS = ("N", "V", "I", "L", "B", "Y", "INT", "R")
GENDERS = ("Male", "Female", "Not Known", "Not Specified")
LEGAL_STATUSES = (
    "REMAND",
    "CONVICTED_UNSENTENCED",
    "SENTENCED",
    "RECALL",
    "INDETERMINATE_SENTENCE",
    "IMMIGRATION_DETAINEE",
    "CIVIL_PRISONER",
    "UNKNOWN",
)
CONTACT_RELATIONSHIPS = (
    "SON", "DAU", "SSON", "SDAU", "GSON", "GDAU", "GUA", "ILP", "WIFE", "HUS", "PART",
    "FA", "MOT", "BRO", "SIS", "FRI", "OTH",
)  # fmt: skip
# What a contact's code says of the person beyond the relationship: their sex, and whether
# they are a generation younger (-1) or older (+1) than the prisoner.
CONTACT_SEX = {
    "SON": "M", "SSON": "M", "GSON": "M", "BRO": "M", "HUS": "M", "FA": "M",
    "DAU": "F", "SDAU": "F", "GDAU": "F", "SIS": "F", "WIFE": "F", "MOT": "F",
}  # fmt: skip


def contact_sex_sql(code: str) -> str:
    """SQL: `M`/`F` as a prisoner contact's relationship code implies (a son is male)."""
    whens = " ".join(f"WHEN '{c}' THEN '{x}'" for c, x in CONTACT_SEX.items())
    return f"CASE {code} {whens} END"


GENERATION_YEARS = 12  # no parent is younger than this at a child's birth
CONTACT_GENERATION = {
    "SON": -1, "DAU": -1, "SSON": -1, "SDAU": -1, "GSON": -1, "GDAU": -1, "FA": 1, "MOT": 1,
}  # fmt: skip
SEXES = ("M", "F", "U")
PREMISES_TYPES = (
    "DWELLING", "HMO", "HOSTEL", "CARE_HOME", "HOTEL", "REFUGE", "COMMERCIAL", "OTHER",
)  # fmt: skip
SHARED_PREMISES = ("HMO", "HOSTEL", "CARE_HOME", "HOTEL", "REFUGE", "COMMERCIAL")
ADDRESS_ROLES = ("HOME", "PREVIOUS_HOME", "CONTACT", "WORK")
OCCURRENCE_TYPES = (
    "DOMESTIC_ABUSE", "VIOLENCE", "SEXUAL_OFFENCE", "CHILD_PROTECTION", "MISSING_PERSON",
    "CONCERN_FOR_WELFARE", "ASB", "THEFT", "BURGLARY", "DRUGS", "PUBLIC_ORDER",
    "ROAD_TRAFFIC", "OTHER",
)  # fmt: skip
OCCURRENCE_ROLES = (
    "OFFENDER", "SUSPECT", "VICTIM", "WITNESS", "INVOLVED_PARTY", "VULNERABLE_CHILD",
    "PERSON_REPORTING", "ASSOCIATION", "MISSING_PERSON",
)  # fmt: skip
RELATIONSHIPS = (
    "PARENT", "CHILD", "STEP_PARENT", "STEP_CHILD", "GUARDIAN", "CARER", "GRANDPARENT",
    "GRANDCHILD", "SIBLING", "PARTNER", "EX_PARTNER", "NEXT_OF_KIN", "ASSOCIATE", "OTHER",
)  # fmt: skip
RELATIONSHIP_SOURCES = (
    "OCCURRENCE_NOK", "ENCOMPASS", "CHILD_PROTECTION", "INTELLIGENCE", "CUSTODY", "OTHER",
)  # fmt: skip
PERSON_FLAGS = (
    "CHILD_PROTECTION_PLAN", "CHILD_IN_NEED", "LOOKED_AFTER_CHILD", "EARLY_HELP",
    "OPEN_TO_SOCIAL_CARE", "VIOLENCE_WARNING", "WEAPONS_WARNING", "REGISTERED_SEX_OFFENDER",
    "DOMESTIC_ABUSE_PERPETRATOR",
)  # fmt: skip
INVOLVEMENT_STATUSES = (
    "CHILD_IN_NEED", "CHILD_PROTECTION_PLAN", "LOOKED_AFTER", "EARLY_HELP", "CLOSED",
)  # fmt: skip
FLAGS_YN = ("Y", "N")

# Recorded relationship codes that make `person_id` a parent figure of `related_person_id`,
# and the codes that make `person_id` the child of `related_person_id` (the other direction).
PARENT_CODES = ("PARENT", "STEP_PARENT", "GUARDIAN", "CARER")
CHILD_CODES = ("CHILD", "STEP_CHILD")
# The inverse reading of each directed code.
INVERSE_RELATIONSHIP = {
    "PARENT": "CHILD",
    "CHILD": "PARENT",
    "STEP_PARENT": "STEP_CHILD",
    "STEP_CHILD": "STEP_PARENT",
    "GRANDPARENT": "GRANDCHILD",
    "GRANDCHILD": "GRANDPARENT",
}


def _t(name: str, cols: list[Column], **kw) -> Table:
    return Table(name=name, columns=tuple(cols), **kw)


FORCE_AREA = _t(
    "force_area",
    [
        Column("postcode_district", S, nullable=False, essential=True),
        Column("lpa", S, nullable=False, essential=True),
        Column("lpa_name", S),
    ],
    key=("postcode_district",),
    group="force",
)

PRISON_MOVEMENTS = _t(
    "prison_movements",
    [
        Column("prisoner_number", S, nullable=False, essential=True, identifier="noms"),
        Column("booking_id", S, nullable=False, essential=True),
        Column("movement_type", C, nullable=False, codes=MOVEMENT_TYPES, essential=True),
        Column("direction", C, nullable=False, codes=DIRECTIONS, essential=True),
        Column("movement_reason_code", C, codes=ADMISSION_REASONS, open_codes=True),
        Column("movement_datetime", DT, nullable=False, essential=True),
        Column("from_agency", S),
        Column("to_agency", S),
        Column("to_agency_description", S),
    ],
    group="prison",
)

PRISONERS = _t(
    "prisoners",
    [
        Column("prisoner_number", S, nullable=False, essential=True, identifier="noms"),
        Column("pnc_number", S, identifier="pnc"),
        Column("cro_number", S, identifier="cro"),
        Column("first_name", S),
        Column("middle_names", S),
        Column("last_name", S),
        Column("date_of_birth", D),
        Column("gender", C, codes=GENDERS),
        Column("legal_status", C, codes=LEGAL_STATUSES),
        Column("home_postcode", S),
        Column("home_address", S),
        Column("most_serious_offence", S),
        Column("prison_id", S),
    ],
    key=("prisoner_number",),
    group="prison",
)

PRISONER_ALIASES = _t(
    "prisoner_aliases",
    [
        Column("prisoner_number", S, nullable=False, essential=True, identifier="noms"),
        Column("first_name", S),
        Column("middle_names", S),
        Column("last_name", S),
        Column("date_of_birth", D),
        Column("gender", C, codes=GENDERS),
    ],
    required=False,
    group="prison",
)

PRISONER_CONTACTS = _t(
    "prisoner_contacts",
    [
        Column("prisoner_number", S, nullable=False, essential=True, identifier="noms"),
        Column("booking_id", S),
        Column("first_name", S),
        Column("last_name", S),
        Column("date_of_birth", D),
        Column("relationship_code", C, codes=CONTACT_RELATIONSHIPS, open_codes=True),
        Column("next_of_kin", F, codes=FLAGS_YN),
        Column("emergency_contact", F, codes=FLAGS_YN),
        Column("active", F, codes=FLAGS_YN),
    ],
    required=False,
    group="prison",
)

PERSONS = _t(
    "persons",
    [
        Column("person_id", S, nullable=False, essential=True),
        Column("surname", S),
        Column("forenames", S),
        Column("date_of_birth", D),
        Column("sex", C, codes=SEXES),
        Column("pnc_id", S, identifier="pnc"),
        Column("cro_number", S, identifier="cro"),
    ],
    key=("person_id",),
)

PERSON_ALIASES = _t(
    "person_aliases",
    [
        Column("person_id", S, nullable=False, essential=True),
        Column("surname", S),
        Column("forenames", S),
        Column("date_of_birth", D),
    ],
    required=False,
)

ADDRESSES = _t(
    "addresses",
    [
        Column("address_id", S, nullable=False, essential=True),
        Column("uprn", S),
        Column("line1", S),
        Column("line2", S),
        Column("town", S),
        Column("postcode", S),
        Column("lpa", S),
        Column("premises_type", C, codes=PREMISES_TYPES),
    ],
    key=("address_id",),
)

PERSON_ADDRESSES = _t(
    "person_addresses",
    [
        Column("person_id", S, nullable=False, essential=True),
        Column("address_id", S, nullable=False, essential=True),
        Column("address_role", C, codes=ADDRESS_ROLES, essential=True, nullable=False),
        Column("from_date", D),
        Column("to_date", D),
    ],
)

OCCURRENCES = _t(
    "occurrences",
    [
        Column("occurrence_id", S, nullable=False, essential=True),
        Column("occurrence_type", C, codes=OCCURRENCE_TYPES),
        Column("reported_at", DT),
        Column("address_id", S),
        Column("lpa", S),
    ],
    key=("occurrence_id",),
)

OCCURRENCE_PERSONS = _t(
    "occurrence_persons",
    [
        Column("occurrence_id", S, nullable=False, essential=True),
        Column("person_id", S, nullable=False, essential=True),
        Column("role", C, codes=OCCURRENCE_ROLES),
        Column("child_present", F, codes=FLAGS_YN),
    ],
)

RELATIONSHIPS_TABLE = _t(
    "relationships",
    [
        Column("person_id", S, nullable=False, essential=True),
        Column("related_person_id", S, nullable=False, essential=True),
        Column("relationship", C, nullable=False, codes=RELATIONSHIPS, essential=True),
        Column("source", C, codes=RELATIONSHIP_SOURCES),
        Column("occurrence_id", S),
        Column("recorded_at", D),
    ],
)

PERSON_FLAGS_TABLE = _t(
    "person_flags",
    [
        Column("person_id", S, nullable=False, essential=True),
        Column("flag", C, codes=PERSON_FLAGS, open_codes=True),
        Column("from_date", D),
        Column("to_date", D),
        Column("note", S),
    ],
    required=False,
)

PARTNER_PERSONS = _t(
    "partner_persons",
    [
        Column("partner_person_id", S, nullable=False, essential=True),
        Column("agency", S),
        Column("surname", S),
        Column("forenames", S),
        Column("date_of_birth", D),
        Column("sex", C, codes=SEXES),
        Column("postcode", S),
    ],
    required=False,
    key=("partner_person_id",),
    group="partner",
)

PARTNER_RELATIONSHIPS = _t(
    "partner_relationships",
    [
        Column("partner_person_id", S, nullable=False, essential=True),
        Column("related_partner_person_id", S, nullable=False, essential=True),
        Column("relationship", C, nullable=False, codes=RELATIONSHIPS, essential=True),
    ],
    required=False,
    group="partner",
)

PARTNER_INVOLVEMENT = _t(
    "partner_involvement",
    [
        Column("partner_person_id", S, nullable=False, essential=True),
        Column("status", C, codes=INVOLVEMENT_STATUSES),
        Column("from_date", D),
        Column("to_date", D),
        Column("worker_name", S),
        Column("worker_email", S),
    ],
    required=False,
    group="partner",
)

EXTRACT_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        FORCE_AREA,
        PRISON_MOVEMENTS,
        PRISONERS,
        PRISONER_ALIASES,
        PRISONER_CONTACTS,
        PERSONS,
        PERSON_ALIASES,
        ADDRESSES,
        PERSON_ADDRESSES,
        OCCURRENCES,
        OCCURRENCE_PERSONS,
        RELATIONSHIPS_TABLE,
        PERSON_FLAGS_TABLE,
        PARTNER_PERSONS,
        PARTNER_RELATIONSHIPS,
        PARTNER_INVOLVEMENT,
    )
}

# What Paramount hands back: children.csv, in this column order (more may follow).
CHILDREN_COLUMNS: tuple[str, ...] = (
    "child_person_ids",
    "child_partner_ids",
    "child_surname",
    "child_forenames",
    "child_date_of_birth",
    "child_sex",
    "child_age",
    "prisoner_number",
    "booking_id",
    "reception_date",
    "parent_person_ids",
    "relationship",
    "confidence",
    "evidence",
    "sources",
    "address",
    "postcode",
    "lpa",
)

# What a force's checkers found: `verdicts.csv` (contract version 1.1, optional input).
VERDICT_COLUMNS: tuple[str, ...] = (
    "booking_id",
    "prisoner_number",
    "child_person_ids",
    "child_partner_ids",
    "child_surname",
    "child_forenames",
    "child_date_of_birth",
    "verdict",
    "reason",
    "checked_on",
)
# Paramount's optional columns after the contract's (a reader accepts files without them):
# the row a DUPLICATE duplicates (its child ids), the confidence the listing run stated, and
# the casework force that wrote the file.
VERDICT_EXTRA_COLUMNS: tuple[str, ...] = (
    "duplicate_of_person_ids",
    "duplicate_of_partner_ids",
    "stated_confidence",
    "force",
)
VERDICTS = ("CONFIRMED", "REJECTED")
VERDICT_REASONS = (
    "NOT_RELATED",
    "SIBLING",
    "OTHER_RELATIVE",
    "RELATIONSHIP_ENDED",
    "ADULT",
    "NOT_BORN",
    "DUPLICATE",
    "OTHER",
)

ROUTES = (
    "RMS_RELATIONSHIP",
    "PRISON_CONTACT",
    "CO_OCCURRENCE",
    "CO_RESIDENCE",
    "PARTNER",
    "THROUGH_PARENT",
)


@dataclass(frozen=True)
class TruthTable:
    name: str
    columns: tuple[str, ...]
    description: str = field(default="", compare=False)


TRUTH_TABLES: dict[str, TruthTable] = {
    t.name: t
    for t in (
        TruthTable("individuals", ("individual_id", "kind", "sex", "date_of_birth", "name_origin")),
        TruthTable("rms_persons", ("person_id", "individual_id")),
        TruthTable("prisoners", ("prisoner_number", "individual_id")),
        TruthTable("partner_persons", ("partner_person_id", "individual_id")),
        TruthTable("contacts", ("prisoner_number", "row_index", "individual_id")),
        TruthTable(
            "affected_children",
            (
                "child_individual_id",
                "parent_individual_id",
                "prisoner_number",
                "booking_id",
                "reception_date",
                "relationship",
                "lives_with",
                "in_area",
            ),
        ),
    )
}
TRUTH_RELATIONSHIPS = ("BIRTH_PARENT", "STEP_PARENT", "PRIMARY_CARER")


SQL_TYPES = {
    ColumnType.STR: "VARCHAR",
    ColumnType.CODE: "VARCHAR",
    ColumnType.FLAG: "VARCHAR",
    ColumnType.DATE: "DATE",
    ColumnType.DATETIME: "TIMESTAMP",
}


# A national extract (`loading/national.py`) writes on every row the force it came from. The
# loader keeps it, as text, on the tables whose rows are a force's own people, the ones
# identity resolution pairs: a run over several forces keeps its looser blocking rules within
# a force (`linkage/forces.py`). A force's own extract has no such column and loads as before.
SOURCE_FORCE = "source_force"
SOURCE_FORCE_TABLES = frozenset({"persons", "partner_persons"})


def create_table_sql(table: Table, name: str | None = None, extra: tuple[str, ...] = ()) -> str:
    """DDL of a loaded contract table: contract columns typed, then any `extra` text columns
    (`SOURCE_FORCE`), plus `_row`, the 1-based data row of the source file it came from (so
    every finding can point back to its record)."""
    cols = [f'"{c.name}" {SQL_TYPES[c.type]}' for c in table.columns]
    cols += [f'"{c}" VARCHAR' for c in extra]
    cols.append("_row BIGINT")
    return f'CREATE TABLE "{name or table.name}" ({", ".join(cols)})'
