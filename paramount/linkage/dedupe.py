"""Nominal deduplication: the RMS's person records (with aliases) grouped into individuals.

Pairs are scored by the person model (`models.py`) at record level, then read at person
level (a person's best-scoring record pair stands for the two persons). A pair is taken
when its probability reaches the accept threshold and its forenames are not plainly
different; a shared valid PNC or CRO is taken whatever the rest says. Groups are the
connected components of taken pairs. A pair between review and accept, or an
accept-scoring pair whose forenames differ (the twins' signature: same surname, same date of
birth), goes to the review list unless the two end up together anyway.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from splink.clustering import cluster_pairwise_predictions_at_threshold

from paramount.linkage.explain import FORENAME_DIFFERENT, IDS_CRO, IDS_PNC
from paramount.linkage.models import COMPARISONS, TrainedModel, build_linker
from paramount.linkage.prepare import NOMINAL_RECORDS

PAIRS = "pm_lk_nominal_pairs"
CLUSTERS = "pm_lk_nominal_clusters"
_GAMMAS = [f"gamma_{c.name}" for c in COMPARISONS]


def dedupe_nominals(
    con: duckdb.DuckDBPyConnection,
    *,
    model_path: Path,
    retrain: bool,
    accept: float,
    review: float,
) -> TrainedModel:
    """Score, take and cluster; leaves `PAIRS` and `CLUSTERS` (person_id, entity_id,
    match_probability, basis) in the database."""
    model = build_linker(
        con, [NOMINAL_RECORDS], link_type="dedupe_only", model_path=model_path, retrain=retrain
    )
    predictions = model.linker.inference.predict(threshold_match_probability=review)
    gam = ", ".join(f"arg_max({g}, match_probability) AS {g}" for g in _GAMMAS)
    con.execute(f"""
CREATE OR REPLACE TABLE {PAIRS} AS
WITH person_pairs AS (
    SELECT least(record_id_l, record_id_r) AS person_l,
           greatest(record_id_l, record_id_r) AS person_r,
           max(match_probability) AS match_probability,
           arg_max(match_weight, match_probability) AS match_weight, {gam}
    FROM {predictions.physical_name}
    WHERE record_id_l <> record_id_r
    GROUP BY 1, 2
)
SELECT *,
       gamma_ids IN ({IDS_PNC}, {IDS_CRO})
       OR (match_probability >= {accept} AND gamma_forename <> {FORENAME_DIFFERENT})
           AS accepted,
       CASE WHEN gamma_ids = {IDS_PNC} THEN 'PNC' WHEN gamma_ids = {IDS_CRO} THEN 'CRO'
            ELSE 'SPLINK' END AS basis
FROM person_pairs
""").fetchall()
    predictions.drop_table_from_database_and_remove_from_cache()

    con.execute(
        "CREATE OR REPLACE TEMP TABLE pm_lk_nodes AS SELECT DISTINCT person_id FROM persons"
    ).fetchall()
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE pm_lk_edges AS
SELECT person_l AS person_id_l, person_r AS person_id_r FROM {PAIRS} WHERE accepted
""").fetchall()
    clusters = cluster_pairwise_predictions_at_threshold(
        "pm_lk_nodes", "pm_lk_edges", model.db_api, node_id_column_name="person_id"
    )
    con.execute(f"""
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
""").fetchall()
    clusters.drop_table_from_database_and_remove_from_cache()
    con.execute("DROP TABLE IF EXISTS pm_lk_nodes").fetchall()
    con.execute("DROP TABLE IF EXISTS pm_lk_edges").fetchall()
    return model
