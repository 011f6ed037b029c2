"""The parts of the production path that need no database: collectstatic under production
settings resolves every static reference; the wheel carries the assets, templates and
migrations, and refuses to build without the assets; no access log keeps a query string."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from casework_prod import REPO, build_wheel, production_env, uv

from paramount.casework.accesslog import ACCESS_LOG_FORMAT, install_on_development_server

PACKAGE = REPO / "paramount" / "casework"
STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")


def _template_references() -> set[str]:
    return {
        name
        for template in PACKAGE.rglob("templates/**/*.html")
        for name in STATIC_TAG.findall(template.read_text())
    }


def test_collectstatic_resolves_every_static_reference(tmp_path: Path) -> None:
    env = production_env("sqlite:///" + str(tmp_path / "unused.sqlite3"), tmp_path)
    done = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "python"),
            "-m",
            "paramount.casework.manage",
            "collectstatic",
            "--noinput",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    static = tmp_path / "static"
    paths = json.loads((static / "staticfiles.json").read_text())["paths"]
    references = _template_references()
    assert {"govuk/govuk-frontend.min.css", "govuk/assets/images/favicon.ico"} <= references
    for name in references:
        assert name in paths, f"{name} has no manifest entry"
        assert (static / paths[name]).is_file()
    for name in paths:
        if name.endswith((".css", ".js", ".mjs")):
            assert "sourceMappingURL" not in (static / paths[name]).read_text(), name


@pytest.mark.slow
def test_the_wheel_carries_assets_templates_and_migrations(tmp_path: Path) -> None:
    if uv() is None:
        pytest.skip("uv is needed to build the wheel (make setup installs it)")
    names = set(zipfile.ZipFile(build_wheel(tmp_path)).namelist())
    for path in PACKAGE.rglob("*"):
        relative = path.relative_to(REPO).as_posix()
        wanted = (
            "/templates/" in relative
            or "/migrations/" in relative
            or "/static/govuk/assets/" in relative
            or relative.endswith(".min.css")
            or relative.endswith(".min.js")
            or "/static/paramount/" in relative
        )
        if path.is_file() and wanted and "__pycache__" not in relative:
            assert relative in names, f"{relative} is missing from the wheel"
    assert "paramount/casework/gunicorn_conf.py" in names


@pytest.mark.slow
def test_the_wheel_is_refused_without_the_assets(tmp_path: Path) -> None:
    if uv() is None:
        pytest.skip("uv is needed to build the wheel (make setup installs it)")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:  # a clean clone: no `make assets`
        if (REPO / name).is_file():
            (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, tmp_path / "src" / name)
    done = subprocess.run(
        [uv(), "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(tmp_path / "src")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "make assets" in done.stderr + done.stdout
    assert not list((tmp_path / "dist").glob("*.whl"))
    # But `make setup` on a clean clone installs it editable before copying the assets.
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    venv = tmp_path / "venv"
    subprocess.run(
        [uv(), "venv", "-q", "--python", sys.executable, str(venv)],
        check=True,
        env=env,
        timeout=120,
    )
    done = subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "-q",
            "--offline",
            "--no-deps",
            "--python",
            str(venv / "bin" / "python"),
            "-e",
            str(tmp_path / "src"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_gunicorn_access_log_leaves_out_queries_and_referrers() -> None:
    from paramount.casework import gunicorn_conf

    assert gunicorn_conf.access_log_format == ACCESS_LOG_FORMAT
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%({"):
        assert atom not in ACCESS_LOG_FORMAT
    assert "%(U)s" in ACCESS_LOG_FORMAT


def test_the_development_server_log_drops_query_strings() -> None:
    """`paramount serve` logs through django.server as basehttp does: no query in it."""
    logger = logging.getLogger("django.server")
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    before = list(logger.filters)
    logger.addHandler(handler)
    try:
        install_on_development_server()
        logger.warning('"%s" %s %s', "GET /cases/?q=Robinson&x=1 HTTP/1.1", "404", "512")
    finally:
        logger.removeHandler(handler)
        logger.filters[:] = before
    assert seen == ['"GET /cases/ HTTP/1.1" 404 512']
