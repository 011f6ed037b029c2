"""Casework as production runs it, for the deployment test and the load benchmark.

- `create_database`: a fresh database on a throwaway cluster (casework_pg.py) with the two
  roles docs/deploy.md asks for: an owner that migrates, an application role that does not.
- `install_wheel`: the package built as a wheel (`uv build`) and installed into a new
  virtual environment; the dependencies come from the project's own environment through a
  `.pth` line (no network), the package itself only from the wheel.
- `production_env`: the environment of a production process, built from nothing (so no test
  setting such as PARAMOUNT_SECURE=0 leaks in).
- `Gunicorn`: real gunicorn on a free loopback port, with the package's gunicorn_conf.
- `Browser`: an HTTP client that talks to gunicorn as the TLS proxy would (Host, and
  `X-Forwarded-Proto: https`), keeps its cookies (secure ones too) and signs in with TOTP.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import casework_pg as pg

REPO = Path(__file__).resolve().parents[2]
HOST = "casework.example"
ORIGIN = f"https://{HOST}"


@dataclass
class Database:
    cluster: pg.Cluster
    name: str
    owner: str
    app: str

    def url(self, role: str | None = None, name: str | None = None) -> str:
        return f"postgres://{role or self.app}@127.0.0.1:{self.cluster.port}/{name or self.name}"

    def superuser(self, name: str | None = None):
        import psycopg

        return psycopg.connect(self.url("postgres", name), autocommit=True)


def create_database(cluster: pg.Cluster, prefix: str = "prod") -> Database:
    """A database owned by a new owner role, and an application role that may only connect;
    its table privileges come from `casework_grants` after migrating. The SQL is the one
    docs/deploy.md gives (the cluster trusts local connections, so no passwords here)."""
    import psycopg

    name = f"{prefix}_{secrets.token_hex(4)}"
    db = Database(cluster, name, owner=f"{name}_owner", app=f"{name}_app")
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {db.owner} LOGIN")
        conn.execute(f"CREATE ROLE {db.app} LOGIN")
        conn.execute(f"CREATE DATABASE {db.name} OWNER {db.owner}")
        conn.execute(f"REVOKE ALL ON DATABASE {db.name} FROM PUBLIC")
        conn.execute(f"GRANT CONNECT ON DATABASE {db.name} TO {db.app}")
    with db.superuser() as conn:
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    return db


def uv() -> str | None:
    local = REPO / ".tools" / "bin" / "uv"
    return str(local) if local.is_file() else shutil.which("uv")


def build_wheel(out: Path) -> Path:
    """`uv build --wheel` of this checkout (after `make assets`), into `out`."""
    done = subprocess.run(
        [uv(), "build", "--wheel", "--out-dir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = out.glob("paramount-*.whl")
    return wheel


def install_wheel(wheel: Path, venv: Path) -> Path:
    """A new environment with the wheel installed (no dependencies from the network: the
    project environment's site-packages is on its path, after its own); its python."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(
        [uv(), "venv", "-q", "--python", sys.executable, str(venv)],
        check=True,
        env=env,
        timeout=120,
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "-q",
            "--offline",
            "--no-deps",
            "--python",
            str(python),
            str(wheel),
        ],
        check=True,
        env=env,
        timeout=300,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # A plain path line: the project's editable-install .pth there is not processed.
    Path(purelib, "zz_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def production_env(database_url: str, root: Path, **extra: str) -> dict[str, str]:
    """A production process's environment: secure settings, a real key, one host."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
        "DATABASE_URL": database_url,
        "SECRET_KEY": (root / "secret").read_text() if (root / "secret").exists() else "",
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": ORIGIN,
        "PARAMOUNT_SECURE": "1",
        "PARAMOUNT_BASE_URL": ORIGIN,
        "PARAMOUNT_DATA_DIR": str(root / "data"),
        "STATIC_ROOT": str(root / "static"),
    }
    if not env["SECRET_KEY"]:
        root.mkdir(parents=True, exist_ok=True)
        env["SECRET_KEY"] = secrets.token_urlsafe(64)
        (root / "secret").write_text(env["SECRET_KEY"])
    env.update(extra)
    return env


def run(
    command: list[str],
    env: dict[str, str],
    *,
    cwd: Path,
    input: str | None = None,
    timeout: int = 600,
) -> str:
    done = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, input=input, timeout=timeout
    )
    assert done.returncode == 0, f"{command[:4]}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def stop_process(process: subprocess.Popen | None) -> None:
    """Stop a server started by a test: politely, then firmly after 30 s."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Gunicorn:
    """gunicorn on 127.0.0.1 with the package's settings; its log in `log`."""

    python: Path
    env: dict[str, str]
    cwd: Path
    workers: int = 2
    port: int = field(default_factory=pg.free_port)
    process: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return self.cwd / f"gunicorn-{self.port}.log"

    def start(self) -> Gunicorn:
        env = {
            **self.env,
            "PARAMOUNT_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(self.workers),
        }
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    str(self.python),
                    "-m",
                    "gunicorn",
                    "-c",
                    "python:paramount.casework.gunicorn_conf",
                ],
                env=env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-3000:]}")
            try:
                status, _, _ = Browser(self.port).get("/health/")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        stop_process(self.process)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One user agent behind the TLS proxy: its own cookies, `X-Forwarded-Proto: https`."""

    def __init__(self, port: int, *, https: bool = True, tls: ssl.SSLContext | None = None) -> None:
        """`https`: say `X-Forwarded-Proto: https` as the proxy would; `tls`: speak TLS to a
        real proxy instead (which then sets the header itself)."""
        self.port = port
        self.https = https and tls is None
        self.tls = tls
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.tls is not None:
                self._conn = http.client.HTTPSConnection(
                    "127.0.0.1", self.port, timeout=60, context=self.tls
                )
            else:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return self._conn

    def request(
        self, method: str, path: str, data: dict | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        headers = {"Host": HOST, "User-Agent": "paramount-deploy-test"}
        if self.https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = ORIGIN
            headers["Referer"] = ORIGIN + path
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                self._conn = None
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data: dict):
        return self.request("POST", path, data)

    def submit(self, path: str, data: dict):
        """GET the form at `path`, then POST it with its CSRF token."""
        status, _, body = self.get(path)
        assert status == 200, (path, status)
        match = CSRF.search(body.decode())
        assert match, f"no CSRF token on {path}"
        return self.post(path, {"csrfmiddlewaretoken": match.group(1), **data})

    def sign_in(self, username: str, password: str, totp_key_hex: str | None) -> str:
        """Password, then (when required) the TOTP code; the page landed on."""
        status, headers, _ = self.submit(
            "/accounts/login/", {"username": username, "password": password}
        )
        assert status == 302, f"sign-in refused ({status})"
        target = urlsplit(headers["Location"])
        path = target.path + (f"?{target.query}" if target.query else "")
        if target.path == "/accounts/verify/":
            assert totp_key_hex, "a second factor is required"
            status, headers, _ = self.submit(path, {"token": totp_now(totp_key_hex)})
            assert status == 302, f"TOTP refused ({status})"
            path = urlsplit(headers["Location"]).path
        return path

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


def totp_now(key_hex: str) -> str:
    """The current code an authenticator app shows for a TOTPDevice key (RFC 6238)."""
    from django_otp.oath import totp

    return str(totp(bytes.fromhex(key_hex), step=30, t0=0, digits=6)).zfill(6)


SEED = """
import json, sys
from django_otp.plugins.otp_totp.models import TOTPDevice
from paramount.casework.models import LPA, Force, PartnerOrganisation, User
spec = json.loads(sys.stdin.read())
force, _ = Force.objects.get_or_create(code=spec["force"], defaults={"name": spec["force_name"]})
for code, name in spec["lpas"]:
    LPA.objects.get_or_create(force=force, code=code, defaults={"name": name})
if spec.get("partner"):
    PartnerOrganisation.objects.get_or_create(
        force=force, name=spec["partner"][0], defaults={"email": spec["partner"][1]}
    )
keys = {}
for username, role in spec["users"]:
    user = User.objects.create_user(
        username=username, password=spec["password"], role=role, force=force,
        email=username + "@force.example",
    )
    keys[username] = TOTPDevice.objects.create(user=user, name="Authenticator app",
                                               confirmed=True).key
print(json.dumps(keys))
"""


def seed(
    python: Path,
    env: dict[str, str],
    cwd: Path,
    *,
    force: str,
    users: list[tuple],
    password: str,
    lpas: list[tuple[str, str]],
    partner: tuple[str, str] | None = None,
) -> dict[str, str]:
    """A force, its LPAs and users (each with a confirmed TOTP device); their TOTP keys."""
    import json

    spec = {
        "force": force,
        "force_name": f"{force} Police",
        "lpas": lpas,
        "users": users,
        "password": password,
        "partner": partner,
    }
    out = run(
        [str(python), "-m", "paramount.casework.manage", "shell", "-c", SEED],
        env,
        cwd=cwd,
        input=json.dumps(spec),
    )
    return json.loads(out.strip().splitlines()[-1])


NGINX = """
daemon off;
master_process off;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    # As docs/deploy.md: the path only, never $request (with its query) or the referrer.
    log_format paramount '$remote_addr [$time_local] "$request_method $uri" $status '
                         '$body_bytes_sent $request_time';
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name {host};
        ssl_certificate {root}/cert.pem;
        ssl_certificate_key {root}/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        access_log {root}/nginx-access.log paramount;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_redirect off;
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).is_file()), None
    )


@dataclass
class Nginx:
    """nginx terminating TLS (a self-signed certificate for HOST and 127.0.0.1) in front of
    gunicorn, configured as docs/deploy.md says; `context` trusts that certificate only."""

    root: Path
    upstream: int
    port: int = field(default_factory=pg.free_port)
    process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        self.root.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                f"/CN={HOST}",
                "-addext",
                f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
                "-keyout",
                str(self.root / "key.pem"),
                "-out",
                str(self.root / "cert.pem"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        conf = self.root / "nginx.conf"
        conf.write_text(
            NGINX.format(root=self.root, port=self.port, host=HOST, upstream=self.upstream)
        )
        self.process = subprocess.Popen(
            [nginx_binary(), "-c", str(conf), "-p", str(self.root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read()[-2000:]}")
            try:
                status, _, _ = Browser(self.port, tls=self.context()).get("/health/")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("nginx did not answer")

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.root / "cert.pem"))

    @property
    def access_log(self) -> Path:
        return self.root / "nginx-access.log"

    def stop(self) -> None:
        stop_process(self.process)
