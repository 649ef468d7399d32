"""Weekly briefings: N subscribers' briefings to a local SMTP server through the real send path.

Setup (not timed): a published digest for each of the 14 sectors, with items
at every handling level, for a benchmark week far in the past (2000-01-03),
and N active subscriptions (`bench-<i>@bench.invalid`): one to three sectors
each, 80 % English and 20 % Japanese, 2 % linked to an account with a granted
TLP:AMBER clearance, so the renderings vary as in real use.

The SMTP sink runs in processes of its own (`--sink-processes`, default one
per CPU): aiosmtpd servers sharing one 127.0.0.1 port through SO_REUSEPORT,
counting connections, messages and bytes in shared memory. Before our send
path is timed, the benchmark measures the sink's **bare limit**: a minimal
smtplib client pushing real briefings — a random sample of 200 subscribers',
encoded by the send path's own `Wire`, so the same bytes — to the same sink,
as many messages over as many connections (per chunk, as many parallel ones
as `sending.connections_for` gives the send path) and processes as our run
will use (`bare_limit_emails_per_s`; `bare_mean_message_kb` beside our
`mean_message_kb`).

Timed: `briefing_week_start` (the fan-out: the week row, one delivery row per
subscriber, the chunk plan) and then `briefing_chunk_send` for every chunk —
the functions the Celery tasks call — each chunk over its own SMTP connections.
The chunks are sent by `--processes` forked processes (default: one per CPU,
as a prefork Celery worker runs them), or with `--processes 1` one after the
other in this process. `emails_per_s` is messages accepted by the sink per
second of the whole timed part; `sent` and `deliveries_marked_sent` must
equal N. The target: at least 1,000 emails/s and 70 % of the bare limit
measured in the same run (`target_met`). Peak RSS is printed for this
process and for the largest sending process; run it at 10,000 and 100,000
subscribers to see that memory stays flat. The sink shares this machine's
cores with the senders and the database, so both figures are floors; the
CPU time per email of the sink (in each phase), of the bare client and of
our sending processes is printed beside them, to show where the time goes.
Before anything is timed, the tables earlier runs churned are vacuumed.

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
import smtplib
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
from intel.benchmarks.maintenance import vacuum_analyze
from intel.briefings import compose, selectors
from intel.briefings.services import briefing_chunk_send, briefing_week_start, sending
from intel.digests.demo import item_facts
from intel.models import BriefingWeek, Delivery, Digest, DigestItem, Subscription
from intel.vocabulary import Sector

BENCH_WEEK = datetime.date(2000, 1, 3)  # a Monday no real digest will ever have
BENCH_DOMAIN = "bench.invalid"
ITEM_LEVELS = ["clear", "clear", "green", "green", "green", "amber", "amber", "amber+strict"]
CREATE_BATCH = 2000
TARGET_RATE = 1000.0  # emails/s
TARGET_SHARE = 0.7  # of the sink's bare limit


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
    parser.add_argument(
        "--sink-processes",
        type=int,
        default=os.cpu_count() or 1,
        help="aiosmtpd processes of the SMTP sink, sharing one port.",
    )
    parser.add_argument("--seed", type=int, default=7, help="Random seed of the synthetic data.")
    parser.add_argument(
        "--keep", action="store_true", help="Keep the benchmark's rows instead of deleting them."
    )


# --- The SMTP sink: aiosmtpd in processes of its own ----------------------------------------

# Per sink process: connections, messages, bytes (shared memory the parent reads).
SINK_FIELDS = 3


class _Counter:
    """aiosmtpd handler counting into this sink process's slots of a shared array."""

    def __init__(self, slots: Any, base: int) -> None:
        self.slots = slots
        self.base = base

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.slots[self.base] += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.slots[self.base + 1] += 1
        self.slots[self.base + 2] += len(envelope.original_content or b"")
        return "250 OK"


def _sink_main(port: int, slots: Any, index: int, ready: Any) -> None:
    """One sink process: an aiosmtpd server sharing `port` with its siblings (SO_REUSEPORT)."""
    import asyncio

    from aiosmtpd.smtp import SMTP

    # Its per-command log lines would cost more than the receiving.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = _Counter(slots, index * SINK_FIELDS)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        await loop.create_server(
            lambda: SMTP(handler, hostname="sink.bench.invalid", ident="bench sink"),
            "127.0.0.1",
            port,
            reuse_port=True,
        )
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(serve())


class Sink:
    """`processes` aiosmtpd processes on one 127.0.0.1 port; the kernel spreads connections."""

    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("fork")
        self.port = _free_port()
        self.slots = context.Array("q", processes * SINK_FIELDS, lock=False)
        self.processes = []
        for index in range(processes):
            ready = context.Event()
            process = context.Process(
                target=_sink_main, args=(self.port, self.slots, index, ready), daemon=True
            )
            process.start()
            if not ready.wait(30):
                self.stop()
                raise CommandError("The benchmark's SMTP sink did not start.")
            self.processes.append(process)

    def totals(self) -> tuple[int, int, int]:
        """(connections, messages, bytes) over every sink process."""
        values = list(self.slots)
        return tuple(sum(values[field::SINK_FIELDS]) for field in range(SINK_FIELDS))  # type: ignore[return-value]

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the sink processes have used so far."""
        return sum(_process_cpu(process.pid) for process in self.processes if process.pid)

    def reset(self) -> None:
        for index in range(len(self.slots)):
            self.slots[index] = 0

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join(5)


def _process_cpu(pid: int) -> float:
    """CPU seconds of a live process from /proc (0 where there is none, as on macOS)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    batch: list[Subscription] = []
    # Written in batches as they are generated: 100,000 model instances at once would
    # be the benchmark's own memory peak, not the send path's.
    for index in range(count):
        user = users[index] if index < linked else None
        batch.append(
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
        if len(batch) == CREATE_BATCH or index == count - 1:
            Subscription.objects.bulk_create(batch)
            batch = []
    stdout.write(f"created 14 published digests and {count} subscriptions\n")


def _vacuum() -> None:
    """Clear what earlier runs left in the tables the send path reads and writes.

    Each run deletes its 10,000–100,000 deliveries and subscriptions; until
    autovacuum passes, the next run would insert, claim and mark through
    their dead rows and bloated indexes, and read freshly written rows whose
    visibility is not yet recorded. A production database's subscriptions
    were written long before the week's send, with autovacuum running: this
    is that state, reached before anything is timed.
    """
    vacuum_analyze([Subscription, Delivery, BriefingWeek])


# --- The sink's bare limit -----------------------------------------------------------------

# (from, recipients, bytes) of real briefings, cycled by the bare client; set before forking.
_samples: list[tuple[str, list[str], bytes]] = []
SAMPLES = 200


def _sample_messages() -> list[tuple[str, list[str], bytes]]:
    """Real briefings of a random sample of the subscribers: the bytes our send path sends."""
    digests = selectors.WeekDigests.load(BENCH_WEEK)
    subscriptions = list(
        Subscription.objects.filter(email__endswith=f"@{BENCH_DOMAIN}")
        .select_related("user")
        .order_by("?")[:SAMPLES]
    )
    clearances = selectors.subscription_clearances(subscriptions)
    whole: dict[tuple[str, str], compose.Fragments] = {}
    samples = []
    for subscription in subscriptions:
        sectors = selectors.ordered_sectors(subscription.sectors)
        key = (clearances[subscription.pk], subscription.language)
        if key not in whole:
            whole[key] = compose.fragments(
                digests.briefing(sectors=Sector.values, clearance=key[0], language=key[1])
            )
        rendering = sending.Rendering(whole[key].assemble(sectors))
        samples.append(
            rendering.wire().message(
                to=subscription.email,
                preferences_url=selectors.preferences_url(subscription),
                unsubscribe_url=selectors.unsubscribe_url(subscription),
            )
        )
    return samples


def _bare_connection(job: tuple[int, int, int]) -> float:
    """One chunk's worth for the bare client: `count` sample messages, nothing else, over as
    many parallel connections as our send path opens for a chunk of that size. Returns the
    CPU seconds this process used for it."""
    port, offset, count = job
    lanes = sending.connections_for(count)
    cpu_start = time.process_time()

    def lane(first: int) -> None:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.ehlo("bench.invalid")
            for number in range(offset + first, offset + count, lanes):
                sender, recipients, data = _samples[number % len(_samples)]
                client.sendmail(sender, recipients, data)

    threads = [threading.Thread(target=lane, args=(first,)) for first in range(lanes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.process_time() - cpu_start


def _bare_limit(
    *, port: int, messages: int, per_connection: int, processes: int
) -> tuple[float, float]:
    """Seconds for a minimal smtplib client to push `messages` over the same connections,
    and the CPU seconds the client used for it."""
    jobs = [
        (port, offset, min(per_connection, messages - offset))
        for offset in range(0, messages, per_connection)
    ]
    start = time.perf_counter()
    cpu = 0.0
    if processes <= 1:
        for job in jobs:
            cpu += _bare_connection(job)
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for seconds in pool.imap_unordered(_bare_connection, jobs):
                cpu += seconds
    return time.perf_counter() - start, cpu


# --- Run ----------------------------------------------------------------------------------------

OUTCOME_KEYS = ("sent", "failed", "skipped", "deferred", "compositions", "assembled")


def _send_chunk(chunk: list[int]) -> dict[str, Any]:
    """One chunk through the real service (in this process or a forked one)."""
    cpu_start = time.process_time()
    outcome = briefing_chunk_send(week_start=BENCH_WEEK, delivery_ids=chunk)
    reset_queries()
    figures: dict[str, Any] = {key: getattr(outcome, key) for key in OUTCOME_KEYS}
    figures["cpu_s"] = time.process_time() - cpu_start
    figures["rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return figures


def _outcomes(chunks: list[list[int]], processes: int) -> Iterator[dict[str, Any]]:
    if processes <= 1:
        for chunk in chunks:
            yield _send_chunk(chunk)
        return
    # Forked children open their own database connections; they must not share ours.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        yield from pool.imap_unordered(_send_chunk, chunks)


def run(*, stdout: TextIO, options: dict[str, Any]) -> dict[str, Any]:
    global _samples

    _refuse_real_data(options)
    chunk_size = options["chunk_size"] or settings.BRIEFING_CHUNK_SIZE
    processes = max(1, options["processes"])
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        processes = 1  # other processes cannot see an in-memory database
    count = options["subscribers"]
    _cleanup(stdout)
    totals = dict.fromkeys(OUTCOME_KEYS, 0)
    sender_rss_kb = 0
    # Forked before any other work, so the sink holds none of this process's memory. It
    # never touches the database; forked children leave through os._exit, which does not
    # close the database connection they inherited.
    sink = Sink(max(1, options["sink_processes"]))
    stdout.write(f"SMTP sink: {len(sink.processes)} aiosmtpd process(es) on port {sink.port}\n")
    try:
        setup_start = time.perf_counter()
        _create(options, stdout)
        _vacuum()
        _samples = _sample_messages()
        setup_s = time.perf_counter() - setup_start
        mean_bytes = sum(len(sample[2]) for sample in _samples) / len(_samples)
        if processes > 1:
            connections.close_all()  # as for the senders: children must not share ours
        sink_cpu_start = sink.cpu_seconds()
        bare_s, bare_cpu_s = _bare_limit(
            port=sink.port, messages=count, per_connection=chunk_size, processes=processes
        )
        bare_sink_cpu_s = sink.cpu_seconds() - sink_cpu_start
        bare_connections, bare_messages, bare_bytes = sink.totals()
        bare_rate = bare_messages / bare_s
        stdout.write(
            f"sink's bare limit: a minimal smtplib client sent {bare_messages} of "
            f"{len(_samples)} real briefings (mean {mean_bytes / 1024:.1f} KB) over "
            f"{bare_connections} connections in {processes} process(es): "
            f"{bare_rate:.0f} emails/s\n"
        )
        sink.reset()
        sender_cpu_s = 0.0
        sink_cpu_start = sink.cpu_seconds()
        with override_settings(
            DEBUG=False,  # no query log growing with every statement
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=sink.port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            BRIEFING_CHUNK_SIZE=chunk_size,
        ):
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
                sender_rss_kb = max(sender_rss_kb, outcome["rss_kb"])
                sender_cpu_s += outcome["cpu_s"]
                if number % step == 0 or number == len(plan.chunks):
                    elapsed = time.perf_counter() - start
                    messages = sink.totals()[1]
                    stdout.write(
                        f"  chunk {number}/{len(plan.chunks)}: {messages} sent, "
                        f"{messages / elapsed:.0f} emails/s\n"
                    )
            total_s = time.perf_counter() - start
        sink_cpu_s = sink.cpu_seconds() - sink_cpu_start
        smtp_connections, sent, received_bytes = sink.totals()
        deliveries_sent = Delivery.objects.filter(week_start=BENCH_WEEK, status="sent").count()
    finally:
        sink.stop()
        if not options["keep"]:
            _cleanup(stdout)
    rate = sent / total_s
    share = rate / bare_rate if bare_rate else 0.0
    stdout.write(
        f"ours: {sent} emails in {total_s:.2f} s = {rate:.0f} emails/s, "
        f"{share:.0%} of the sink's bare limit\n"
    )
    return {
        "subscribers": count,
        "sent": sent,
        "deliveries_marked_sent": deliveries_sent,
        "failed": totals["failed"] + totals["deferred"],
        "chunks": len(plan.chunks),
        "chunk_size": chunk_size,
        "processes": processes,
        "sink_processes": len(sink.processes),
        "smtp_connections": smtp_connections,
        "renderings": totals["compositions"],
        "assembled": totals["assembled"],
        "setup_s": round(setup_s, 2),
        "fanout_s": round(fanout_s, 2),
        "send_s": round(total_s - fanout_s, 2),
        "total_s": round(total_s, 2),
        "emails_per_s": round(rate, 1),
        "bare_limit_emails_per_s": round(bare_rate, 1),
        "share_of_bare_limit": round(share, 3),
        # Where the CPU went, per email: the sink in each phase, the bare client, our senders
        # (their chunks, SMTP threads included; not the database's or the fan-out's).
        "sink_cpu_ms_per_email": round(sink_cpu_s / max(1, sent) * 1000, 3),
        "bare_sink_cpu_ms_per_email": round(bare_sink_cpu_s / max(1, bare_messages) * 1000, 3),
        "bare_client_cpu_ms_per_email": round(bare_cpu_s / max(1, bare_messages) * 1000, 3),
        "sender_cpu_ms_per_email": round(sender_cpu_s / max(1, sent) * 1000, 3),
        "mean_message_kb": round(received_bytes / max(1, sent) / 1024, 1),
        # The bare client pushes the same kind of bytes: its mean size, for comparison.
        "bare_mean_message_kb": round(bare_bytes / max(1, bare_messages) / 1024, 1),
        # Linux reports KiB. This process (fan-out, planning) and the largest sender.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "sender_peak_rss_mb": round(sender_rss_kb / 1024, 1),
        "database": connection.vendor,
        "target_emails_per_s": TARGET_RATE,
        "target_share": TARGET_SHARE,
        "target_met": sent == count
        and deliveries_sent == count
        and rate >= TARGET_RATE
        and share >= TARGET_SHARE,
    }
