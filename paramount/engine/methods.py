"""The registry of identification methods: name -> pipeline.

`baseline` is the original Operation Paramount process (exact PNC/CRO identity, recorded
relationships only). It stays selectable for good: every later method (probabilistic
identity, more routes, calibrated decisions) is measured against it on the same extract.
"""

from __future__ import annotations

from paramount.engine.children import CHILDREN
from paramount.engine.identity import PRISONER_NOMINALS
from paramount.engine.pipeline import Pipeline
from paramount.engine.receptions import IN_AREA, RECEPTIONS
from paramount.engine.routes.recorded_relationships import RECORDED_CHILDREN

baseline_pipeline = Pipeline(
    "baseline",
    (RECEPTIONS, PRISONER_NOMINALS, IN_AREA, RECORDED_CHILDREN, CHILDREN),
    description="Operation Paramount as first run: PNC/CRO identity, recorded relationships",
)

METHODS: dict[str, Pipeline] = {"baseline": baseline_pipeline}


def get_method(name: str) -> Pipeline:
    try:
        return METHODS[name]
    except KeyError:
        known = ", ".join(sorted(METHODS))
        raise ValueError(f"unknown method {name!r}; known methods: {known}") from None
