"""The evaluators' extract as a disclosure: who may have it, its key file, the extract and its
data dictionary written together, and ONE audit record (a disclosure, as `export_verdicts`).

The rows are `selectors.evaluation_extract`'s (pseudonymised, k-anonymous). The key is the
force's: made once per evaluation (`new_key`) and written to a key file only the force keeps
(`write_key_file`, readable by its owner alone); read again (`read_key_file`) to repeat the
evaluation with the same pseudonyms. Neither the key nor anything derived from it but the
pseudonyms and the evaluation's id goes into the extract or the audit log.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from paramount.casework.codes import EVALUATION_EXPORTERS, AuditAction
from paramount.casework.models import Force, User
from paramount.casework.selectors.evaluation_extract import (
    COLUMNS,
    HEADER,
    KEY_BYTES,
    QUASI_IDENTIFIERS,
    Extract,
    K,
    evaluation_extract,
    evaluation_id,
    new_key,
)
from paramount.casework.services.audit import audit

# The command line's actor in the audit log when no user is named (`--as`).
CLI_ACTOR = "cli"

__all__ = [
    "EvaluationExport",
    "K",
    "export_evaluation",
    "may_export_evaluation",
    "new_key",
    "read_key_file",
    "write_key_file",
]


@dataclass(frozen=True)
class EvaluationExport:
    evaluation_id: str
    rows: int
    generalised: int
    suppressed: int
    cases: int

    def summary(self) -> str:
        return (
            f"{self.rows} rows from {self.cases} cases ({self.generalised} generalised, "
            f"{self.suppressed} suppressed) for evaluation {self.evaluation_id}"
        )


def may_export_evaluation(user: User) -> bool:
    return user.is_active and user.role in EVALUATION_EXPORTERS and user.force_id is not None


# ---------------------------------------------------------------------------------------
# Key files


def write_key_file(path: Path, key: bytes, force: Force) -> str:
    """Write a new evaluation's key file (never over an existing file; readable by its
    owner only) and return the evaluation's id."""
    eid = evaluation_id(key)
    content = json.dumps(
        {
            "evaluation_id": eid,
            "force": force.code,
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "key": key.hex(),
        },
        indent=2,
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as f:
        f.write(content + "\n")
    return eid


def read_key_file(path: Path, force: Force) -> bytes:
    """The key of an earlier evaluation of `force`; a file that is not one, or is another
    force's, is refused (`ValidationError`, naming no key)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        key = bytes.fromhex(data["key"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValidationError("The key file could not be read as an evaluation's key.") from error
    if len(key) != KEY_BYTES or data.get("evaluation_id") != evaluation_id(key):
        raise ValidationError("The key file is damaged: its key does not match its id.")
    if data.get("force") != force.code:
        raise ValidationError("The key file is another force's evaluation.")
    return key


# ---------------------------------------------------------------------------------------
# The disclosure


def export_evaluation(
    out: TextIO,
    dictionary: TextIO,
    *,
    force: Force,
    key: bytes,
    user: User | None = None,
    destination: str = "evaluation.csv",
) -> EvaluationExport:
    """Write the extract of `force` under `key` to `out` (CSV, `HEADER`) and its data
    dictionary to `dictionary` (Markdown). `user` is the evaluator of that force; None is the
    command line's deployer. Anyone else is refused, and the refusal audited. One audit
    record, a disclosure, names the evaluation, the counts and the cases whose children's
    rows left (for the auditor's search)."""
    if user is not None and (not may_export_evaluation(user) or user.force_id != force.pk):
        audit(user, AuditAction.REFUSED, "evaluation", detail={"operation": "export_evaluation"})
        raise PermissionDenied("Only the force's evaluator takes the evaluation extract.")
    with transaction.atomic():
        extract = evaluation_extract(force, key)
        writer = csv.DictWriter(out, fieldnames=list(HEADER), lineterminator="\n")
        writer.writeheader()
        writer.writerows(extract.rows)
        dictionary.write(data_dictionary(extract, force))
        result = EvaluationExport(
            evaluation_id=extract.evaluation_id,
            rows=len(extract.rows),
            generalised=extract.rows_generalised,
            suppressed=extract.suppressed,
            cases=len({r["case_pseudonym"] for r in extract.rows}),
        )
        audit(
            user,
            AuditAction.DISCLOSE,
            "evaluation",
            object_ref=extract.evaluation_id,
            recipient=destination,
            detail={
                "operation": "export_evaluation",
                "force": force.code,
                "evaluation_id": extract.evaluation_id,
                "rows": result.rows,
                "generalised": result.generalised,
                "suppressed": result.suppressed,
                "k": extract.k,
                "refs": extract.case_refs,
            },
            system_name=CLI_ACTOR,
        )
        return result


def data_dictionary(extract: Extract, force: Force) -> str:
    """The extract's data dictionary: what every column means and what was done to keep
    the rows from naming anyone."""
    levels = ", ".join(f"{n} at level {level}" for level, n in sorted(extract.generalised.items()))
    lines = [
        f"# Evaluation extract {extract.evaluation_id}: data dictionary",
        "",
        f"Force {force.code}; made {timezone.localdate():%Y-%m-%d}. One row per child per "
        "case. No name, date of birth, address, postcode, person id, prisoner number, "
        "booking id or case reference: the people and cases are keyed pseudonyms "
        "(HMAC-SHA256 under a secret made for this evaluation and kept by the force, not "
        "in this extract). An extract made with the same key has the same pseudonyms and "
        "evaluation id; one made with another key cannot be joined to this one.",
        "",
        "## Protection",
        "",
        f"- Quasi-identifiers: {', '.join(f'`{q}`' for q in QUASI_IDENTIFIERS)}. Every "
        f"combination of them in this file is shared by at least {extract.k} rows "
        "(k-anonymity).",
        f"- Rows: {len(extract.rows)}. Generalised to reach {extract.k}: "
        f"{extract.rows_generalised}" + (f" ({levels})" if levels else "") + ". "
        f"Suppressed (left out, still in a cell under {extract.k}): {extract.suppressed}.",
        "- Not covered: the rows of one case together (a family's children's ages and "
        "sexes, linked by `case_pseudonym`) describe a household more closely than one row; "
        "do not try to recognise a family, and do not publish counts of fewer than "
        f"{extract.k}.",
        "- The prisoner's (parent's) sex is not recorded in casework, so it is not here.",
        "",
        "## Columns",
        "",
        "| Column | Meaning |",
        "|---|---|",
        *(f"| `{name}` | {meaning} |" for name, meaning in COLUMNS),
        "",
    ]
    return "\n".join(lines)
