"""`resolve`: the whole identity resolution of a loaded extract, phase by phase.

Thresholds, on principle rather than tuned to any data: a match is taken at a posterior
probability of at least 0.95 (ACCEPT), the level at which one taken match in twenty could
be wrong before the other evidence of a route is weighed; candidates from 0.5 (REVIEW:
the model thinks a match at least as likely as not) up to 0.95 go to `pm_identity_review`
for an analyst, neither taken nor dropped. Below 0.5 a pair is not kept.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from paramount.db.backend import Backend
from paramount.db.sql import ident
from paramount.linkage.contacts import CANDIDATES, contact_candidates
from paramount.linkage.dedupe import CLUSTERS, PAIRS, dedupe_nominals
from paramount.linkage.encoded import (
    build_contact_encoded,
    build_nominal_encoded,
    build_partner_encoded,
    check_partner_key,
    partner_encoded,
)
from paramount.linkage.encoded_link import (
    ENCODED_COMPARISONS,
    NAMES_DIFFERENT,
    link_encoded_partners,
)
from paramount.linkage.entities import ENTITIES, MEMBERS, build_entities, build_members
from paramount.linkage.explain import FORENAME_DIFFERENT, explanation_sql
from paramount.linkage.fingerprint import fingerprint, stored_info, write_info
from paramount.linkage.link import exact_prisoner_matches, link_to_nominals
from paramount.linkage.prepare import (
    NAME_KEY_SQL,
    PARTNER_RECORDS,
    PRISONER_RECORDS,
    prepare_records,
)
from paramount.privacy import PartnerKey
from paramount.progress import Reporter, SilentReporter, log_notes

ACCEPT = 0.95
REVIEW = 0.5

PAIRS_OUT = "pm_identity_pairs"
REVIEW_OUT = "pm_identity_review"
PRISONER_EXACT = "pm_lk_prisoner_exact"
PRISONER_CANDIDATES = "pm_lk_prisoner_candidates"
PARTNER_CANDIDATES = "pm_lk_partner_candidates"
PRISONER_ENTITY = "pm_lk_prisoner_entity"
PARTNER_ENTITY = "pm_lk_partner_entity"
CONTACT_ENTITY = "pm_lk_contact_entity"
MODEL_FILES = {
    "nominal": "nominal.json",
    "prisoner": "prisoner.json",
    "partner": "partner.json",
    "partner_encoded": "partner_encoded.json",
}


@dataclass
class ResolutionReport:
    """What a resolution found and how long it took (counts only: no personal data)."""

    nominals: int = 0
    individuals: int = 0
    clusters_2plus: int = 0
    nominals_in_clusters_2plus: int = 0
    pairs_split_by_generation: int = 0  # high-scoring pairs kept apart: dates a generation apart
    entities: int = 0
    prisoners: int = 0
    prisoners_matched_by_id: int = 0
    prisoners_matched_by_model: int = 0
    prisoners_unmatched: int = 0
    partner_persons: int = 0
    partner_matched: int = 0
    partner_encoded: bool = False  # partner persons linked on their keyed encodings
    contacts: int = 0
    contacts_matched: int = 0
    review_rows: int = 0
    pairs_kept: int = 0
    trained: dict[str, bool] = field(default_factory=dict)
    reused: bool = False
    accept_threshold: float = ACCEPT
    review_threshold: float = REVIEW
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def render(self) -> str:
        d = self.to_dict()
        lines = [f"{k:<28} {v}" for k, v in d.items() if k not in ("seconds", "trained")]
        lines.append(f"{'trained':<28} " + ", ".join(f"{k}={v}" for k, v in self.trained.items()))
        lines.append(
            f"{'seconds':<28} " + ", ".join(f"{k}={v:.1f}" for k, v in self.seconds.items())
        )
        return "\n".join(lines)


def _one(db: Backend, sql: str) -> int:
    return int(db.fetch_tuples(sql)[0][0] or 0)


def resolution_is_current(db: Backend, partner_key: PartnerKey | None = None) -> bool:
    """Whether the stored resolution was made from exactly the inputs now loaded (and, for
    partner data linked on its encodings, with the same key)."""
    info = stored_info(db)
    if info is None:
        return False
    return info["fingerprint"] == fingerprint(
        db, info["accept"], info["review"], _key_fingerprint(partner_key)
    )


def _key_fingerprint(partner_key: PartnerKey | None) -> str | None:
    return None if partner_key is None else partner_key.fingerprint


def stored_report(db: Backend) -> ResolutionReport | None:
    info = stored_info(db)
    return None if info is None else ResolutionReport(**info["report"])


def resolve(
    db: Backend,
    *,
    models_dir: Path,
    reporter: Reporter | None = None,
    retrain: bool = False,
    accept: float = ACCEPT,
    review: float = REVIEW,
    partner_key: PartnerKey | None = None,
) -> ResolutionReport:
    """Resolve identities in a loaded extract: write `pm_entity_members`, `pm_entities`,
    `pm_identity_pairs`, `pm_identity_review` and `pm_resolution_info`. Saved models in
    `models_dir` are reused unless `retrain`; missing ones are trained and saved there.

    Partner persons are linked on their keyed encodings (`encoded.py`) when the extract's
    partner data came encoded, or when `partner_key` is given (the clear partner records are
    then encoded here, as the local authority would): the police side is encoded with the
    same key. Encoded partner data without the key it was encoded with raises
    `PartnerKeyError` before anything is resolved."""
    encoded = partner_encoded(db, partner_key)
    if encoded:
        check_partner_key(db, partner_key)
    reporter = reporter or SilentReporter()
    models_dir = Path(models_dir)
    report = ResolutionReport(accept_threshold=accept, review_threshold=review)
    paths = {k: models_dir / v for k, v in MODEL_FILES.items()}

    @contextmanager
    def phase(name: str, words: str) -> Iterator[None]:
        started = time.perf_counter()
        with reporter.task(words, total=1) as t, log_notes(t, "splink"):
            yield
            t.advance(1)
        report.seconds[name] = round(time.perf_counter() - started, 2)

    before = db.tables()
    with phase("prepare", "Identity: standardising records"):
        prepare_records(db)

    with phase("nominals", "Identity: deduplicating nominals"):
        model = dedupe_nominals(
            db, model_path=paths["nominal"], retrain=retrain, accept=accept, review=review
        )
        report.trained["nominal"] = model.trained

    with phase("prisoners", "Identity: prisoners to nominals"):
        exact_prisoner_matches(db, PRISONER_EXACT)
        report.trained["prisoner"] = link_to_nominals(
            db,
            PRISONER_RECORDS,
            out=PRISONER_CANDIDATES,
            model_path=paths["prisoner"],
            warm_start=paths["nominal"],
            retrain=retrain,
            accept=accept,
            review=review,
            exclude=PRISONER_EXACT,
        )
        _assign_prisoners(db)

    with phase("partners", "Identity: partner persons to nominals"):
        if encoded and partner_key is not None:
            report.partner_encoded = True
            build_partner_encoded(db, partner_key)
            build_nominal_encoded(db, partner_key)
            report.trained["partner"] = link_encoded_partners(
                db,
                out=PARTNER_CANDIDATES,
                model_path=paths["partner_encoded"],
                retrain=retrain,
                accept=accept,
                review=review,
            )
        else:
            report.trained["partner"] = link_to_nominals(
                db,
                PARTNER_RECORDS,
                out=PARTNER_CANDIDATES,
                model_path=paths["partner"],
                warm_start=paths["nominal"],
                retrain=retrain,
                accept=accept,
                review=review,
            )
        _assign_partners(db)

    with phase("contacts", "Identity: prisoner contacts in circle"):
        if report.partner_encoded and partner_key is not None:
            build_contact_encoded(db, partner_key)
        contact_candidates(
            db,
            prisoner_entity=PRISONER_ENTITY,
            partner_entity=PARTNER_ENTITY,
            clusters=CLUSTERS,
            encoded=report.partner_encoded,
        )
        _assign_contacts(db, accept)

    with phase("outputs", "Identity: entities, pairs and review"):
        build_members(
            db,
            clusters=CLUSTERS,
            prisoner_entity=PRISONER_ENTITY,
            partner_entity=PARTNER_ENTITY,
            contact_entity=CONTACT_ENTITY,
        )
        build_entities(db)
        _build_pairs(db, review)
        _build_review(db, accept, review, encoded=report.partner_encoded)
        _count(db, report)
        fp = fingerprint(db, accept, review, _key_fingerprint(partner_key))
        _cleanup(db, before)
    write_info(
        db,
        fp=fp,
        accept=accept,
        review=review,
        models_dir=str(models_dir),
        report=report.to_dict(),
    )
    return report


def _cleanup(db: Backend, before: set[str]) -> None:
    """Drop the working tables Splink made during this call, so the force's database holds
    the extract and our tables only."""
    views = db.tables(views=True)
    for name in sorted(db.tables() - before):
        if name.startswith("__splink__") or name == "result_df":
            kind = "VIEW" if name in views else "TABLE"
            db.execute(f"DROP {kind} IF EXISTS {ident(name)}")


def _assign_prisoners(db: Backend) -> None:
    db.execute(f"""
CREATE OR REPLACE TABLE {PRISONER_ENTITY} AS
SELECT p.prisoner_number,
       coalesce(e.entity_id, c.entity_id, 'X:' || p.prisoner_number) AS entity_id,
       CASE WHEN e.entity_id IS NOT NULL THEN 1.0
            WHEN c.entity_id IS NOT NULL THEN c.match_probability ELSE 1.0 END
           AS match_probability,
       CASE WHEN e.entity_id IS NOT NULL THEN e.basis
            WHEN c.entity_id IS NOT NULL THEN 'SPLINK' ELSE 'SINGLETON' END AS basis
FROM (SELECT DISTINCT prisoner_number FROM prisoners) AS p
LEFT JOIN {PRISONER_EXACT} AS e ON e.record_id = p.prisoner_number
LEFT JOIN {PRISONER_CANDIDATES} AS c ON c.record_id = p.prisoner_number AND c.taken
""")


def _assign_partners(db: Backend) -> None:
    db.execute(f"""
CREATE OR REPLACE TABLE {PARTNER_ENTITY} AS
SELECT p.partner_person_id,
       coalesce(c.entity_id, 'P:' || p.partner_person_id) AS entity_id,
       coalesce(c.match_probability, 1.0) AS match_probability,
       CASE WHEN c.entity_id IS NULL THEN 'SINGLETON' ELSE 'SPLINK' END AS basis
FROM (SELECT DISTINCT partner_person_id FROM partner_persons) AS p
LEFT JOIN {PARTNER_CANDIDATES} AS c ON c.record_id = p.partner_person_id AND c.taken
""")


def _assign_contacts(db: Backend, accept: float) -> None:
    """Taken: the unique best candidate at `accept`. Otherwise the contact is its own person;
    the same name and date of birth declared twice by one prisoner is one person."""
    db.execute(f"""
CREATE OR REPLACE TABLE {CONTACT_ENTITY} AS
WITH taken AS (
    SELECT contact_row, entity_id, match_probability FROM {CANDIDATES}
    WHERE rank = 1 AND ties = 1 AND match_probability >= {accept}
),
own AS (
    SELECT _row AS contact_row,
           'C:' || CAST(min(_row) OVER (PARTITION BY prisoner_number, {NAME_KEY_SQL},
                                        date_of_birth) AS VARCHAR) AS entity_id
    FROM prisoner_contacts
)
SELECT o.contact_row, coalesce(t.entity_id, o.entity_id) AS entity_id,
       coalesce(t.match_probability, 1.0) AS match_probability,
       CASE WHEN t.entity_id IS NULL THEN 'SINGLETON' ELSE 'CONTACT_NAME' END AS basis
FROM own AS o LEFT JOIN taken AS t USING (contact_row)
""")


def _build_pairs(db: Backend, review: float) -> None:
    db.execute(f"""
CREATE OR REPLACE TABLE {PAIRS_OUT} AS
SELECT 'RMS' AS source_l, person_l AS record_l, 'RMS' AS source_r, person_r AS record_r,
       match_probability, match_weight, accepted AS taken
FROM {PAIRS}
UNION ALL
SELECT 'PRISONER', record_id, 'RMS', person_id, match_probability, match_weight, taken
FROM {PRISONER_CANDIDATES}
UNION ALL
SELECT 'PRISONER', e.record_id, 'RMS', min(c.person_id), 1.0, NULL, true
FROM {PRISONER_EXACT} AS e JOIN {CLUSTERS} AS c USING (entity_id) GROUP BY e.record_id
UNION ALL
SELECT 'PARTNER', record_id, 'RMS', person_id, match_probability, match_weight, taken
FROM {PARTNER_CANDIDATES}
UNION ALL
SELECT 'CONTACT', CAST(k.contact_row AS VARCHAR), 'ENTITY', k.entity_id, k.match_probability,
       NULL, t.contact_row IS NOT NULL
FROM {CANDIDATES} AS k
LEFT JOIN {CONTACT_ENTITY} AS t ON t.contact_row = k.contact_row AND t.entity_id = k.entity_id
WHERE k.match_probability >= {review}
""")


def _build_review(db: Backend, accept: float, review: float, *, encoded: bool = False) -> None:
    """Every kept candidate that was not taken, with why, in words (ids only). Partner
    candidates linked on their encodings are explained by the encoded comparisons."""

    def guard(a: str, different: str = f"gamma_forename = {FORENAME_DIFFERENT}") -> str:
        return (
            f"CASE WHEN {a}.match_probability >= {accept} "
            f"AND {a}.{different} "
            "THEN 'scores high but the forenames differ (twins and siblings look like this)' "
        )

    if encoded:
        partner_words = explanation_sql("c.", ENCODED_COMPARISONS)
        partner_guard = guard("c", f"gamma_enc_names = {NAMES_DIFFERENT}")
    else:
        partner_words, partner_guard = explanation_sql("c."), guard("c")
    candidates = f"""
SELECT src, c.record_id, 'RMS', c.person_id, c.entity_id, c.match_probability,
       CASE WHEN c.rank > 1 AND t.taken_any THEN 'another individual was taken'
            WHEN c.rank > 1 THEN 'another individual scores higher' ELSE
       {{guard}} ELSE 'between the review and accept thresholds' END END,
       {{words}}
FROM (SELECT '{{src}}' AS src, * FROM {{table}}) AS c
LEFT JOIN (SELECT record_id, bool_or(taken) AS taken_any FROM
           (SELECT record_id, taken FROM {PRISONER_CANDIDATES}
            UNION ALL SELECT record_id, taken FROM {PARTNER_CANDIDATES}) GROUP BY record_id)
    AS t USING (record_id)
WHERE NOT c.taken"""

    db.execute(f"""
CREATE OR REPLACE TABLE {REVIEW_OUT} AS
SELECT 'RMS' AS source_l, p.person_l AS record_l, 'RMS' AS source_r, p.person_r AS record_r,
       cr.entity_id AS entity_r, p.match_probability,
       CASE WHEN p.split
            THEN 'scores high but the dates of birth are a generation apart (a parent and '
                 || 'child of one name?): kept as two people'
            ELSE {guard("p")} ELSE 'between the review and accept thresholds' END END
           AS reason,
       {explanation_sql("p.")} AS agreement
FROM {PAIRS} AS p
JOIN {CLUSTERS} AS cl ON cl.person_id = p.person_l
JOIN {CLUSTERS} AS cr ON cr.person_id = p.person_r
WHERE NOT p.accepted AND cl.entity_id <> cr.entity_id
UNION ALL
{
        candidates.format(
            guard=guard("c"), words=explanation_sql("c."), src="PRISONER", table=PRISONER_CANDIDATES
        )
    }
UNION ALL
{
        candidates.format(
            guard=partner_guard, words=partner_words, src="PARTNER", table=PARTNER_CANDIDATES
        )
    }
UNION ALL
SELECT 'CONTACT', CAST(k.contact_row AS VARCHAR), 'ENTITY', k.entity_id, k.entity_id,
       k.match_probability,
       CASE WHEN k.ties > 1 THEN 'two or more people in the circle score the same'
            WHEN k.rank > 1 THEN 'another person in the circle scores higher'
            ELSE 'between the review and accept thresholds' END,
       k.words
FROM {CANDIDATES} AS k
LEFT JOIN {CONTACT_ENTITY} AS t ON t.contact_row = k.contact_row AND t.entity_id = k.entity_id
WHERE k.match_probability >= {review} AND t.contact_row IS NULL
""")


def _count(db: Backend, r: ResolutionReport) -> None:
    r.nominals = _one(db, f"SELECT count(*) FROM {CLUSTERS}")
    r.individuals = _one(db, f"SELECT count(DISTINCT entity_id) FROM {CLUSTERS}")
    r.clusters_2plus = _one(
        db,
        f"SELECT count(*) FROM (SELECT entity_id FROM {CLUSTERS} GROUP BY 1 HAVING count(*) > 1)",
    )
    r.nominals_in_clusters_2plus = _one(
        db, f"SELECT count(*) FROM {CLUSTERS} WHERE basis <> 'SINGLETON'"
    )
    r.pairs_split_by_generation = _one(db, f"SELECT count(*) FROM {PAIRS} WHERE split")
    r.entities = _one(db, f"SELECT count(*) FROM {ENTITIES}")
    r.prisoners = _one(db, f"SELECT count(*) FROM {PRISONER_ENTITY}")
    r.prisoners_matched_by_id = _one(
        db, f"SELECT count(*) FROM {PRISONER_ENTITY} WHERE basis IN ('PNC', 'CRO')"
    )
    r.prisoners_matched_by_model = _one(
        db, f"SELECT count(*) FROM {PRISONER_ENTITY} WHERE basis = 'SPLINK'"
    )
    r.prisoners_unmatched = r.prisoners - r.prisoners_matched_by_id - r.prisoners_matched_by_model
    r.partner_persons = _one(db, f"SELECT count(*) FROM {PARTNER_ENTITY}")
    r.partner_matched = _one(db, f"SELECT count(*) FROM {PARTNER_ENTITY} WHERE basis = 'SPLINK'")
    r.contacts = _one(db, f"SELECT count(*) FROM {CONTACT_ENTITY}")
    r.contacts_matched = _one(
        db, f"SELECT count(*) FROM {CONTACT_ENTITY} WHERE basis = 'CONTACT_NAME'"
    )
    r.review_rows = _one(db, f"SELECT count(*) FROM {REVIEW_OUT}")
    r.pairs_kept = _one(db, f"SELECT count(*) FROM {PAIRS_OUT}")
    _ = MEMBERS
