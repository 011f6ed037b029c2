"""Casework tests: Django on a throwaway PostgreSQL 15 cluster, email to a real SMTP server.

- Settings: `paramount.casework.settings`, with a temporary data folder, a random secret key
  and plain HTTP (the test client and live server speak HTTP); set here, before Django is
  set up, unless the caller already chose a settings module.
- Database: `django_db_modify_db_settings` (pytest-django's hook, run once before the test
  database is made) starts a cluster (`casework_pg.py`) and points the default database at it; it is
  stopped when the session ends. `DATABASE_URL` is set too, for subprocesses.
- Email: the `smtp_server` fixture runs aiosmtpd on 127.0.0.1 on a free port and points
  Django's SMTP backend at it; `smtp_server.messages` are the messages it received.
- Flush: the append-only tables refuse TRUNCATE (migration 0003); the tests' flushes run as
  the superuser with triggers skipped for that one transaction (`_flush_as_superuser`).
- Every test here is marked `casework`; those using the database `postgres` too.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest

_DATA = Path(tempfile.mkdtemp(prefix="paramount-casework-test-"))
(_DATA / "static").mkdir()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paramount.casework.settings")
os.environ.setdefault("PARAMOUNT_DATA_DIR", str(_DATA))
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
os.environ.setdefault("PARAMOUNT_SECURE", "0")
os.environ.setdefault("PARAMOUNT_BASE_URL", "http://testserver")

import django  # noqa: E402
from django.apps import apps  # noqa: E402

if not apps.ready:
    django.setup()

from django.conf import settings as _settings  # noqa: E402

# Fast hashing for the many test accounts (the real hasher is PBKDF2, deliberately slow).
_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

import casework_pg as pg  # noqa: E402


def _flush_as_superuser() -> None:
    """Let the tests' flush (transactional and live-server tests empty every table with
    TRUNCATE) pass the append-only triggers: the flush alone runs with
    `session_replication_role = replica`, which only a superuser (the tests' role) may set
    and which skips ordinary triggers for that transaction. Production is unchanged: the
    application's role may not set it, so TRUNCATE stays refused (migration 0003)."""
    from django.db import transaction
    from django.db.backends.postgresql.operations import DatabaseOperations

    plain = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list) -> None:
        with transaction.atomic(using=self.connection.alias):
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            plain(self, sql_list)

    DatabaseOperations.execute_sql_flush = execute_sql_flush


_flush_as_superuser()

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.casework)
            if "django_db" in item.keywords or {"db", "transactional_db", "live_server"} & set(
                getattr(item, "fixturenames", ())
            ):
                item.add_marker(pytest.mark.postgres)


def pytest_unconfigure(config) -> None:
    shutil.rmtree(_DATA, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[pg.Cluster]:
    cluster = pg.start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, postgres_cluster: pg.Cluster
) -> None:
    """Point Django's default database at the throwaway cluster before tests create theirs."""
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    os.environ["DATABASE_URL"] = postgres_cluster.url
    default = settings.DATABASES["default"]
    test = default.get("TEST", {})
    default.clear()
    default.update(dj_database_url.parse(postgres_cluster.url, conn_max_age=0))
    default["TEST"] = {k: v for k, v in test.items() if k != "NAME"}
    connections.configure_settings(None)
    if hasattr(connections._connections, "default"):
        connections["default"].close()
        delattr(connections._connections, "default")
    assert connections["default"].vendor == "postgresql"


class _Collector:
    """aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in (m.get("To") or "")]


@pytest.fixture
def smtp_server(settings) -> Iterator[_Collector]:
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend delivers to."""
    from aiosmtpd.controller import Controller

    handler = _Collector()
    port = pg.free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()
