"""The production path of docs/deploy.md, end to end, on PostgreSQL under production settings.

The package is built as a wheel and installed into a new environment; as the owner role it
migrates, grants the application role its privileges and collects the static files; as the
application role it seeds a force and imports a run, and real gunicorn serves it. A client
speaking as the TLS proxy would then signs in with password and TOTP, loads pages with their
stylesheet, font and favicon. The application role cannot truncate or delete the audit; a
backup restored into a new database keeps the case and its audit.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import casework_pg as pg
import pytest
from casework_factories import child_row, write_run
from casework_prod import (
    Browser,
    Database,
    Gunicorn,
    Nginx,
    build_wheel,
    create_database,
    install_wheel,
    nginx_binary,
    production_env,
    run,
    seed,
    uv,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PASSWORD = "a-long-production-password-9"


@dataclass
class Deployment:
    db: Database
    root: Path
    work: Path
    python: Path
    owner_env: dict[str, str]
    app_env: dict[str, str]
    server: Gunicorn
    keys: dict[str, str]

    @property
    def paramount(self) -> str:
        return str(self.python.parent / "paramount")


@pytest.fixture(scope="module")
def deployment(postgres_cluster: pg.Cluster, tmp_path_factory) -> Deployment:
    if uv() is None:
        pytest.skip("uv is needed to build the wheel (make setup installs it)")
    root = tmp_path_factory.mktemp("deploy")
    python = install_wheel(build_wheel(root / "dist"), root / "venv")
    paramount = str(python.parent / "paramount")
    db = create_database(postgres_cluster)
    owner_env = production_env(db.url(db.owner), root)
    app_env = production_env(db.url(db.app), root)
    work = root / "work"  # not the checkout, so only the installed package can be imported
    work.mkdir()
    run([paramount, "casework", "manage", "migrate", "--noinput"], owner_env, cwd=work)
    run([paramount, "casework", "manage", "casework_grants", db.app], owner_env, cwd=work)
    run([paramount, "casework", "manage", "collectstatic", "--noinput"], owner_env, cwd=work)
    keys = seed(
        python,
        app_env,
        work,
        force="PRD",
        users=[("supervisor", "supervisor"), ("analyst", "analyst")],
        password=PASSWORD,
        lpas=[("N1", "Northtown")],
    )
    write_run(root / "run", [child_row(child_ids="R1", surname="Fictus", forenames="Tia")])
    run([paramount, "casework", "import", str(root / "run"), "--force", "PRD"], app_env, cwd=work)
    server = Gunicorn(python, app_env, work, workers=2).start()
    try:
        yield Deployment(db, root, work, python, owner_env, app_env, server, keys)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def signed_in(deployment: Deployment) -> Browser:
    """One sign-in for the module: a TOTP code is accepted once (a replay is refused)."""
    browser = Browser(deployment.server.port)
    landing = browser.sign_in("supervisor", PASSWORD, deployment.keys["supervisor"])
    assert landing.startswith("/")
    return browser


def test_the_installed_wheel_is_what_runs(deployment: Deployment) -> None:
    out = run(
        [str(deployment.python), "-c", "import paramount; print(paramount.__file__)"],
        deployment.app_env,
        cwd=deployment.work,
    )
    assert out.strip().startswith(str(deployment.root / "venv"))
    manifest = (deployment.root / "static" / "staticfiles.json").read_text()
    assert "govuk/govuk-frontend.min.css" in manifest
    assert "govuk/assets/images/favicon.ico" in manifest


def test_sign_in_with_totp_then_a_page_with_its_stylesheet(signed_in: Browser) -> None:
    browser = signed_in
    status, headers, body = browser.get("/cases/")
    assert status == 200, body[:500]
    html = body.decode()
    assert "Strict-Transport-Security" in headers
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert len(stylesheets) == 2, stylesheets
    for href in stylesheets:
        # Hashed by the manifest storage, served by WhiteNoise for a year.
        assert re.search(r"\.[0-9a-f]{12}\.css$", href), href
        status, headers, css = browser.get(href)
        assert status == 200, href
        assert headers["Content-Type"].startswith("text/css")
        assert len(css) > 100
        assert "immutable" in headers.get("Cache-Control", "")
    _, _, govuk_css = browser.get(stylesheets[0])
    font = re.search(rb"url\([\"']?(assets/fonts/[^)\"']+\.woff2)", govuk_css)
    assert font, "GOV.UK's font is not referenced"
    base = stylesheets[0].rsplit("/", 1)[0]
    status, _, data = browser.get(f"{base}/{font.group(1).decode()}")
    assert status == 200 and len(data) > 1000
    (favicon,) = re.findall(r'<link rel="icon" sizes="48x48" href="([^"]+)"', html)
    status, headers, data = browser.get(favicon)
    assert status == 200 and data
    assert headers["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    (script,) = re.findall(r'<script type="module" src="([^"]+)"', html)
    status, _, module = browser.get(script)
    assert status == 200 and b"initAll" in module
    imported = re.search(rb"from '\.\./(govuk/[^']+)'", module).group(1).decode()
    status, _, data = browser.get(f"/static/{imported}")
    assert status == 200 and b"initAll" in data
    # And a case: the imported child's name on its page.
    reference = re.search(r'href="/cases/([^/"?]+)/"', html).group(1)
    status, _, page = browser.get(f"/cases/{reference}/")
    assert status == 200
    assert "Fictus" in page.decode()


def test_the_board_report_comes_from_the_installed_wheel(signed_in: Browser) -> None:
    """The report's template and charts are in the wheel, and WeasyPrint draws the PDF under
    gunicorn with the system's Pango."""
    status, headers, body = signed_in.get("/board-report.pdf?from=2025-01-01&to=2025-03-31")
    assert status == 200, body[:300]
    assert headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    assert "board-report-PRD-2025-01-01-2025-03-31.pdf" in headers["Content-Disposition"]


def test_the_second_factor_is_required(deployment: Deployment) -> None:
    browser = Browser(deployment.server.port)
    status, headers, _ = browser.submit(
        "/accounts/login/", {"username": "supervisor", "password": PASSWORD}
    )
    assert status == 302 and headers["Location"].startswith("/accounts/verify/")
    status, headers, _ = browser.get("/cases/")
    assert status == 302 and "/accounts/" in headers["Location"]


def test_plain_http_is_sent_to_https_and_cookies_are_secure(deployment: Deployment) -> None:
    status, headers, _ = Browser(deployment.server.port, https=False).get("/accounts/login/")
    assert status == 301
    assert headers["Location"] == "https://casework.example/accounts/login/"
    browser = Browser(deployment.server.port)
    _, headers, _ = browser.get("/accounts/login/")
    cookies = headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies)


def test_the_access_log_has_no_query_string(deployment: Deployment, signed_in: Browser) -> None:
    browser = signed_in
    browser.get("/cases/?q=Zebedee")
    browser.get("/accounts/login/?next=/cases/%3Fq%3DZebedee")
    log = deployment.server.log.read_text()
    assert '"GET /cases/" ' in log
    assert "Zebedee" not in log


def test_through_a_real_tls_proxy(deployment: Deployment) -> None:
    """nginx as docs/deploy.md configures it: TLS, the forwarded header, a log without
    query strings. Optional: skipped where nginx is not installed."""
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light to run this)")
    proxy = Nginx(deployment.root / "nginx", upstream=deployment.server.port).start()
    try:
        browser = Browser(proxy.port, tls=proxy.context())
        browser.sign_in("analyst", PASSWORD, deployment.keys["analyst"])
        status, headers, body = browser.get("/cases/?q=Quixote")
        assert status == 200
        assert "Strict-Transport-Security" in headers
        href = re.search(r'<link rel="stylesheet" href="([^"]+)"', body.decode()).group(1)
        status, headers, css = browser.get(href)
        assert status == 200 and headers["Content-Type"].startswith("text/css") and css
    finally:
        proxy.stop()
    log = proxy.access_log.read_text()
    assert '"GET /cases/" 200' in log
    assert "Quixote" not in log


def test_the_application_role_cannot_destroy_the_audit(deployment: Deployment) -> None:
    import psycopg

    db = deployment.db
    with psycopg.connect(db.url(db.app), autocommit=True) as conn:
        count = conn.execute("SELECT count(*) FROM casework_auditrecord").fetchone()[0]
        assert count > 0  # the import was audited, by this role
        for table in ("casework_auditrecord", "casework_erasurerecord", "casework_caseevent"):
            for statement in (
                f"TRUNCATE {table}",
                f"DELETE FROM {table}",
                f"UPDATE {table} SET id = id",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
                    conn.execute(statement)
                # Refused by privileges, not only by the append-only trigger.
                assert "permission denied" in str(refused.value), statement
            for statement in (f"ALTER TABLE {table} DISABLE TRIGGER ALL", f"DROP TABLE {table}"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
                    conn.execute(statement)
                assert "must be owner" in str(refused.value), statement
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("TRUNCATE casework_case CASCADE")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE casework_intruder (id int)")
        after = conn.execute("SELECT count(*) FROM casework_auditrecord").fetchone()[0]
        assert after == count


def test_backup_restores_into_a_new_database(deployment: Deployment, tmp_path: Path) -> None:
    import psycopg

    db = deployment.db
    cluster = db.cluster
    query = (
        "SELECT (SELECT string_agg(reference, ',' ORDER BY reference) FROM casework_case),"
        " (SELECT count(*) FROM casework_auditrecord),"
        " (SELECT count(*) FROM casework_caseevent)"
    )
    with psycopg.connect(db.url(db.owner), autocommit=True) as conn:
        before = conn.execute(query).fetchone()
    assert before[0] and before[1] > 0 and before[2] > 0
    dump = tmp_path / "casework.dump"
    subprocess.run(
        [str(cluster.bin / "pg_dump"), "--format=custom", f"--file={dump}", db.url(db.owner)],
        check=True,
        timeout=300,
    )
    restored = f"{db.name}_restored"
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {restored} OWNER {db.owner}")
    subprocess.run(
        [
            str(cluster.bin / "pg_restore"),
            "--exit-on-error",
            "--no-owner",
            f"--role={db.owner}",
            f"--dbname={db.url(db.owner, restored)}",
            str(dump),
        ],
        check=True,
        timeout=300,
    )
    env = {**deployment.owner_env, "DATABASE_URL": db.url(db.owner, restored)}
    run(
        [deployment.paramount, "casework", "manage", "migrate", "--check"], env, cwd=deployment.work
    )
    with psycopg.connect(db.url(db.app, restored), autocommit=True) as conn:
        assert conn.execute(query).fetchone() == before
        # The privileges came back with it.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("TRUNCATE casework_auditrecord")
