"""Standardised records: every source's people in one shape, ready for the models.

Each source (RMS nominals and their aliases, prisoners and theirs, partner persons) becomes
a table of the same columns, so one set of comparisons serves every model:

`unique_id` (one row: `record_id|0` for the main record, `record_id|a<_row>` for an alias),
`record_id`, `surname`, `forename1` (first token of the forenames), `forename_canon` (its
canonical form through the nickname table), `forename_tokens` (every token, for first and
middle names held in one field), `dob`, `yob` (its year), `postcode1` (a
home postcode; both for blocking), `sex` (`M`/`F`,
unknown as NULL), `pnc` and `cro`
(canonical, valid only), `postcodes` and `districts` (lists, NULL when none), `homes` (the
UPRNs, or address ids where a UPRN is missing, of a nominal's `HOME` and `PREVIOUS_HOME`
addresses; NULL for sources without address records), `surname_parts` (the surname's
hyphen- or space-separated parts: `Smith-Jones` has `SMITH` and `JONES`), `associates` (a
nominal's circle: the other nominals in a recorded relationship with it, either direction,
or at one of its occurrences of at most `SMALL_GATHERING` people; NULL for other sources),
`source_force` (the force whose records hold it, in a national extract: a nominal's and a
partner person's; NULL for a force's own extract, and always for prisoners, whose records
are the one national prison system's, not a force's).

Names are upper-cased, stripped of accents, and keep letters only (a surname also loses its
spaces and hyphens, so `Smith-Jones` and `Smith Jones` agree exactly).
"""

from __future__ import annotations

from paramount.contract.identifiers import (
    canonical_cro_sql,
    canonical_pnc_sql,
    clean_sql,
    postcode_district_sql,
)
from paramount.contract.tables import SOURCE_FORCE
from paramount.db.backend import Backend
from paramount.linkage.nicknames import register_nicknames

NOMINAL_RECORDS = "pm_lk_nominal_records"
PRISONER_RECORDS = "pm_lk_prisoner_records"
PARTNER_RECORDS = "pm_lk_partner_records"
NICKNAMES = "pm_lk_nicknames"
# An occurrence of more people than this (a public-order incident, a raid) is not a circle.
SMALL_GATHERING = 10

# Optional contract tables this package reads, with their columns (made empty when absent, so
# every query can assume them).
OPTIONAL_TABLES: dict[str, str] = {
    "person_aliases": "person_id VARCHAR, surname VARCHAR, forenames VARCHAR, "
    "date_of_birth DATE, _row BIGINT",
    "prisoner_aliases": "prisoner_number VARCHAR, first_name VARCHAR, middle_names VARCHAR, "
    "last_name VARCHAR, date_of_birth DATE, gender VARCHAR, _row BIGINT",
    "prisoner_contacts": "prisoner_number VARCHAR, booking_id VARCHAR, first_name VARCHAR, "
    "last_name VARCHAR, date_of_birth DATE, relationship_code VARCHAR, next_of_kin VARCHAR, "
    "emergency_contact VARCHAR, active VARCHAR, _row BIGINT",
    "partner_persons": "partner_person_id VARCHAR, agency VARCHAR, surname VARCHAR, "
    "forenames VARCHAR, date_of_birth DATE, sex VARCHAR, postcode VARCHAR, _row BIGINT",
    "partner_relationships": "partner_person_id VARCHAR, related_partner_person_id VARCHAR, "
    "relationship VARCHAR, _row BIGINT",
}


def _name_key(first: str, last: str) -> str:
    return f"coalesce({name_sql(first)}, '') || '/' || coalesce({surname_sql(last)}, '')"


def ensure_optional_tables(db: Backend) -> None:
    """Create an empty stand-in for each optional table the extract did not have."""
    for name, columns in OPTIONAL_TABLES.items():
        if not db.table_exists(name):
            db.execute(f"CREATE TABLE {name} ({columns})")


def name_sql(expr: str) -> str:
    """Upper case, accents stripped, letters and single spaces only; empty as NULL."""
    return (
        "nullif(trim(regexp_replace(regexp_replace(upper(strip_accents(translate(coalesce("
        f"{expr}, ''), 'łŁøØđĐßæÆ', 'lLoOdDsaA'))), '[^A-Z ]', ' ', 'g'), ' +', ' ', 'g')), '')"
    )


def surname_sql(expr: str) -> str:
    """A surname as one token: `Smith-Jones` and `SMITH JONES` both `SMITHJONES`."""
    return f"nullif(replace({name_sql(expr)}, ' ', ''), '')"


def surname_parts_sql(expr: str) -> str:
    """A surname's parts of three letters or more (`Smith-Jones`: `SMITH`, `JONES`)."""
    spaced = name_sql(f"replace({expr}, '-', ' ')")
    return f"list_filter(string_split(coalesce({spaced}, ''), ' '), lambda x: length(x) >= 3)"


def sex_sql(expr: str) -> str:
    """`M`/`F` from the RMS codes or the prison's `Male`/`Female`; anything else NULL."""
    return (
        f"CASE WHEN upper(trim({expr})) IN ('M', 'MALE') THEN 'M' "
        f"WHEN upper(trim({expr})) IN ('F', 'FEMALE') THEN 'F' ELSE NULL END"
    )


def _finish(raw: str) -> str:
    """Add the derived forename columns to a query of raw standardised fields."""
    return f"""
SELECT r.unique_id, r.record_id, r.surname,
       r.forename_tokens[1] AS forename1,
       coalesce(n.canonical, r.forename_tokens[1]) AS forename_canon,
       r.forename_tokens, r.dob, year(r.dob) AS yob, r.sex, r.pnc, r.cro, r.postcodes,
       r.districts, r.postcodes[1] AS postcode1, r.homes,
       CASE WHEN array_length(r.surname_parts) = 0
            THEN NULL ELSE r.surname_parts END AS surname_parts,
       r.associates, r.source_force
FROM (
    SELECT *, CASE WHEN forenames_std IS NULL THEN NULL
                   ELSE string_split(forenames_std, ' ') END AS forename_tokens
    FROM ({raw})
) AS r
LEFT JOIN {NICKNAMES} AS n ON n.name = r.forename_tokens[1]
"""


def _postcode_lists(code_expr: str) -> str:
    return (
        f"list_sort(list_distinct(list({code_expr}))) AS postcodes, "
        f"list_sort(list_distinct(list({postcode_district_sql(code_expr)}))) AS districts"
    )


_NO_FORCE = "CAST(NULL AS VARCHAR)"


def nominal_records_sql(force: str = _NO_FORCE) -> str:
    """Persons and their aliases; an alias carries its person's sex, ids, addresses and
    force (`force`: the SQL of a person's force over `p`, `source_force_sql`)."""
    pc = clean_sql("a.postcode")
    raw = f"""
WITH pc AS (
    SELECT pa.person_id, {_postcode_lists(pc)}
    FROM person_addresses AS pa JOIN addresses AS a USING (address_id)
    WHERE pa.address_role IN ('HOME', 'PREVIOUS_HOME') AND {pc} IS NOT NULL
    GROUP BY pa.person_id
),
homes AS (  -- a UPRN is the place itself; an address id stands in where there is none
    SELECT pa.person_id,
           list_sort(list_distinct(list(coalesce('U' || {clean_sql("CAST(a.uprn AS VARCHAR)")},
                                                 'A' || pa.address_id)))) AS homes
    FROM person_addresses AS pa JOIN addresses AS a USING (address_id)
    WHERE pa.address_role IN ('HOME', 'PREVIOUS_HOME')
    GROUP BY pa.person_id
),
assoc AS (  -- the nominal's circle: relationships either way, small occurrences
    SELECT person_id, list_sort(list_distinct(list(other))) AS associates
    FROM (
        SELECT a.person_id, b.person_id AS other
        FROM occurrence_persons AS a JOIN occurrence_persons AS b USING (occurrence_id)
        WHERE a.person_id <> b.person_id AND occurrence_id IN (
            SELECT occurrence_id FROM occurrence_persons GROUP BY occurrence_id
            HAVING count(DISTINCT person_id) <= {SMALL_GATHERING})
        UNION ALL
        SELECT person_id, related_person_id FROM relationships
        UNION ALL
        SELECT related_person_id, person_id FROM relationships
    )
    WHERE other IS NOT NULL AND other <> person_id
    GROUP BY person_id
),
ids AS (
    SELECT person_id, {canonical_pnc_sql("pnc_c")} AS pnc, {canonical_cro_sql("cro_c")} AS cro
    FROM (SELECT person_id, {clean_sql("pnc_id")} AS pnc_c, {clean_sql("cro_number")} AS cro_c
          FROM persons)
),
base AS (
    SELECT p.person_id, p._row, {surname_sql("p.surname")} AS surname,
           {name_sql("replace(p.forenames, '-', ' ')")} AS forenames_std,
           p.date_of_birth AS dob, {sex_sql("p.sex")} AS sex, ids.pnc, ids.cro,
           pc.postcodes, pc.districts, homes.homes,
           {surname_parts_sql("p.surname")} AS surname_parts, assoc.associates,
           {force} AS source_force
    FROM persons AS p JOIN ids USING (person_id) LEFT JOIN pc USING (person_id)
    LEFT JOIN homes USING (person_id) LEFT JOIN assoc USING (person_id)
)
SELECT person_id || '|0' AS unique_id, person_id AS record_id, surname, forenames_std, dob,
       sex, pnc, cro, postcodes, districts, homes, surname_parts, associates, source_force
FROM base
UNION ALL
SELECT al.person_id || '|a' || CAST(al._row AS VARCHAR), al.person_id,
       {surname_sql("al.surname")}, {name_sql("replace(al.forenames, '-', ' ')")},
       coalesce(al.date_of_birth, b.dob), b.sex, b.pnc, b.cro, b.postcodes, b.districts,
       b.homes, {surname_parts_sql("al.surname")}, b.associates, b.source_force
FROM person_aliases AS al JOIN base AS b USING (person_id)
"""
    return _finish(raw)


def prisoner_records_sql() -> str:
    """Prisoners and their aliases; first and middle names make the forename tokens."""
    pc = clean_sql("p.home_postcode")
    fn = "concat_ws(' ', {f}, {m})"
    raw = f"""
WITH base AS (
    SELECT p.prisoner_number, {surname_sql("p.last_name")} AS surname,
           {name_sql(fn.format(f="replace(p.first_name, '-', ' ')", m="p.middle_names"))}
               AS forenames_std,
           p.date_of_birth AS dob, {sex_sql("p.gender")} AS sex,
           {canonical_pnc_sql(clean_sql("p.pnc_number"))} AS pnc,
           {canonical_cro_sql(clean_sql("p.cro_number"))} AS cro,
           CASE WHEN {pc} IS NULL THEN NULL ELSE [{pc}] END AS postcodes,
           CASE WHEN {postcode_district_sql(pc)} IS NULL THEN NULL
                ELSE [{postcode_district_sql(pc)}] END AS districts,
           {surname_parts_sql("p.last_name")} AS surname_parts
    FROM prisoners AS p
)
SELECT prisoner_number || '|0' AS unique_id, prisoner_number AS record_id, surname,
       forenames_std, dob, sex, pnc, cro, postcodes, districts,
       CAST(NULL AS VARCHAR[]) AS homes, surname_parts, CAST(NULL AS VARCHAR[]) AS associates,
       {_NO_FORCE} AS source_force
FROM base
UNION ALL
SELECT a.prisoner_number || '|a' || CAST(a._row AS VARCHAR), a.prisoner_number,
       {surname_sql("a.last_name")},
       {name_sql(fn.format(f="replace(a.first_name, '-', ' ')", m="a.middle_names"))},
       coalesce(a.date_of_birth, b.dob), coalesce({sex_sql("a.gender")}, b.sex),
       b.pnc, b.cro, b.postcodes, b.districts, CAST(NULL AS VARCHAR[]),
       {surname_parts_sql("a.last_name")}, CAST(NULL AS VARCHAR[]), {_NO_FORCE}
FROM prisoner_aliases AS a JOIN base AS b USING (prisoner_number)
"""
    return _finish(raw)


def partner_records_sql(force: str = _NO_FORCE) -> str:
    """Partner persons: no ids of police or prison, a postcode at most. A partner person is
    the local authority's, and the authority lies in one force's area, the force whose
    extract holds it: its `source_force` is that force's (`force`, as for the nominals)."""
    pc = clean_sql("postcode")
    raw = f"""
SELECT partner_person_id || '|0' AS unique_id, partner_person_id AS record_id,
       {surname_sql("surname")} AS surname,
       {name_sql("replace(forenames, '-', ' ')")} AS forenames_std,
       date_of_birth AS dob, {sex_sql("sex")} AS sex,
       CAST(NULL AS VARCHAR) AS pnc, CAST(NULL AS VARCHAR) AS cro,
       CASE WHEN {pc} IS NULL THEN NULL ELSE [{pc}] END AS postcodes,
       CASE WHEN {postcode_district_sql(pc)} IS NULL THEN NULL
            ELSE [{postcode_district_sql(pc)}] END AS districts,
       CAST(NULL AS VARCHAR[]) AS homes, {surname_parts_sql("surname")} AS surname_parts,
       CAST(NULL AS VARCHAR[]) AS associates, {force} AS source_force
FROM partner_persons
"""
    return _finish(raw)


def source_force_sql(db: Backend, table: str, alias: str = "") -> str:
    """The force of a row of `table`: its `source_force` where the loader kept one (a national
    extract), else NULL (a force's own extract, or a database loaded before it was kept)."""
    return f"{alias}{SOURCE_FORCE}" if SOURCE_FORCE in db.columns(table) else _NO_FORCE


def prepare_records(db: Backend) -> dict[str, int]:
    """Build the three standardised record tables; return their row counts."""
    ensure_optional_tables(db)
    register_nicknames(db, NICKNAMES)
    counts = {}
    for table, sql in (
        (NOMINAL_RECORDS, nominal_records_sql(source_force_sql(db, "persons", "p."))),
        (PRISONER_RECORDS, prisoner_records_sql()),
        (PARTNER_RECORDS, partner_records_sql(source_force_sql(db, "partner_persons"))),
    ):
        db.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")
        counts[table] = db.fetch_tuples(f"SELECT count(*) FROM {table}")[0][0]
    return counts


# A contact's name as one comparable key (forename / surname), for grouping repeat rows.
NAME_KEY_SQL = _name_key("first_name", "last_name")


def prepare_partner_records(db: Backend) -> int:
    """Build the partner records alone (the local authority's side, `partner_files.py`);
    return their row count."""
    ensure_optional_tables(db)
    register_nicknames(db, NICKNAMES)
    sql = partner_records_sql(source_force_sql(db, "partner_persons"))
    db.execute(f"CREATE OR REPLACE TABLE {PARTNER_RECORDS} AS {sql}")
    return int(db.fetch_tuples(f"SELECT count(*) FROM {PARTNER_RECORDS}")[0][0])
