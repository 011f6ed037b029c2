"""The encoded partner files: their names and columns, shared by whoever writes and reads them.

`paramount partner encode` writes, beside the contract's partner tables with their clear
details left empty (`partner_persons.csv`: ids, agency and sex only; `partner_involvement.csv`
without the worker's name and email; `partner_relationships.csv` as it was: ids and codes),
`partner_persons_encoded.csv` (one row per partner person, the columns below) and
`partner_encoding.json` (the manifest: schema, bits, fields and their k, counts, the key's
fingerprint; never the key). The loader reads both into `ENCODED_TABLE` and `MANIFEST_TABLE`.
"""

from __future__ import annotations

ENCODED_STEM = "partner_persons_encoded"
MANIFEST_NAME = "partner_encoding.json"
ENCODED_TABLE = "partner_persons_encoded"
MANIFEST_TABLE = "pm_partner_encoding"

# partner_person_id, the name filter (base64), then keyed hashes (16 hex digits each) of the
# date of birth, its year, month and day (month and day under one key, so a day and month
# written the wrong way round still agree crosswise), the postcode and its district.
ENCODED_COLUMNS: tuple[str, ...] = (
    "partner_person_id",
    "name_clk",
    "dob_hash",
    "dob_year_hash",
    "dob_month_hash",
    "dob_day_hash",
    "postcode_hash",
    "district_hash",
)
# The clear columns of the contract's partner tables that the encoded folder leaves empty.
CLEARED: dict[str, tuple[str, ...]] = {
    "partner_persons": ("surname", "forenames", "date_of_birth", "postcode"),
    "partner_involvement": ("worker_name", "worker_email"),
}
