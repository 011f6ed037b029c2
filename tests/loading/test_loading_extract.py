"""Whole-extract behaviour: valid loads, Parquet, mapping, and what stops a run."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from loading_helpers import CONTRACT_EXTRACT, EXAMPLE_MAPPING, MAPPED_EXTRACT, read_csv, write_csv

from paramount.contract.tables import EXTRACT_TABLES, SQL_TYPES
from paramount.db import DuckDBBackend
from paramount.loading import ContractError, MappingError, load_extract
from paramount.loading.mapping import parse_mapping


def _table_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(f'SELECT * FROM "{table}" ORDER BY _row').fetchall()


def test_valid_extract_loads_everything(extract: Path, load) -> None:
    loaded = load(extract)
    report = loaded.report
    assert report.reconciles
    assert report.rejected == 0 and report.warnings == 0
    for name, t in report.tables.items():
        assert t.rows_read == t.loaded, name
        if t.present:
            _, rows = read_csv(extract / t.file)
            assert t.rows_read == len(rows), name
            assert t.format == "csv" and len(t.sha256) == 64
    assert loaded.rejected() == [] and loaded.warnings() == []


def test_every_contract_table_exists_with_contract_types(extract: Path, load) -> None:
    loaded = load(extract)
    for table in EXTRACT_TABLES.values():
        described = {r[0]: r[1] for r in loaded.rows(f'DESCRIBE "{table.name}"')}
        expected = {c.name: SQL_TYPES[c.type] for c in table.columns} | {"_row": "BIGINT"}
        assert described == expected, table.name
    # optional tables absent from the extract are there, empty
    for name in ("prisoner_aliases", "person_aliases", "partner_persons", "partner_involvement"):
        assert loaded.rows(f"SELECT count(*) FROM {name}") == [(0,)]
        assert not loaded.report.tables[name].present


def test_typed_values_and_row_numbers(extract: Path, load) -> None:
    loaded = load(extract)
    assert loaded.rows("SELECT date_of_birth, _row FROM persons WHERE person_id = 'P0001'") == [
        (dt.date(1988, 7, 14), 1)
    ]
    # a space separator is accepted in a datetime
    assert loaded.rows("SELECT movement_datetime FROM prison_movements WHERE _row = 5") == [
        (dt.datetime(2024, 5, 2, 10, 15),)
    ]
    assert loaded.rows("SELECT list(_row ORDER BY _row) FROM persons") == [([1, 2, 3, 4, 5, 6, 7],)]
    # quoted field with a comma survives intact
    assert loaded.rows("SELECT home_address FROM prisoners WHERE prisoner_number='D5678EF'") == [
        ("Flat 2, 9 Madeup Street",)
    ]


def test_report_to_dict_is_json(extract: Path, load) -> None:
    d = load(extract).report.to_dict()
    json.dumps(d)
    assert d["reconciles"] is True
    assert d["tables"]["persons"]["rows_read"] == 7
    assert d["tables"]["persons"]["reconciles"] is True


def test_loading_twice_into_one_connection_replaces_tables(extract: Path, tmp_path: Path) -> None:
    con = duckdb.connect()
    for _ in range(2):
        load_extract(extract, DuckDBBackend(con), quarantine_dir=tmp_path / "q")
    assert con.execute("SELECT count(*) FROM persons").fetchall() == [(7,)]
    temp = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_pm_load_%'"
    ).fetchall()
    assert temp == []


def test_extra_columns_are_ignored(extract: Path, load) -> None:
    header, rows = read_csv(extract / "persons.csv")
    write_csv(extract / "persons.csv", [*header, "force_extra"], [[*r, "x"] for r in rows])
    loaded = load(extract)
    assert loaded.report.tables["persons"].loaded == 7
    assert "force_extra" not in {r[0] for r in loaded.rows("DESCRIBE persons")}


def test_reporter_gets_one_task_per_table(extract: Path, tmp_path: Path) -> None:
    from contextlib import contextmanager

    seen: list[str] = []

    class Recorder:
        @contextmanager
        def task(self, description: str, total: float | None = None):
            seen.append(description)

            class T:
                def advance(self, amount: float = 1) -> None:
                    pass

            yield T()

    load_extract(extract, DuckDBBackend.open(), quarantine_dir=tmp_path / "q", reporter=Recorder())
    assert len(seen) == len(EXTRACT_TABLES)
    assert all(any(name in s for s in seen) for name in EXTRACT_TABLES)


# ------------------------------------------------------------------ Parquet


def _to_parquet(src: Path, dest: Path) -> None:
    dest.mkdir()
    for f in src.glob("*.csv"):
        header, _ = read_csv(f)
        table = pacsv.read_csv(
            f, convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header})
        )
        pq.write_table(table, dest / f"{f.stem}.parquet")


def test_parquet_extract_loads_like_csv(tmp_path: Path, load) -> None:
    _to_parquet(CONTRACT_EXTRACT, tmp_path / "pq")
    from_parquet = load(tmp_path / "pq")
    from_csv = load(CONTRACT_EXTRACT)
    assert from_parquet.report.reconciles
    assert from_parquet.report.tables["persons"].format == "parquet"
    for name in EXTRACT_TABLES:
        assert _table_rows(from_parquet.con, name) == _table_rows(from_csv.con, name), name


def test_parquet_with_native_types_and_bad_rows(extract: Path, load) -> None:
    (extract / "persons.csv").unlink()
    table = pa.table(
        {
            "person_id": ["P1", None, "P3", "P1"],
            "surname": ["Quix", "Vondel", "Brimble", "Quix"],
            "forenames": ["Ana", "Bo", "Cy", "Ana"],
            "date_of_birth": pa.array(
                [dt.date(1990, 1, 2), None, dt.date(2015, 3, 4), None], pa.date32()
            ),
            "sex": ["F", "M", "Q", "F"],
            "pnc_id": [None, None, None, None],
            "cro_number": [None, None, None, None],
        }
    )
    pq.write_table(table, extract / "persons.parquet")
    loaded = load(extract)
    t = loaded.report.tables["persons"]
    assert (t.rows_read, t.loaded, t.rejected, t.warnings) == (4, 2, 2, 1)
    assert [(r["row"], r["reason"]) for r in loaded.rejected("persons")] == [
        ("2", "missing required value"),
        ("4", "duplicate key person_id (first at row 1)"),
    ]
    assert loaded.rows("SELECT person_id, date_of_birth, sex, _row FROM persons") == [
        ("P1", dt.date(1990, 1, 2), "F", 1),
        ("P3", dt.date(2015, 3, 4), None, 3),
    ]


# ------------------------------------------------------------------ mapping


def test_mapped_extract_loads_to_the_same_tables(load) -> None:
    mapped = load(MAPPED_EXTRACT, mapping=EXAMPLE_MAPPING)
    plain = load(CONTRACT_EXTRACT)
    assert mapped.report.reconciles
    assert mapped.report.rejected == 0 and mapped.report.warnings == 0
    assert mapped.report.tables["persons"].file == "NOMINALS.csv"
    assert mapped.report.mapping == EXAMPLE_MAPPING
    for name in EXTRACT_TABLES:
        assert _table_rows(mapped.con, name) == _table_rows(plain.con, name), name


def test_mapping_bad_value_is_reported_under_contract_column(tmp_path: Path, load) -> None:
    dest = tmp_path / "mapped"
    shutil.copytree(MAPPED_EXTRACT, dest)
    header, rows = read_csv(dest / "NOMINALS.csv")
    rows[1][header.index("DOB")] = "1988-31-12"  # neither DD/MM/YYYY nor a real ISO date
    rows[2][header.index("GENDER")] = "OTHER"
    write_csv(dest / "NOMINALS.csv", header, rows)
    loaded = load(dest, mapping=EXAMPLE_MAPPING)
    assert [(w["file"], w["row"], w["field"], w["reason"]) for w in loaded.warnings()] == [
        ("NOMINALS.csv", "2", "date_of_birth", "impossible date"),
        ("NOMINALS.csv", "3", "sex", "code 'OTHER' not in sex list"),
    ]


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ("[tables.nominals]\nfile = 'X'\n", "unknown contract table 'nominals'"),
        ("[tables.persons.columns]\nperson_idx = 'ID'\n", "unknown column 'person_idx'"),
        ("[tables.persons.codes.sex]\nMALE = 'MAN'\n", "'MAN', which is not in the sex list"),
        ("[tables.persons.codes.surname]\nA = 'B'\n", "'surname' is not a code column"),
        ("[tables.persons]\ndate_format = '%Q'\n", "invalid date format '%Q'"),
        ("[tables.persons]\ndate_format = 'DD/MM/YYYY'\n", "must be a strptime format"),
        ("[tables.persons.date_formats]\nsex = '%d'\n", "'sex' is not a date column"),
        ("[tables.persons]\nfiel = 'X'\n", "unknown key(s) fiel"),
        ("colour = 'blue'\n", "unknown key(s) colour"),
        (
            "[tables.persons.columns]\nperson_id = 'ID'\nsurname = 'ID'\n",
            "mapped to both 'person_id' and 'surname'",
        ),
        ("[tables.persons\n", "not valid TOML"),
    ],
)
def test_bad_mapping_is_a_clear_error(
    tmp_path: Path, extract: Path, toml: str, needle: str
) -> None:
    path = tmp_path / "force.toml"
    path.write_text(toml)
    with pytest.raises(MappingError) as e:
        load_extract(extract, DuckDBBackend.open(), mapping=path, quarantine_dir=tmp_path / "q")
    assert needle in str(e.value)
    assert isinstance(e.value, ContractError)


def test_mapping_defaults_apply_to_unmentioned_tables() -> None:
    m = parse_mapping({"date_format": "%d/%m/%Y"})
    assert m.table("persons").date_format == "%d/%m/%Y"
    assert m.table("persons").stem == "persons"


# ------------------------------------------------------------------ what stops a run


def test_missing_required_table(extract: Path, tmp_path: Path) -> None:
    (extract / "occurrences.csv").unlink()
    with pytest.raises(ContractError) as e:
        load_extract(extract, DuckDBBackend.open(), quarantine_dir=tmp_path / "q")
    assert "'occurrences'" in str(e.value) and "occurrences.csv" in str(e.value)


def test_missing_required_table_names_mapped_file(tmp_path: Path) -> None:
    dest = tmp_path / "mapped"
    shutil.copytree(MAPPED_EXTRACT, dest)
    (dest / "NOMINALS.csv").unlink()
    with pytest.raises(ContractError) as e:
        load_extract(dest, DuckDBBackend.open(), mapping=EXAMPLE_MAPPING, quarantine_dir=tmp_path)
    assert "'persons'" in str(e.value) and "NOMINALS.csv" in str(e.value)


def test_missing_optional_table_is_fine(extract: Path, load) -> None:
    (extract / "person_flags.csv").unlink()
    assert load(extract).rows("SELECT count(*) FROM person_flags") == [(0,)]


def test_missing_required_column(extract: Path, tmp_path: Path) -> None:
    header, rows = read_csv(extract / "persons.csv")
    i = header.index("person_id")
    write_csv(
        extract / "persons.csv", header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows]
    )
    with pytest.raises(ContractError) as e:
        load_extract(extract, DuckDBBackend.open(), quarantine_dir=tmp_path / "q")
    msg = str(e.value)
    assert "persons.csv is missing required column 'person_id'" in msg
    assert "found: surname" in msg


def test_missing_nullable_column_also_stops(extract: Path, tmp_path: Path) -> None:
    header, rows = read_csv(extract / "addresses.csv")
    write_csv(extract / "addresses.csv", header[:-1], [r[:-1] for r in rows])
    with pytest.raises(ContractError, match="'premises_type'"):
        load_extract(extract, DuckDBBackend.open(), quarantine_dir=tmp_path / "q")


def test_missing_mapped_column_names_force_column(tmp_path: Path) -> None:
    dest = tmp_path / "mapped"
    shutil.copytree(MAPPED_EXTRACT, dest)
    header, rows = read_csv(dest / "NOMINALS.csv")
    i = header.index("DOB")
    write_csv(
        dest / "NOMINALS.csv", header[:i] + header[i + 1 :], [r[:i] + r[i + 1 :] for r in rows]
    )
    with pytest.raises(ContractError) as e:
        load_extract(dest, DuckDBBackend.open(), mapping=EXAMPLE_MAPPING, quarantine_dir=tmp_path)
    assert "NOMINALS.csv is missing required column 'DOB' (contract column 'date_of_birth')" in str(
        e.value
    )


def test_headerless_file_does_not_leak_values(extract: Path, tmp_path: Path) -> None:
    _, rows = read_csv(extract / "persons.csv")
    with (extract / "persons.csv").open("w") as f:
        f.writelines(",".join(r) + "\n" for r in rows)
    with pytest.raises(ContractError) as e:
        load_extract(extract, DuckDBBackend.open(), quarantine_dir=tmp_path / "q")
    msg = str(e.value)
    assert "person_id" in msg and "no header row" in msg
    for value in ("Fictus", "Darren", "1988-07-14", "P0001"):
        assert value not in msg


def test_empty_file_is_a_contract_error(extract: Path, tmp_path: Path) -> None:
    (extract / "persons.csv").write_text("")
    with pytest.raises(ContractError, match=r"persons\.csv is empty"):
        load_extract(extract, DuckDBBackend.open(), quarantine_dir=tmp_path / "q")


def test_header_only_file_loads_no_rows(extract: Path, load) -> None:
    header, _ = read_csv(extract / "person_flags.csv")
    write_csv(extract / "person_flags.csv", header, [])
    t = load(extract).report.tables["person_flags"]
    assert (t.rows_read, t.loaded, t.rejected) == (0, 0, 0)


def test_csv_and_parquet_for_one_table_is_ambiguous(extract: Path, tmp_path: Path) -> None:
    pq.write_table(pa.table({"person_id": ["P1"]}), extract / "persons.parquet")
    with pytest.raises(ContractError, match="more than one file"):
        load_extract(extract, DuckDBBackend.open(), quarantine_dir=tmp_path / "q")


def test_missing_extract_folder(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="not found"):
        load_extract(tmp_path / "nope", DuckDBBackend.open(), quarantine_dir=tmp_path / "q")


def test_a_stored_load_of_the_same_files_is_reused(tmp_path: Path) -> None:
    """A per-force database keeps its load: the same files again skip the load, and the
    quarantine files are still written for the new run; a changed file loads afresh."""
    extract = tmp_path / "extract"
    shutil.copytree(CONTRACT_EXTRACT, extract)
    con = duckdb.connect(str(tmp_path / "force.duckdb"))
    first = load_extract(extract, DuckDBBackend(con), quarantine_dir=tmp_path / "q1", reuse=True)
    assert not first.reused
    again = load_extract(extract, DuckDBBackend(con), quarantine_dir=tmp_path / "q2", reuse=True)
    assert again.reused
    assert again.to_dict()["tables"] == first.to_dict()["tables"]
    assert again.seconds < first.seconds  # the run's own cost, not the stored load's
    assert (tmp_path / "q2" / "rejected.csv").exists()
    assert (tmp_path / "q2" / "warnings.csv").exists()
    with (extract / "persons.csv").open("a") as f:
        f.write("P9999,Newname,Extra,2001-01-01,F,,\n")
    changed = load_extract(extract, DuckDBBackend(con), quarantine_dir=tmp_path / "q3", reuse=True)
    assert not changed.reused
    assert changed.tables["persons"].rows_read == first.tables["persons"].rows_read + 1
