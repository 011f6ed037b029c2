"""A synthetic country: several neighbouring forces, one prison system, families across borders.

One world is built for the whole country (`build_force` at N times a force's population)
and its local policing areas are shared out between N forces, neighbours in a ring. People
do not stop at a border: a separated father may live in one force and his children in the
next, and a household that moved may have an earlier home in another force. Each force's
extract then holds what that force would have recorded:

- its occurrences (by their LPA) and the people in them, the people with an address in its
  area, and the relationships it recorded (with its occurrence, or, with none, where the
  first person lives); every address those people have, its own or not;
- its local authorities' social-care records (by postcode);
- the whole national prison side (every force sees the same receptions);
- its own ids: nominals, addresses and occurrences are numbered again per force, so the same
  `person_id` means different people in two forces, as it does between real RMSs;
- its own record of a person another force also holds, less complete than the first
  force's (`SECOND_NO_PNC`, `SECOND_FIRST_ONLY`, `SECOND_NO_DOB`).

Written as `OUT/<CODE>/extract/` and `OUT/<CODE>/truth/` per force (`in_area` there means
today's: the prisoner lives in the force, so a force run alone is scored as before), plus
`OUT/<CODE>/truth-national/` (the same truth, `in_area` meaning the child lives in the force
and the prisoner in the country: what a national run lists for that force) and `OUT/truth/`
(`affected_children.csv` with `prisoner_force` and `child_force`, and `forces.csv`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from paramount.db import Backend, DuckDBBackend
from paramount.progress import Reporter, SilentReporter
from paramount.synth import DEFAULT_EXTRACT_DATE, build_force, write_force, write_params
from paramount.synth.geography import DISTRICT_LPA_IDX, LPA_CODES, LPAS
from paramount.synth.params import DEFAULT_PARAMS, SynthParams
from paramount.synth.writer import write_truth

# The LPAs in a ring of neighbours: a force is a run of consecutive ones.
RING = ("OXF", "CHW", "AYL", "MKN", "WYC", "SLO", "WDM", "BRK", "RDG")
_SHARED_TRUTH = ("individuals", "prisoners", "contacts")
# Percentages of a nominal's copy in a second force that lose a detail (see `_force_tables`).
SECOND_NO_PNC, SECOND_FIRST_ONLY, SECOND_NO_DOB = 40, 25, 5


@dataclass
class CountrySummary:
    """What was made: each force's LPAs, residents and the children across its borders."""

    forces: dict[str, tuple[str, ...]]
    residents: dict[str, int] = field(default_factory=dict)
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    # affected children (prisoner in the country) by the force of the prisoner and the child
    affected: dict[tuple[str, str], int] = field(default_factory=dict)

    def render(self) -> str:
        lines = ["Synthetic country:"]
        for code, lpas in self.forces.items():
            persons = self.rows.get(code, {}).get("persons", 0)
            lines.append(
                f"  {code}: {self.residents.get(code, 0):,} residents, LPAs {' '.join(lpas)}, "
                f"{persons:,} nominals"
            )
        crossing = sum(n for (p, c), n in self.affected.items() if p != c)
        total = sum(self.affected.values())
        lines.append(
            f"  affected children of the country's prisoners: {total:,}, "
            f"{crossing:,} of them living in another force than the prisoner"
        )
        return "\n".join(lines)


def force_lpas(forces: int) -> dict[str, tuple[str, ...]]:
    """The LPAs of each force (codes F1..FN): consecutive runs of the ring, balanced by weight."""
    if not 1 <= forces <= len(RING):
        raise ValueError(f"a country has 1 to {len(RING)} forces")
    weight = {code: w for code, _n, _d, w in LPAS}
    total = sum(weight.values())
    groups: list[list[str]] = [[] for _ in range(forces)]
    acc = 0.0
    for i, lpa in enumerate(RING):
        left = len(RING) - i
        k = min(int((acc + weight[lpa] / 2) / total * forces), forces - 1)
        # every force gets at least one LPA
        empty_after = sum(1 for g in groups[k + 1 :] if not g)
        if groups[k] and empty_after >= left:
            k += 1
        groups[k].append(lpa)
        acc += weight[lpa]
    return {f"F{i + 1}": tuple(g) for i, g in enumerate(groups)}


def generate_country(
    forces: int,
    population: int,
    seed: int,
    out: Path,
    fmt: str = "csv",
    reporter: Reporter | None = None,
    extract_date: date = DEFAULT_EXTRACT_DATE,
    params: SynthParams = DEFAULT_PARAMS,
    world: int | None = None,
    near_share: float = 0.0,
) -> CountrySummary:
    """Generate `forces` neighbouring forces of about `population` residents each into `out`.

    `near_share`: the share of parents who left a family home who live in the family's LPA
    (so in its force); at 0 (the default) a separated parent's home is drawn anywhere in the
    country, and about a third of the affected children live in another force than the
    prisoner."""
    if not 0.0 <= near_share <= 1.0:
        raise ValueError("near_share is a share, 0 to 1")
    if fmt not in ("csv", "parquet"):
        raise ValueError("fmt must be csv or parquet")
    reporter = reporter or SilentReporter()
    out = Path(out)
    groups = force_lpas(forces)
    codes = list(groups)
    near = (near_share, seed + 7919) if near_share > 0 else None
    built = build_force(population * forces, seed, reporter, extract_date, params, near)
    w = built.world
    lpa_force = {lpa: i for i, g in enumerate(groups.values()) for lpa in g}
    district_force = np.array(
        [lpa_force[LPA_CODES[i]] if i >= 0 else -1 for i in DISTRICT_LPA_IDX], dtype=np.int16
    )

    def force_on(person: np.ndarray, on: np.ndarray) -> np.ndarray:
        """The force (-1: outside the country) each person lived in on a day."""
        return district_force[w.addresses.arr("district")[w.addr_on(person, on)]]

    aff = built.affected
    p_force = force_on(aff["parent"], aff["day"])
    c_force = force_on(aff["child"], aff["day"])
    summary = CountrySummary(groups)
    home_force = district_force[w.addresses.arr("district")[w.cur_addr]]
    for i, code in enumerate(codes):
        summary.residents[code] = int((home_force == i).sum())
    for pf, cf in zip(p_force[p_force >= 0], c_force[p_force >= 0], strict=True):
        key = (codes[pf], codes[cf] if cf >= 0 else "outside")
        summary.affected[key] = summary.affected.get(key, 0) + 1

    national = out / "truth"
    national.mkdir(parents=True, exist_ok=True)
    names = np.array([*codes, ""], dtype=object)  # -1 -> ""
    affected = built.truth["affected_children"]
    pacsv.write_csv(
        affected.append_column(
            "prisoner_force", pa.array(names[p_force], pa.string())
        ).append_column("child_force", pa.array(names[c_force], pa.string())),
        national / "affected_children.csv",
    )
    for name in _SHARED_TRUTH:
        write_truth(name, built.truth[name], national)
    pacsv.write_csv(
        pa.table({"force": codes, "lpas": [" ".join(g) for g in groups.values()]}),
        national / "forces.csv",
    )

    with DuckDBBackend.open() as db:
        _register(db, built.extract, built.truth, lpa_force)
        for i, code in enumerate(codes):
            extract, truth = _force_tables(db, i, built.extract, built.truth)
            in_area = pa.array(np.where(p_force == i, "Y", "N").astype(object), pa.string())
            truth["affected_children"] = affected.set_column(
                affected.column_names.index("in_area"), "in_area", in_area
            )
            folder = out / code
            summary.rows[code] = write_force(extract, truth, folder, fmt, reporter)
            _link_shared(national, folder / "truth")
            write_params(
                folder / "truth",
                world,
                population,
                seed,
                extract_date,
                params,
                country={
                    "force": code,
                    "forces": forces,
                    "lpas": list(groups[code]),
                    "near_share": near_share,
                },
            )
            nat = folder / "truth-national"
            nat.mkdir(parents=True, exist_ok=True)
            child_here = (c_force == i) & (p_force >= 0)
            write_truth(
                "affected_children",
                affected.set_column(
                    affected.column_names.index("in_area"),
                    "in_area",
                    pa.array(np.where(child_here, "Y", "N").astype(object), pa.string()),
                ),
                nat,
            )
            for name in ("rms_persons", "partner_persons", "params.json"):
                _link(folder / "truth" / _file(name), nat / _file(name))
            _link_shared(national, nat)
    return summary


def _file(name: str) -> str:
    return name if "." in name else f"{name}.csv"


def _link(src: Path, dst: Path) -> None:
    """The same file under another name (a hard link; a copy where links are refused)."""
    dst.unlink(missing_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        dst.write_bytes(src.read_bytes())


def _link_shared(national: Path, folder: Path) -> None:
    for name in _SHARED_TRUTH:
        _link(national / _file(name), folder / _file(name))


def _register(
    db: Backend,
    extract: dict[str, pa.Table],
    truth: dict[str, pa.Table],
    lpa_force: dict[str, int],
) -> None:
    """The whole world's tables, and which force each RMS row belongs to."""

    def numbered(table: pa.Table) -> pa.Table:  # _r: the row's place, kept when split
        return table.append_column("_r", pa.array(np.arange(table.num_rows, dtype=np.int64)))

    for name, table in extract.items():
        db.register_arrow(f"w_{name}", numbered(table))
    db.register_arrow("t_rms_persons", truth["rms_persons"])
    db.register_arrow("t_partner_persons", numbered(truth["partner_persons"]))
    db.register_arrow(
        "lpa_force", pa.table({"lpa": list(lpa_force), "force": list(lpa_force.values())})
    )
    db.execute(
        "CREATE TEMP TABLE district_force AS SELECT f.postcode_district AS district, l.force "
        "FROM w_force_area f JOIN lpa_force l USING (lpa)"
    )
    db.execute(
        "CREATE TEMP TABLE addr_force AS SELECT a.address_id, l.force "
        "FROM w_addresses a JOIN lpa_force l USING (lpa)"
    )
    db.execute(
        "CREATE TEMP TABLE occ_force AS SELECT o.occurrence_id, l.force "
        "FROM w_occurrences o JOIN lpa_force l USING (lpa)"
    )
    # where a person lives now (their open HOME row in the country), for records with no
    # occurrence
    db.execute(
        """
        CREATE TEMP TABLE lives AS
        SELECT person_id, min(f.force) AS force FROM w_person_addresses pa
        JOIN addr_force f USING (address_id)
        WHERE pa.address_role = 'HOME' AND pa.to_date IS NULL GROUP BY person_id
        """
    )
    db.execute(
        """
        CREATE TEMP TABLE seen AS
        SELECT DISTINCT op.person_id, f.force FROM w_occurrence_persons op
        JOIN occ_force f USING (occurrence_id)
        UNION SELECT DISTINCT pa.person_id, f.force FROM w_person_addresses pa
        JOIN addr_force f USING (address_id)
        """
    )
    db.execute(
        """
        CREATE TEMP TABLE rel_force AS
        SELECT r._r AS rel_row, coalesce(o.force, l1.force, l2.force,
               (SELECT min(force) FROM seen s WHERE s.person_id = r.person_id),
               (SELECT min(force) FROM seen s WHERE s.person_id = r.related_person_id),
               0) AS force
        FROM w_relationships r
        LEFT JOIN occ_force o USING (occurrence_id)
        LEFT JOIN lives l1 ON l1.person_id = r.person_id
        LEFT JOIN lives l2 ON l2.person_id = r.related_person_id
        """
    )
    db.execute(
        """
        CREATE TEMP TABLE rel_rows AS
        SELECT f.force, r.* FROM w_relationships r JOIN rel_force f ON f.rel_row = r._r
        """
    )
    # a force's nominals: in its occurrences, at its addresses, in its relationships; a
    # nominal no force holds (no record but the nominal) stays with the force it lives in
    db.execute(
        """
        CREATE TEMP TABLE member AS
        SELECT person_id, force FROM seen
        UNION SELECT person_id, force FROM rel_rows
        UNION SELECT related_person_id, force FROM rel_rows
        """
    )
    db.execute(
        """
        INSERT INTO member SELECT p.person_id, 0 FROM w_persons p
        WHERE NOT EXISTS (SELECT 1 FROM member m WHERE m.person_id = p.person_id)
        """
    )
    # social care: a local authority's records, by the child's postcode district
    db.execute(
        """
        CREATE TEMP TABLE partner_home AS
        SELECT p.partner_person_id, d.force FROM w_partner_persons p
        LEFT JOIN district_force d ON d.district = split_part(p.postcode, ' ', 1)
        """
    )
    db.execute(
        """
        CREATE TEMP TABLE partner_member AS
        SELECT partner_person_id, coalesce(force, 0) AS force FROM partner_home
        UNION SELECT r.related_partner_person_id, coalesce(h.force, 0)
        FROM w_partner_relationships r JOIN partner_home h USING (partner_person_id)
        """
    )
    # each force numbers its own records from the same start: ids collide across forces
    for key, table in (
        ("person_id", "(SELECT DISTINCT person_id AS id, force FROM member)"),
        (
            "address_id",
            "(SELECT address_id AS id, force FROM addr_force UNION SELECT pa.address_id, m.force "
            "FROM w_person_addresses pa JOIN member m USING (person_id) UNION "
            "SELECT o.address_id, f.force FROM w_occurrences o JOIN occ_force f "
            "USING (occurrence_id) WHERE o.address_id IS NOT NULL)",
        ),
        ("occurrence_id", "(SELECT occurrence_id AS id, force FROM occ_force)"),
    ):
        db.execute(
            f"""
            CREATE TEMP TABLE map_{key} AS
            SELECT force, id AS old,
                   regexp_extract(id, '^[A-Z]*') || CAST(
                       10000000 + row_number() OVER (PARTITION BY force ORDER BY id) AS VARCHAR
                   ) AS new
            FROM {table} t
            """
        )


def _force_tables(
    db: Backend, force: int, extract: dict[str, pa.Table], truth: dict[str, pa.Table]
) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    """One force's extract and truth tables, in its own ids."""
    f = int(force)

    def ids(key: str, col: str) -> str:
        return f"(SELECT new FROM map_{key} m WHERE m.force = {f} AND m.old = t.{col})"

    def person(col: str) -> str:
        return ids("person_id", col)

    def select(table: str, replace: dict[str, str], where: str) -> pa.Table:
        cols = [c for c in extract[table].column_names]
        exprs = ", ".join(f"{replace[c]} AS {c}" if c in replace else f"t.{c}" for c in cols)
        return db.fetch_arrow(f"SELECT {exprs} FROM w_{table} t WHERE {where} ORDER BY _r")

    in_force = f"EXISTS (SELECT 1 FROM member m WHERE m.force = {f} AND m.person_id = t.person_id)"
    partner_in = (
        f"EXISTS (SELECT 1 FROM partner_member m WHERE m.force = {f} "
        "AND m.partner_person_id = t.partner_person_id)"
    )
    addr = ids("address_id", "address_id")
    occ = ids("occurrence_id", "occurrence_id")
    out = dict(extract)
    out["force_area"] = db.fetch_arrow(
        "SELECT t.* EXCLUDE (_r) FROM w_force_area t JOIN lpa_force l USING (lpa) "
        f"WHERE l.force = {f} ORDER BY _r"
    )
    # The same nominal in a second force is that force's own record of the person: taken
    # at another time, for another reason, so less complete (no PNC when he was a victim,
    # witness or parent there; the first forename only; no date of birth), decided by a
    # hash of the record and the force, so a seed still gives the same files.
    later = f"EXISTS (SELECT 1 FROM member m WHERE m.person_id = t.person_id AND m.force < {f})"

    def draw(salt: str) -> str:
        return f"(hash(t.person_id || '{salt}{f}') % 100)"

    out["persons"] = select(
        "persons",
        {
            "person_id": person("person_id"),
            "pnc_id": f"CASE WHEN {later} AND {draw('p')} < {SECOND_NO_PNC} THEN NULL "
            "ELSE t.pnc_id END",
            "cro_number": f"CASE WHEN {later} AND {draw('p')} < {SECOND_NO_PNC} THEN NULL "
            "ELSE t.cro_number END",
            "forenames": f"CASE WHEN {later} AND {draw('f')} < {SECOND_FIRST_ONLY} "
            "THEN split_part(t.forenames, ' ', 1) ELSE t.forenames END",
            "date_of_birth": f"CASE WHEN {later} AND {draw('d')} < {SECOND_NO_DOB} THEN NULL "
            "ELSE t.date_of_birth END",
        },
        in_force,
    )
    out["person_aliases"] = select("person_aliases", {"person_id": person("person_id")}, in_force)
    out["person_flags"] = select("person_flags", {"person_id": person("person_id")}, in_force)
    out["person_addresses"] = select(
        "person_addresses",
        {"person_id": person("person_id"), "address_id": addr},
        in_force,
    )
    # another force's address is recorded with no LPA of this force
    out["addresses"] = select(
        "addresses",
        {
            "address_id": addr,
            "lpa": f"CASE WHEN EXISTS (SELECT 1 FROM addr_force a WHERE a.force = {f} "
            "AND a.address_id = t.address_id) THEN t.lpa END",
        },
        f"EXISTS (SELECT 1 FROM map_address_id m WHERE m.force = {f} AND m.old = t.address_id)",
    )
    own_occ = f"EXISTS (SELECT 1 FROM occ_force o WHERE o.force = {f} AND o.occurrence_id = "
    out["occurrences"] = select(
        "occurrences",
        {"occurrence_id": occ, "address_id": addr},
        own_occ + "t.occurrence_id)",
    )
    out["occurrence_persons"] = select(
        "occurrence_persons",
        {"occurrence_id": occ, "person_id": person("person_id")},
        own_occ + "t.occurrence_id)",
    )
    cols = extract["relationships"].column_names
    rel = {
        "person_id": person("person_id"),
        "related_person_id": person("related_person_id"),
        "occurrence_id": occ,
    }
    exprs = ", ".join(f"{rel[c]} AS {c}" if c in rel else f"t.{c}" for c in cols)
    out["relationships"] = db.fetch_arrow(
        f"SELECT {exprs} FROM rel_rows t WHERE t.force = {f} ORDER BY _r"
    )
    out["partner_persons"] = select("partner_persons", {}, partner_in)
    out["partner_relationships"] = select("partner_relationships", {}, partner_in)
    out["partner_involvement"] = select("partner_involvement", {}, partner_in)
    force_truth = dict(truth)
    force_truth["rms_persons"] = db.fetch_arrow(
        f"SELECT m.new AS person_id, t.individual_id FROM t_rms_persons t "
        f"JOIN map_person_id m ON m.old = t.person_id AND m.force = {f} ORDER BY m.new"
    )
    force_truth["partner_persons"] = db.fetch_arrow(
        f"SELECT t.* EXCLUDE (_r) FROM t_partner_persons t WHERE {partner_in} ORDER BY _r"
    )
    return out, force_truth
