"""Fixtures of the engine tests (the builder lives in `engine_extract`)."""

from __future__ import annotations

import pytest
from engine_extract import Extract


@pytest.fixture
def extract() -> Extract:
    """An extract with a force of two LPAs and nothing else."""
    x = Extract()
    x.area("OX4", "OXF", "Oxford")
    x.area("OX1", "OXF", "Oxford")
    x.area("RG1", "RDG", "Reading")
    return x
