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


# The layers, lowest first: a package imports only from its own layer or below, so
# identification's path runs one way (contract -> db -> loading -> linkage -> engine ->
# outputs, evaluation and verdicts -> run -> operations -> cli). `progress`, `intervals` and
# the package root (its version) serve every layer; `privacy` (the partner encodings: pure
# functions of values and a key) serves loading, linkage, the engine and the command line
# alike; `synth` makes extracts from the contract; `casework` is the stage-two application;
# `operations` runs both for a force (the daily run).
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"__init__", "progress", "intervals", "contract", "privacy"}),
    frozenset({"db"}),
    frozenset({"loading", "synth"}),
    frozenset({"linkage"}),
    frozenset({"engine"}),
    frozenset({"outputs", "evaluation", "verdicts"}),
    frozenset({"run", "casework"}),
    frozenset({"operations"}),
    frozenset({"cli"}),
)
# Packages whose imports of Paramount modules are all at the top (cli and casework import
# inside commands and apps so `paramount --help` and Django's start stay quick).
TOP_LEVEL_IMPORTS_ONLY = frozenset(
    {
        "contract",
        "privacy",
        "db",
        "loading",
        "linkage",
        "engine",
        "outputs",
        "evaluation",
        "verdicts",
        "run",
    }
)
# A package that only some layers above may reach through its public surface
# (`paramount.linkage`, its __init__), never through its modules.
PUBLIC_SURFACE_ONLY = frozenset({"linkage"})


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(package: str) -> int:
    for number, layer in enumerate(LAYERS):
        if package in layer:
            return number
    raise AssertionError(f"package {package!r} is in no layer: add it to LAYERS")


# Modules that need an optional extra (`paramount[spark]`): imported only where chosen, so
# a machine without the extra runs everything else.
OPTIONAL_EXTRAS = {"paramount.db.spark"}


def _imports(tree: ast.AST) -> list[tuple[ast.stmt, str, bool]]:
    """(statement, Paramount module imported, inside a function?) for every import."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside |= {id(n) for n in ast.walk(node) if n is not node}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules = [node.module or ""]
        else:
            continue
        for module in modules:
            if module == "paramount" or module.startswith("paramount."):
                found.append((node, module, id(node) in inside))
    return found


def _violations(path: Path, tree: ast.AST) -> list[str]:
    own = _package(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
    if path.name == "__init__.py" and path.parent == PACKAGE:
        own = "__init__"
    problems = []
    for node, module, in_function in _imports(tree):
        target = _package(module)
        where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {module}"
        if target != own and _layer(target) > _layer(own):
            problems.append(f"{where}, a layer above {own}")
        if target != own and target in PUBLIC_SURFACE_ONLY and module != f"paramount.{target}":
            problems.append(f"{where}, not the package's public surface")
        if in_function and own in TOP_LEVEL_IMPORTS_ONLY and module not in OPTIONAL_EXTRAS:
            problems.append(f"{where} inside a function")
    return problems


def test_imports_run_one_way_down_the_layers() -> None:
    """No package imports a layer above it; linkage is reached only through its public
    surface; no import hides inside a function to dodge a cycle."""
    problems = [
        problem
        for path in _modules()
        for problem in _violations(path, ast.parse(path.read_text(), str(path)))
    ]
    assert problems == []


def test_the_layer_rule_sees_each_kind_of_breach() -> None:
    linkage = PACKAGE / "linkage" / "example.py"
    engine = PACKAGE / "engine" / "example.py"
    upward = ast.parse("from paramount.engine.pipeline import Step")
    assert "a layer above linkage" in _violations(linkage, upward)[0]
    internal = ast.parse("from paramount.linkage.nicknames import nickname_rows")
    assert "public surface" in _violations(engine, internal)[0]
    hidden = ast.parse("def f():\n    from paramount.engine.sql import ident\n")
    assert "inside a function" in _violations(engine, hidden)[0]
    assert _violations(engine, ast.parse("from paramount.linkage import resolve")) == []


def test_the_decision_model_is_one_module_a_job() -> None:
    """engine/decision/ keeps its modules small enough to read whole (about 400 lines)."""
    sizes = {
        p.name: len(p.read_text().splitlines())
        for p in (PACKAGE / "engine" / "decision").glob("*.py")
    }
    assert {"model.py", "comparisons.py", "em.py", "scoring.py", "final_list.py"} <= set(sizes)
    assert {name: n for name, n in sizes.items() if n > 400} == {}
