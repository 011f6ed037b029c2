"""Scoring a list of children against the ground truth of a synthetic extract.

Implements "How a list is scored" from the data contract, so that every method, today's and
later ones, is judged by one ruler:

- a row's child is the individual most of its ids map to (ties: the smallest individual id);
  a row with no ids is matched to the prisoner's declared contacts by name and, where both
  have one, date of birth;
- a row is right when (child, booking) is an affected child of an in-area reception inside
  the window; the second and later rows for the same child and booking are duplicates and
  count as wrong;
- recall is over the affected children who are identifiable (present in at least one
  source), coverage over all of them; both are counted in (child, booking) pairs.

The unit of work is SQL in an in-memory DuckDB, since a force-sized truth runs to millions
of rows.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from paramount.contract.tables import ROUTES, TRUTH_RELATIONSHIPS
from paramount.db import Backend, DuckDBBackend
from paramount.engine.sql import literal
from paramount.evaluation.metrics import (
    calibration_bins,
    expected_calibration_error,
    pairwise_dedup,
    recall_by_origin,
)

__all__ = [
    "Scores",
    "calibration_bins",
    "evaluate",
    "expected_calibration_error",
    "pairwise_dedup",
    "recall_by_origin",
    "render",
    "render_reliability",
]


@dataclass
class Scores:
    window_from: str
    window_to: str
    rows: int
    right_rows: int
    duplicate_rows: int
    outside_rows: int  # right child, but the reception is outside the window or the force area
    unmatched_rows: int  # the row's ids or name lead to no individual at all
    affected: int  # affected (child, booking) pairs of in-area receptions in the window
    identifiable: int
    found: int  # distinct right (child, booking) pairs
    found_identifiable: int
    precision: float
    recall: float  # of identifiable affected children
    coverage: float  # of all affected children
    duplicate_rate: float
    recall_by_route: dict[str, float] = field(default_factory=dict)
    found_by_route: dict[str, int] = field(default_factory=dict)
    recall_by_relationship: dict[str, float] = field(default_factory=dict)
    identifiable_by_relationship: dict[str, int] = field(default_factory=dict)
    recall_by_lives_with: dict[str, float] = field(default_factory=dict)
    # Calibration: rows binned by stated confidence, with the share of them that is right.
    reliability: list[dict] = field(default_factory=list)
    # Finer bins at the top (see metrics.CALIBRATION_EDGES), each flagged `off` when 30 rows
    # or more miss what they state by over 3 points; and the expected calibration error.
    calibration: list[dict] = field(default_factory=list)
    calibration_error: float = 0.0
    # Recall of identifiable affected children by the origin of their names (and British /
    # not British), where the truth records it.
    recall_by_name_origin: dict[str, dict] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def _read_csv(db: Backend, name: str, path: Path) -> None:
    db.execute(
        f"CREATE TABLE {name} AS SELECT * FROM read_csv(?, all_varchar = true, header = true)",
        [str(path)],
    )


def evaluate(
    children_csv: Path,
    truth_dir: Path,
    window_from: date,
    window_to: date,
    extract_dir: Path | None = None,
    verdicts_csv: Path | None = None,
) -> Scores:
    """Score `children_csv` against `truth_dir` for receptions in [window_from, window_to].

    `verdicts_csv`, if given, receives one line per listed row (RIGHT, DUPLICATE, OUTSIDE the
    window or area, WRONG, UNMATCHED) and one per identifiable affected child not listed
    (MISSED), so a developer can see which rows a score is made of.
    """
    truth_dir = Path(truth_dir)
    extract_dir = Path(extract_dir) if extract_dir else truth_dir.parent / "extract"
    db = DuckDBBackend.open()
    for name in ("rms_persons", "partner_persons", "contacts", "affected_children"):
        _read_csv(db, f"truth_{name}", truth_dir / f"{name}.csv")
    db.execute(
        "CREATE TABLE rows AS SELECT row_number() OVER () AS row_id, * "
        "FROM read_csv(?, all_varchar = true, header = true)",
        [str(children_csv)],
    )
    _load_contacts(db, extract_dir)
    db.execute(
        "CREATE TABLE relevant AS SELECT DISTINCT child_individual_id AS individual_id, "
        "booking_id, relationship, lives_with FROM truth_affected_children "
        "WHERE in_area = 'Y' AND CAST(reception_date AS DATE) BETWEEN ? AND ?",
        [window_from, window_to],
    )
    db.execute(_ROW_CHILD_SQL)
    db.execute(
        """
        CREATE TABLE judged AS
        SELECT r.row_id, r.booking_id, r.sources, r.confidence, c.individual_id,
               c.individual_id IS NOT NULL AS matched,
               t.individual_id IS NOT NULL AS affected,
               a.child_individual_id IS NOT NULL AS affected_any,
               CASE WHEN t.individual_id IS NULL THEN NULL ELSE
                 row_number() OVER (PARTITION BY c.individual_id, r.booking_id,
                                    t.individual_id IS NOT NULL ORDER BY r.row_id) END AS nth
        FROM rows r
        LEFT JOIN row_child c USING (row_id)
        LEFT JOIN relevant t ON t.individual_id = c.individual_id AND t.booking_id = r.booking_id
        LEFT JOIN (SELECT DISTINCT child_individual_id, booking_id FROM truth_affected_children) a
               ON a.child_individual_id = c.individual_id AND a.booking_id = r.booking_id
        """
    )
    db.execute(
        """
        CREATE TABLE identifiable AS
        SELECT DISTINCT individual_id FROM (
            SELECT individual_id FROM truth_rms_persons
            UNION ALL SELECT individual_id FROM truth_partner_persons
            UNION ALL SELECT individual_id FROM truth_contacts)
        """
    )
    rows, right, dups, outside, unmatched = db.fetch_tuples(
        """
        SELECT count(*),
               count(*) FILTER (WHERE affected AND nth = 1),
               count(*) FILTER (WHERE affected AND nth > 1),
               count(*) FILTER (WHERE NOT affected AND affected_any),
               count(*) FILTER (WHERE NOT matched)
        FROM judged
        """
    )[0]
    db.execute(
        "CREATE TABLE found AS SELECT DISTINCT individual_id, booking_id, "
        "string_agg(coalesce(sources, ''), ';') AS sources "
        "FROM judged WHERE affected GROUP BY individual_id, booking_id"
    )
    db.execute(
        """
        CREATE TABLE scored AS
        SELECT t.*, i.individual_id IS NOT NULL AS is_identifiable,
               f.individual_id IS NOT NULL AS is_found, coalesce(f.sources, '') AS sources
        FROM relevant t
        LEFT JOIN identifiable i USING (individual_id)
        LEFT JOIN found f USING (individual_id, booking_id)
        """
    )
    affected, identifiable, found, found_ident = db.fetch_tuples(
        "SELECT count(*), count(*) FILTER (WHERE is_identifiable), "
        "count(*) FILTER (WHERE is_found), "
        "count(*) FILTER (WHERE is_found AND is_identifiable) FROM scored"
    )[0]

    found_by_route = {
        route: db.fetch_tuples(
            "SELECT count(*) FROM scored WHERE is_found AND is_identifiable "
            "AND list_contains(string_split(sources, ';'), ?)",
            [route],
        )[0][0]
        for route in ROUTES
    }
    by_rel = dict.fromkeys(TRUTH_RELATIONSHIPS, (0, 0))
    for rel, n, k in db.fetch_tuples(
        "SELECT relationship, count(*), count(*) FILTER (WHERE is_found) FROM scored "
        "WHERE is_identifiable GROUP BY relationship"
    ):
        by_rel[rel] = (n, k)
    by_lives = {
        lw: _ratio(k, n)
        for lw, n, k in db.fetch_tuples(
            "SELECT lives_with, count(*), count(*) FILTER (WHERE is_found) FROM scored "
            "WHERE is_identifiable GROUP BY lives_with ORDER BY lives_with"
        )
    }
    reliability = _reliability(db)
    calibration = calibration_bins(
        db.fetch_tuples(
            "SELECT TRY_CAST(confidence AS DOUBLE), coalesce(affected AND nth = 1, false) "
            "FROM judged WHERE TRY_CAST(confidence AS DOUBLE) IS NOT NULL"
        )
    )
    by_origin = _recall_by_origin(db, truth_dir)
    if verdicts_csv is not None:
        _write_verdicts(db, Path(verdicts_csv))
    db.close()
    return Scores(
        window_from=window_from.isoformat(),
        window_to=window_to.isoformat(),
        rows=rows,
        right_rows=right,
        duplicate_rows=dups,
        outside_rows=outside,
        unmatched_rows=unmatched,
        affected=affected,
        identifiable=identifiable,
        found=found,
        found_identifiable=found_ident,
        precision=_ratio(right, rows),
        recall=_ratio(found_ident, identifiable),
        coverage=_ratio(found, affected),
        duplicate_rate=_ratio(dups, rows),
        recall_by_route={r: _ratio(n, identifiable) for r, n in found_by_route.items()},
        found_by_route=found_by_route,
        recall_by_relationship={r: _ratio(k, n) for r, (n, k) in by_rel.items()},
        identifiable_by_relationship={r: n for r, (n, _) in by_rel.items()},
        recall_by_lives_with=by_lives,
        reliability=reliability,
        calibration=calibration,
        calibration_error=expected_calibration_error(calibration),
        recall_by_name_origin=by_origin,
    )


def _recall_by_origin(db: Backend, truth_dir: Path) -> dict[str, dict]:
    path = truth_dir / "individuals.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        if "name_origin" not in fh.readline():
            return {}
    db.execute(
        "CREATE TABLE truth_origin AS SELECT individual_id, name_origin "
        "FROM read_csv(?, all_varchar = true, header = true)",
        [str(path)],
    )
    rows = db.fetch_tuples(
        "SELECT s.individual_id, bool_or(s.is_found), any_value(o.name_origin) FROM scored s "
        "LEFT JOIN truth_origin o USING (individual_id) WHERE s.is_identifiable "
        "GROUP BY s.individual_id, s.booking_id"
    )
    origin_of = {ind: o for ind, _, o in rows if o is not None}
    return recall_by_origin(((ind, found) for ind, found, _ in rows), origin_of)


def dedup_scores(run_db: Path, truth_dir: Path) -> dict[str, float | int]:
    """Pairwise precision and recall of the nominal index's deduplication in a run's
    database (its `pm_entity_members`) against the truth's `rms_persons`."""
    db = DuckDBBackend.open(run_db)
    try:
        rows = db.fetch_tuples(
            "SELECT m.entity_id, t.individual_id FROM pm_entity_members m "
            "JOIN read_csv(?, all_varchar = true, header = true) t "
            "ON m.source = 'RMS' AND t.person_id = m.record_id",
            [str(Path(truth_dir) / "rms_persons.csv")],
        )
    finally:
        db.close()
    return pairwise_dedup(rows)


def _write_verdicts(db: Backend, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    db.execute(
        f"""
        COPY (
            SELECT row_id, booking_id, individual_id, confidence, sources,
                   CASE WHEN NOT matched THEN 'UNMATCHED'
                        WHEN affected AND nth = 1 THEN 'RIGHT'
                        WHEN affected THEN 'DUPLICATE'
                        WHEN affected_any THEN 'OUTSIDE'
                        ELSE 'WRONG' END AS verdict,
                   NULL AS relationship, NULL AS lives_with
            FROM judged
            UNION ALL
            SELECT NULL, booking_id, individual_id, NULL, NULL, 'MISSED', relationship, lives_with
            FROM scored WHERE is_identifiable AND NOT is_found
            ORDER BY verdict, row_id
        ) TO {literal(str(path))} (HEADER)
        """
    )


RELIABILITY_BINS = 10


def _reliability(db: Backend) -> list[dict]:
    """Rows binned by confidence (tenths): of the rows near p, about p should be right.

    A duplicate counts as wrong here as everywhere: it is a row an analyst would act on twice.
    """
    bins = db.fetch_tuples(
        f"""
        SELECT least(floor(TRY_CAST(confidence AS DOUBLE) * {RELIABILITY_BINS}),
                     {RELIABILITY_BINS - 1}) AS bin,
               count(*) AS rows,
               avg(TRY_CAST(confidence AS DOUBLE)) AS mean_confidence,
               avg(CASE WHEN affected AND nth = 1 THEN 1.0 ELSE 0.0 END) AS share_right
        FROM judged WHERE TRY_CAST(confidence AS DOUBLE) IS NOT NULL
        GROUP BY bin ORDER BY bin
        """
    )
    return [
        {
            "from": round(b / RELIABILITY_BINS, 2),
            "to": round((b + 1) / RELIABILITY_BINS, 2),
            "rows": n,
            "mean_confidence": round(mean, 4),
            "share_right": round(right, 4),
        }
        for b, n, mean, right in bins
    ]


def render_reliability(scores: Scores):
    """The reliability table: stated confidence against the share of rows that is right."""
    from rich.table import Table

    table = Table(title="Calibration: rows by stated confidence")
    for name in ("confidence", "rows", "mean stated", "share right"):
        table.add_column(name, justify="right")
    for b in scores.reliability:
        table.add_row(
            f"{b['from']:.1f} to {b['to']:.1f}",
            f"{b['rows']:,}",
            f"{b['mean_confidence']:.3f}",
            f"{b['share_right']:.3f}",
        )
    return table


def _load_contacts(db: Backend, extract_dir: Path) -> None:
    """The prisoner contacts as written, with their 0-based row index, for rows without ids."""
    csv_path, parquet_path = (
        extract_dir / "prisoner_contacts.csv",
        extract_dir / "prisoner_contacts.parquet",
    )
    if csv_path.exists():
        source = f"read_csv('{csv_path}', all_varchar = true, header = true)"
    elif parquet_path.exists():
        source = f"read_parquet('{parquet_path}')"
    else:
        db.execute(
            "CREATE TABLE extract_contacts (row_index BIGINT, prisoner_number VARCHAR, "
            "first_name VARCHAR, last_name VARCHAR, date_of_birth VARCHAR)"
        )
        return
    db.execute(
        f"CREATE TABLE extract_contacts AS SELECT row_number() OVER () - 1 AS row_index, "
        f"prisoner_number, first_name, last_name, CAST(date_of_birth AS VARCHAR) AS date_of_birth "
        f"FROM {source}"
    )


# The individual each row stands for: majority vote over its ids, else its prisoner contact.
_ROW_CHILD_SQL = """
CREATE TABLE row_child AS
WITH ids AS (
    SELECT row_id, trim(unnest(string_split(coalesce(child_person_ids, ''), ';'))) AS id,
           'rms' AS kind FROM rows
    UNION ALL
    SELECT row_id, trim(unnest(string_split(coalesce(child_partner_ids, ''), ';'))), 'partner'
    FROM rows
),
votes AS (
    SELECT ids.row_id, coalesce(p.individual_id, q.individual_id) AS individual_id
    FROM ids
    LEFT JOIN truth_rms_persons p ON ids.kind = 'rms' AND p.person_id = ids.id
    LEFT JOIN truth_partner_persons q ON ids.kind = 'partner' AND q.partner_person_id = ids.id
    WHERE ids.id <> ''
),
by_ids AS (
    SELECT row_id, arg_max(individual_id, n) AS individual_id FROM (
        SELECT row_id, individual_id, count(*) * 1e9 - rank() OVER (
                   PARTITION BY row_id ORDER BY individual_id) AS n
        FROM votes WHERE individual_id IS NOT NULL GROUP BY row_id, individual_id
    ) GROUP BY row_id
),
no_ids AS (
    SELECT r.* FROM rows r
    WHERE coalesce(trim(r.child_person_ids), '') = ''
      AND coalesce(trim(r.child_partner_ids), '') = ''
),
by_contact AS (
    SELECT n.row_id, min(tc.individual_id) AS individual_id
    FROM no_ids n
    JOIN extract_contacts ec
      ON ec.prisoner_number = n.prisoner_number
     AND lower(trim(ec.last_name)) = lower(trim(n.child_surname))
     AND lower(split_part(trim(ec.first_name), ' ', 1))
         = lower(split_part(trim(n.child_forenames), ' ', 1))
     AND (coalesce(ec.date_of_birth, '') = '' OR coalesce(n.child_date_of_birth, '') = ''
          OR ec.date_of_birth = n.child_date_of_birth)
    JOIN truth_contacts tc
      ON tc.prisoner_number = ec.prisoner_number AND CAST(tc.row_index AS BIGINT) = ec.row_index
    GROUP BY n.row_id
)
SELECT row_id, individual_id FROM by_ids
UNION ALL
SELECT row_id, individual_id FROM by_contact
"""


def render(scores: Scores):
    """A readable table of the scores for the terminal."""
    from rich.table import Table

    table = Table(title=f"Scores, receptions {scores.window_from} to {scores.window_to}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in (
        ("rows in the list", f"{scores.rows:,}"),
        ("right rows", f"{scores.right_rows:,}"),
        ("duplicate rows", f"{scores.duplicate_rows:,}"),
        ("rows outside window or area", f"{scores.outside_rows:,}"),
        ("rows matching no individual", f"{scores.unmatched_rows:,}"),
        ("affected children (in area, in window)", f"{scores.affected:,}"),
        ("  of whom identifiable", f"{scores.identifiable:,}"),
        ("precision", f"{scores.precision:.3f}"),
        ("recall (identifiable)", f"{scores.recall:.3f}"),
        ("coverage (all affected)", f"{scores.coverage:.3f}"),
        ("duplicate rate", f"{scores.duplicate_rate:.3f}"),
    ):
        table.add_row(label, value)
    table.add_row("expected calibration error", f"{scores.calibration_error:.3f}")
    off = [b for b in scores.calibration if b["off"]]
    table.add_row("confidence bins more than 3 points off (30+ rows)", f"{len(off)}")
    for group, label in (
        ("BRITISH", "of British origin"),
        ("NOT_BRITISH", "not of British origin"),
    ):
        g = scores.recall_by_name_origin.get(group)
        if g:
            table.add_row(f"recall, names {label} (n={g['children']:,})", f"{g['recall']:.3f}")
    for route, share in scores.recall_by_route.items():
        table.add_row(f"recall via {route}", f"{share:.3f}")
    for rel, share in scores.recall_by_relationship.items():
        n = scores.identifiable_by_relationship.get(rel, 0)
        table.add_row(f"recall, {rel} (n={n:,})", f"{share:.3f}")
    return table
