"""Identity resolution as a method's first step (`paramount.linkage` does the work).

`resolve_identity_step()` is a `ProcedureStep`: it reuses the force database's stored
resolution when its fingerprint matches the loaded extract, and runs `resolve` otherwise,
on the run's backend (which hands Splink its database API) and with the run's reporter.
Later steps read `pm_entity_members` and `pm_entities` like any step table.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from paramount.db.backend import Backend
from paramount.engine.pipeline import ProcedureStep, RunParameters
from paramount.linkage import (
    RESOLUTION_INPUTS,
    RESOLUTION_TABLES,
    resolution_is_current,
    resolve,
)
from paramount.progress import Reporter


def default_models_dir(db: Backend) -> Path:
    """`<db file>.models` beside the force's database; a temporary folder for one in memory."""
    path = db.database_path()
    if path is not None:
        return path.with_name(path.name + ".models")
    return Path(tempfile.mkdtemp(prefix="paramount-models-"))


def resolve_identity_step(models_dir: Path | None = None) -> ProcedureStep:
    """A step making the resolution tables, reusing a current stored resolution; its progress
    (every phase, and Splink's own lines) goes to the run's reporter."""

    def run(backend: Backend, params: RunParameters, reporter: Reporter) -> None:
        if resolution_is_current(backend):
            return
        resolve(backend, models_dir=models_dir or default_models_dir(backend), reporter=reporter)

    return ProcedureStep(
        "resolve_identity",
        "Identity resolution (Splink): nominals deduplicated; prisoners, partner persons "
        "and contacts matched to individuals; reused when current",
        run,
        reads=frozenset(RESOLUTION_INPUTS),
        writes=RESOLUTION_TABLES,
    )
