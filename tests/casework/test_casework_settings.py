"""Settings: production is clean under `check --deploy`; the demo alone drops the second
factor; the health check answers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "paramount.casework.manage", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def _production_env(tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "paramount.casework.settings",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "paramount.force.example",
        "DATABASE_URL": "postgres://paramount:unused@127.0.0.1:1/paramount",
        "PARAMOUNT_DATA_DIR": str(tmp_path),
        "EMAIL_HOST": "smtp.force.example",
    }


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    done = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_settings_are_secure(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS > 0,"
        " s.PARAMOUNT_REQUIRE_SECOND_FACTOR, s.DEBUG, s.SESSION_COOKIE_AGE,"
        " s.DATABASES['default']['ENGINE'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        env=_production_env(tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "True", "True", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')", "True", "True",
        "False", "1800", "django.db.backends.postgresql",
    ]


def test_demo_turns_off_the_second_factor_only(tmp_path: Path) -> None:
    env = {**_production_env(tmp_path), "PARAMOUNT_DEMO": "1"}
    env.pop("DATABASE_URL")
    code = (
        "from django.conf import settings as s;"
        "print(s.PARAMOUNT_REQUIRE_SECOND_FACTOR, s.AXES_FAILURE_LIMIT,"
        " 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE, s.DATABASES['default']['ENGINE'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "5", "True", "django.db.backends.sqlite3"]


@pytest.mark.django_db
def test_health_answers_and_carries_security_headers(client) -> None:
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_second_factor_is_required_after_password(client, settings) -> None:
    from casework_factories import make_world

    world = make_world()
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = True
    client.force_login(world["champion"])
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/verify/?next=")


@pytest.mark.django_db
def test_lockout_after_five_failed_passwords() -> None:
    from casework_factories import PASSWORD, make_world
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    make_world()

    def attempt(password: str):
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.1")
        return authenticate(request=request, username="champion", password=password)

    assert attempt(PASSWORD) is not None
    for _ in range(5):
        assert attempt("wrong-password") is None
    assert attempt(PASSWORD) is None  # locked out, even with the right password
