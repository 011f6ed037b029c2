"""Identity resolution: which records, across police, prison and social care, are one person.

`resolve(db, models_dir=...)` runs on the database (a `paramount.db.Backend`) the loader
filled and writes:

- `pm_entity_members(entity_id, source, record_id, match_probability, basis)`: every RMS
  nominal, partner person, prisoner and prisoner-contact row, in exactly one individual.
- `pm_entities(entity_id, surname, forenames, date_of_birth, sex, person_ids, partner_ids,
  has_pnc)`: best-known details of each individual.
- `pm_identity_pairs`: the scored pairs at or above the review threshold, kept as evidence.
- `pm_identity_review`: candidates neither taken nor dropped, with why, in words.
- `pm_resolution_info`: the inputs' fingerprint, so `resolution_is_current(db)` can tell a
  later run whether the stored resolution still holds for the loaded extract.

`RESOLUTION_TABLES` names those five (entity members first), `RESOLUTION_INPUTS` the
extract tables it reads. Models (Splink 5, on the database API the backend hands it) are
trained without labels on the extract itself and saved as JSON in `models_dir`; a later call
reuses them unless `retrain=True`. With `partner_key` (or partner data that came encoded),
partner persons are linked on keyed encodings instead of their names (`encoded.py`,
`encoded_link.py`); `encode_partner_folder` is the local authority's side of that
(`paramount partner encode`).
"""

from paramount.linkage.entities import ENTITIES, MEMBERS
from paramount.linkage.fingerprint import INFO
from paramount.linkage.fingerprint import INPUT_TABLES as RESOLUTION_INPUTS
from paramount.linkage.models import TooFewRecordsToTrain
from paramount.linkage.nicknames import nickname_rows
from paramount.linkage.partner_files import EncodeReport, encode_partner_folder
from paramount.linkage.resolve import (
    ACCEPT,
    PAIRS_OUT,
    REVIEW,
    REVIEW_OUT,
    ResolutionReport,
    resolution_is_current,
    resolve,
    stored_report,
)

RESOLUTION_TABLES = (MEMBERS, ENTITIES, PAIRS_OUT, REVIEW_OUT, INFO)

__all__ = [
    "ACCEPT",
    "ENTITIES",
    "MEMBERS",
    "PAIRS_OUT",
    "RESOLUTION_INPUTS",
    "RESOLUTION_TABLES",
    "REVIEW",
    "REVIEW_OUT",
    "EncodeReport",
    "ResolutionReport",
    "TooFewRecordsToTrain",
    "encode_partner_folder",
    "nickname_rows",
    "resolution_is_current",
    "resolve",
    "stored_report",
]
