"""manifest.json: version, parameters, checksums in and out, counts at every step."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

import paramount
from paramount.contract.tables import EXTRACT_TABLES, create_table_sql
from paramount.engine import DuckDBBackend, identify
from paramount.outputs import sha256_file, write_children_csv, write_manifest

STARTED = datetime(2025, 1, 2, 9, 0, 0)
FINISHED = datetime(2025, 1, 2, 9, 0, 42)


def loaded_result():
    con = duckdb.connect()
    for t in EXTRACT_TABLES.values():
        con.execute(create_table_sql(t))
    return identify(DuckDBBackend(con), date(2024, 1, 1), date(2024, 12, 31), method="baseline")


def load_report() -> dict:
    """What the loader's `LoadReport.to_dict()` looks like, as far as the manifest cares."""
    return {
        "extract_dir": "/extract",
        "seconds": 1.234,
        "totals": {"rows_read": 10, "loaded": 9, "rejected": 1, "warnings": 2},
        "tables": {
            "persons": {"file": "persons.csv", "sha256": "ab" * 32, "rejected": 1},
            "person_aliases": {"file": None, "sha256": None},
        },
    }


def make(tmp_path: Path, children: pa.Table, **kw) -> dict:
    out = tmp_path / "run"
    csv_path = write_children_csv(children, out / "children.csv")
    path = write_manifest(
        out / "manifest.json",
        command="identify",
        parameters={"from": date(2024, 1, 1), "to": date(2024, 12, 31), "method": "baseline"},
        started_at=STARTED,
        finished_at=FINISHED,
        load=load_report(),
        identification=loaded_result(),
        outputs=[csv_path],
        **kw,
    )
    return json.loads(path.read_text(encoding="utf-8"))


def test_manifest_records_the_run(tmp_path: Path, children: pa.Table) -> None:
    m = make(tmp_path, children)
    assert m["paramount_version"] == paramount.__version__
    assert m["command"] == "identify"
    assert m["parameters"] == {"from": "2024-01-01", "to": "2024-12-31", "method": "baseline"}
    assert m["started_at"] == "2025-01-02T09:00:00" and m["finished_at"] == "2025-01-02T09:00:42"
    assert m["load"]["totals"] == {"rows_read": 10, "loaded": 9, "rejected": 1, "warnings": 2}
    assert m["timings"]["seconds"] == 42.0 and m["timings"]["load"] == 1.234


def test_inputs_and_outputs_have_checksums(tmp_path: Path, children: pa.Table) -> None:
    m = make(tmp_path, children)
    assert m["inputs"] == [{"file": "persons.csv", "table": "persons", "sha256": "ab" * 32}]
    (out,) = m["outputs"]
    csv_path = tmp_path / "run" / "children.csv"
    assert out["file"] == "children.csv"
    assert out["sha256"] == hashlib.sha256(csv_path.read_bytes()).hexdigest()
    assert out["sha256"] == sha256_file(csv_path)
    assert out["bytes"] == csv_path.stat().st_size


def test_precomputed_input_checksums_are_taken_as_given(tmp_path: Path, children: pa.Table) -> None:
    m = make(tmp_path, children, inputs={"prisoners.csv": "cd" * 32, "persons.csv": "ef" * 32})
    assert [i["file"] for i in m["inputs"]] == ["persons.csv", "prisoners.csv"]


def test_every_engine_step_is_counted(tmp_path: Path, children: pa.Table) -> None:
    m = make(tmp_path, children)
    steps = m["identification"]["steps"]
    assert [s["name"] for s in steps] == [
        "receptions",
        "prisoner_nominals",
        "in_area",
        "recorded_children",
        "children",
    ]
    assert all(s["rows"] == 0 and "seconds" not in s for s in steps)
    assert set(m["timings"]["identification"]["steps"]) == {s["name"] for s in steps}


def test_content_is_deterministic_but_for_times(tmp_path: Path, children: pa.Table) -> None:
    a = make(tmp_path / "a", children)
    b = make(tmp_path / "b", children)
    for m in (a, b):
        del m["timings"], m["started_at"], m["finished_at"]
    assert a == b


def test_command_and_finish_default_as_the_command_line_calls_it(tmp_path: Path) -> None:
    started = datetime.now().astimezone()
    path = write_manifest(
        tmp_path / "manifest.json",
        parameters={"command": "identify", "method": "baseline"},
        identification=loaded_result().to_dict(),
        started_at=started,
    )
    m = json.loads(path.read_text(encoding="utf-8"))
    assert m["command"] == "identify"
    assert datetime.fromisoformat(m["finished_at"]) >= started.replace(microsecond=0)
    assert m["identification"]["method"] == "baseline"
