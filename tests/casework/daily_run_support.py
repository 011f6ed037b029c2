"""A small synthetic force for the daily-run tests, identified once per session: later runs
copy its force database (load and identity resolution kept) so each pays only its window."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

POPULATION, SEED = 5_000, 3
# The synthetic extract is dated 31 January 2026: a year of receptions up to it.
WINDOW = (date(2025, 2, 1), date(2026, 1, 31))
RUN_DATE = date(2026, 2, 1)  # "yesterday" is then the window's last day


@dataclass(frozen=True)
class SyntheticForce:
    root: Path
    extract: Path
    template_db: Path
    children: list[dict[str, str]]

    def copy_db(self, to: Path) -> Path:
        """A fresh copy of the resolved force database (and its saved models) at `to`."""
        to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.template_db, to)
        models = self.template_db.with_name(self.template_db.name + ".models")
        if models.is_dir():
            shutil.copytree(models, to.with_name(to.name + ".models"))
        return to

    def write_config(
        self,
        folder: Path,
        *,
        force: str = "TST",
        db: Path | None = None,
        extract: Path | None = None,
        analysts: tuple[str, ...] = (),
        casework: dict[str, str] | None = None,
        learn_from_verdicts: bool = False,
        method: str = "full",
        memory_limit: str | None = None,
    ) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        db = db or self.copy_db(folder / "force.duckdb")
        lines = [
            f'force = "{force}"',
            f'extract = "{extract or self.extract}"',
            f'force_db = "{db}"',
            'runs = "runs"',
            f'method = "{method}"',
            f"days = {(WINDOW[1] - WINDOW[0]).days + 1}",
            "analysts = [" + ", ".join(f'"{a}"' for a in analysts) + "]",
            f"learn_from_verdicts = {str(learn_from_verdicts).lower()}",
        ]
        if memory_limit:
            lines.append(f'memory_limit = "{memory_limit}"')
        if casework:
            lines.append("[casework]")
            lines += [f'{k} = "{v}"' for k, v in casework.items()]
        path = folder / "force.toml"
        path.write_text("\n".join(lines) + "\n")
        return path


def make_force(root: Path) -> SyntheticForce:
    from paramount.cli import app
    from paramount.synth import generate_force

    generate_force(POPULATION, SEED, root / "force")
    extract = root / "force" / "extract"
    db = root / "template.duckdb"
    done = CliRunner().invoke(
        app,
        ["identify", str(extract), "--from", WINDOW[0].isoformat(), "--to",
         WINDOW[1].isoformat(), "--out", str(root / "first"), "--method", "full",
         "--db", str(db)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    with (root / "first" / "children.csv").open(encoding="utf-8") as f:
        children = list(csv.DictReader(f))
    assert len(children) >= 3, "the test force should find a few children"
    return SyntheticForce(root, extract, db, children)
