"""The decision model's settings: one object, carried in a run's parameters and written to
its manifest, so a run says exactly how it decided.

What each one means (see `engine/decision/` and docs/decision-model.md for the model):

- `target_precision`: the worklist's threshold is the lowest confidence t, at or above
  `threshold_floor`, whose rows at or above t have a mean confidence of at least this (the
  expected precision, if the confidences are calibrated).
- `threshold_floor`: the threshold is never below this, whatever the mean says.
- `review_floor`: rows below the threshold and at or above this go to review.csv.
- `em_iterations`: expectation-maximisation steps of the parent-figure model (each its own
  step table, `em_01` ... `em_NN`).
- `em_fit`: `"all"`, EM over every adult-child pair of the force (the default); or
  `"candidates"`, Splink's practice: u fixed at the population shares, m and lambda fitted on
  the candidate pairs only, lambda then scaled by the candidates' share. Kept to measure one
  against the other.
- `pseudo_count`: Laplace smoothing of m and u, so no level is ever impossible.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

EM_FITS = ("all", "candidates")


@dataclass(frozen=True)
class DecisionSettings:
    """How the decision step fits and thresholds; the defaults are the recommended model."""

    target_precision: float = 0.95
    threshold_floor: float = 0.5
    review_floor: float = 0.1
    em_iterations: int = 25
    em_fit: str = "all"
    pseudo_count: float = 0.5

    def __post_init__(self) -> None:
        if self.em_fit not in EM_FITS:
            raise ValueError(f"em_fit must be one of {EM_FITS}, not {self.em_fit!r}")
        if not 1 <= self.em_iterations <= 99:
            raise ValueError("em_iterations must be from 1 to 99 (step tables em_01..em_99)")
        for name in ("target_precision", "threshold_floor", "review_floor"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.pseudo_count <= 0:
            raise ValueError("pseudo_count must be positive")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_DECISION = DecisionSettings()
