"""What a generated force holds, in the figures worth checking against the facts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class SynthSummary:
    population: int  # residents of the force
    individuals: int  # all individuals, neighbours' residents included
    seed: int
    extract_date: str
    movements_from: str
    year: int  # the calendar year reported on (the last full one)
    rows: dict[str, int] = field(default_factory=dict)
    receptions: int = 0  # first admissions of bookings begun inside the window
    receptions_in_area: int = 0
    receptions_year: int = 0
    receptions_year_in_area: int = 0
    receptions_per_1000_per_year: float = 0.0  # in area
    male_share: float = 0.0  # of receptions
    affected: int = 0  # (child, reception) pairs, all
    affected_in_area: int = 0
    affected_identifiable: int = 0  # in area, with at least one record
    affected_linked: int = 0  # in area, with a recorded RMS link to the prisoner
    linked_share: float = 0.0  # of in-area affected
    affected_year_in_area: int = 0
    prisoners_with_children: float = 0.0  # share of received prisoners with a child under 18
    traps: dict[str, int] = field(default_factory=dict)  # see paramount.synth.traps
    # the failure classes other forces show (issue 11): zero for some in the default force,
    # whose mechanisms are off unless a world (paramount.synth.worlds) turns them on
    world_traps: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def render(self):
        """A table for the terminal."""
        from rich.table import Table

        t = Table(title=f"Synthetic force (seed {self.seed}, extract {self.extract_date})")
        t.add_column("measure")
        t.add_column("value", justify="right")
        for label, value in (
            ("residents of the force", f"{self.population:,}"),
            ("individuals (with neighbours)", f"{self.individuals:,}"),
            (f"receptions since {self.movements_from}", f"{self.receptions:,}"),
            ("  in the force area", f"{self.receptions_in_area:,}"),
            (
                f"receptions in {self.year} (in area)",
                f"{self.receptions_year:,} ({self.receptions_year_in_area:,})",
            ),
            ("receptions per 1,000 residents a year", f"{self.receptions_per_1000_per_year:.2f}"),
            ("men among receptions", f"{self.male_share:.1%}"),
            ("received prisoners with a child under 18", f"{self.prisoners_with_children:.1%}"),
            ("affected children (all receptions)", f"{self.affected:,}"),
            ("  in area", f"{self.affected_in_area:,}"),
            ("  in area, identifiable", f"{self.affected_identifiable:,}"),
            ("  in area, recorded RMS parent link", f"{self.affected_linked:,}"),
            ("share with a recorded link", f"{self.linked_share:.1%}"),
            (f"affected children in {self.year} (in area)", f"{self.affected_year_in_area:,}"),
        ):
            t.add_row(label, value)
        for name, n in self.traps.items():
            t.add_row(f"trap: {name.replace('_', ' ')}", f"{n:,}")
        for name, n in self.world_traps.items():
            t.add_row(f"world trap: {name.replace('_', ' ')}", f"{n:,}")
        for name, n in self.rows.items():
            t.add_row(f"rows: {name}", f"{n:,}")
        return t
