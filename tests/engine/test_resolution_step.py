"""The identity step checks the stored resolution against the input tables once per stored
load, not every day (`engine/resolution.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from engine_extract import WINDOW, Extract

from paramount.engine import RunParameters
from paramount.engine import resolution as step_module
from paramount.engine.resolution import resolve_identity_step
from paramount.progress import SilentReporter

PARAMS = RunParameters(window_from=WINDOW[0], window_to=WINDOW[1], method="full")


@dataclass
class Linkage:
    """Identity resolution as the step sees it: whether the tables match the stored
    resolution, and what the step asked (a check of the tables, or a resolve)."""

    current: bool = True
    calls: list[str] = field(default_factory=list)


@pytest.fixture
def linkage(monkeypatch: pytest.MonkeyPatch) -> Linkage:
    fake = Linkage()

    def is_current(backend, partner_key=None) -> bool:
        fake.calls.append("check")
        return fake.current

    def resolve(backend, **kw) -> None:
        fake.calls.append("resolve")
        backend.execute("CREATE OR REPLACE TABLE pm_resolution_info AS SELECT 'r2' AS fingerprint")

    monkeypatch.setattr(step_module, "resolution_is_current", is_current)
    monkeypatch.setattr(step_module, "resolve", resolve)
    return fake


def _run(extract: Extract) -> None:
    resolve_identity_step().run(extract.backend(), PARAMS, SilentReporter())


def test_the_tables_are_checked_once_per_stored_load(extract: Extract, linkage: Linkage) -> None:
    backend = extract.backend()
    backend.execute("CREATE TABLE pm_load_state AS SELECT 'f1' AS fingerprint, '' AS report")
    backend.execute("CREATE TABLE pm_resolution_info AS SELECT 'r1' AS fingerprint")
    _run(extract)
    _run(extract)
    assert linkage.calls == ["check"]  # the second run trusted the first's check
    backend.execute("UPDATE pm_load_state SET fingerprint = 'f2'")  # a new load
    linkage.current = False
    _run(extract)
    _run(extract)
    assert linkage.calls == ["check", "check", "resolve"]  # checked, resolved, then trusted


def test_without_a_stored_load_the_tables_are_checked_every_time(
    extract: Extract, linkage: Linkage
) -> None:
    _run(extract)
    _run(extract)
    assert linkage.calls == ["check", "check"]
