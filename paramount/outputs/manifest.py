"""`manifest.json`: enough to say what a run did and to reproduce it.

It names the Paramount version, the command and its parameters, every input file with its
sha256, what the load read, kept and set aside, the rows at every engine step, and every
output file with its sha256. Everything but the timestamps and the `timings` section is
deterministic: two runs of the same version on the same extract with the same parameters
give the same manifest there, which is how a rerun is checked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from paramount import __version__

MANIFEST_VERSION = 1
DATA_CONTRACT_VERSION = 1
_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks (extract files can be gigabytes)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "to_dict"):
        return _jsonable(value.to_dict())
    return value


def _file_entry(path: Path, base: Path | None) -> dict[str, Any]:
    name = str(path)
    if base is not None:
        try:
            name = str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            name = str(path)
    return {"file": name, "sha256": sha256_file(path), "bytes": path.stat().st_size}


def _inputs(
    inputs: Mapping[str, Any] | Iterable[str | Path] | None, load: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """Inputs as a sorted list of {file, sha256[, bytes]}, from whichever form was given:
    a precomputed {file: sha256} (or {file: {...}}) dict, paths to hash, or, failing both,
    the per-table sha256 the loader's report already holds."""
    entries: list[dict[str, Any]] = []
    if isinstance(inputs, Mapping):
        for name, value in inputs.items():
            if isinstance(value, Mapping):
                entries.append({"file": str(name), **_jsonable(value)})
            else:
                entries.append({"file": str(name), "sha256": value})
    elif inputs is not None:
        entries = [_file_entry(Path(p), None) for p in inputs]
    elif load is not None:
        for table, info in (load.get("tables") or {}).items():
            if isinstance(info, Mapping) and info.get("file"):
                entries.append({"file": info["file"], "table": table, "sha256": info.get("sha256")})
    return sorted(entries, key=lambda e: e["file"])


def _engine(identification: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Split the engine's record into deterministic counts and timings."""
    if identification is None:
        return None, {}
    record = _jsonable(identification)
    steps = record.get("steps", [])
    timings = {"steps": {s["name"]: s.get("seconds") for s in steps}}
    if "seconds" in record:
        timings["total"] = record["seconds"]
    counts = {k: v for k, v in record.items() if k not in ("steps", "seconds")}
    counts["steps"] = [{k: v for k, v in s.items() if k != "seconds"} for s in steps]
    return counts, timings


def build_manifest(
    *,
    parameters: Mapping[str, Any],
    started_at: datetime,
    finished_at: datetime | None = None,
    command: str | None = None,
    inputs: Mapping[str, Any] | Iterable[str | Path] | None = None,
    load: Mapping[str, Any] | Any | None = None,
    identification: Mapping[str, Any] | Any | None = None,
    outputs: Iterable[str | Path] = (),
    output_dir: str | Path | None = None,
    verdicts: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest as a dict.

    `load` is the loader's report (or its `to_dict()`), kept as given but for its `seconds`,
    which joins the timings; `identification` an `IdentificationResult` (or its
    `to_dict()`); output paths are named relative to `output_dir` when inside it.
    `verdicts`: what the force's checkers' verdicts taught the run (files, labels used, the
    correction, the measured precision of earlier lists by band), when it had any. `command`
    defaults to `parameters["command"]`, `finished_at` to now.
    """
    if finished_at is None:
        finished_at = datetime.now(started_at.tzinfo).replace(microsecond=0)
    if command is None:
        command = str(parameters.get("command", ""))
    load_dict = _jsonable(load) if load is not None else None
    engine_counts, engine_timings = _engine(identification)
    timings: dict[str, Any] = {"seconds": round((finished_at - started_at).total_seconds(), 3)}
    if engine_timings:
        timings["identification"] = engine_timings
    if isinstance(load_dict, dict) and "seconds" in load_dict:
        # The one timing in the loader's report moves to `timings`, so `load` compares equal.
        timings["load"] = load_dict.pop("seconds")
    base = Path(output_dir) if output_dir is not None else None
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "paramount_version": __version__,
        "data_contract_version": DATA_CONTRACT_VERSION,
        "command": command,
        "parameters": _jsonable(dict(parameters)),
        "inputs": _inputs(inputs, load_dict),
        "load": load_dict,
        "identification": engine_counts,
        "outputs": [_file_entry(Path(p), base) for p in outputs],
        "started_at": started_at.isoformat(),
        "finished_at": finished_at.isoformat(),
        "timings": timings,
    }
    if verdicts is not None:
        manifest["verdicts"] = _jsonable(dict(verdicts))
    return manifest


def write_manifest(path: str | Path, **kwargs: Any) -> Path:
    """Build (see `build_manifest`) and write `manifest.json`; outputs are named relative to
    the manifest's folder unless `output_dir` says otherwise."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("output_dir", path.parent)
    manifest = build_manifest(**kwargs)
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
