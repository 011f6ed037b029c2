"""A throwaway PostgreSQL cluster for the casework tests, made from the machine's binaries.

PostgreSQL refuses to run as root, and these machines run everything as root: so the
cluster is made and started as the `postgres` user (`runuser`), in a temporary folder that
user owns, on a free port, with its socket in that folder too. Where the binaries are
missing they are installed with apt-get (as root only). fsync is off: the data is thrown
away at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PREFERRED = Path("/usr/lib/postgresql/15/bin")


class PostgresUnavailable(RuntimeError):
    pass


def _find_bin() -> Path | None:
    candidates = [PREFERRED, *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "initdb").exists() else None


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def ensure_binaries() -> Path:
    """The folder holding initdb and pg_ctl, installing PostgreSQL with apt-get if needed."""
    folder = _find_bin()
    if folder is not None:
        return folder
    if not (_is_root() and shutil.which("apt-get")):
        raise PostgresUnavailable(
            "PostgreSQL binaries not found (looked in /usr/lib/postgresql/*/bin); install "
            "the postgresql package."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "postgresql"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    folder = _find_bin()
    if folder is None:
        raise PostgresUnavailable("apt-get installed postgresql but no initdb was found.")
    return folder


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    bin: Path
    root: Path
    port: int
    as_postgres: bool

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
        command = [str(a) for a in args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            log = self.root / "postgres.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{args[0]} failed ({done.returncode}): {done.stderr[-2000:]}\n{tail}"
            )
        return done

    def start(self) -> Cluster:
        self._run(
            self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-locale", "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=50"
        )
        self._run(
            self.bin / "pg_ctl", "-D", self.data, "-o", options, "-l", self.root / "postgres.log",
            "-w", "-t", "60", "start",
        )
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    """Make and start a cluster; the caller stops it."""
    folder = ensure_binaries()
    root = Path(tempfile.mkdtemp(prefix="paramount-pg-"))
    as_postgres = _is_root()
    if as_postgres:
        shutil.chown(root, user="postgres", group="postgres")
        root.chmod(0o700)
    cluster = Cluster(bin=folder, root=root, port=free_port(), as_postgres=as_postgres)
    try:
        return cluster.start()
    except Exception:
        cluster.stop()
        raise
