"""Briefing fixtures: an SMTP server that answers chosen recipients with chosen codes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest

from tests.helpers import free_port, smtp_serving


@dataclass
class ScriptedSmtp:
    """aiosmtpd server that counts connections and answers chosen recipients with chosen codes."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    connections: int = 0
    replies: dict[str, str] = field(default_factory=dict)  # address → "550 ..." or "451 ..."
    busy_after: int | None = None  # refuse every sender (421) once this many messages arrived
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

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self.state.lock:
            busy = (
                self.state.busy_after is not None
                and len(self.state.messages) >= self.state.busy_after
            )
        if busy:
            return "421 4.7.0 Too busy, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        reply = self.state.replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.state.lock:
            self.state.messages.append(message_from_bytes(envelope.original_content))
        await asyncio.sleep(0)
        return "250 Message accepted for delivery"


@pytest.fixture
def scripted_smtp(settings: Any) -> Iterator[ScriptedSmtp]:
    """A real aiosmtpd server Django sends to; set `scripted_smtp.replies[address]` to refuse."""
    state = ScriptedSmtp(host="127.0.0.1", port=free_port())
    with smtp_serving(_ScriptedHandler(state), state.port, settings=settings):
        yield state
