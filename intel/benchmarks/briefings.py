"""Weekly briefings: N subscribers' briefings to a local SMTP server through the real send path.

Setup (not timed): a published digest for each of the 14 sectors, with items
at every handling level, for a benchmark week far in the past (2000-01-03),
and N active subscriptions (`bench-<i>@bench.invalid`): one to three sectors
each, 80 % English and 20 % Japanese, 2 % linked to an account with a granted
TLP:AMBER clearance, so the renderings vary as in real use.

Timed: `briefing_week_start` (the fan-out: the week row, one delivery row per
subscriber, the chunk plan) and then `briefing_chunk_send` for every chunk —
the functions the Celery tasks call — each chunk over one SMTP connection to
an aiosmtpd server started in this process on a free 127.0.0.1 port, which
counts connections and messages. The chunks are sent by `--processes` forked
processes (default: one per CPU, as a prefork Celery worker runs them), or
with `--processes 1` one after the other in this process. `emails_per_s` is
messages accepted by the server per second of the whole timed part; `sent`
must equal N. The server shares this machine's cores (and, with
`--processes 1`, the sender's GIL), so the figure is a floor for workers
talking to a separate MTA.

Safety: the benchmark writes into the configured database and briefs every
active subscription in it, so it refuses to run when that database holds any
subscription it did not create (there is no override: use an empty
database). It deletes everything it created when it ends (`--keep` leaves
it), except the audit entry of the week's start, since the audit trail is
append-only. Emails only ever go to its own local server. For example:

    createdb -h 127.0.0.1 -U postgres cip_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cip_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cip_bench \\
        python manage.py benchmark briefings --subscribers 10000
"""

from __future__ import annotations

import argparse
import datetime
import logging
import multiprocessing
import os
import random
import resource
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, connections, reset_queries, transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from intel.briefings.services import briefing_chunk_send, briefing_week_start
from intel.digests.demo import item_facts
from intel.models import BriefingWeek, Delivery, Digest, DigestItem, Subscription
from intel.vocabulary import Sector

BENCH_WEEK = datetime.date(2000, 1, 3)  # a Monday no real digest will ever have
BENCH_DOMAIN = "bench.invalid"
ITEM_LEVELS = ["clear", "clear", "green", "green", "green", "amber", "amber", "amber+strict"]
CREATE_BATCH = 2000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--subscribers", type=int, default=10_000, help="Active subscriptions to brief."
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        help="Subscribers per chunk (default: BRIEFING_CHUNK_SIZE).",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="Processes sending chunks in parallel (1: in this process).",
    )
    parser.add_argument("--seed", type=int, default=7, help="Random seed of the synthetic data.")
    parser.add_argument(
        "--keep", action="store_true", help="Keep the benchmark's rows instead of deleting them."
    )


# --- A counting SMTP server --------------------------------------------------------------


class _Counter:
    def __init__(self) -> None:
        self.messages = 0
        self.connections = 0
        self.bytes = 0
        self.lock = threading.Lock()

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages += 1
            self.bytes += len(envelope.original_content or b"")
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- Data -------------------------------------------------------------------------------------


def _refuse_real_data(options: dict[str, Any]) -> None:
    if options["subscribers"] < 1:
        raise CommandError("--subscribers must be at least 1.")
    if Subscription.objects.exclude(email__endswith=f"@{BENCH_DOMAIN}").exists():
        raise CommandError(
            "This database holds briefing subscriptions, which the benchmark would brief too. "
            "Run it on an empty, throwaway database (migrated), as `benchmark briefings "
            "--help` shows."
        )
    if (
        Digest.objects.filter(week_start=BENCH_WEEK)
        .exclude(published_by__email__endswith=f"@{BENCH_DOMAIN}")
        .exists()
    ):
        raise CommandError(f"Digests of {BENCH_WEEK} exist that the benchmark did not create.")
    if Digest.objects.filter(correction_pending_briefing=True).exists():
        # Starting a week marks pending corrections as briefed: not the benchmark's to take.
        raise CommandError(
            "Digest corrections are waiting for a real briefing; use another database."
        )


def _cleanup(stdout: TextIO) -> None:
    with transaction.atomic():
        Delivery.objects.filter(week_start=BENCH_WEEK).delete()
        BriefingWeek.objects.filter(week_start=BENCH_WEEK).delete()
        Subscription.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").delete()
        digests = Digest.objects.filter(week_start=BENCH_WEEK).order_by("-version")
        DigestItem.objects.filter(digest__in=digests).delete()
        for digest in digests:
            digest.delete()
        User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").delete()
    stdout.write("removed the benchmark's rows\n")


def _create(options: dict[str, Any], stdout: TextIO) -> None:
    rng = random.Random(options["seed"])  # noqa: S311 - synthetic data, not secrets
    count = options["subscribers"]
    now = timezone.now()
    analyst = User.objects.create(email=f"analyst@{BENCH_DOMAIN}", password="!")  # noqa: S106
    for sector in Sector.values:
        digest = Digest.objects.create(
            sector=sector,
            week_start=BENCH_WEEK,
            status="published",
            published_at=now,
            published_by=analyst,
            summary=f"Benchmark summary for {sector}: **steady** week.",
            summary_tlp="clear",
            snapshot={"totals": {"clear": [3, 2, 2, 1, 1], "green": [5, 4, 4, 3, 2]}},
        )
        DigestItem.objects.bulk_create(
            DigestItem(
                digest=digest,
                key=f"r{position}",
                position=position,
                rank=position,
                score=90.0 - position,
                tlp=level,
                data=item_facts(
                    title=f"{Sector(sector).label}: development {position}",
                    tlp=level,
                    member_id=position,
                    kind="case-study" if position % 4 == 0 else "report",
                    signals=("export-control", "supply-disruption"),
                    countries=("JP", "CN"),
                    corroboration=1 + position % 3,
                ),
            )
            for position, level in enumerate(ITEM_LEVELS * 2, start=1)
        )
    linked = max(1, count // 50)
    users = User.objects.bulk_create(
        User(email=f"member-{index}@{BENCH_DOMAIN}", password="!")  # noqa: S106
        for index in range(linked)
    )
    sectors = Sector.values
    rows = []
    for index in range(count):
        user = users[index] if index < linked else None
        rows.append(
            Subscription(
                email=f"bench-{index}@{BENCH_DOMAIN}",
                user=user,
                sectors=rng.sample(sectors, rng.randint(1, 3)),
                language="ja" if rng.random() < 0.2 else "en",
                status="active",
                confirmed_at=now,
                granted_clearance="amber" if user is not None else "",
            )
        )
    for offset in range(0, count, CREATE_BATCH):
        Subscription.objects.bulk_create(rows[offset : offset + CREATE_BATCH])
    stdout.write(f"created 14 published digests and {count} subscriptions\n")


# --- Run ----------------------------------------------------------------------------------------

OUTCOME_KEYS = ("sent", "failed", "skipped", "deferred", "compositions")


def _send_chunk(chunk: list[int]) -> dict[str, int]:
    """One chunk through the real service (in this process or a forked one)."""
    outcome = briefing_chunk_send(week_start=BENCH_WEEK, delivery_ids=chunk)
    reset_queries()
    return {key: getattr(outcome, key) for key in OUTCOME_KEYS}


def _outcomes(chunks: list[list[int]], processes: int) -> Iterator[dict[str, int]]:
    if processes <= 1:
        for chunk in chunks:
            yield _send_chunk(chunk)
        return
    # Forked children open their own database connections; they must not share ours.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        yield from pool.imap_unordered(_send_chunk, chunks)


def run(*, stdout: TextIO, options: dict[str, Any]) -> dict[str, Any]:
    from aiosmtpd.controller import Controller

    _refuse_real_data(options)
    chunk_size = options["chunk_size"] or settings.BRIEFING_CHUNK_SIZE
    processes = max(1, options["processes"])
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        processes = 1  # other processes cannot see an in-memory database
    # The SMTP server's per-command log lines would cost more than the sending.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    _cleanup(stdout)
    counter = _Counter()
    port = _free_port()
    totals = dict.fromkeys(OUTCOME_KEYS, 0)
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    try:
        setup_start = time.perf_counter()
        _create(options, stdout)
        setup_s = time.perf_counter() - setup_start
        with override_settings(
            DEBUG=False,  # no query log growing with every statement
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            BRIEFING_CHUNK_SIZE=chunk_size,
        ):
            controller.start()
            start = time.perf_counter()
            plan = briefing_week_start(week_start=BENCH_WEEK)
            fanout_s = time.perf_counter() - start
            stdout.write(
                f"fan-out: {plan.subscribers} deliveries in {len(plan.chunks)} chunks "
                f"of up to {chunk_size} ({fanout_s:.2f} s); sending with {processes} "
                f"process(es)\n"
            )
            step = max(1, len(plan.chunks) // 10)
            for number, outcome in enumerate(_outcomes(plan.chunks, processes), start=1):
                for key in OUTCOME_KEYS:
                    totals[key] += outcome[key]
                if number % step == 0 or number == len(plan.chunks):
                    elapsed = time.perf_counter() - start
                    stdout.write(
                        f"  chunk {number}/{len(plan.chunks)}: {counter.messages} sent, "
                        f"{counter.messages / elapsed:.0f} emails/s\n"
                    )
            total_s = time.perf_counter() - start
    finally:
        controller.stop()
        if not options["keep"]:
            _cleanup(stdout)
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return {
        "subscribers": options["subscribers"],
        "sent": counter.messages,
        "failed": totals["failed"] + totals["deferred"],
        "chunks": len(plan.chunks),
        "chunk_size": chunk_size,
        "processes": processes,
        "smtp_connections": counter.connections,
        "renderings": totals["compositions"],
        "setup_s": round(setup_s, 2),
        "fanout_s": round(fanout_s, 2),
        "send_s": round(total_s - fanout_s, 2),
        "total_s": round(total_s, 2),
        "emails_per_s": round(counter.messages / total_s, 1),
        "mean_message_kb": round(counter.bytes / max(1, counter.messages) / 1024, 1),
        # The largest of this process and any sending process (Linux reports KiB).
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "database": connection.vendor,
    }
