"""Real Celery workers: a repeated send and a worker killed mid-chunk still send each briefing once.

The kill tests start `celery -A community worker` processes against this
test's PostgreSQL database and Redis broker, and an SMTP server that holds
the second message of the chunk, so the first worker can be SIGKILLed while
it is sending. With `acks_late`, the unacknowledged chunk goes back to the
queue once `CELERY_VISIBILITY_TIMEOUT` has passed (a second worker restores
it when it starts); its deliveries' claims are then stale
(`BRIEFING_CLAIM_TIMEOUT`) and it takes them over.

What holds for the one message in flight at the kill (see
`intel.briefings.services.sending`): if the server had not accepted it yet,
every subscriber ends with exactly one briefing; if the server had accepted
it but the worker died before recording it, that one subscriber gets it
twice (at-least-once) and every other subscriber exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from intel.briefings.tasks import send_weekly_briefings
from intel.models import Delivery
from tests.helpers import free_port, smtp_serving
from tests.intel.briefings.support import recipients
from tests.intel.digests.factories import WEEK

SUBSCRIBERS = 6
VISIBILITY_TIMEOUT = 6  # seconds before an unacknowledged task is handed out again
CLAIM_TIMEOUT = 4  # seconds before a dead worker's claim may be taken over
WORKER_ENV = {
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    "BRIEFING_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT),
    # The claim timeout must exceed the hard time limit (settings refuse otherwise); the
    # solo pool used here does not enforce time limits, so these only satisfy that check.
    "CELERY_TASK_TIME_LIMIT": "3",
    "CELERY_TASK_SOFT_TIME_LIMIT": "2",
    "BRIEFING_CHUNK_SIZE": "50",
}


class HoldingSmtp:
    """Accepts every message except the `hold_at`-th, which it holds until released.

    With `accept_held`, the held message counts as delivered before the hold
    (the server took it; the reply never reaches the dead worker).
    """

    def __init__(self, *, hold_at: int, accept_held: bool) -> None:
        self.hold_at = hold_at
        self.accept_held = accept_held
        self.messages: list[Message] = []
        self.data_calls = 0
        self.holding = threading.Event()
        self.released = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.data_calls += 1
            number = self.data_calls
        message = message_from_bytes(envelope.original_content)
        if number == self.hold_at:
            if self.accept_held:
                with self.lock:
                    self.messages.append(message)
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
            return "421 Closing connection"
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.1)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "celery", "-A", "community", "worker", "--pool=solo",
        "--concurrency=1", "--without-heartbeat", "--without-gossip", "--without-mingle",
        f"--hostname={name}@%h", "--loglevel=INFO",
    ]  # fmt: skip
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
        )


def _stop(worker: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    if worker is None or worker.poll() is not None:
        return
    os.killpg(worker.pid, sig)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=15)


def _clean_broker() -> None:
    """Nothing left from an earlier run may be restored into this test."""
    from community.celery import app

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("unacked", "unacked_index", "unacked_mutex")
    client.close()
    app.control.purge()


@pytest.fixture
def holding_smtp(request: pytest.FixtureRequest) -> Iterator[tuple[HoldingSmtp, int]]:
    handler = HoldingSmtp(**request.param)
    port = free_port()
    with smtp_serving(handler, port):
        try:
            yield handler, port
        finally:
            handler.released.set()  # a held message would keep the server from stopping


def _wait_until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "holding_smtp",
    [
        pytest.param({"hold_at": 2, "accept_held": False}, id="in-flight-not-yet-accepted"),
        pytest.param({"hold_at": 2, "accept_held": True}, id="in-flight-already-accepted"),
    ],
    indirect=True,
)
def test_worker_killed_mid_chunk_then_redelivered(
    holding_smtp, analyst, tmp_path, digest_factory, subscription_factory
):
    from community.celery import app

    server, port = holding_smtp
    digest_factory(sector="semiconductors", published_by=analyst)
    for number in range(SUBSCRIBERS):
        subscription_factory(email=f"reader{number}@example.org")
    env = {
        **os.environ,
        **WORKER_ENV,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_USE_SSL": "0",
        "DJANGO_DEBUG": "1",
    }
    log = tmp_path / "workers.log"
    _clean_broker()
    app.conf.task_always_eager = False
    first = second = None
    try:
        first = _start_worker("first", env, log)
        send_weekly_briefings.delay(WEEK.isoformat())
        assert server.holding.wait(timeout=90), log.read_text()
        held_at = time.monotonic()
        # The first worker is inside the chunk: one briefing sent, one in flight.
        _stop(first, signal.SIGKILL)
        statuses = Counter(Delivery.objects.values_list("status", flat=True))
        assert statuses == {"sent": 1, "sending": SUBSCRIBERS - 1}, statuses
        server.released.set()
        # The chunk is redelivered only once its visibility timeout has passed.
        time.sleep(max(0.0, held_at + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
        second = _start_worker("second", env, log)
        _wait_until(
            lambda: not Delivery.objects.exclude(status="sent").exists(),
            timeout=90,
            what=f"every delivery to be sent\n{log.read_text()}",
        )
        time.sleep(1)  # anything extra would have arrived by now
    finally:
        _stop(first, signal.SIGKILL)
        _stop(second)
        connection.close()
    expected = [f"reader{number}@example.org" for number in range(SUBSCRIBERS)]
    received = Counter(recipients(server.messages))
    if server.accept_held:
        # At-least-once for the one message in flight: it went out again.
        assert received == {**dict.fromkeys(expected, 1), "reader1@example.org": 2}
    else:
        assert received == dict.fromkeys(expected, 1)
    assert Delivery.objects.filter(status="sent", attempts__gte=2).count() == SUBSCRIBERS - 1


@pytest.mark.redis
def test_the_send_task_run_twice_on_a_real_worker_sends_once(
    celery_worker, smtp_server, digest_factory, subscription_factory
):
    from intel.briefings.tasks import send_briefing_chunk  # noqa: F401 - registered with the worker
    from tests.accounts.factories import UserFactory

    analyst = UserFactory(email="analyst-w@test.example")
    digest_factory(sector="semiconductors", published_by=analyst)
    for number in range(3):
        subscription_factory(email=f"reader{number}@example.org")
    send_weekly_briefings.delay(WEEK.isoformat())
    send_weekly_briefings.delay(WEEK.isoformat())
    smtp_server.wait_for(3, timeout=60)
    _wait_until(lambda: not Delivery.objects.exclude(status="sent").exists(), 30, "deliveries sent")
    time.sleep(1.5)
    assert recipients(smtp_server.messages) == [f"reader{n}@example.org" for n in range(3)]
