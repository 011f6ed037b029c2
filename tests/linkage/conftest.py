"""Fixtures of the linkage tests."""

from __future__ import annotations

import pytest
from linkage_world import Resolved, make_resolved


@pytest.fixture(scope="session")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> Resolved:
    return make_resolved(tmp_path_factory)
