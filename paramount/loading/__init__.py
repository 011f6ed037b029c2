"""Loading a force's extract into DuckDB, checked against the data contract.

`load_extract` is the entry point: it reads every contract table from the extract folder
(CSV or Parquet, optionally through a per-force mapping file), sets aside the rows that
cannot be used, nulls the values a row can live without, writes both to a quarantine
folder and returns a `LoadReport` whose counts reconcile.
"""

from paramount.loading.errors import ContractError, MappingError
from paramount.loading.loader import load_extract
from paramount.loading.mapping import ForceMapping, TableMapping, load_mapping
from paramount.loading.report import LoadReport, TableLoad

__all__ = [
    "ContractError",
    "ForceMapping",
    "LoadReport",
    "MappingError",
    "TableLoad",
    "TableMapping",
    "load_extract",
    "load_mapping",
]
