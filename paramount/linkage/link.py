"""Prisoners and partner persons to the nominal individuals.

A prisoner's valid PNC or CRO shared with a nominal is decisive: the prisoner is that
nominal's individual, whatever the names say. Everyone else (partner persons always) is
linked by the person model, trained as a link between the source and the nominal records
and warm-started from the dedupe model's m probabilities. A source record's candidates are
read at individual level (the best-scoring record pair for each individual); the best
individual is taken when a pair of the two's records whose forenames are not plainly
different scores at or above the accept threshold (a prisoner's alias under another forename
that happens to score highest does not hold back the match his own name makes); other
candidates scoring at least the review threshold go to the review list.
"""

from __future__ import annotations

from pathlib import Path

from paramount.db.backend import Backend
from paramount.linkage import chunks
from paramount.linkage.dedupe import CLUSTERS
from paramount.linkage.explain import named_probability_sql
from paramount.linkage.models import COMPARISONS, build_linker
from paramount.linkage.prepare import NOMINAL_RECORDS

_GAMMAS = [f"gamma_{c.name}" for c in COMPARISONS]


def exact_prisoner_matches(db: Backend, out: str) -> None:
    """(record_id = prisoner_number, entity_id, basis) for every prisoner whose main record
    shares a valid PNC (first choice) or CRO with a nominal; one individual each."""
    db.execute(f"""
CREATE OR REPLACE TABLE {out} AS
WITH m AS (
    SELECT p.record_id, c.entity_id, 'PNC' AS basis, 1 AS pref
    FROM pm_lk_prisoner_records AS p
    JOIN {NOMINAL_RECORDS} AS n ON n.pnc = p.pnc AND n.unique_id LIKE '%|0'
    JOIN {CLUSTERS} AS c ON c.person_id = n.record_id
    WHERE p.unique_id LIKE '%|0'
    UNION ALL
    SELECT p.record_id, c.entity_id, 'CRO', 2
    FROM pm_lk_prisoner_records AS p
    JOIN {NOMINAL_RECORDS} AS n ON n.cro = p.cro AND n.unique_id LIKE '%|0'
    JOIN {CLUSTERS} AS c ON c.person_id = n.record_id
    WHERE p.unique_id LIKE '%|0'
),
ranked AS (
    SELECT record_id, entity_id, basis, pref, count(*) AS n FROM m GROUP BY ALL
)
SELECT record_id, arg_min(entity_id, (pref, -n, entity_id)) AS entity_id,
       arg_min(basis, (pref, -n, entity_id)) AS basis
FROM ranked GROUP BY record_id
""")


def link_to_nominals(
    db: Backend,
    source_table: str,
    *,
    out: str,
    model_path: Path,
    warm_start: Path,
    retrain: bool,
    accept: float,
    review: float,
    exclude: str | None = None,
) -> bool:
    """Score `source_table` against the nominal records; write `out` with one row per
    (source record_id, candidate entity) scoring at least `review`: its probability,
    weight, gammas, `rank` (1 = best) and `taken`. Records listed in table `exclude`
    (column record_id) are already matched and are left out. Returns whether it trained.
    An empty source (a force without partner data: the contract makes it optional) gives an
    empty `out` and trains nothing: there is nothing to learn a link from."""
    (rows,) = db.fetch_tuples(f"SELECT count(*) FROM {source_table}")[0]
    if rows == 0:
        write_no_candidates(db, out, _GAMMAS)
        return False
    model = build_linker(
        db,
        [source_table, NOMINAL_RECORDS],
        link_type="link_only",
        model_path=model_path,
        retrain=retrain,
        warm_start=warm_start,
    )
    predictions = chunks.predict(db, model, [source_table, NOMINAL_RECORDS], threshold=review)
    write_candidates(
        db,
        out,
        predictions.physical_name,
        source_table,
        _GAMMAS,
        named_probability=named_probability_sql("s."),
        accept=accept,
        exclude=exclude,
    )
    predictions.drop_table_from_database_and_remove_from_cache()
    return model.trained


def write_no_candidates(db: Backend, out: str, gammas: list[str]) -> None:
    """`out` with the candidates' columns and no rows (a source with no records)."""
    nulls = ", ".join(f"CAST(NULL AS INTEGER) AS {g}" for g in gammas)
    db.execute(f"""
CREATE OR REPLACE TABLE {out} AS
SELECT CAST(NULL AS VARCHAR) AS record_id, CAST(NULL AS VARCHAR) AS entity_id,
       CAST(NULL AS DOUBLE) AS match_probability, CAST(NULL AS DOUBLE) AS match_weight,
       CAST(NULL AS VARCHAR) AS person_id, {nulls}, CAST(NULL AS BIGINT) AS rank,
       CAST(NULL AS BOOLEAN) AS taken
WHERE false
""")


def write_candidates(
    db: Backend,
    out: str,
    predictions: str,
    source_table: str,
    gammas: list[str],
    *,
    named_probability: str,
    accept: float,
    exclude: str | None = None,
) -> None:
    """Scored pairs read at individual level: per (source record, candidate entity) the
    best pair's probability, weight and gammas, `rank` (1 = best) and `taken` (the best, when
    a pair whose forenames are not plainly different, `named_probability` over the pairs `s`,
    reaches `accept`). Records in table `exclude` (record_id) are left out."""
    gam_src = ", ".join(f"arg_max(s.{g}, s.match_probability) AS {g}" for g in gammas)
    skip = f"WHERE s.record_id NOT IN (SELECT record_id FROM {exclude})" if exclude else ""
    db.execute(f"""
CREATE OR REPLACE TABLE {out} AS
WITH oriented AS (
    SELECT CASE WHEN source_dataset_l = '{source_table}' THEN record_id_l ELSE record_id_r END
               AS record_id,
           CASE WHEN source_dataset_l = '{source_table}' THEN record_id_r ELSE record_id_l END
               AS person_id,
           match_probability, match_weight, {", ".join(gammas)}
    FROM {predictions}
),
by_entity AS (
    SELECT s.record_id, c.entity_id, max(s.match_probability) AS match_probability,
           arg_max(s.match_weight, s.match_probability) AS match_weight,
           arg_max(s.person_id, s.match_probability) AS person_id, {gam_src},
           {named_probability} AS named_probability
    FROM oriented AS s JOIN {CLUSTERS} AS c ON c.person_id = s.person_id
    {skip}
    GROUP BY s.record_id, c.entity_id
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY record_id
                                 ORDER BY match_probability DESC, entity_id) AS rank
    FROM by_entity
)
SELECT * EXCLUDE (named_probability),
       rank = 1 AND coalesce(named_probability, 0) >= {accept} AS taken
FROM ranked
""")
