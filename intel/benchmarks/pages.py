"""Pages under load: server time of the pages analysts live on, over N stored reports.

Setup (not timed): the digests benchmark's loader writes `--reports`
synthetic accepted reports (default 1,000,000, with COPY on PostgreSQL; see
`benchmark digests --help`), the newest of them are put back into review
(submitted) until `--queue` wait there, the last full week's digest of one
sector is built, and a benchmark analyst (`pages-analyst@bench.invalid`, TOTP
enrolled) is signed in through a test client with the second factor
recorded, as allauth records it.

Timed: `--requests` GETs (default 200) of each page through Django's test
client, which runs the whole middleware stack, view, templates and queries in
this process — the server's time without the network: the sector dashboard,
the review queue, search in English and in Japanese (through its URL only,
whatever the search implementation) and the digest page. Each page's
p50/p95/p99 in milliseconds and its query count are printed. The peer is
`/healthz` measured the same way in the same run: the floor of a request
through this stack on this machine at this moment. The target is a p95 under
200 ms on every page (`target_met`), every response a 200.

Safety: as for the digests benchmark, data is loaded only into a database
without contributions, or with `--yes`; `--no-load` reuses what an earlier
run loaded. The rows stay (a throwaway database):

    createdb -h 127.0.0.1 -U postgres cip_pages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cip_pages python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cip_pages \\
        python manage.py benchmark pages --reports 1000000
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from typing import Any, TextIO
from urllib.parse import urlencode

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import User
from intel.benchmarks import digests as digests_bench
from intel.digests import core as digest_core
from intel.digests.services import digests_build_week
from intel.models import Contribution, Digest, Status

TARGET_P95_MS = 200.0
DASHBOARD_SECTOR = "semiconductors"
ANALYST_EMAIL = f"pages-analyst@{digests_bench.BENCH_DOMAIN}"
WARM_UP = 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reports", type=int, default=1_000_000, help="Synthetic accepted reports to load."
    )
    parser.add_argument("--weeks", type=int, default=20, help="Weeks the reports span.")
    parser.add_argument("--queue", type=int, default=500, help="Reports put back into review.")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per page.")
    parser.add_argument("--seed", type=int, default=6, help="Random seed of the synthetic data.")
    parser.add_argument(
        "--yes",
        action="store_true",
        help="Load even though the database already holds contributions (never on real data).",
    )
    parser.add_argument(
        "--no-load", action="store_true", help="Load nothing; use the reports already there."
    )


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of `values` (share in 0–1)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def latency_figures(seconds: Sequence[float]) -> dict[str, float]:
    return {
        f"p{label}_ms": round(percentile(seconds, share) * 1000, 1)
        for label, share in (("50", 0.5), ("95", 0.95), ("99", 0.99))
    }


def bench_analyst() -> User:
    """The benchmark's analyst, with TOTP enrolled (analyst pages require the second factor)."""
    user, _created = User.objects.get_or_create(
        email=ANALYST_EMAIL, defaults={"password": "!benchmark"}
    )
    user.groups.add(Group.objects.get(name=roles.ANALYSTS))
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user


def signed_in_client(user: User) -> Client:
    """A client signed in as allauth records it: the password step, then the TOTP step."""
    client = Client()
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", email=user.email)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
    request.session.save()
    return client


def _seed(options: dict[str, Any], week: Any, stdout: TextIO) -> None:
    count = int(options["reports"])
    existing = Contribution.objects.count()
    if options["no_load"]:
        if not existing:
            raise CommandError("--no-load: the database holds no contributions.")
        stdout.write(f"Using the {existing:,} contributions already in the database.")
        return
    if existing and not options["yes"]:
        raise CommandError(
            f"The configured database already holds {existing:,} contributions. The benchmark "
            f"adds {count:,} synthetic ones and keeps them: run it against a throwaway database "
            f"(see `manage.py benchmark pages --help`), or pass --yes if this database is one."
        )
    if connection.vendor == "sqlite" and count > digests_bench.SQLITE_LIMIT:
        raise CommandError(
            f"SQLite is the embedded demo database: at most {digests_bench.SQLITE_LIMIT:,} "
            f"reports; point DATABASE_URL at a throwaway PostgreSQL database."
        )
    stdout.write(f"Loading {count:,} synthetic accepted reports …")
    digests_bench._load(
        count=count, weeks=int(options["weeks"]), week=week, seed=options["seed"], stdout=stdout
    )


def _fill_queue(size: int) -> int:
    """Newest reports back in review until `size` wait there, so the queue has work."""
    waiting = [Status.SUBMITTED, Status.IN_REVIEW]
    missing = size - Contribution.objects.filter(status__in=waiting).count()
    if missing > 0:
        ids = list(
            Contribution.objects.filter(status=Status.ACCEPTED)
            .order_by("-pk")
            .values_list("pk", flat=True)[:missing]
        )
        Contribution.objects.filter(pk__in=ids).update(
            status=Status.SUBMITTED, accepted_at=None, decided_at=None
        )
    return Contribution.objects.filter(status__in=waiting).count()


def _measure(client: Client, url: str, requests: int) -> tuple[list[float], int, set[int]]:
    statuses = set()
    for _ in range(WARM_UP):
        statuses.add(client.get(url).status_code)
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        statuses.add(client.get(url).status_code)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        statuses.add(response.status_code)
    return times, queries, statuses


def run(*, stdout: TextIO, options: dict[str, Any]) -> dict[str, Any]:
    requests = int(options["requests"])
    if requests < 1 or int(options["reports"]) < 1:
        raise CommandError("--requests and --reports must be at least 1.")
    week = digest_core.last_full_week(timezone.now())
    _seed(options, week, stdout)
    queued = _fill_queue(int(options["queue"]))
    digests_bench._analyze(stdout)
    if not Digest.objects.filter(week_start=week, sector=DASHBOARD_SECTOR).exists():
        digests_build_week(week_start=week, sectors=[DASHBOARD_SECTOR])
    digest = Digest.objects.filter(week_start=week, sector=DASHBOARD_SECTOR).latest("version")
    total = Contribution.objects.count()
    client = signed_in_client(bench_analyst())
    search = reverse("intel:search")
    pages = {
        "healthz": reverse("healthz"),
        "sector_dashboard": reverse("intel:sector_dashboard", args=[DASHBOARD_SECTOR]),
        "review_queue": reverse("intel:review_queue"),
        "search_en": f"{search}?{urlencode({'q': 'export controls'})}",
        "search_ja": f"{search}?{urlencode({'q': '輸出規制'})}",
        "digest": reverse("intel:digest_detail", args=[digest.pk]),
    }
    stdout.write(
        f"{total:,} contributions stored, {queued:,} in review; {requests} requests per page "
        f"as an analyst through the test client"
    )
    results: dict[str, dict[str, Any]] = {}
    # DEBUG off: no query log growing with every request; ALLOWED_HOSTS for the client's host.
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for name, url in pages.items():
            times, queries, statuses = _measure(client, url, requests)
            figures = {**latency_figures(times), "queries": queries, "statuses": sorted(statuses)}
            results[name] = figures
            stdout.write(
                f"  {name:<17} p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms"
                f"  p99 {figures['p99_ms']:7.1f} ms  {queries} queries  status {sorted(statuses)}"
            )
    measured = {name: figures for name, figures in results.items() if name != "healthz"}
    worst = max(figures["p95_ms"] for figures in measured.values())
    all_ok = all(figures["statuses"] == [200] for figures in results.values())
    return {
        "reports": total,
        "in_review": queued,
        "requests_per_page": requests,
        "database": connection.vendor,
        "pages": measured,
        "worst_p95_ms": worst,
        "peer_healthz": results["healthz"],
        "target_p95_ms": TARGET_P95_MS,
        "target_met": all_ok and worst < TARGET_P95_MS,
    }
