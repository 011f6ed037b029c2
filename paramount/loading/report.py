"""What a load did, table by table, in counts that must reconcile.

The report goes into the run manifest: with the file's sha256 it says exactly which data
a run saw, and `reconciles` proves no row vanished (every row read was loaded or set aside).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class TableLoad:
    """One contract table: where it came from and what became of its rows."""

    table: str
    required: bool
    file: str | None = None  # file name inside the extract folder; None when absent
    format: str | None = None  # "csv" or "parquet"
    sha256: str | None = None
    rows_read: int = 0
    loaded: int = 0
    rejected: int = 0
    warnings: int = 0
    # Of the warnings: loaded rows whose id names no row of the table it refers to
    # (`rules.REFERENCES`), e.g. a relationship to a person in no `persons` row.
    unresolved_references: int = 0

    @property
    def present(self) -> bool:
        return self.file is not None

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.loaded + self.rejected


@dataclass
class LoadReport:
    extract_dir: Path
    quarantine_dir: Path
    mapping: Path | None = None
    tables: dict[str, TableLoad] = field(default_factory=dict)
    seconds: float = 0.0
    reused: bool = False  # True when an identical load already in the database was kept

    @classmethod
    def from_dict(cls, data: dict[str, Any], quarantine_dir: Path) -> LoadReport:
        """The report of a stored load, from its `to_dict()` form."""
        fields = TableLoad.__dataclass_fields__
        tables = {
            name: TableLoad(**{k: v for k, v in t.items() if k in fields})
            for name, t in data["tables"].items()
        }
        mapping = Path(data["mapping"]) if data.get("mapping") else None
        return cls(
            extract_dir=Path(data["extract_dir"]),
            quarantine_dir=quarantine_dir,
            mapping=mapping,
            tables=tables,
            seconds=data.get("seconds", 0.0),
        )

    @property
    def reconciles(self) -> bool:
        """True when, for every table, rows read == rows loaded + rows rejected."""
        return all(t.reconciles for t in self.tables.values())

    @property
    def rows_read(self) -> int:
        return sum(t.rows_read for t in self.tables.values())

    @property
    def loaded(self) -> int:
        return sum(t.loaded for t in self.tables.values())

    @property
    def rejected(self) -> int:
        return sum(t.rejected for t in self.tables.values())

    @property
    def warnings(self) -> int:
        return sum(t.warnings for t in self.tables.values())

    @property
    def unresolved_references(self) -> int:
        return sum(t.unresolved_references for t in self.tables.values())

    @property
    def rejected_csv(self) -> Path:
        return self.quarantine_dir / "rejected.csv"

    @property
    def warnings_csv(self) -> Path:
        return self.quarantine_dir / "warnings.csv"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form for the run manifest."""
        return {
            "extract_dir": str(self.extract_dir),
            "mapping": str(self.mapping) if self.mapping else None,
            "quarantine": {
                "rejected": str(self.rejected_csv),
                "warnings": str(self.warnings_csv),
            },
            "seconds": round(self.seconds, 3),
            "reused": self.reused,
            "reconciles": self.reconciles,
            "totals": {
                "rows_read": self.rows_read,
                "loaded": self.loaded,
                "rejected": self.rejected,
                "warnings": self.warnings,
                "unresolved_references": self.unresolved_references,
            },
            "tables": {
                name: {**asdict(t), "reconciles": t.reconciles} for name, t in self.tables.items()
            },
        }
