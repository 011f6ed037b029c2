"""Within a reception, the candidate children of the prisoner's entity, one key a child:
entities of one child that identity resolution left apart are merged here by name, nickname,
typing slip and compatible date of birth (twins differ in forename and stay apart). Identity
work, done per reception so that a merge never spans the force."""

from __future__ import annotations

from paramount.engine.entities import entities_view_sql
from paramount.engine.pipeline import RunParameters, Step
from paramount.engine.routes import prisoner_contacts
from paramount.engine.routes.links import PARENT_KINDS
from paramount.engine.sql import age_years_sql, in_list, literal
from paramount.linkage import nickname_rows


def _nicknames_sql() -> str:
    """The forename table of identity resolution (`paramount.linkage.nicknames`) as VALUES,
    so the step needs no table of its own and runs for `routes-exact` too."""
    rows = ", ".join(f"({literal(n)}, {literal(c)})" for n, c in nickname_rows())
    return f"SELECT * FROM (VALUES {rows}) AS t(name, canonical)"


def _near_sql(a: str, b: str) -> str:
    """Two names one typing slip apart: equal, or an edit distance of 1 (2 for names of five
    letters or more, counting a transposition as one edit, so that a slip on each side, a
    letter doubled in one and two swapped in the other, still meets)."""
    return (
        f"({a} = {b} OR (least(length({a}), length({b})) >= 4 AND damerau_levenshtein({a}, {b}) <= "
        f"CASE WHEN least(length({a}), length({b})) >= 5 THEN 2 ELSE 1 END))"
    )


def reception_candidates_sql(params: RunParameters) -> str:
    """(reception, prisoner entity, child entity, child_key): the window's candidates.

    `child_key` groups the entities of one child that identity left apart, within the
    reception only (one prisoner's children are few, so a looser test is safe there than
    force-wide): surnames equal, one slip apart or one a part of the other's double surname
    (or different, when both dates of birth are one date typed twice), first forenames
    equal, one slip apart, one name in another form ("Tom" and "Thomas",
    `paramount.linkage.nicknames`) or shortened ("Jon" of "Jonathan"), dates of birth
    compatible (equal, missing, within 31 days, a year apart give or take 31 days, day and
    month swapped, or one character of the date slipped), and sexes not different. A
    forename the nickname table does not know is read as the names it is one letter from
    ("Alfiie" as Alfie, so Alfred; of four letters or more, since "Ava" is one letter from
    "Ada" and a name of its own). Twins differ
    in forename and stay apart. Entities with a date of birth group first (two rounds of
    smallest-neighbour, enough for the chains seen in practice; the key is the group's
    smallest entity id); an entity without one then joins a group it is compatible with (the
    first, when there are several: a declared "Oliver" with no date of birth does not make
    two police Olivers born years apart one child), or else the other undated entities it is
    compatible with."""
    receptions = params.table("in_area")
    members = params.table("entity_members")
    pairs = params.table("pairs")
    entities = entities_view_sql(params)
    # a shortened form ("Jon" of "Jonathan", "Dani" of "Danielle"): one forename begins
    # with the other, of three letters or more
    shortened = (
        "(least(length(a.fore), length(b.fore)) >= 3 AND (left(a.fore, length(b.fore)) = b.fore"
        " OR left(b.fore, length(a.fore)) = a.fore))"
    )
    # a slip in a short name ("Amy" and "Ammy", "Zara" and "Zaa"): one letter, when the longer
    # has four or more
    short_slip = (
        "(greatest(length(a.fore), length(b.fore)) >= 4 AND levenshtein(a.fore, b.fore) <= 1)"
    )
    fore_ok = (
        "(a.canon = b.canon OR list_has_any(a.slip_canons, b.slip_canons)"
        f" OR {_near_sql('a.fore', 'b.fore')} OR {shortened} OR {short_slip})"
    )
    days = "abs(datediff('day', a.dob, b.dob))"
    # one date typed twice: the same, day and month swapped, or one character of the ISO date
    # slipped (2015-03-12 for 2015-08-12 is five months apart but one keystroke)
    dob_slip = (
        "(a.dob = b.dob OR (year(a.dob) = year(b.dob) AND month(a.dob) = day(b.dob)"
        " AND day(a.dob) = month(b.dob))"
        " OR damerau_levenshtein(CAST(a.dob AS VARCHAR), CAST(b.dob AS VARCHAR)) <= 1)"
    )
    dob_ok = (
        f"(a.dob IS NULL OR b.dob IS NULL OR {days} <= 31"
        # a year slipped, with or without a day or so (a date of birth worked out from an age)
        f" OR abs({days} - 365) <= 31 OR {dob_slip})"
    )
    # Surnames: one slip apart, or one a part of the other's double surname ("Smith" declared,
    # "Smith-Jones" recorded); or different altogether (a child declared under the mother's
    # name, recorded under the father's) when both dates of birth are known and one date
    # typed twice: one prisoner's two children of one forename born the same day are not two.
    # Or different, when the undated one is a child the prisoner declared as his son,
    # daughter or stepchild, the other is dated and the forenames are one name in another form
    # or one slip apart: a child declared to the prison with no date of birth under the
    # prisoner's surname, recorded by the police under the mother's, among one prisoner's
    # children is the same child (one prisoner's two children of one forename are rare, and
    # the undated side joins only one group, the first). A contact declared as a friend or a
    # niece of that forename is someone else.
    undated_other = (
        "(CASE WHEN a.dob IS NULL THEN a.declared_child AND b.dob IS NOT NULL"
        " WHEN b.dob IS NULL THEN b.declared_child ELSE FALSE END"
        f" AND (a.canon = b.canon OR {_near_sql('a.fore', 'b.fore')}))"
    )
    sur_ok = (
        f"({_near_sql('a.sur', 'b.sur')} OR list_has_any(a.sur_parts, b.sur_parts)"
        # a letter lost from a short surname ("Hll" for "Hill")
        " OR (greatest(length(a.sur), length(b.sur)) >= 4 AND levenshtein(a.sur, b.sur) <= 1)"
        f" OR (a.dob IS NOT NULL AND b.dob IS NOT NULL AND {dob_slip}) OR {undated_other})"
    )
    return f"""
WITH rc AS (
    SELECT r.booking_id, r.prisoner_number, r.reception_date, pe.entity_id AS adult_entity,
           p.child_entity, c.date_of_birth, nullif(c.sex, 'U') AS sex,
           upper(trim(c.surname)) AS sur,
           upper(split_part(trim(c.forenames), ' ', 1)) AS fore
    FROM {receptions} AS r
    JOIN {members} AS pe ON pe.source = 'PRISONER' AND pe.record_id = r.prisoner_number
    JOIN {pairs} AS p ON p.adult_entity = pe.entity_id
    JOIN {entities} AS c ON c.entity_id = p.child_entity
),
declared AS (  -- entities the reception's prisoner declared as a son, daughter or stepchild
    SELECT DISTINCT m.entity_id, c.prisoner_number
    FROM prisoner_contacts AS c
    JOIN {members} AS m ON m.source = 'CONTACT' AND m.record_id = CAST(c._row AS VARCHAR)
    WHERE c.relationship_code IN {in_list(prisoner_contacts.codes_of(PARENT_KINDS))}
),
nick AS ({_nicknames_sql()}),
known AS (SELECT name FROM nick UNION SELECT canonical FROM nick),
slipped AS (  -- a forename the table does not know, one letter from one it does ("Alfiie")
    SELECT f.fore, list(DISTINCT n.canonical) AS canons
    FROM (SELECT DISTINCT fore FROM rc WHERE length(fore) >= 4
          AND fore NOT IN (SELECT name FROM known)) AS f
    JOIN nick AS n ON levenshtein(f.fore, n.name) <= 1 OR levenshtein(f.fore, n.canonical) <= 1
    GROUP BY f.fore
),
kids AS (
    SELECT DISTINCT rc.booking_id, rc.child_entity, rc.date_of_birth AS dob, rc.sur, rc.fore,
           coalesce(n.canonical, rc.fore) AS canon, rc.sex,
           d.entity_id IS NOT NULL AS declared_child,
           list_append(coalesce(sl.canons, []), coalesce(n.canonical, rc.fore)) AS slip_canons,
           list_filter(string_split(regexp_replace(rc.sur, '[^A-Z]+', ' ', 'g'), ' '),
                       lambda p: length(p) >= 3) AS sur_parts
    FROM rc LEFT JOIN nick AS n ON n.name = rc.fore LEFT JOIN slipped AS sl USING (fore)
    LEFT JOIN declared AS d
           ON d.entity_id = rc.child_entity AND d.prisoner_number = rc.prisoner_number
),
same AS (
    SELECT DISTINCT a.booking_id, a.child_entity AS x, b.child_entity AS y,
           b.dob IS NOT NULL AS y_dated
    FROM kids AS a
    JOIN kids AS b ON b.booking_id = a.booking_id AND b.child_entity <> a.child_entity
    WHERE a.sur IS NOT NULL AND b.sur IS NOT NULL AND a.fore <> '' AND b.fore <> ''
      AND (a.sex IS NULL OR b.sex IS NULL OR a.sex = b.sex)
      AND {sur_ok} AND {fore_ok} AND {dob_ok}
),
dated AS (SELECT DISTINCT booking_id, child_entity FROM kids WHERE dob IS NOT NULL),
d1 AS (
    SELECT k.booking_id, k.child_entity,
           least(k.child_entity, coalesce(min(s.y), k.child_entity)) AS key1
    FROM dated AS k
    LEFT JOIN same AS s ON s.booking_id = k.booking_id AND s.x = k.child_entity AND s.y_dated
    GROUP BY k.booking_id, k.child_entity
),
d2 AS (
    SELECT k.booking_id, k.child_entity, least(k.key1, coalesce(min(n.key1), k.key1)) AS key2
    FROM d1 AS k
    LEFT JOIN same AS s ON s.booking_id = k.booking_id AND s.x = k.child_entity AND s.y_dated
    LEFT JOIN d1 AS n ON n.booking_id = s.booking_id AND n.child_entity = s.y
    GROUP BY k.booking_id, k.child_entity, k.key1
),
undated AS (
    SELECT k.booking_id, k.child_entity, count(DISTINCT d.key2) AS groups,
           min(d.key2) AS first_key
    FROM (SELECT DISTINCT booking_id, child_entity FROM kids WHERE dob IS NULL) AS k
    LEFT JOIN same AS s ON s.booking_id = k.booking_id AND s.x = k.child_entity AND s.y_dated
    LEFT JOIN d2 AS d ON d.booking_id = s.booking_id AND d.child_entity = s.y
    GROUP BY k.booking_id, k.child_entity
),
u2 AS (
    SELECT u.booking_id, u.child_entity,
           CASE WHEN u.groups >= 1 THEN u.first_key
                ELSE least(u.child_entity, coalesce(
                    min(v.child_entity) FILTER (WHERE v.groups = 0), u.child_entity)) END
               AS key2
    FROM undated AS u
    LEFT JOIN same AS s
      ON s.booking_id = u.booking_id AND s.x = u.child_entity AND NOT s.y_dated
    LEFT JOIN undated AS v ON v.booking_id = s.booking_id AND v.child_entity = s.y
    GROUP BY u.booking_id, u.child_entity, u.groups, u.first_key
),
k2 AS (
    SELECT booking_id, child_entity, key2 FROM d2
    UNION ALL SELECT booking_id, child_entity, key2 FROM u2
),
keyed AS (
    SELECT rc.*, k2.key2 AS child_key,
           coalesce(rc.date_of_birth,
                    min(rc.date_of_birth) OVER (PARTITION BY rc.booking_id, k2.key2)) AS key_dob
    FROM rc
    JOIN k2 ON k2.booking_id = rc.booking_id AND k2.child_entity = rc.child_entity
)
SELECT booking_id, prisoner_number, reception_date, adult_entity, child_entity, key_dob,
       child_key
FROM keyed
WHERE key_dob IS NULL
   OR (key_dob <= reception_date AND {age_years_sql("key_dob", "reception_date")} < 18)
"""


RECEPTION_CANDIDATES = Step(
    "reception_candidates",
    "The window's candidates: children of each received prisoner's entity, one key a child",
    reception_candidates_sql,
)
