"""Linkage without names: the partner's people encoded with a shared key, linked on encodings.

A small synthetic force's partner tables are encoded through the command line as a local
authority would (`partner keygen`, `partner encode`), the encoded folder replaces the clear
partner tables in the force's extract, and `identify --partner-key` runs on it. The encoded
linkage is held beside the clear-text linkage of the same force."""

from __future__ import annotations

import csv
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from paramount.cli import app
from paramount.db import DuckDBBackend
from paramount.linkage import resolve
from paramount.linkage.encoded import partner_file_columns
from paramount.loading import load_extract
from paramount.loading.encoded_partner import encoded_files, load_encoded_partner
from paramount.privacy import (
    SCHEMA,
    PartnerKey,
    PartnerKeyError,
    clk_words,
    dice,
    keyed_hashes,
    make_key_file,
    read_key_file,
)
from paramount.privacy.files import ENCODED_COLUMNS
from paramount.synth import generate_force

runner = CliRunner()
WINDOW = ["--from", "2025-02-01", "--to", "2026-01-30"]
KEY = PartnerKey(bytes(range(32)))
OTHER = PartnerKey(bytes(range(1, 33)))


def _clk(forename: str, surname: str, key: PartnerKey = KEY) -> np.ndarray:
    return clk_words(
        {"forename": [forename], "forename_canon": [forename], "surname": [surname]}, key
    )[0]


def test_the_encoding_is_the_keys_own() -> None:
    """The same values and key give the same filter and hashes; another key, others."""
    assert np.array_equal(_clk("JOHN", "SMITH"), _clk("JOHN", "SMITH"))
    assert dice(_clk("JOHN", "SMITH"), _clk("JOHN", "SMITH", OTHER)) < 0.6
    assert keyed_hashes(["1980-01-02"], KEY, "dob") == keyed_hashes(["1980-01-02"], KEY, "dob")
    assert keyed_hashes(["1980-01-02"], KEY, "dob") != keyed_hashes(["1980-01-02"], OTHER, "dob")
    # each label has its own key: a year's hash is not a postcode's
    assert keyed_hashes(["1980"], KEY, "dob_year") != keyed_hashes(["1980"], KEY, "postcode")


def test_similar_names_encode_alike_and_different_names_not() -> None:
    smith = _clk("JOHN", "SMITH")
    # a letter out: at least the model's "much alike" level
    assert dice(smith, _clk("JOHN", "SMYTH")) >= 0.8
    assert dice(smith, _clk("JON", "SMITH")) >= 0.8
    assert dice(smith, _clk("KATHERINE", "OKONKWO")) < 0.45
    # twins: the surname agrees, the forename not: below the model's lowest level
    assert dice(_clk("OLIVER", "QUENBY"), _clk("HARRY", "QUENBY")) < 0.7


def test_a_year_of_birth_written_one_out_leaves_the_names_as_they_were() -> None:
    """The names' filter holds the names alone: two records of one person whose years of
    birth differ by one have the same filter (the year in the filter made the names look
    different as well as the date), and only the date's hashes differ."""
    std = pa.table(
        {
            "record_id": ["CS1", "CS2"],
            "forename": ["JACK", "JACK"],
            "forename_canon": ["JACK", "JACK"],
            "surname": ["COLLINS", "COLLINS"],
            "yob": ["1986", "1987"],
            "dob": ["1986-03-02", "1987-03-02"],
            "dob_month": ["3", "3"],
            "dob_day": ["2", "2"],
            "postcode1": ["OX11NS", "OX11NS"],
            "districts": [["OX1"], ["OX1"]],
        }
    )
    one, other = partner_file_columns(std, KEY).to_pylist()
    assert one["name_clk"] == other["name_clk"]
    assert one["dob_year_hash"] != other["dob_year_hash"]
    assert (one["dob_month_hash"], one["dob_day_hash"]) == (
        other["dob_month_hash"],
        other["dob_day_hash"],
    )


def test_a_key_file_is_its_owners_alone(tmp_path: Path) -> None:
    path = tmp_path / "partner.key"
    key = make_key_file(path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert read_key_file(path) == key
    assert key.secret.hex() not in repr(key) and key.fingerprint not in key.secret.hex()
    with pytest.raises(PartnerKeyError, match="never overwritten"):
        make_key_file(path)
    path.chmod(0o644)
    with pytest.raises(PartnerKeyError, match="chmod 600"):
        read_key_file(path)


def test_an_empty_encoded_field_is_missing_not_a_hash(tmp_path: Path) -> None:
    """A partner person without a date of birth or postcode has empty fields in the file:
    loaded as missing, so the model reads them as missing rather than as a disagreement."""
    (tmp_path / "partner_encoding.json").write_text(f'{{"schema": "{SCHEMA}", "bits": 1024}}')
    (tmp_path / "partner_persons_encoded.csv").write_text(
        ",".join(ENCODED_COLUMNS) + "\nCS1,,,,,,,\n"
    )
    with DuckDBBackend.open(None) as db:
        load_encoded_partner(db, encoded_files(tmp_path))
        row = db.fetch_tuples("SELECT * FROM partner_persons_encoded")
    assert row == [("CS1", *[None] * (len(ENCODED_COLUMNS) - 1))]


@dataclass
class World:
    force: Path
    partner_dir: Path
    encoded_dir: Path
    key_file: Path
    encoded_run: Path
    clear_db: DuckDBBackend
    slipped: dict[str, str]  # partner person -> its own nominal
    namesakes: dict[str, str]  # partner person -> another person's nominal


# What a partner person and a nominal of it share: the names, sex, date of birth and postcode.
_SAME_PERSON = """
WITH pp AS (SELECT * FROM read_csv('{x}/partner_persons.csv', all_varchar = true)),
n AS (SELECT * FROM read_csv('{x}/persons.csv', all_varchar = true)),
pc AS (
    SELECT a.person_id, replace(d.postcode, ' ', '') AS pc
    FROM read_csv('{x}/person_addresses.csv', all_varchar = true) AS a
    JOIN read_csv('{x}/addresses.csv', all_varchar = true) AS d USING (address_id)
),
tp AS (SELECT * FROM read_csv('{t}/partner_persons.csv', all_varchar = true)),
tr AS (SELECT * FROM read_csv('{t}/rms_persons.csv', all_varchar = true))
"""


def _plant(extract: Path, truth: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Two situations written into the force's partner table, as a local authority's records
    would hold them (clear and encoded runs see the same):

    - slipped: six partner persons known to the police under the same names, sex, date of
      birth and postcode, their year of birth written one year on (the day and month kept);
    - namesakes: six new partner persons with the names, sex and postcode of a nominal who
      has no partner record, born 27 years and 130 days after the nominal (a child given its
      parent's name), who are not that nominal."""
    with DuckDBBackend.open(None) as db:
        slipped = db.fetch_tuples(
            _SAME_PERSON.format(x=extract, t=truth)
            + """
SELECT pp.partner_person_id, min(n.person_id)
FROM pp JOIN tp USING (partner_person_id) JOIN tr USING (individual_id)
JOIN n ON n.person_id = tr.person_id JOIN pc ON pc.person_id = n.person_id
WHERE n.surname = pp.surname AND n.forenames = pp.forenames AND n.sex = pp.sex
  AND n.date_of_birth = pp.date_of_birth AND pc.pc = replace(pp.postcode, ' ', '')
  AND pp.date_of_birth NOT LIKE '%-02-29'
GROUP BY ALL ORDER BY 1 LIMIT 6"""
        )
        namesakes = db.fetch_tuples(
            _SAME_PERSON.format(x=extract, t=truth)
            + """
SELECT n.person_id, n.surname, n.forenames, n.sex,
       strftime(CAST(n.date_of_birth AS DATE) + INTERVAL 27 YEAR + INTERVAL 130 DAY, '%Y-%m-%d'),
       min(pc.pc)
FROM n JOIN tr USING (person_id) JOIN pc USING (person_id)
WHERE n.date_of_birth BETWEEN '1960-01-01' AND '1990-12-31'
  AND tr.individual_id NOT IN (SELECT individual_id FROM tp)
GROUP BY ALL ORDER BY n.person_id LIMIT 6"""
        )
    assert len(slipped) == len(namesakes) == 6
    path = extract / "partner_persons.csv"
    rows = _rows(path)
    year_on = dict(slipped)
    for row in rows:
        if row["partner_person_id"] in year_on:
            y, rest = row["date_of_birth"].split("-", 1)
            row["date_of_birth"] = f"{int(y) + 1}-{rest}"
    planted = {}
    for i, (nominal, surname, forenames, sex, dob, postcode) in enumerate(namesakes):
        pid = f"CS99{i:05d}"
        planted[pid] = nominal
        rows.append(
            {**rows[0], "partner_person_id": pid, "surname": surname, "forenames": forenames,
             "date_of_birth": dob, "sex": sex, "postcode": f"{postcode[:-3]} {postcode[-3:]}"}
        )  # fmt: skip
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return year_on, planted


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    base = tmp_path_factory.mktemp("encoded")
    generate_force(20_000, 11, base / "force")
    extract = base / "force" / "extract"
    slipped, namesakes = _plant(extract, base / "force" / "truth")
    clear = DuckDBBackend.open(base / "clear.duckdb")
    load_extract(extract, clear, quarantine_dir=base / "quarantine")
    resolve(clear, models_dir=base / "clear-models", retrain=True)

    partner_dir = base / "la"
    partner_dir.mkdir()
    for name in ("partner_persons", "partner_relationships", "partner_involvement"):
        shutil.copy(extract / f"{name}.csv", partner_dir)
    key_file = base / "partner.key"
    made = runner.invoke(app, ["partner", "keygen", "--out", str(key_file)])
    assert made.exit_code == 0, made.output
    encoded_dir = base / "encoded"
    encoded = runner.invoke(
        app, ["partner", "encode", str(partner_dir), "--key", str(key_file),
              "--out", str(encoded_dir)],
    )  # fmt: skip
    assert encoded.exit_code == 0, encoded.output
    enc_extract = base / "enc-extract"
    shutil.copytree(extract, enc_extract)
    for path in encoded_dir.iterdir():
        shutil.copy(path, enc_extract)
    run = base / "enc-run"
    identified = runner.invoke(
        app, ["identify", str(enc_extract), *WINDOW, "--out", str(run),
              "--partner-key", str(key_file)],
    )  # fmt: skip
    assert identified.exit_code == 0, identified.output
    return World(base / "force", partner_dir, enc_extract, key_file, run, clear, slipped, namesakes)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_no_clear_value_leaves_the_local_authority(world: World) -> None:
    """The encoded folder holds no name, date of birth, postcode or worker of the clear
    tables: the clear columns are empty, and every encoded cell is a filter or a hash."""
    clear = _rows(world.partner_dir / "partner_persons.csv")
    persons = _rows(world.encoded_dir / "partner_persons.csv")
    assert [r["partner_person_id"] for r in persons] == [r["partner_person_id"] for r in clear]
    for column in ("surname", "forenames", "date_of_birth", "postcode"):
        assert all(r[column] == "" for r in persons), column
    involvement = _rows(world.encoded_dir / "partner_involvement.csv")
    assert all(r["worker_name"] == r["worker_email"] == "" for r in involvement)
    encoded = _rows(world.encoded_dir / "partner_persons_encoded.csv")
    assert list(encoded[0]) == list(ENCODED_COLUMNS) and len(encoded) == len(clear)
    hashed = re.compile(r"[0-9a-f]{16}")
    values = set()
    for row in clear:
        values |= {row["surname"], row["forenames"], row["date_of_birth"], row["postcode"]}
        values |= set(row["forenames"].split())
    values.discard("")
    for row in encoded:
        assert len(row["name_clk"]) == 172  # base64 of 1024 bits
        for column in ENCODED_COLUMNS[2:]:
            assert row[column] == "" or hashed.fullmatch(row[column]), column
        assert not values & set(row.values())
    text = "".join(p.read_text() for p in world.encoded_dir.glob("partner_*"))
    assert not re.search(
        r"\d{4}-\d{2}-\d{2}", (world.encoded_dir / "partner_persons_encoded.csv").read_text()
    )
    assert "@" not in text  # no worker's email


def _taken(db: DuckDBBackend) -> set[tuple[str, str]]:
    """(partner person, nominal) of every partner person the resolution matched to a nominal:
    the nominal is the entity's smallest person id, which names it in both databases."""
    return set(
        db.fetch_tuples("""
SELECT m.record_id, min(n.record_id)
FROM pm_entity_members AS m
JOIN pm_entity_members AS n ON n.entity_id = m.entity_id AND n.source = 'RMS'
WHERE m.source = 'PARTNER' AND m.basis = 'SPLINK'
GROUP BY m.record_id""")
    )


def test_encoded_linkage_finds_what_clear_text_finds(world: World) -> None:
    """The encoded linkage's recall beside clear text: at least 98 % of the partner matches
    the clear-text linkage makes, and hardly any it does not."""
    clear = _taken(world.clear_db)
    with DuckDBBackend.open(world.encoded_run / "paramount.duckdb") as encoded_db:
        encoded = _taken(encoded_db)
        assert (
            encoded_db.fetch_value("SELECT count(*) FROM partner_persons WHERE surname IS NOT NULL")
            == 0
        )
    assert len(clear) > 500
    assert len(clear & encoded) >= 0.98 * len(clear)
    assert len(encoded - clear) <= 0.02 * len(clear)


def _entity_nominals(db: DuckDBBackend, partner_ids: list[str]) -> dict[str, set[str]]:
    """Each partner person's matched entity's nominals (none where it was not matched)."""
    rows = db.fetch_tuples(f"""
SELECT m.record_id, n.record_id
FROM pm_entity_members AS m
JOIN pm_entity_members AS n ON n.entity_id = m.entity_id AND n.source = 'RMS'
WHERE m.source = 'PARTNER' AND m.record_id IN ({", ".join(f"'{p}'" for p in partner_ids)})""")
    out: dict[str, set[str]] = {p: set() for p in partner_ids}
    for partner, nominal in rows:
        out[partner].add(nominal)
    return out


def test_a_year_of_birth_written_wrong_still_links(world: World) -> None:
    """The names' filter holds no year of birth: a partner person whose year was written one
    year on, with the same names and postcode as its nominal, still links to it (the year in
    the filter made the names disagree as well as the date)."""
    with DuckDBBackend.open(world.encoded_run / "paramount.duckdb") as db:
        slipped = _entity_nominals(db, list(world.slipped))
    assert all(world.slipped[p] in slipped[p] for p in slipped), slipped


def test_a_namesake_at_the_address_is_taken_no_more_often_than_in_clear_text(
    world: World,
) -> None:
    """With the year out of the filter, the names of a parent and a child given the parent's
    name encode identically: only the date's hashes (and how common the names are) tell
    them apart, as in clear text. Of the namesakes planted at their nominals' postcodes, the
    encoded link takes no more than the clear-text link does, and not all."""
    with DuckDBBackend.open(world.encoded_run / "paramount.duckdb") as db:
        encoded = _entity_nominals(db, list(world.namesakes))
    clear = _entity_nominals(world.clear_db, list(world.namesakes))
    taken_encoded = {p for p in encoded if world.namesakes[p] in encoded[p]}
    taken_clear = {p for p in clear if world.namesakes[p] in clear[p]}
    assert len(taken_encoded) <= len(taken_clear), (taken_encoded, taken_clear)
    assert len(taken_encoded) < len(world.namesakes), taken_encoded


def test_a_wrong_or_missing_key_is_refused(world: World, tmp_path: Path) -> None:
    other = tmp_path / "other.key"
    make_key_file(other)
    for extra in (["--partner-key", str(other)], []):
        refused = runner.invoke(
            app, ["identify", str(world.encoded_dir), *WINDOW, "--out", str(tmp_path / "r"),
                  "--method", "full", *extra],
        )  # fmt: skip
        assert refused.exit_code == 2, refused.output
        assert "Partner key refused" in refused.output
        assert other.read_text().strip() not in refused.output
    resolved = runner.invoke(
        app, ["resolve", str(world.encoded_dir), "--db", str(tmp_path / "f.duckdb"),
              "--partner-key", str(other)],
    )  # fmt: skip
    assert resolved.exit_code == 2 and "Partner key refused" in resolved.output
    assert "not the one" in runner.invoke(
        app, ["identify", str(world.encoded_dir), *WINDOW, "--out", str(tmp_path / "r"),
              "--partner-key", str(other)],
    ).output  # fmt: skip


def test_the_encoded_run_lists_children_and_names_its_key(world: World) -> None:
    import json

    manifest = json.loads((world.encoded_run / "manifest.json").read_text())
    assert manifest["parameters"]["partner_key"] == read_key_file(world.key_file).fingerprint
    assert (
        read_key_file(world.key_file).secret.hex()
        not in (world.encoded_run / "manifest.json").read_text()
    )
    children = _rows(world.encoded_run / "children.csv")
    assert any(r["child_partner_ids"] for r in children)
