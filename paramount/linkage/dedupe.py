"""Nominal deduplication: the RMS's person records (with aliases) grouped into individuals.

Pairs are scored by the person model (`models.py`) at record level, then read at person
level (a person's best-scoring record pair stands for the two persons). A pair is taken
when a pair of the two's records (a nominal with its aliases) whose forenames are not
plainly different reaches the accept threshold; a shared valid PNC or CRO is taken whatever
the rest says. Groups are the connected components of taken pairs. A pair between review
and accept, or an accept-scoring pair whose forenames differ (the twins' signature: same
surname, same date of birth), goes to the review list unless the two end up together anyway.

One person is never two generations. A father and his son of the same name at the same
home score high against a third record of that name without a date of birth, and the
connected components would make the three one person. So a group holding two dates of birth
`GENERATION_YEARS` or more apart (that no typing slip explains: one character, or day and
month swapped) is grouped again, strongest pair first (identifiers, then probability), taking
a pair only when the two sides' dates of birth agree; the pairs left out go to review.
"""

from __future__ import annotations

from pathlib import Path

from splink.clustering import cluster_pairwise_predictions_at_threshold

from paramount.contract.tables import GENERATION_YEARS
from paramount.db.backend import Backend
from paramount.db.sql import ident
from paramount.linkage import chunks
from paramount.linkage.explain import IDS_CRO, IDS_PNC, named_probability_sql
from paramount.linkage.models import COMPARISONS, TrainedModel, build_linker
from paramount.linkage.prepare import NOMINAL_RECORDS

PAIRS = "pm_lk_nominal_pairs"
CLUSTERS = "pm_lk_nominal_clusters"
_GAMMAS = [f"gamma_{c.name}" for c in COMPARISONS]


def dedupe_nominals(
    db: Backend,
    *,
    model_path: Path,
    retrain: bool,
    accept: float,
    review: float,
) -> TrainedModel:
    """Score, take and cluster; leaves `PAIRS` and `CLUSTERS` (person_id, entity_id,
    match_probability, basis) in the database."""
    model = build_linker(
        db, [NOMINAL_RECORDS], link_type="dedupe_only", model_path=model_path, retrain=retrain
    )
    predictions = chunks.predict(db, model, [NOMINAL_RECORDS], threshold=review)
    gam = ", ".join(f"arg_max({g}, match_probability) AS {g}" for g in _GAMMAS)
    db.execute(f"""
CREATE OR REPLACE TABLE {PAIRS} AS
WITH person_pairs AS (
    SELECT least(record_id_l, record_id_r) AS person_l,
           greatest(record_id_l, record_id_r) AS person_r,
           max(match_probability) AS match_probability,
           arg_max(match_weight, match_probability) AS match_weight, {gam},
           {named_probability_sql()} AS named_probability
    FROM {predictions.physical_name}
    WHERE record_id_l <> record_id_r
    GROUP BY 1, 2
)
SELECT * EXCLUDE (named_probability),
       gamma_ids IN ({IDS_PNC}, {IDS_CRO}) OR coalesce(named_probability, 0) >= {accept}
           AS accepted,
       CASE WHEN gamma_ids = {IDS_PNC} THEN 'PNC' WHEN gamma_ids = {IDS_CRO} THEN 'CRO'
            ELSE 'SPLINK' END AS basis,
       false AS split
FROM person_pairs
""")
    predictions.drop_table_from_database_and_remove_from_cache()

    db.execute("CREATE OR REPLACE TEMP TABLE pm_lk_nodes AS SELECT DISTINCT person_id FROM persons")
    db.execute(f"""
CREATE OR REPLACE TEMP TABLE pm_lk_edges AS
SELECT person_l AS person_id_l, person_r AS person_id_r FROM {PAIRS} WHERE accepted
""")
    clusters = cluster_pairwise_predictions_at_threshold(
        "pm_lk_nodes", "pm_lk_edges", model.db_api, node_id_column_name="person_id"
    )
    db.execute(f"""
CREATE OR REPLACE TABLE {CLUSTERS} AS
WITH c AS (
    SELECT person_id, 'R:' || min(person_id) OVER (PARTITION BY cluster_id) AS entity_id,
           count(*) OVER (PARTITION BY cluster_id) AS size
    FROM {clusters.physical_name}
),
edge AS (
    SELECT person, max(match_probability) AS p,
           max(CASE basis WHEN 'PNC' THEN 3 WHEN 'CRO' THEN 2 ELSE 1 END) AS b
    FROM (SELECT person_l AS person, match_probability, basis FROM {PAIRS} WHERE accepted
          UNION ALL
          SELECT person_r, match_probability, basis FROM {PAIRS} WHERE accepted)
    GROUP BY person
)
SELECT c.person_id, c.entity_id,
       CASE WHEN c.size = 1 OR edge.b >= 2 THEN 1.0 ELSE edge.p END AS match_probability,
       CASE WHEN c.size = 1 THEN 'SINGLETON' WHEN edge.b = 3 THEN 'PNC'
            WHEN edge.b = 2 THEN 'CRO' ELSE 'SPLINK' END AS basis
FROM c LEFT JOIN edge ON edge.person = c.person_id
""")
    clusters.drop_table_from_database_and_remove_from_cache()
    db.execute("DROP TABLE IF EXISTS pm_lk_nodes")
    db.execute("DROP TABLE IF EXISTS pm_lk_edges")
    split_generations(db)
    return model


def generations_apart_sql(a: str, b: str) -> str:
    """Two known dates of birth that cannot be one person's: `GENERATION_YEARS` or more apart
    and not one typing slip (one character of the ISO date, or day and month swapped)."""
    return (
        f"(abs(year({a}) - year({b})) >= {GENERATION_YEARS} "
        f"AND levenshtein(CAST({a} AS VARCHAR), CAST({b} AS VARCHAR)) > 1 "
        f"AND NOT (year({a}) = year({b}) AND month({a}) = day({b}) AND day({a}) = month({b})))"
    )


def split_generations(db: Backend) -> int:
    """Re-group every group holding two generations (see the module docstring); returns how
    many groups were split. Such groups are few, so this runs in Python on them alone, with
    the pairs of their records that cannot be one person worked out in SQL."""
    conflicts = db.fetch_tuples(f"""
WITH d AS (
    SELECT c.entity_id, c.person_id, p.date_of_birth AS dob
    FROM {CLUSTERS} AS c JOIN persons AS p USING (person_id)
    WHERE p.date_of_birth IS NOT NULL
)
SELECT a.entity_id, a.person_id, b.person_id FROM d AS a
JOIN d AS b ON b.entity_id = a.entity_id AND a.person_id < b.person_id
WHERE {generations_apart_sql("a.dob", "b.dob")}
""")
    if not conflicts:
        return 0
    apart = {frozenset((x, y)) for _, x, y in conflicts}
    split_entities = sorted({entity for entity, _, _ in conflicts})
    members = {
        person: dob is not None
        for person, dob in db.fetch_tuples(
            f"SELECT c.person_id, p.date_of_birth FROM {CLUSTERS} AS c "
            "JOIN persons AS p USING (person_id) WHERE c.entity_id IN (SELECT unnest(?))",
            [split_entities],
        )
    }
    edges = db.fetch_tuples(
        f"""
SELECT person_l, person_r FROM {PAIRS}
WHERE accepted AND person_l IN (SELECT unnest(?)) AND person_r IN (SELECT unnest(?))
ORDER BY CASE basis WHEN 'PNC' THEN 0 WHEN 'CRO' THEN 1 ELSE 2 END,
         match_probability DESC, person_l, person_r
""",
        [list(members), list(members)],
    )
    parent = {p: p for p in members}
    dated = {p: ({p} if has_dob else set()) for p, has_dob in members.items()}

    def root(p: str) -> str:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    split: list[tuple[str, str]] = []
    for left, right in edges:
        a, b = root(left), root(right)
        if a == b:
            continue
        if any(frozenset((x, y)) in apart for x in dated[a] for y in dated[b]):
            split.append((left, right))
            continue
        keep, gone = min(a, b), max(a, b)
        parent[gone] = keep
        dated[keep] |= dated.pop(gone)
    groups: dict[str, list[str]] = {}
    for p in members:
        groups.setdefault(root(p), []).append(p)
    regrouped = [(p, "R:" + min(g)) for g in groups.values() for p in g]
    db.execute(
        "CREATE OR REPLACE TEMP TABLE pm_lk_regrouped (person_id VARCHAR, entity_id VARCHAR)"
    )
    db.executemany("INSERT INTO pm_lk_regrouped VALUES (?, ?)", regrouped)
    # Rewritten, not updated in place: a table replaced by a query is what every engine
    # does alike (Spark's Parquet tables take no UPDATE).
    _rewrite(
        db,
        CLUSTERS,
        "LEFT JOIN pm_lk_regrouped AS r ON r.person_id = c.person_id",
        {"entity_id": "coalesce(r.entity_id, c.entity_id)"},
    )
    if split:
        db.execute("CREATE OR REPLACE TEMP TABLE pm_lk_split (person_l VARCHAR, person_r VARCHAR)")
        db.executemany("INSERT INTO pm_lk_split VALUES (?, ?)", split)
        _rewrite(
            db,
            PAIRS,
            "LEFT JOIN pm_lk_split AS s ON s.person_l = c.person_l AND s.person_r = c.person_r",
            {
                "accepted": "CASE WHEN s.person_l IS NULL THEN c.accepted ELSE false END",
                "split": "CASE WHEN s.person_l IS NULL THEN c.split ELSE true END",
            },
        )
    alone = (
        "(c.person_id IN (SELECT person_id FROM pm_lk_regrouped) "
        "AND count(*) OVER (PARTITION BY c.entity_id) = 1)"
    )
    _rewrite(
        db,
        CLUSTERS,
        "",
        {
            "basis": f"CASE WHEN {alone} THEN 'SINGLETON' ELSE c.basis END",
            "match_probability": f"CASE WHEN {alone} THEN 1.0 ELSE c.match_probability END",
        },
    )
    db.execute("DROP TABLE IF EXISTS pm_lk_regrouped")
    db.execute("DROP TABLE IF EXISTS pm_lk_split")
    return len(groups) - len(split_entities)


def _rewrite(db: Backend, table: str, joins: str, changed: dict[str, str]) -> None:
    """Table `table` (as `c`) made again with some columns computed anew, in its order."""
    columns = ", ".join(
        f"{changed[name]} AS {ident(name)}" if name in changed else f"c.{ident(name)}"
        for name in db.columns(table)
    )
    db.create_table(table, f"SELECT {columns} FROM {table} AS c {joins}")
