"""Load on casework as production runs it: 50 signed-in clients on gunicorn and PostgreSQL.

    .venv/bin/python benchmarks/casework_load.py --cases 2000 --clients 50 --seconds 60

What it does, all on loopback: starts a throwaway PostgreSQL cluster
(tests/casework/casework_pg.py) with the two roles of docs/deploy.md, migrates as the owner,
grants the application role, collects the static files; imports a synthetic run of `--cases`
households (1 to 3 children each, fictional) and walks them through the real workflow
services (the demo's funnel: checked, allocated, contacted, visited, referred); starts
gunicorn (`--workers`, production settings: PARAMOUNT_SECURE, a real key, DEBUG off) as the
application role; signs in `--clients` users (supervisors, analysts, checkers), each with its
own session, password and TOTP; then each client loops, for `--seconds` or until
`--max-requests` in all: the case list (a random page of the first few), think time, a case
page (a random case), think time. Think time is uniform around `--think` seconds.

Reported: p50/p95/p99 and max of the case list and the case page (client-side, whole
response read), errors (any status but 200, any exception), requests per second, gunicorn's
resident memory (master and workers, the largest sample). With `--profile`, the SQL each
page runs (count and time, the slowest statements) from Django's query capture, in a
separate process against the same database.

The client runs on the same machine as the server, so on a small machine its own CPU is part
of the latency: the figures are pessimistic.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "casework"))

import casework_pg as pg  # noqa: E402
from casework_prod import (  # noqa: E402
    Browser,
    Gunicorn,
    create_database,
    production_env,
    run,
    seed,
)

PASSWORD = "a-long-benchmark-password-7"
FORENAMES = ["Tia", "Sam", "Ava", "Noah", "Mia", "Leo", "Ruby", "Alfie", "Isla", "Jack"]
SURNAMES = [
    "Fictus",
    "Imago",
    "Nemo",
    "Quill",
    "Vantor",
    "Wexley",
    "Yarrow",
    "Zephyr",
    "Brindle",
    "Corvane",
    "Dunmore",
    "Elsworth",
]
LPAS = [
    ("N1", "Northtown"),
    ("S1", "Southtown"),
    ("E1", "Eastborough"),
    ("W1", "Westmere"),
    ("C1", "Central"),
    ("R1", "Riverside"),
]
ROLES = ("supervisor", "analyst", "checker")


def synthetic_rows(cases: int, seed_: int) -> list[dict[str, str]]:
    """`cases` households, each a prisoner's reception with 1 to 3 children (fictional)."""
    from casework_factories import child_row

    rng = random.Random(seed_)
    rows = []
    start = date(2025, 1, 1)
    for n in range(cases):
        surname = rng.choice(SURNAMES)
        lpa, town = rng.choice(LPAS)
        received = start + timedelta(days=rng.randrange(365))
        for k in range(rng.choice((1, 1, 2, 2, 3))):
            dob = date(2008, 1, 1) + timedelta(days=rng.randrange(17 * 365))
            rows.append(
                child_row(
                    child_ids=f"R{n:05d}{k}",
                    surname=surname,
                    forenames=rng.choice(FORENAMES),
                    dob=dob.isoformat(),
                    prisoner=f"A{n:04d}BC",
                    booking=f"B{n:05d}",
                    received=received.isoformat(),
                    address=f"{n} Imaginary Road, {town}",
                    postcode=f"{lpa} {n % 9}AA",
                    lpa=lpa,
                )
            )
    return rows


PROGRESS = """
from datetime import datetime, time, timedelta
from django.utils import timezone
from paramount.casework.models import Case
from paramount.casework.services.demo import progress_demo_cases
# The import opens every case now, and the demo's walk takes no step before its moment
# comes: open each case the day after its reception, as the daily run would have.
now = timezone.now()
for case in Case.objects.filter(force__code="BEN").prefetch_related("case_children__reception"):
    days = [cc.reception.reception_date for cc in case.case_children.all()
            if cc.reception.reception_date]
    if days:
        opened = timezone.make_aware(datetime.combine(min(days) + timedelta(days=1), time(9)))
        if opened < now:
            Case.objects.filter(pk=case.pk).update(opened_at=opened)
result = progress_demo_cases(force_code="BEN", seed=7, allow=True)
print(dict(result.stopped_at))
"""

PROFILE = """
import cProfile, io, json, pstats, statistics, sys, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from paramount.casework.models import User
spec = json.loads(sys.stdin.read())
user = User.objects.get(username=spec["user"])
client = Client(HTTP_HOST="casework.example")
client.force_login(user)
session = client.session  # verified, as after a TOTP sign-in
session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
session.save()
out = {}
for name, path in spec["pages"].items():
    assert client.get(path).status_code == 200, path
    times = []
    for _ in range(20):
        started = time.perf_counter()
        client.get(path)
        times.append(1000 * (time.perf_counter() - started))
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    # Read now: the next request's `request_started` empties the connection's query log.
    captured = list(ctx.captured_queries)
    queries = sorted(captured, key=lambda q: -float(q["time"]))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(30):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    def top(key, n):
        rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][key])[:n]
        return [(round(1000 * v[key] / 30, 2), f"{k[0].split('site-packages/')[-1]}:{k[1]}:{k[2]}")
                for k, v in rows]
    out[name] = {"ms": round(statistics.median(times), 1),
                 "cprofile_cumulative_ms": top(3, 40), "cprofile_own_ms": top(2, 25),
                 "queries": len(captured),
                 "sql_ms": round(1000 * sum(float(q["time"]) for q in queries), 1),
                 "slowest": [(round(1000 * float(q["time"]), 2), q["sql"][:160])
                             for q in queries[:5]]}
print(json.dumps(out))
"""


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, ok: bool, why: str = "") -> None:
        with self.lock:
            self.requests += 1
            if ok:
                self.latencies[kind].append(seconds)
            else:
                self.errors[f"{kind}: {why}"] += 1


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def rss_mb(master_pid: int) -> float:
    """Resident memory of gunicorn's master and its workers, in MB."""
    pids = [master_pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_seconds(root_pid: int) -> float:
    """CPU time of a process and its children, live or reaped (utime, stime, cutime, cstime
    of the parent; utime and stime of each live child)."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid: int) -> list[str] | None:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None

    own = fields(root_pid)
    if own is None:
        return 0.0
    total = sum(int(v) for v in own[11:15])
    for stat in Path("/proc").glob("[0-9]*/stat"):
        child = fields(int(stat.parent.name))
        if child is not None and int(child[1]) == root_pid:
            total += int(child[11]) + int(child[12])
    return total / tick


def drive(
    browser: Browser,
    references: list[str],
    results: Results,
    *,
    deadline: float,
    cap: int,
    think: float,
    rng: random.Random,
) -> None:
    def timed(kind: str, path: str) -> None:
        started = time.perf_counter()
        try:
            status, _, body = browser.get(path)
            ok, why = status == 200 and bool(body), str(status)
        except Exception as error:
            ok, why = False, type(error).__name__
        results.record(kind, time.perf_counter() - started, ok, why)

    while time.monotonic() < deadline and results.requests < cap:
        page = rng.choice((1, 1, 1, 2, 3))
        timed("case list", "/cases/" if page == 1 else f"/cases/?page={page}")
        time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        if time.monotonic() >= deadline or results.requests >= cap:
            break
        timed("case page", f"/cases/{rng.choice(references)}/")
        time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def load_phase(
    browsers: list[Browser],
    references: list[str],
    server: Gunicorn,
    postmaster: int,
    args: argparse.Namespace,
) -> dict:
    """`len(browsers)` clients for `args.seconds` (or `args.max_requests` in all)."""
    results = Results()
    deadline = time.monotonic() + args.seconds
    samples: list[float] = []
    threads = [
        threading.Thread(
            target=drive,
            args=(b, references, results),
            kwargs=dict(
                deadline=deadline,
                cap=args.max_requests,
                think=args.think,
                rng=random.Random(f"{args.seed}:{len(browsers)}:{i}"),
            ),
            daemon=True,
        )
        for i, b in enumerate(browsers)
    ]
    cpu_before = (
        cpu_seconds(server.process.pid),
        cpu_seconds(postmaster),
        time.process_time(),
    )
    started = time.perf_counter()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        samples.append(rss_mb(server.process.pid))
        time.sleep(1)
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu = [
        after - before
        for before, after in zip(
            cpu_before,
            (cpu_seconds(server.process.pid), cpu_seconds(postmaster), time.process_time()),
            strict=True,
        )
    ]
    per_request = {
        name: round(1000 * seconds / max(1, results.requests), 1)
        for name, seconds in zip(("gunicorn", "postgres", "client"), cpu, strict=True)
    }
    return {
        "clients": len(browsers),
        "cpu_ms_per_request": per_request,
        "seconds": round(elapsed, 1),
        "requests": results.requests,
        "rps": round(results.requests / elapsed, 1),
        "errors": dict(results.errors),
        "server_rss_mb_max": round(max(samples or [0])),
        "pages": {
            kind: {
                "n": len(v),
                "p50_ms": round(1000 * statistics.median(v), 1),
                "p95_ms": round(1000 * percentile(v, 95), 1),
                "p99_ms": round(1000 * percentile(v, 99), 1),
                "max_ms": round(1000 * max(v), 1),
            }
            for kind, v in sorted(results.latencies.items())
        },
    }


def machine() -> str:
    ram = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            ram = int(line.split()[1]) / 1024 / 1024
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores (nproc), {ram:.1f} GB RAM, {cpu}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument(
        "--clients",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[50],
        help="Signed-in clients; a comma-separated list runs one phase per number (10,25,50).",
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="Leave every case new (skip walking them through the workflow).",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="Also count and time each page's SQL (Django's query capture).",
    )
    parser.add_argument("--json", type=Path, default=None, help="Write the results here too.")
    args = parser.parse_args()

    python = Path(sys.executable)
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="paramount-load-") as tmp:
        root = Path(tmp)
        work = root / "work"
        work.mkdir()
        # The driver itself uses Django only for the test factories and the TOTP arithmetic.
        os.environ.update(
            PARAMOUNT_DATA_DIR=str(root / "driver"),
            PARAMOUNT_SECURE="0",
            SECRET_KEY="driver-only",
            DATABASE_URL="",
        )
        from paramount.casework.bootstrap import setup_django

        setup_django()
        cluster = pg.start_cluster()
        server = None
        try:
            db = create_database(cluster, "bench")
            owner = production_env(db.url(db.owner), root)
            app = production_env(
                db.url(db.app), root, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
            )
            manage = [str(python), "-m", "paramount.casework.manage"]
            started = time.perf_counter()
            run([*manage, "migrate", "--noinput"], owner, cwd=work)
            run([*manage, "casework_grants", db.app], owner, cwd=work)
            run([*manage, "collectstatic", "--noinput"], owner, cwd=work)
            timings["migrate, grants, collectstatic"] = time.perf_counter() - started

            bench_users = [
                (f"bench{n:02d}", ROLES[n % len(ROLES)]) for n in range(max(args.clients))
            ]
            walkers = [
                ("checker", "checker"),
                ("supervisor", "supervisor"),
                ("champion", "champion"),
                ("champion2", "champion"),
            ]
            keys = seed(
                python,
                app,
                work,
                force="BEN",
                users=bench_users + walkers,
                password=PASSWORD,
                lpas=LPAS,
                partner=("Bench Charity", "referrals@charity.example"),
            )

            from casework_factories import write_run

            write_run(
                root / "run",
                synthetic_rows(args.cases, args.seed),
                window=(date(2025, 1, 1), date(2025, 12, 31)),
            )
            started = time.perf_counter()
            run([*manage, "casework_import", str(root / "run"), "--force", "BEN"], app, cwd=work)
            timings["import"] = time.perf_counter() - started
            if not args.no_progress:
                started = time.perf_counter()
                try:
                    print(
                        run([*manage, "shell", "-c", PROGRESS], app, cwd=work).strip()[-300:],
                        file=sys.stderr,
                    )
                except AssertionError as error:
                    print(f"(cases left new: the demo walk failed: {error})", file=sys.stderr)
                timings["workflow walk"] = time.perf_counter() - started

            import psycopg

            with psycopg.connect(db.url(db.owner)) as conn:
                references = [r for (r,) in conn.execute("SELECT reference FROM casework_case")]
                counts = conn.execute(
                    "SELECT (SELECT count(*) FROM casework_case),"
                    " (SELECT count(*) FROM casework_child),"
                    " (SELECT count(*) FROM casework_caseevent)"
                ).fetchone()

            postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
            server = Gunicorn(python, app, work, workers=args.workers).start()
            started = time.perf_counter()
            browsers = []
            for username, _ in bench_users:
                browser = Browser(server.port)
                browser.sign_in(username, PASSWORD, keys[username])
                browsers.append(browser)
            timings["sign-ins"] = time.perf_counter() - started
            # One client alone, no think time: what a request costs when nothing queues.
            alone = Results()
            lone = random.Random(args.seed)
            for _ in range(20):
                for kind, path in (
                    ("case list", "/cases/"),
                    ("case page", f"/cases/{lone.choice(references)}/"),
                ):
                    t0 = time.perf_counter()
                    status, _, _ = browsers[0].get(path)
                    alone.record(kind, time.perf_counter() - t0, status == 200, str(status))

            phases = [
                load_phase(browsers[:n], references, server, postmaster, args) for n in args.clients
            ]

            profile = None
            if args.profile:
                spec = {
                    "user": "bench00",
                    "pages": {"case list": "/cases/", "case page": f"/cases/{references[0]}/"},
                }
                # The test client speaks plain HTTP; the second factor stays required.
                profile_env = {**app, "PARAMOUNT_SECURE": "0"}
                profile = json.loads(
                    run(
                        [*manage, "shell", "-c", PROFILE],
                        profile_env,
                        cwd=work,
                        input=json.dumps(spec),
                    ).splitlines()[-1]
                )
        finally:
            if server is not None:
                server.stop()
            cluster.stop()

    report = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "command": "python benchmarks/casework_load.py " + " ".join(sys.argv[1:]),
        "data": {"cases": counts[0], "children": counts[1], "case events": counts[2]},
        "workers": args.workers,
        "think_s": args.think,
        "phases": phases,
        "one_client_p50_ms": {
            kind: round(1000 * statistics.median(v), 1)
            for kind, v in sorted(alone.latencies.items())
        },
        "setup_seconds": {k: round(v, 1) for k, v in timings.items()},
        "profile": profile,
    }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    print(markdown(report))


def markdown(r: dict) -> str:
    lines = [
        f"Date {r['date']}; machine: {r['machine']}.",
        f"Command: `{r['command']}`.",
        f"Data: {r['data']['cases']} cases, {r['data']['children']} children, "
        f"{r['data']['case events']} case events. gunicorn {r['workers']} workers; think time "
        f"{r['think_s']} s (uniform, half to one and a half times).",
        "One client alone, sequential, no think time (p50 ms): "
        + ", ".join(f"{k} {v}" for k, v in r["one_client_p50_ms"].items())
        + f". Setup (s): {r['setup_seconds']}.",
        "",
        "| clients | page | requests | p50 ms | p95 ms | p99 ms | max ms | requests/s | errors "
        "| gunicorn RSS MB | CPU ms a request: gunicorn, postgres, client |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for phase in r["phases"]:
        for kind, p in phase["pages"].items():
            lines.append(
                f"| {phase['clients']} | {kind} | {p['n']} | {p['p50_ms']} | {p['p95_ms']} | "
                f"{p['p99_ms']} | {p['max_ms']} | {phase['rps']} | "
                f"{sum(phase['errors'].values())} | {phase['server_rss_mb_max']} | "
                + ", ".join(str(v) for v in phase["cpu_ms_per_request"].values())
                + " |"
            )
    if r["profile"]:
        lines += [
            "",
            "| page | in-process ms (p50 of 20) | SQL queries | SQL ms |",
            "|---|---:|---:|---:|",
        ]
        for kind, p in r["profile"].items():
            lines.append(f"| {kind} | {p['ms']} | {p['queries']} | {p['sql_ms']} |")
        for kind, p in r["profile"].items():
            lines.append(f"\nSlowest SQL, {kind}:")
            lines += [f"- {ms} ms: `{sql}`" for ms, sql in p["slowest"]]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
