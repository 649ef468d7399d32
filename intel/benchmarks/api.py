"""The API under a fixed load: gunicorn (2 workers) on PostgreSQL, p50/p95/p99, errors.

Setup (not timed): reports are loaded as for `benchmark pages` (default
1,000,000; `--no-load` reuses them); one of the synthetic authors (about
2,000 reports of their own at 1,000,000) becomes an active member with an API
token. Then gunicorn serves the project with `--workers` workers (default 2)
of `--threads` threads each (default 1: gunicorn's sync worker, as the
Docker image runs it; more gives the `gthread` worker) on a free 127.0.0.1
port with `DJANGO_DEBUG=0`, in a process of its own, against the same
database. The sync worker is the default because a request here is mostly
CPU: threads of one process take turns on the interpreter's lock, and each
request costs more CPU the more threads share it (docs/benchmarks.md).

The load tool is an open-loop, fixed-rate HTTP client (asyncio, in this
process, outside the server): request *i* is sent at *t0 + i / rate* whatever
happened to earlier ones, each over a fresh connection (as a sync worker
closes every connection after its response), and its latency is
counted from that scheduled moment to the last byte of the response, so a
server falling behind shows in the figures instead of slowing the client
down (no coordinated omission). Errors are non-2xx answers, failed
connections and answers slower than `--timeout`.

Beside the latencies, each endpoint's `server_cpu_ms_per_request`: the CPU
gunicorn and its workers used for its requests (and the backlog they left),
read from /proc, so None off Linux. It is steadier than latency on a shared
machine and is what a change to our code moves; PostgreSQL's share is not in it.

Measured for `--seconds` each (default 30, i.e. 3,000 requests at 100 req/s):
`/healthz` (the peer: the floor of a request through gunicorn and this
client on this machine at this moment), the member's report list
`/api/reports/` (first page) and report detail `/api/reports/<id>/` (a random
report of theirs per request). The target is a p99 under 100 ms and no error
on both API endpoints (`target_met`).

The API's per-user throttle is raised for the server process (a throttle
answering 429 would measure the throttle, not the API), and every request
carries `X-Forwarded-Proto: https` as the TLS-terminating proxy in front of
production adds it; nothing else differs from production settings. Safety
as for `benchmark pages`: a throwaway database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts import roles
from accounts.models import Membership, User
from accounts.services import api_token_create
from intel.benchmarks import pages
from intel.digests import core as digest_core
from intel.models import Contribution, Kind

TARGET_P99_MS = 100.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reports", type=int, default=1_000_000, help="Synthetic accepted reports to load."
    )
    parser.add_argument("--weeks", type=int, default=20, help="Weeks the reports span.")
    parser.add_argument("--seed", type=int, default=6, help="Random seed of the synthetic data.")
    parser.add_argument("--rate", type=float, default=100.0, help="Requests per second.")
    parser.add_argument("--seconds", type=float, default=30.0, help="Duration per endpoint.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="Threads per worker: 1 runs the sync worker, more the gthread worker.",
    )
    parser.add_argument(
        "--timeout", type=float, default=5.0, help="Seconds after which a request is an error."
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="Load even though the database already holds contributions (never on real data).",
    )
    parser.add_argument(
        "--no-load", action="store_true", help="Load nothing; use the reports already there."
    )


# --- The fixed-rate client -----------------------------------------------------------------


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    late_starts: int = 0  # requests the client itself sent more than 10 ms late

    def count(self, status: str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


async def _request(host: str, port: int, path: str, token: str, timeout: float) -> str:
    """One GET over a fresh connection; returns the status code (or an error name)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n"
            f"Authorization: Token {token}\r\nX-Forwarded-Proto: https\r\n"
            f"Connection: close\r\n\r\n"
        )
        writer.write(request.encode())
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    status_line = response.split(b"\r\n", 1)[0].split()
    return status_line[1].decode() if len(status_line) > 1 else "no-response"


async def _fixed_rate(
    *, host: str, port: int, paths: list[str], token: str, rate: float, timeout: float
) -> LoadResult:
    result = LoadResult()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def one(index: int, path: str) -> None:
        scheduled = start + index / rate
        await asyncio.sleep(max(0.0, scheduled - loop.time()))
        if loop.time() - scheduled > 0.01:
            result.late_starts += 1
        try:
            status = await _request(host, port, path, token, timeout)
        except (OSError, TimeoutError) as exc:
            status = type(exc).__name__
        finished = loop.time()
        result.latencies.append(finished - scheduled)
        result.count(status)
        if not status.startswith("2") or finished - scheduled > timeout:
            result.errors += 1

    await asyncio.gather(*(one(index, path) for index, path in enumerate(paths)))
    return result


def run_load(*, port: int, paths: list[str], token: str, rate: float, timeout: float) -> LoadResult:
    """The fixed-rate load, on an event loop of its own thread: the calling thread may
    already run one (a caller inside an async framework, or a browser driver)."""
    outcome: dict[str, Any] = {}

    def drive() -> None:
        try:
            outcome["result"] = asyncio.run(
                _fixed_rate(
                    host="127.0.0.1",
                    port=port,
                    paths=paths,
                    token=token,
                    rate=rate,
                    timeout=timeout,
                )
            )
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=drive, name="api-load")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


# --- The server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    """The database this process uses (under the test runner, its test database)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{quote(db['NAME'], safe='')}"
    )


def _answers(port: int, timeout: float) -> bool:
    probe = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(probe, timeout=timeout):  # noqa: S310 - our server, 127.0.0.1
            return True
    except OSError:
        return False


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float | None:
    """CPU seconds gunicorn and its workers have used so far (Linux's /proc), else None.

    A steadier measure of our own cost than latency on a shared machine: the
    time other processes take from us does not count in it.
    """
    proc = Path("/proc")
    if not (proc / str(server.pid) / "stat").exists():
        return None
    ticks = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # After "pid (name)": state, ppid, … then utime and stime, the 12th and 13th.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        if server.pid in (int(entry.name), int(fields[1])):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def drain(port: int, *, within: float = 120.0) -> float:
    """Wait until the server answers a lone request within a second again.

    Requests the client gave up on are still queued at the server; the next
    endpoint's measurement must not pay for them. Returns the seconds waited.
    """
    start = time.monotonic()
    while time.monotonic() - start < within and not _answers(port, 1.0):
        time.sleep(0.5)
    return time.monotonic() - start


def start_server(*, workers: int, port: int, threads: int = 1) -> subprocess.Popen[bytes]:
    """gunicorn serving the project with production settings (DEBUG off), on 127.0.0.1.

    With `threads` above 1 each worker is gunicorn's `gthread` worker: while one
    request waits on PostgreSQL, another is served in the same process.
    """
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_USER": "1000000/min",
        "DATABASE_URL": _database_url(),
    }
    command = [
        sys.executable, "-m", "gunicorn", "community.wsgi:application",
        "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning", "--timeout", "60", "--graceful-timeout", "5",
    ]  # fmt: skip
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    server = subprocess.Popen(command, env=env, cwd=Path(settings.BASE_DIR))  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError("gunicorn exited before it answered; see its output above.")
        if _answers(port, 2.0):
            return server
        time.sleep(0.3)
    server.terminate()
    raise CommandError("gunicorn did not answer /healthz within 60 s.")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn: gracefully, then for good (threads may still hold abandoned requests)."""
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


# --- Data ----------------------------------------------------------------------------------


def _member_with_reports() -> tuple[User, list[int]]:
    """The synthetic author with the most reports, made an active member."""
    author_id = (
        Contribution.objects.filter(kind=Kind.REPORT, author__email__endswith="@bench.invalid")
        .values_list("author_id", flat=True)
        .order_by("author_id")
        .first()
    )
    if author_id is None:
        raise CommandError("No synthetic reports in the database to read through the API.")
    user = User.objects.get(pk=author_id)
    Membership.objects.get_or_create(
        user=user,
        defaults={"organisation": "Benchmark members", "country": "JP", "affiliation": "research"},
    )
    user.groups.add(Group.objects.get(name=roles.CONTRIBUTORS))
    ids = list(
        Contribution.objects.filter(author=user, kind=Kind.REPORT).values_list("pk", flat=True)
    )
    return user, ids


def _figures(result: LoadResult, requests: int) -> dict[str, Any]:
    return {
        **pages.latency_figures(result.latencies),
        "requests": requests,
        "errors": result.errors,
        "statuses": dict(sorted(result.statuses.items())),
        "late_starts": result.late_starts,
    }


def run(*, stdout: TextIO, options: dict[str, Any]) -> dict[str, Any]:
    if connection.vendor != "postgresql":
        raise CommandError("The API benchmark runs gunicorn against PostgreSQL: set DATABASE_URL.")
    rate, seconds = float(options["rate"]), float(options["seconds"])
    threads = int(options["threads"])
    if rate <= 0 or seconds <= 0 or int(options["workers"]) < 1 or threads < 1:
        raise CommandError("--rate, --seconds, --workers and --threads must be positive.")
    week = digest_core.last_full_week(timezone.now())
    pages._seed({**options, "queue": 0}, week, stdout)
    pages.digests_bench._analyze(stdout)
    user, report_ids = _member_with_reports()
    _token, key = api_token_create(user=user)
    requests = max(1, int(rate * seconds))
    rng = random.Random(options["seed"])  # noqa: S311 - which report to read, not a secret
    endpoints = {
        "healthz": ["/healthz"] * requests,
        "report_list": ["/api/reports/"] * requests,
        "report_detail": [f"/api/reports/{rng.choice(report_ids)}/" for _ in range(requests)],
    }
    port = _free_port()
    stdout.write(
        f"{Contribution.objects.count():,} contributions stored; the member reads "
        f"{len(report_ids):,} reports of their own. gunicorn, {options['workers']} workers "
        f"× {threads} thread(s), "
        f"port {port}; {rate:g} req/s for {seconds:g} s per endpoint."
    )
    server = start_server(workers=int(options["workers"]), port=port, threads=threads)
    results: dict[str, dict[str, Any]] = {}
    try:
        # Warm-up: every worker imports, connects and fills its caches before the clock runs.
        run_load(
            port=port,
            paths=[endpoints["report_list"][0], endpoints["report_detail"][0]] * 10,
            token=key,
            rate=20,
            timeout=float(options["timeout"]),
        )
        drain(port)
        for name, paths in endpoints.items():
            cpu_before = server_cpu_seconds(server)
            result = run_load(
                port=port, paths=paths, token=key, rate=rate, timeout=float(options["timeout"])
            )
            results[name] = figures = _figures(result, len(paths))
            # The CPU of this endpoint includes the backlog it left.
            waited = drain(port)
            cpu_after = server_cpu_seconds(server)
            cpu_ms = None
            if cpu_before is not None and cpu_after is not None:
                cpu_ms = round((cpu_after - cpu_before) * 1000 / len(paths), 2)
            figures["server_cpu_ms_per_request"] = cpu_ms
            stdout.write(
                f"  {name:<14} p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms"
                f"  p99 {figures['p99_ms']:7.1f} ms  errors {figures['errors']}"
                f"  statuses {figures['statuses']}  server CPU {cpu_ms} ms a request"
            )
            if waited > 1:
                stdout.write(f"  (then waited {waited:.0f} s for the server to drain its queue)")
    finally:
        stop_server(server)
    measured = {name: figures for name, figures in results.items() if name != "healthz"}
    worst = max(figures["p99_ms"] for figures in measured.values())
    errors = sum(figures["errors"] for figures in measured.values())
    return {
        "reports": Contribution.objects.count(),
        "member_reports": len(report_ids),
        "database": connection.vendor,
        "gunicorn_workers": int(options["workers"]),
        "gunicorn_threads": threads,
        "rate_per_s": rate,
        "seconds_per_endpoint": seconds,
        "endpoints": measured,
        "worst_p99_ms": worst,
        "errors": errors,
        "peer_healthz": results["healthz"],
        "target_p99_ms": TARGET_P99_MS,
        "target_met": errors == 0 and worst < TARGET_P99_MS,
    }
