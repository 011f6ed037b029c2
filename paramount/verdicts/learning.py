"""From verdict rows to what a run needs: the correction, the held pairs, the honesty table.

1. Each verdict's reception must be in the extract, with the same prisoner; a file none of
   whose receptions is in the extract is another force's (or another extract's) and is set
   aside whole.
2. The receptions the verdicts speak of are identified again (their own window), so every
   checked row has the model's description of it; each verdict finds its row by the child's
   ids, or by name and date of birth when it has none. A verdict that finds no row is
   reported and changes nothing.
3. The latest verdict per (reception, child) is a label: confirmed right, rejected wrong
   (a duplicate is an identity fault, not a wrong relationship, and is not a label).
4. The correction is fitted on the labels; the rejected pairs become `verdicts_held`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa

from paramount.db import Backend
from paramount.engine import DecisionSettings
from paramount.engine import identify as run_identify
from paramount.engine.decision.correction import Correction, fit_correction, tokens_sql
from paramount.engine.decision.verdict_decided import ids_overlap_sql
from paramount.engine.pipeline import VERDICTS_HELD, RunParameters
from paramount.engine.receptions import receptions_sql
from paramount.engine.sql import ident
from paramount.intervals import wilson
from paramount.progress import Reporter
from paramount.verdicts.reading import Problem, VerdictRows

VERDICTS_IN = "verdicts_in"
LATEST = "pm_verdict_latest"  # the latest verdict per (reception, child row): the labels
# Bands of stated confidence for the honesty table (a lead reads it as "of the rows we were
# told were 0.95 to 0.99 sure, this many were right").
BANDS = (0.5, 0.8, 0.9, 0.95, 0.99, 1.0001)
NOT_A_LABEL = ("DUPLICATE",)


@dataclass
class VerdictKnowledge:
    """What a run learnt from its verdict files."""

    correction: Correction
    files: dict[str, int]  # file -> data rows read
    problems: list[Problem]
    labelled_window: tuple[date, date] | None
    matched: int = 0
    held: int = 0
    honesty: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "rows_read": sum(self.files.values()),
            "rows_matched": self.matched,
            "rows_set_aside": len([p for p in self.problems if p.row > 0]),
            "files_set_aside": sorted({p.file for p in self.problems if p.row == 0}),
            "labelled_receptions": (
                None
                if self.labelled_window is None
                else [d.isoformat() for d in self.labelled_window]
            ),
            "pairs_held": self.held,
            "labels_used": self.correction.labels,
            "correction": self.correction.to_dict(),
            "measured_precision_by_band": self.honesty,
        }


def learn_from_verdicts(
    backend: Backend,
    verdicts: VerdictRows,
    *,
    method: str,
    decision: DecisionSettings,
    reporter: Reporter,
) -> VerdictKnowledge:
    """Check, match and fit the verdicts on a loaded force database (see the module)."""
    backend.register_arrow(VERDICTS_IN, verdicts.table)
    _check_receptions(backend, verdicts)
    backend.register_arrow(VERDICTS_IN, verdicts.table)
    window = backend.fetch_tuples(
        f"""SELECT min(r.reception_date), max(r.reception_date)
            FROM {VERDICTS_IN} AS v JOIN ({_RECEPTIONS}) AS r USING (booking_id)"""
    )[0]
    knowledge = VerdictKnowledge(
        correction=Correction(),
        files=dict(verdicts.rows_read),
        problems=verdicts.problems,
        labelled_window=None if window[0] is None else (window[0], window[1]),
    )
    if knowledge.labelled_window is None or method == "baseline":
        _make_held(backend, empty=True)
        return knowledge
    run_identify(
        backend,
        knowledge.labelled_window[0],
        knowledge.labelled_window[1],
        method=method,
        reporter=reporter,
        decision=decision,
    )
    knowledge.matched = _match(backend, verdicts)
    labelled = [
        r
        for r in backend.fetch_rows(f"SELECT * FROM {LATEST} ORDER BY checked_on, file, row")
        if r["reason"] not in NOT_A_LABEL
    ]
    knowledge.correction = fit_correction(
        [(r["model_confidence"], r["tokens"], r["verdict"] == "CONFIRMED") for r in labelled]
    )
    knowledge.honesty = honesty_table(
        [
            (
                r["stated_confidence"]
                if r["stated_confidence"] is not None
                else r["model_confidence"],
                r["verdict"] == "CONFIRMED",
            )
            for r in labelled
        ]
    )
    knowledge.held = _make_held(backend, empty=False)
    return knowledge


# Every reception of the extract, by the engine's own definition (`engine/receptions.py`:
# the first admission of a booking, a transfer in or a return excepted), whatever its date.
_RECEPTIONS = (
    "SELECT booking_id, prisoner_number, reception_date FROM ("
    + receptions_sql(RunParameters(date(1900, 1, 1), date(9999, 12, 31)))
    + ")"
)


def _check_receptions(backend: Backend, verdicts: VerdictRows) -> None:
    """Set aside rows whose reception is not in the extract, or not that prisoner's; a file
    with no reception of this extract at all is refused whole."""
    rows = backend.fetch_tuples(
        f"""SELECT v.file, v.row, count(r.booking_id) = 0 AS unknown,
                   NOT coalesce(bool_or(r.prisoner_number = v.prisoner_number), FALSE)
                       AS other_prisoner
            FROM {VERDICTS_IN} AS v LEFT JOIN ({_RECEPTIONS}) AS r USING (booking_id)
            GROUP BY v.file, v.row"""
    )
    known_files = {f for f, _, unknown, _ in rows if not unknown}
    foreign = {f for f, _, _, _ in rows} - known_files
    verdicts.refuse_files(
        foreign, "no reception of this file is in the extract: another force's verdicts?"
    )
    drop: set[tuple[str, int]] = set()
    for file, row, unknown, other_prisoner in rows:
        if file in foreign:
            continue
        if unknown:
            verdicts.problems.append(Problem(file, row, "booking_id", "no such reception"))
            drop.add((file, row))
        elif other_prisoner:
            verdicts.problems.append(
                Problem(file, row, "prisoner_number", "not the prisoner of this reception")
            )
            drop.add((file, row))
    if drop:
        keys = zip(
            verdicts.table.column("file").to_pylist(),
            verdicts.table.column("row").to_pylist(),
            strict=True,
        )
        keep = [k not in drop for k in keys]
        verdicts.table = verdicts.table.filter(pa.array(keep, type=pa.bool_()))


def _match(backend: Backend, verdicts: VerdictRows) -> int:
    """Each verdict's row among the labelled receptions' decided rows (any decision: a row
    listed then may sit below today's threshold), and the latest verdict per row (`LATEST`);
    unmatched verdicts are reported. Returns how many verdicts matched."""
    decided = ident("pm_decided")
    overlap = ids_overlap_sql

    backend.create_table(
        "pm_verdict_matches",
        f"""
        WITH pairs AS (
            SELECT v.*, d.child_key, d.child_person_ids AS row_person_ids,
                   d.child_partner_ids AS row_partner_ids, d.confidence AS model_confidence,
                   {tokens_sql("d")} AS tokens,
                   row_number() OVER (
                       PARTITION BY v.file, v.row
                       ORDER BY CASE WHEN {overlap("d.child_person_ids", "v.child_person_ids")}
                                     THEN 0 ELSE 1 END,
                                CASE WHEN {overlap("d.child_partner_ids", "v.child_partner_ids")}
                                     THEN 0 ELSE 1 END,
                                d.confidence DESC, d.child_key
                   ) AS pick
            FROM {VERDICTS_IN} AS v
            JOIN {decided} AS d
              ON d.booking_id = v.booking_id AND d.prisoner_number = v.prisoner_number
             AND ({overlap("d.child_person_ids", "v.child_person_ids")}
                  OR {overlap("d.child_partner_ids", "v.child_partner_ids")}
                  OR (v.child_person_ids IS NULL AND v.child_partner_ids IS NULL
                      AND lower(d.child_surname_best) = lower(v.child_surname)
                      AND lower(split_part(d.child_forenames, ' ', 1))
                          = lower(split_part(v.child_forenames, ' ', 1))
                      AND (v.child_date_of_birth IS NULL OR d.child_dob IS NULL
                           OR d.child_dob = v.child_date_of_birth)))
        )
        SELECT * EXCLUDE (pick) FROM pairs WHERE pick = 1
        """,
    )
    unmatched = backend.fetch_tuples(
        f"""SELECT v.file, v.row FROM {VERDICTS_IN} AS v
            ANTI JOIN pm_verdict_matches AS m ON m.file = v.file AND m.row = v.row
            ORDER BY v.file, v.row"""
    )
    verdicts.problems.extend(
        Problem(f, r, "child_person_ids", "matches no child of this reception")
        for f, r in unmatched
    )
    backend.create_table(
        LATEST,
        """SELECT * FROM pm_verdict_matches
           QUALIFY row_number() OVER (PARTITION BY booking_id, child_key
                                      ORDER BY checked_on DESC, file DESC, row DESC) = 1""",
    )
    return int(backend.count("pm_verdict_matches"))


def _make_held(backend: Backend, *, empty: bool) -> int:
    """`verdicts_held`: per (prisoner, child), the latest verdict if it is a rejection, with
    every id the child is known by (the verdict's and its row's). Empty: no verdict applies."""
    if empty:
        backend.create_table(
            VERDICTS_HELD,
            """SELECT NULL::VARCHAR AS prisoner_number, NULL::VARCHAR AS booking_id,
                      NULL::VARCHAR AS person_ids, NULL::VARCHAR AS partner_ids,
                      NULL::VARCHAR AS reason, NULL::DATE AS checked_on,
                      NULL::VARCHAR AS dup_person_ids, NULL::VARCHAR AS dup_partner_ids
               WHERE FALSE""",
        )
        return 0

    def ids(row_ids: str, verdict_ids: str) -> str:
        return f"""nullif(array_to_string(list_filter(list_distinct(list_concat(
                   string_split(coalesce({row_ids}, ''), ';'),
                   string_split(coalesce({verdict_ids}, ''), ';'))),
                   lambda x: x <> ''), ';'), '')"""

    backend.create_table(
        VERDICTS_HELD,
        f"""
        SELECT prisoner_number, booking_id,
               {ids("row_person_ids", "child_person_ids")} AS person_ids,
               {ids("row_partner_ids", "child_partner_ids")} AS partner_ids,
               reason, checked_on,
               duplicate_of_person_ids AS dup_person_ids,
               duplicate_of_partner_ids AS dup_partner_ids
        FROM {LATEST} WHERE verdict = 'REJECTED'
        """,
    )
    return int(backend.count(VERDICTS_HELD))


def honesty_table(labelled: list[tuple[float, bool]]) -> list[dict[str, Any]]:
    """Rows checked, by the confidence stated when listed: how many, the mean stated, the
    share the checkers confirmed and its 95 % (Wilson) interval."""
    table = []
    for lo, hi in itertools.pairwise(BANDS):
        rows = [(c, right) for c, right in labelled if lo <= c < hi]
        if not rows:
            continue
        n, k = len(rows), sum(1 for _, right in rows if right)
        low, high = wilson(k, n)
        table.append(
            {
                "band": f"{lo:.2f}-{min(hi, 1.0):.2f}",
                "rows": n,
                "stated": round(sum(c for c, _ in rows) / n, 3),
                "confirmed": k,
                "measured": round(k / n, 3),
                "interval": [round(low, 3), round(high, 3)],
            }
        )
    return table
