"""Plain helpers of the briefing tests: what a received email holds."""

from __future__ import annotations

from collections.abc import Iterable
from email.message import Message


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
