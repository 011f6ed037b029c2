"""Identity resolution as a method's first step (`paramount.linkage` does the work).

`resolve_identity_step()` is a `ProcedureStep`: it reuses the force database's stored
resolution when its fingerprint matches the loaded extract, and runs `resolve` otherwise,
on the run's backend (which hands Splink its database API) and with the run's reporter.
Later steps read `pm_entity_members` and `pm_entities` like any step table.

Whether the stored resolution is current is a hash of every input table (1.5 s at 2.4 million
people, the largest fixed cost of a day's run). Once it has been found current (or made) for
a stored load, that is remembered (`CHECKED`: the stored load's and resolution's own rows,
`pipeline.inputs_key`), and a later run on the same stored load skips the hash: the load's
fingerprint is its files' sha256 and mapping, the loaded tables follow from them, and only a
new load writes them (the window-free evidence is kept on the same key). A table edited by
hand inside the database, outside any load, is not noticed: reload the extract instead.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from paramount.db.backend import Backend
from paramount.engine.pipeline import ProcedureStep, RunParameters, inputs_key
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
        key = params.partner_key
        mark = None if key is None else key.fingerprint  # the key's, never the key
        if _checked(backend, mark):
            return
        if not resolution_is_current(backend, key):
            resolve(
                backend,
                models_dir=models_dir or default_models_dir(backend),
                reporter=reporter,
                partner_key=key,
            )
        _remember_checked(backend, mark)

    return ProcedureStep(
        "resolve_identity",
        "Identity resolution (Splink): nominals deduplicated; prisoners, partner persons "
        "and contacts matched to individuals; reused when current",
        run,
        reads=frozenset(RESOLUTION_INPUTS),
        writes=RESOLUTION_TABLES,
    )


CHECKED = "pm_resolution_checked"


def _checked_key(backend: Backend, partner_key: str | None) -> str | None:
    """The stored load's key, with the partner key's fingerprint when one was given."""
    key = inputs_key(backend)
    if key is None or partner_key is None:
        return key
    return f"{key}|partner key {partner_key}"


def _checked(backend: Backend, partner_key: str | None = None) -> bool:
    """The stored resolution was found current for exactly this stored load (and partner
    key) before."""
    key = _checked_key(backend, partner_key)
    if key is None or not backend.table_exists(CHECKED):
        return False
    return backend.fetch_value(f"SELECT inputs_key FROM {CHECKED}") == key


def _remember_checked(backend: Backend, partner_key: str | None = None) -> None:
    key = _checked_key(backend, partner_key)
    if key is None:
        return
    backend.execute(f"CREATE OR REPLACE TABLE {CHECKED} (inputs_key VARCHAR)")
    backend.execute(f"INSERT INTO {CHECKED} VALUES (?)", [key])
