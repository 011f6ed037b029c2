"""Errors that stop a load. Everything else (bad rows, bad values) is quarantined, not raised."""

from __future__ import annotations


class ContractError(Exception):
    """The extract does not meet the data contract: a required table or column is missing,
    or a file cannot be read at all. The message names the table, column and file expected,
    and never carries field values (they may be personal data)."""


class MappingError(ContractError):
    """The per-force mapping file is itself wrong (unknown table, column, code or format)."""
