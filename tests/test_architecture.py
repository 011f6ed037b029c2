"""The architecture, held by tests: one way into the database.

Read from the source (AST), so a new module that breaks a rule fails here, by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "paramount"
DUCKDB_BACKEND = PACKAGE / "db" / "duckdb.py"


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _duckdb_connects(tree: ast.AST) -> list[int]:
    """Lines that open a DuckDB connection: `duckdb.connect(...)`, or `connect` imported
    from duckdb, or duckdb imported at all (the way to a connection)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and (node.func.value.id, node.func.attr) == ("duckdb", "connect")
        ):
            modules = ["duckdb"]
        else:
            continue
        if any(m.split(".")[0] == "duckdb" for m in modules):
            lines.append(node.lineno)
    return lines


def test_only_the_duckdb_backend_opens_duckdb() -> None:
    """Loading, identity resolution, the engine and evaluation reach the database through a
    `paramount.db.Backend`; the DuckDB backend is the only module that imports DuckDB."""
    offenders = {
        str(path.relative_to(PACKAGE.parent)): lines
        for path in _modules()
        if path != DUCKDB_BACKEND
        and (lines := _duckdb_connects(ast.parse(path.read_text(), str(path))))
    }
    assert offenders == {}


def test_the_scan_sees_a_connection() -> None:
    """The rule above would pass vacuously if the scan missed the forms it looks for."""
    for source in (
        "import duckdb\ncon = duckdb.connect()",
        "from duckdb import connect\ncon = connect()",
        "import duckdb.typing",
    ):
        assert _duckdb_connects(ast.parse(source))
    assert _duckdb_connects(ast.parse(DUCKDB_BACKEND.read_text()))
