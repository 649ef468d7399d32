"""Shared fixtures: personas, a real SMTP server, a real Celery worker, headless Chromium.

Tests marked `postgres`, `redis` or `browser` need the matching real service;
without it they are skipped with a reason (shown by `-ra`), unless
REQUIRE_SERVICES=1 is set (as in CI), where a missing service fails the run.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from accounts import roles
from accounts.permissions import mfa_enrolled
from tests.accounts.factories import TEST_PASSWORD, MembershipFactory, UserFactory, enrol_totp
from tests.helpers import api_token_for, free_port, record_sign_in, smtp_serving
from tests.intel.briefings.factories import SubscriptionFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


# --- Service detection -------------------------------------------------------


def _redis_answers() -> bool:
    if not settings.REDIS_URL:
        return False
    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _missing_service(marker: str) -> str | None:
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        return "PostgreSQL absent: set DATABASE_URL=postgres://..."
    if marker == "redis" and not _redis_answers():
        return "Redis absent: set REDIS_URL=redis://... to a running server"
    if marker == "browser" and not shutil.which(CHROMIUM):
        return f"Chromium absent: {CHROMIUM} not found (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    require = os.environ.get("REQUIRE_SERVICES") == "1"
    reasons = {m: _missing_service(m) for m in ("postgres", "redis", "browser")}
    for item in items:
        for marker, reason in reasons.items():
            if reason and item.get_closest_marker(marker):
                if require:
                    raise pytest.UsageError(f"REQUIRE_SERVICES=1 but {reason} ({item.nodeid})")
                item.add_marker(pytest.mark.skip(reason=reason))


# --- Isolation ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated_cache() -> Iterator[None]:
    """Rate-limit counters and cached values must not leak between tests."""
    _clear_cache()
    yield
    _clear_cache()


def _clear_cache() -> None:
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        # Only our keys: FLUSHDB would also empty the Celery queues on the same DB.
        client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _celery_in_process(settings: Any) -> Iterator[None]:
    """Tasks run in-process (after commit) unless a test asks for `celery_worker`."""
    from community.celery import app

    # Each test sees the taxonomy and corrections of its own database at once.
    settings.TAGGING_REVISION_CHECK_SECONDS = 0
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


# Data migrations whose rows a transactional test's flush wipes; re-applied
# before such tests so they see the database a deployment would have.
DATA_MIGRATIONS = [
    ("accounts.migrations.0002_roles", "create_roles"),
    ("accounts.migrations.0006_readers", "create_readers_role"),
    ("intel.migrations.0004_seed_taxonomy", "seed_taxonomy"),
]


@pytest.fixture(autouse=True)
def _data_migrations_after_flush(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for module_name, function_name in DATA_MIGRATIONS:
        getattr(importlib.import_module(module_name), function_name)(apps, None)


# --- Personas ----------------------------------------------------------------


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def contributor(db: None) -> Any:
    """A vetted, active member (source grade C) at "Institute A"."""
    user = UserFactory(email="contributor@test.example")
    MembershipFactory(user=user, organisation="Institute A")
    return user


@pytest.fixture
def other_contributor(db: None) -> Any:
    user = UserFactory(email="other@test.example")
    MembershipFactory(user=user, organisation="Company B", affiliation="business")
    return user


@pytest.fixture
def analyst(db: None) -> Any:
    """An analyst with TOTP enrolled (`analyst.totp_secret`); `client_for(analyst)` and
    `api_for(analyst)` sign in through it, as analyst pages and endpoints require."""
    user = UserFactory(email="analyst@test.example", roles=[roles.ANALYSTS])
    user.totp_secret = enrol_totp(user)
    return user


@pytest.fixture
def analyst_without_mfa(db: None) -> Any:
    return UserFactory(email="analyst-no-mfa@test.example", roles=[roles.ANALYSTS])


@pytest.fixture
def admin_user(db: None) -> Any:
    user = UserFactory(
        email="admin@test.example", roles=[roles.ANALYSTS], is_staff=True, is_superuser=True
    )
    user.totp_secret = enrol_totp(user)
    return user


@pytest.fixture
def newcomer(db: None) -> Any:
    """Signed up and verified, but not (yet) a vetted member."""
    return UserFactory(email="newcomer@test.example")


@pytest.fixture
def reader(contributor: Any) -> Any:
    """A colleague of `contributor` (same email domain) who accepted their reader invitation:
    reads at TLP:GREEN, keeps watches, holds no membership, so never contributes."""
    from accounts.services import readers

    colleague = UserFactory(email="reader@test.example")
    _invitation, code = readers.reader_invite(member=contributor, email=colleague.email)
    readers.reader_accept(code=code, user=colleague)
    return colleague.__class__.objects.get(pk=colleague.pk)


@pytest.fixture
def subscriber(db: None) -> Any:
    """A reader of the weekly briefing: confirmed by email (double opt-in), no account, no
    clearance above TLP:CLEAR; semiconductors, in English. Returns the `Subscription`, whose
    signed links (`unsubscribe_token`, preferences) are how this persona acts."""
    return SubscriptionFactory(email="subscriber@test.example")


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def client_for() -> Any:
    """A browser session of `user` signed in as allauth signs them in: with the TOTP step
    when they have an authenticator (the login asks for it), else with the password."""

    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        record_sign_in(client, user, second_factor=mfa_enrolled(user))
        return client

    return make


@pytest.fixture
def password_only_client_for() -> Any:
    """A session of `user` that passed only the password, though they may have TOTP
    enrolled (as the old admin login and sessions from before enrolment did)."""

    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        record_sign_in(client, user, second_factor=False)
        return client

    return make


@pytest.fixture
def api_for() -> Any:
    """An API client of `user` sending a real token (`Authorization: Token …`)."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
        return client

    return make


# --- Real SMTP server --------------------------------------------------------


@dataclass
class SmtpInbox:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def add(self, raw: bytes) -> None:
        with self._arrived:
            self.messages.append(message_from_bytes(raw))
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} message(s) over SMTP, got {len(self.messages)}"
                    )
                self._arrived.wait(remaining)
            return list(self.messages)


class _InboxHandler:
    def __init__(self, inbox: SmtpInbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.inbox.add(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpInbox]:
    """A real aiosmtpd server on a free local port; Django sends to it over SMTP."""
    inbox = SmtpInbox(host="127.0.0.1", port=free_port())
    with smtp_serving(_InboxHandler(inbox), inbox.port, settings=settings):
        yield inbox


# --- Real Celery worker ------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[Any]:
    """A real Celery worker consuming from the Redis broker in a background thread."""
    from celery.contrib.testing.worker import start_worker

    from community.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    with start_worker(
        app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=20
    ) as worker:
        yield worker
    connection.close()


# --- A private Redis server that tests may stop ------------------------------


@dataclass
class RedisServer:
    """A `redis-server` of our own on a free port: stopping it never touches the shared one."""

    port: int
    directory: str
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", self.directory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None


def _reset_broker_pools(app: Any) -> None:
    """Close and forget every broker connection, so the next publish connects to the new URL.

    kombu keeps its pools in a process-wide registry keyed by URL: closing one
    without clearing the registry would hand the closed pool out again.
    """
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_server(tmp_path: Any) -> Iterator[RedisServer]:
    """A running Redis server of the test's own: `stop()`, then `start()` (same port) again."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server absent (apt-get install redis-server)")
    server = RedisServer(port=free_port(), directory=str(tmp_path))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_redis(settings: Any, redis_server: RedisServer) -> Iterator[RedisServer]:
    """The Django cache and the Celery broker on `redis_server`, with real (not eager) queues.

    Nothing keeps talking to the shared Redis: the cache handlers are rebuilt
    from the new settings and the Celery app's broker pools are dropped.
    """
    from community.celery import app

    server = redis_server
    previous = {"REDIS_URL": settings.REDIS_URL, "CACHES": settings.CACHES}
    previous_broker = app.conf.broker_url
    settings.REDIS_URL = server.url
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    app.conf.broker_url = server.url
    app.conf.task_always_eager = False
    _reset_broker_pools(app)
    try:
        yield server
    finally:
        # Restored here, not only by `settings` later: other fixtures' teardown
        # (such as `_isolated_cache`) must find the shared Redis again.
        for name, value in previous.items():
            setattr(settings, name, value)
        app.conf.broker_url = previous_broker
        _reset_broker_pools(app)


# --- Headless Chromium -------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; Django's ORM
    # calls made by the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    context = chromium.new_context(locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(15_000)
    browser_page = context.new_page()
    yield browser_page
    context.close()
