"""The synthetic force: a police extract per the data contract, with its ground truth.

`generate_force(population, seed, out)` builds a world of households (birth parents who live
apart, step-parents current and former, grandparents bringing up grandchildren, twins,
young adults at home with younger siblings), lets some of its people offend and be received
into prison, records what police, prisons and children's social care would have recorded,
with their gaps and errors, and writes `out/extract/` and `out/truth/`.
Deterministic for a seed: one numpy PCG64 generator drives everything, in a fixed order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from paramount.contract.tables import EXTRACT_TABLES
from paramount.progress import Reporter, SilentReporter
from paramount.synth.geography import force_area_table
from paramount.synth.offending import DAY_S, make_bookings, propensity
from paramount.synth.params import DEFAULT_PARAMS, SynthParams
from paramount.synth.partner import build_partner
from paramount.synth.police import build_events
from paramount.synth.police_records import build_rms
from paramount.synth.population import World, build_world
from paramount.synth.prison import build_prison
from paramount.synth.summary import SynthSummary
from paramount.synth.timeutil import YEAR, day, years_before
from paramount.synth.traps import count_traps
from paramount.synth.truth import (
    affected_children,
    affected_table,
    contacts_truth,
    individuals_table,
    map_table,
)
from paramount.synth.worlds import params_json
from paramount.synth.writer import write_extract, write_truth

__all__ = [
    "DEFAULT_PARAMS",
    "BuiltForce",
    "SynthParams",
    "SynthSummary",
    "build_force",
    "generate_force",
]

_LINK_CODES = (
    "PARENT",
    "CHILD",
    "STEP_PARENT",
    "STEP_CHILD",
    "GUARDIAN",
    "CARER",
    "GRANDPARENT",
    "GRANDCHILD",
)


DEFAULT_EXTRACT_DATE = date(2026, 1, 31)  # the day the default extract is taken


@dataclass
class BuiltForce:
    """A synthetic world and the tables written from it, before they are written: a force
    writes them as they are, a country (`country.py`) splits them between its forces."""

    world: World
    extract: dict[str, pa.Table]
    truth: dict[str, pa.Table]
    affected: dict[str, np.ndarray]
    receptions: pa.Table
    summary_parts: tuple


def build_force(
    population: int,
    seed: int,
    reporter: Reporter | None = None,
    extract_date: date = DEFAULT_EXTRACT_DATE,
    params: SynthParams = DEFAULT_PARAMS,
    near: tuple[float, int] | None = None,
) -> BuiltForce:
    """The world of about `population` residents and its extract and truth tables; `near`
    (share, seed) puts that share of separated parents in their children's LPA (a country's
    setting: `population.build_world`)."""
    reporter = reporter or SilentReporter()
    rng = np.random.Generator(np.random.PCG64(seed))
    E = day(extract_date)
    ws_date = years_before(extract_date, params.movement_years)
    ws, hs = day(ws_date), day(years_before(extract_date, params.history_years))

    with reporter.task("World: households and people", total=1) as t:
        w = build_world(rng, params, population, E, ws, hs, near)
        t.advance()
    with reporter.task("Offending and custody", total=1) as t:
        prop = propensity(w, rng, params)
        bk = make_bookings(w, rng, params, prop)
        t.advance()
    with reporter.task("Police: occurrences and people", total=6) as t:
        police = build_events(w, rng, params, bk, prop, t)
    with reporter.task("Prison: movements and contacts", total=1) as t:
        ident = {
            int(p): (int(police.pnc_year[p]), int(police.pnc_serial[p]), int(police.cro_serial[p]))
            for p in np.unique(bk.person)
        }
        prison = build_prison(w, rng, params, bk, ident, police.via_other_parent)
        t.advance()
    with reporter.task("Police: records management system", total=1) as t:
        rms = build_rms(w, rng, params, police)
        t.advance()
    with reporter.task("Children's social care", total=1) as t:
        partner_tables, partner_truth = build_partner(
            w, rng, params, police.cp_households, police.da_households, police.via_other_parent
        )
        t.advance()
    with reporter.task("Truth: affected children", total=1) as t:
        aff = affected_children(w, prison.receptions)
        t.advance()

    extract = {
        "force_area": force_area_table(),
        "prison_movements": prison.movements,
        "prisoners": prison.prisoners,
        "prisoner_aliases": prison.aliases,
        "prisoner_contacts": prison.contacts,
        **rms.tables,
        **partner_tables,
    }
    truth = {
        "individuals": individuals_table(w),
        "rms_persons": map_table("person_id", rms.person_id, rms.nominal_ind),
        "prisoners": map_table(
            "prisoner_number",
            prison.truth_prisoners["prisoner_number"],
            prison.truth_prisoners["individual"].to_numpy(),
        ),
        "partner_persons": map_table(
            "partner_person_id",
            partner_truth["partner_person_id"],
            partner_truth["individual"].to_numpy(),
        ),
        "contacts": contacts_truth(prison.truth_contacts),
        "affected_children": affected_table(aff, prison.receptions),
    }
    return BuiltForce(
        w,
        extract,
        truth,
        aff,
        prison.receptions,
        (w, params, seed, extract_date, ws_date, bk, prison, aff, rms, partner_truth, police),
    )


def generate_force(
    population: int,
    seed: int,
    out: Path,
    fmt: str = "csv",
    reporter: Reporter | None = None,
    extract_date: date = DEFAULT_EXTRACT_DATE,
    params: SynthParams = DEFAULT_PARAMS,
    world: int | None = None,
) -> SynthSummary:
    """Generate a synthetic force of about `population` residents into `out`."""
    if fmt not in ("csv", "parquet"):
        raise ValueError("fmt must be csv or parquet")
    reporter = reporter or SilentReporter()
    out = Path(out)
    built = build_force(population, seed, reporter, extract_date, params)
    rows = write_force(built.extract, built.truth, out, fmt, reporter)
    write_params(out / "truth", world, population, seed, extract_date, params)
    w, params, seed, extract_date, ws_date, bk, prison, aff, rms, partner_truth, police = (
        built.summary_parts
    )
    summary = _summarise(
        w, params, seed, extract_date, ws_date, rows, bk, prison, aff, rms, partner_truth
    )
    summary.traps, summary.world_traps = count_traps(w, bk, police, rms, prison, aff)
    return summary


def write_force(
    extract: dict[str, pa.Table],
    truth: dict[str, pa.Table],
    out: Path,
    fmt: str,
    reporter: Reporter,
) -> dict[str, int]:
    """`out/extract/` and `out/truth/`; the rows written per extract table."""
    ex_dir, tr_dir = out / "extract", out / "truth"
    for folder in (ex_dir, tr_dir):
        folder.mkdir(parents=True, exist_ok=True)
    for name in EXTRACT_TABLES:  # no stale file of the other format
        for ext in ("csv", "parquet"):
            (ex_dir / f"{name}.{ext}").unlink(missing_ok=True)
    rows: dict[str, int] = {}
    with reporter.task(
        "Writing the extract and truth", total=len(EXTRACT_TABLES) + len(truth)
    ) as t:
        for name in EXTRACT_TABLES:
            rows[name] = write_extract(name, extract[name], ex_dir, fmt)
            t.advance()
        for name, table in truth.items():
            write_truth(name, table, tr_dir)
            t.advance()
    return rows


def write_params(
    tr_dir: Path,
    world: int | None,
    population: int,
    seed: int,
    extract_date: date,
    params: SynthParams,
    **extra: object,
) -> None:
    """`truth/params.json`: how the synthetic data was made."""
    (tr_dir / "params.json").write_text(
        json.dumps(
            {
                "world": world,
                "population": population,
                "seed": seed,
                "extract_date": extract_date.isoformat(),
                "params": params_json(params),
                **extra,
            },
            indent=2,
        )
    )


def _summarise(
    w, params, seed, extract_date, ws_date, rows, bk, prison, aff, rms, partner_truth
) -> SynthSummary:
    year = extract_date.year - 1
    rec_person = prison.receptions["person"].to_numpy()
    rec_day = prison.receptions["start"].to_numpy() // DAY_S
    rec_year = rec_day.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    in_area = w.hh_in_area[w.household[rec_person]]
    residents = int(w.in_area.sum())
    years = (w.E - w.ws) / YEAR
    # identifiable: a nominal, a partner record or a prisoner contact
    known = np.zeros(w.n, bool)
    known[rms.nominal_ind] = True
    known[partner_truth["individual"].to_numpy()] = True
    known[prison.truth_contacts["individual"].to_numpy()] = True
    # recorded parent-type links between the child and the prisoner (either direction)
    from paramount.contract.tables import RELATIONSHIPS

    a, b, code = rms.rel_ind
    link_codes = np.isin(code, [RELATIONSHIPS.index(c) for c in _LINK_CODES])
    n = np.int64(w.n)
    keys = np.unique(
        np.concatenate(
            [
                a[link_codes].astype(np.int64) * n + b[link_codes],
                b[link_codes].astype(np.int64) * n + a[link_codes],
            ]
        )
    )
    aff_ia = aff["in_area"]
    linked = np.isin(aff["parent"].astype(np.int64) * n + aff["child"], keys) & aff_ia
    aff_year = rec_year[aff["rec"]] == year
    with_kids = np.zeros(len(rec_person), bool)
    with_kids[aff["rec"]] = True
    n_ia = int(aff_ia.sum())
    return SynthSummary(
        population=residents,
        individuals=w.n,
        seed=seed,
        extract_date=extract_date.isoformat(),
        movements_from=ws_date.isoformat(),
        year=year,
        rows=rows,
        receptions=len(rec_person),
        receptions_in_area=int(in_area.sum()),
        receptions_year=int((rec_year == year).sum()),
        receptions_year_in_area=int(((rec_year == year) & in_area).sum()),
        receptions_per_1000_per_year=round(float(in_area.sum()) / residents * 1000 / years, 3),
        male_share=round(float((w.sex[rec_person] == 0).mean()), 4) if len(rec_person) else 0,
        affected=len(aff["child"]),
        affected_in_area=n_ia,
        affected_identifiable=int((known[aff["child"]] & aff_ia).sum()),
        affected_linked=int(linked.sum()),
        linked_share=round(int(linked.sum()) / n_ia, 4) if n_ia else 0.0,
        affected_year_in_area=int((aff_year & aff_ia).sum()),
        prisoners_with_children=round(float(with_kids.mean()), 4) if len(rec_person) else 0,
    )
