"""Helpers for the briefing tests: published digests, subscribers, an SMTP server that counts.

Digests are written as rows here (not built from reports) so each test says
exactly which items exist at which handling level; one test in
`test_briefings_sending.py` goes through the real build and publish instead.
"""

from __future__ import annotations

import asyncio
import datetime
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from django.utils import timezone

from intel.models import Digest, DigestItem, Subscription, SubscriptionStatus

WEEK = datetime.date(2026, 11, 16)  # a Monday
PREVIOUS_WEEK = WEEK - datetime.timedelta(days=7)

# One item per level, with titles that say their level so a leak is easy to spot.
LEVEL_ITEMS = [
    ("clear", "Clear item: gallium licences delayed", "report"),
    ("green", "Green item: members-only supplier list", "report"),
    ("amber", "Amber item: named company under pressure", "report"),
    ("clear", "Clear case: dual-sourcing neon", "case-study"),
    ("amber", "Amber case: a confidential rescue", "case-study"),
]
# Weekly totals per level (this week first): a clear reader must see 1, never 1+2+4.
LEVEL_TOTALS = {"clear": [1, 0, 0, 0, 0], "green": [2, 0, 0, 0, 0], "amber": [4, 0, 0, 0, 0]}


def published_digest(
    *,
    sector: str,
    analyst: Any,
    week_start: datetime.date = WEEK,
    items: Iterable[tuple[str, str, str]] = LEVEL_ITEMS,
    summary: str = "",
    summary_tlp: str = "clear",
    version: int = 1,
    previous: Digest | None = None,
    correction_note: str = "",
    snapshot: dict[str, Any] | None = None,
) -> Digest:
    digest = Digest.objects.create(
        sector=sector,
        week_start=week_start,
        version=version,
        previous=previous,
        status="published",
        published_at=timezone.now(),
        published_by=analyst,
        summary=summary,
        summary_tlp=summary_tlp,
        correction_note=correction_note,
        correction_pending_briefing=version > 1,
        snapshot=snapshot if snapshot is not None else {"totals": LEVEL_TOTALS},
    )
    DigestItem.objects.bulk_create(
        [
            DigestItem(
                digest=digest,
                key=f"r{digest.pk}x{position}",
                position=position,
                rank=position,
                score=90 - position,
                tlp=tlp,
                data={
                    "title": title,
                    "kind": kind,
                    "signals": ["export-control"],
                    "countries": ["JP"],
                    "corroboration": 1,
                    "member_count": 1,
                    "members": [{"id": position, "tlp": tlp, "kind": kind}],
                },
            )
            for position, (tlp, title, kind) in enumerate(items, start=1)
        ]
    )
    return digest


def subscription(
    email: str,
    *,
    sectors: Iterable[str] = ("semiconductors",),
    language: str = "en",
    user: Any = None,
    status: str = SubscriptionStatus.ACTIVE,
    granted_clearance: str = "",
) -> Subscription:
    return Subscription.objects.create(
        email=email,
        sectors=list(sectors),
        language=language,
        user=user,
        status=status,
        granted_clearance=granted_clearance,
        confirmed_at=timezone.now() if status != SubscriptionStatus.PENDING else None,
    )


def html_part(message: Message) -> str:
    return _part(message, "text/html")


def text_part(message: Message) -> str:
    return _part(message, "text/plain")


def _part(message: Message, content_type: str) -> str:
    for part in message.walk():
        if part.get_content_type() == content_type and not part.is_multipart():
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no {content_type} part")


def recipients(messages: Iterable[Message]) -> list[str]:
    return sorted(str(message["To"]) for message in messages)


# --- An SMTP server with scripted replies and a connection count -------------------------------


@dataclass
class ScriptedSmtp:
    """aiosmtpd server that counts connections and answers chosen recipients with chosen codes."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    connections: int = 0
    replies: dict[str, str] = field(default_factory=dict)  # address → "550 ..." or "451 ..."
    lock: threading.Lock = field(default_factory=threading.Lock)


class _ScriptedHandler:
    def __init__(self, state: ScriptedSmtp) -> None:
        self.state = state

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.state.lock:
            self.state.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        reply = self.state.replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes

        with self.state.lock:
            self.state.messages.append(message_from_bytes(envelope.original_content))
        await asyncio.sleep(0)
        return "250 Message accepted for delivery"


@pytest.fixture(name="scripted_smtp")
def scripted_smtp_fixture(settings: Any) -> Iterator[ScriptedSmtp]:
    from aiosmtpd.controller import Controller

    from tests.conftest import _free_port

    state = ScriptedSmtp(host="127.0.0.1", port=_free_port())
    controller = Controller(_ScriptedHandler(state), hostname=state.host, port=state.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = state.host, state.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield state
    finally:
        controller.stop()
