"""Route CO_RESIDENCE: an adult and a child with overlapping home periods at one address.

Addresses are compared by UPRN where known (two address rows for one property are one home)
and by address id otherwise. HOME and PREVIOUS_HOME periods count; CONTACT and WORK do not.

Not every shared address is a household. Shared premises (`SHARED_PREMISES`: HMOs, hostels,
care homes, hotels, refuges, commercial premises) put unrelated people under one roof, and so
does a dwelling with many residents at once (a bad address, a block recorded as one). Both are
kept as evidence of kind SHARED, which the decision treats as its own weak level, and every
row carries the weight 1/log2(1 + concurrent residents) (an Adamic-Adar style discount: two
people alone at an address say much more than two of forty). `HOUSEHOLD_MAX` is the size above
which a household is implausible: the largest ordinary households (about 1 in 200 in the
census) have eight people.

Concurrent residents are counted without pairing each pair with every resident: a person's
span at an address (first home row's start to last one's end) overlaps a pair's shared period
unless it ended before the period began or began after it ended, and both counts come from
one running sum per address over the spans' ends (or starts) and the periods, sorted by date.
The cost grows with pairs plus homes, not pairs times residents (a hostel of 400 ever-residents
was 400 x 400 x 400 rows).

A third kind, EARLIER: the adult's home period there ended before the child's began, at an
ordinary dwelling (not shared, never more than `HOUSEHOLD_MAX` residents), while the child was
already born. A police address's `from_date` is when the force first recorded the person
there, not when they moved in, so a parent who left before the child was first recorded at
the family home shows up this way. Previous occupants and their successors' children look
the same, which is why it is its own level and its weight is learned, not assumed.
"""

from __future__ import annotations

from paramount.contract.tables import SHARED_PREMISES
from paramount.engine.pipeline import RunParameters, Step
from paramount.engine.routes.evidence import select_evidence
from paramount.engine.routes.home_occ import HOME_OCC
from paramount.engine.routes.route import PairColumn, Route
from paramount.engine.sql import in_list, literal, long_date_sql

CONTRACT_NAME = "CO_RESIDENCE"
HOUSEHOLD_MAX = 8
HOME_ROLES = ("HOME", "PREVIOUS_HOME")
_FAR_PAST = "DATE '1900-01-01'"
_FAR_FUTURE = "DATE '9999-12-31'"


def evidence_residence_sql(params: RunParameters) -> str:
    members = params.table("entity_members")
    entities = params.table("entities")
    since = long_date_sql("p.overlap_from")
    earlier_detail = (
        "'lived at the address that is now the child''s home'"
        f" || CASE WHEN x.from_date IS NOT NULL THEN ' from ' || {long_date_sql('x.from_date')}"
        " ELSE '' END"
        f" || ' to ' || {long_date_sql('x.to_date')}"
        " || ', before the child was recorded there'"
        " || coalesce(' (' || x.postcode || ')', '')"
    )
    until = long_date_sql("p.overlap_to")
    detail = (
        "CASE WHEN p.shared THEN 'lived at the same shared or crowded address (' "
        "|| coalesce(lower(p.premises_type), 'dwelling') || ', ' "
        "|| CAST(p.residents AS VARCHAR) || ' residents)' "
        "ELSE 'lived at the same address' END"
        " || CASE WHEN p.address_from IS NOT NULL THEN ' from ' || "
        f"{since} ELSE '' END"
        f" || CASE WHEN p.address_to IS NOT NULL THEN ' to ' || {until} ELSE '' END"
        " || coalesce(' (' || p.postcode || ')', '')"
    )
    return f"""
WITH recorded AS (
    SELECT m.entity_id, pa.person_id, pa._row AS rid,
           coalesce('U:' || a.uprn, 'A:' || a.address_id) AS address_key,
           a.address_id, a.postcode, a.premises_type, pa.from_date, pa.to_date
    FROM person_addresses AS pa
    JOIN addresses AS a ON a.address_id = pa.address_id
    JOIN {members} AS m ON m.source = 'RMS' AND m.record_id = pa.person_id
    WHERE pa.address_role IN {in_list(HOME_ROLES)}
),
superseded AS ({superseded_homes_sql("recorded")}),
homes AS (
    SELECT h.entity_id, h.person_id, h.address_key, h.address_id, h.postcode, h.premises_type,
           h.from_date, coalesce(h.to_date, s.ended) AS to_date,
           coalesce(h.from_date, {_FAR_PAST}) AS f,
           coalesce(h.to_date, s.ended, {_FAR_FUTURE}) AS t
    FROM recorded AS h
    LEFT JOIN superseded AS s ON s.entity_id = h.entity_id AND s.rid = h.rid
),
address_size AS (
    SELECT address_key, count(DISTINCT entity_id) AS ever,
           max(CASE WHEN premises_type IN {in_list(SHARED_PREMISES)} THEN 1 ELSE 0 END) = 1
               AS shared_type
    FROM homes GROUP BY address_key
),
pairs AS (
    SELECT a.entity_id AS adult_entity, c.entity_id AS child_entity, a.address_key,
           greatest(a.f, c.f) AS f, least(a.t, c.t) AS t,
           a.person_id || '@' || a.address_id AS a_rec,
           c.person_id || '@' || c.address_id AS c_rec,
           coalesce(a.postcode, c.postcode) AS postcode,
           coalesce(a.premises_type, c.premises_type) AS premises_type
    FROM homes AS a
    JOIN homes AS c ON c.address_key = a.address_key AND c.entity_id <> a.entity_id
    JOIN address_size AS s ON s.address_key = a.address_key
    WHERE greatest(a.f, c.f) <= least(a.t, c.t)
      AND s.ever <= 50 * {HOUSEHOLD_MAX}
),
spans AS (
    SELECT address_key, entity_id, min(f) AS f, max(t) AS t
    FROM homes GROUP BY address_key, entity_id
),
windows_at AS (SELECT DISTINCT address_key, f, t FROM pairs),
ended_before AS ({_spans_beyond_sql(span_end="t", window_end="f", order="")}),
began_after AS ({_spans_beyond_sql(span_end="f", window_end="t", order=" DESC")}),
concurrent AS (
    SELECT o.address_key, o.f, o.t, s.ever - e.n - b.n AS residents
    FROM windows_at AS o
    JOIN address_size AS s ON s.address_key = o.address_key
    JOIN ended_before AS e ON e.address_key = o.address_key AND e.f = o.f AND e.t = o.t
    JOIN began_after AS b ON b.address_key = o.address_key AND b.f = o.f AND b.t = o.t
),
earlier AS (
    SELECT a.entity_id AS adult_entity, c.entity_id AS child_entity, a.address_key,
           a.postcode, a.premises_type, a.from_date, a.to_date,
           a.person_id || '@' || a.address_id AS a_rec,
           c.person_id || '@' || c.address_id AS c_rec,
           row_number() OVER (PARTITION BY a.entity_id, c.entity_id
                              ORDER BY a.t DESC, a.address_key, a.person_id, c.person_id,
                                       a.address_id) AS pick
    FROM homes AS a
    JOIN homes AS c ON c.address_key = a.address_key AND c.entity_id <> a.entity_id
    JOIN address_size AS s ON s.address_key = a.address_key
    JOIN {entities} AS ce ON ce.entity_id = c.entity_id
    WHERE a.t < c.f AND a.to_date IS NOT NULL
      AND ce.date_of_birth IS NOT NULL AND ce.date_of_birth <= a.to_date
      AND NOT s.shared_type AND s.ever <= {HOUSEHOLD_MAX}
),
p AS (
    SELECT pr.adult_entity, pr.child_entity, pr.address_key, pr.postcode, pr.premises_type,
           CASE WHEN pr.f = {_FAR_PAST} THEN NULL ELSE pr.f END AS overlap_from,
           CASE WHEN pr.t = {_FAR_FUTURE} THEN NULL ELSE pr.t END AS overlap_to,
           CASE WHEN pr.f = {_FAR_PAST} THEN NULL ELSE pr.f END AS address_from,
           CASE WHEN pr.t = {_FAR_FUTURE} THEN NULL ELSE pr.t END AS address_to,
           cc.residents,
           s.shared_type OR cc.residents > {HOUSEHOLD_MAX} AS shared,
           pr.a_rec, pr.c_rec
    FROM pairs AS pr
    JOIN concurrent AS cc ON cc.address_key = pr.address_key AND cc.f = pr.f AND cc.t = pr.t
    JOIN address_size AS s ON s.address_key = pr.address_key
)
SELECT {
        select_evidence(
            adult_entity="p.adult_entity",
            child_entity="p.child_entity",
            route=literal(CONTRACT_NAME),
            kind="CASE WHEN p.shared THEN 'SHARED' ELSE 'HOME' END",
            against="FALSE",
            weight="1.0 / log2(1 + greatest(p.residents, 1))",
            events="p.residents",
            first_seen="p.overlap_from",
            last_seen="p.overlap_to",
            open_ended="p.overlap_to IS NULL",
            records="'home ' || p.a_rec || ' and ' || p.c_rec",
            detail=detail,
        )
    }
FROM p
UNION ALL
SELECT {
        select_evidence(
            adult_entity="x.adult_entity",
            child_entity="x.child_entity",
            route=literal(CONTRACT_NAME),
            kind="'EARLIER'",
            against="FALSE",
            weight="1.0",
            events="1",
            first_seen="x.from_date",
            last_seen="x.to_date",
            open_ended="FALSE",
            records="'home ' || x.a_rec || ' and ' || x.c_rec",
            detail=earlier_detail,
        )
    }
FROM earlier AS x
WHERE x.pick = 1
"""


def _spans_beyond_sql(*, span_end: str, window_end: str, order: str) -> str:
    """(address_key, f, t, n) for each shared period: how many residents' spans lie wholly
    beyond its `window_end` side (`f`, ascending: ended before it began; `t`, descending:
    began after it ended). One running sum per address over the spans' `span_end` dates and
    the periods' `window_end` dates; at an equal date the period comes first, so a span
    that touches the period is not counted as beyond it."""
    return f"""
    SELECT address_key, f, t,
           sum(is_span) OVER (PARTITION BY address_key ORDER BY d{order}, is_span
                              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n
    FROM (SELECT address_key, CAST(NULL AS DATE) AS f, CAST(NULL AS DATE) AS t,
                 {span_end} AS d, 1 AS is_span FROM spans
          UNION ALL
          SELECT address_key, f, t, {window_end} AS d, 0 AS is_span FROM windows_at) AS x
"""


def superseded_homes_sql(recorded: str) -> str:
    """(entity_id, rid, ended) for each open home row that a later home elsewhere supersedes:
    the row ends the day before the entity's next home at another address begins.

    A police address row is rarely closed when someone moves: the force records the new home
    and leaves the old one open. One person has one home at a time, so an open row at an
    address followed by a home elsewhere recorded as starting later is read as ended then
    (a step-father who moved out years ago no longer "lives with" the child; nor does a child
    whose family moved). An open row without a start date is ended by a dated open home
    elsewhere (the records' best word on where the person lives now); an undated row never
    ends another."""
    return f"""
    SELECT h.entity_id, h.rid, CAST(min(l.from_date) - INTERVAL 1 DAY AS DATE) AS ended
    FROM {recorded} AS h
    JOIN {recorded} AS l ON l.entity_id = h.entity_id AND l.address_key <> h.address_key
                        AND (l.from_date > h.from_date
                             OR (h.from_date IS NULL AND l.to_date IS NULL))
    WHERE h.to_date IS NULL AND l.from_date IS NOT NULL
    GROUP BY h.entity_id, h.rid
"""


EVIDENCE_RESIDENCE = Step(
    "evidence_residence",
    "Overlapping home periods at one address (UPRN or id), shared premises kept apart",
    evidence_residence_sql,
    window_free=True,
)

# A shared home not ended by the reference date is current even when first recorded after
# it: a police address's from_date is when the force first recorded the person there, and
# records lag (a child noted at the prisoner's home a month after he was received lived there
# before).
_CURRENT = "(r.last_seen IS NULL OR r.last_seen >= u.ref_date)"
_STARTED = "(r.first_seen IS NULL OR r.first_seen <= u.ref_date)"

ROUTE = Route(
    "co_residence",
    CONTRACT_NAME,
    steps=(EVIDENCE_RESIDENCE,),
    list_order=5,
    dated_alias="res",
    dated_columns=(
        PairColumn("res_cur", f"r.kind = 'HOME' AND {_CURRENT}"),
        PairColumn("res_past", f"r.kind = 'HOME' AND {_STARTED}"),
        PairColumn("res_shared", f"r.kind = 'SHARED' AND {_STARTED}"),
        PairColumn("res_earlier", f"r.kind = 'EARLIER' AND {_STARTED}"),
        # when their latest shared home (ended by the reference date) ended
        PairColumn(
            "res_home_end",
            f"max(CASE WHEN r.kind IN ('HOME', 'EARLIER') AND {_STARTED} THEN r.last_seen END)",
            flag=False,
        ),
    ),
    features=(HOME_OCC,),
    shared_basis=f"(e.route = {literal(CONTRACT_NAME)} AND e.kind = 'HOME')",
)
