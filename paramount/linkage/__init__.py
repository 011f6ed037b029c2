"""Identity resolution: which records, across police, prison and social care, are one person.

`resolve(con, models_dir=...)` runs on a connection the loader filled and writes:

- `pm_entity_members(entity_id, source, record_id, match_probability, basis)`: every RMS
  nominal, partner person, prisoner and prisoner-contact row, in exactly one individual.
- `pm_entities(entity_id, surname, forenames, date_of_birth, sex, person_ids, partner_ids,
  has_pnc)`: best-known details of each individual.
- `pm_identity_pairs`: the scored pairs at or above the review threshold, kept as evidence.
- `pm_identity_review`: candidates neither taken nor dropped, with why, in words.
- `pm_resolution_info`: the inputs' fingerprint, so `resolution_is_current(con)` can tell a
  later run whether the stored resolution still holds for the loaded extract.

Models (Splink 5 on DuckDB) are trained without labels on the extract itself and saved as
JSON in `models_dir`; a later call reuses them unless `retrain=True`.
"""

from paramount.linkage.models import TooFewRecordsToTrain
from paramount.linkage.resolve import (
    ACCEPT,
    REVIEW,
    ResolutionReport,
    resolution_is_current,
    resolve,
    stored_report,
)

__all__ = [
    "ACCEPT",
    "REVIEW",
    "ResolutionReport",
    "TooFewRecordsToTrain",
    "resolution_is_current",
    "resolve",
    "stored_report",
]
