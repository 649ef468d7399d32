"""Briefing emails: the message for one subscriber (`briefing_message`) and the same email
pre-encoded once per rendering (`Wire`), with holes for each subscriber's links.
"""

from __future__ import annotations

import binascii
import random
import re
import sys
from collections.abc import Sequence
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    forbid_multi_line_headers,
    sanitize_address,
)
from django.core.mail.utils import DNS_NAME

from intel.briefings import compose, selectors


def _list_id() -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<briefings.{host}>"


def briefing_message(
    *, subscription: selectors.Subscriber, composed: compose.ComposedBriefing
) -> EmailMultiAlternatives:
    """The email for one subscriber: both parts, their links and the RFC 8058 headers."""
    unsubscribe = selectors.unsubscribe_url(subscription)
    personal = composed.personalise(
        preferences_url=selectors.preferences_url(subscription), unsubscribe_url=unsubscribe
    )
    message = EmailMultiAlternatives(
        subject=personal.subject,
        body=personal.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": _list_id(),
        },
    )
    message.attach_alternative(personal.html, "text/html")
    return message


STATIC_HEADERS = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
QP = "quoted-printable"
_LINE_END = re.compile(r"\r\n|\r|\n")


class Wire:
    """One rendering's email as bytes, with holes for what differs per subscriber.

    The same message `briefing_message` builds (same parts, transfer encodings
    and headers; only Date and Message-ID differ, as between any two sends),
    encoded once per rendering: each email costs a few byte replacements and
    four header lines (To, Date, Message-ID, List-Unsubscribe).
    """

    def __init__(self, composed: compose.ComposedBriefing, *, from_email: str) -> None:
        self.from_email = from_email
        self.envelope_from = _envelope_address(from_email)
        parts = [("plain", composed.text), ("html", composed.html)]
        boundary = _boundary([body for _subtype, body in parts])
        head = [
            f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"',
            "MIME-Version: 1.0",
            _header("Subject", composed.subject),
            _header("From", from_email),
            *(_header(name, value) for name, value in STATIC_HEADERS.items()),
            _header("List-Id", _list_id()),
        ]
        self.head = ("\r\n".join(head) + "\r\n").encode()
        self.parts = [_WirePart(subtype, body, boundary) for subtype, body in parts]
        self.closing = f"\r\n--{boundary}--\r\n".encode()

    def message(
        self, *, to: str, preferences_url: str, unsubscribe_url: str
    ) -> tuple[str, list[str], bytes]:
        """(envelope sender, recipients, bytes) for one subscriber, as `sendmail` takes them."""
        links = {
            compose.PREFERENCES_PLACEHOLDER: preferences_url,
            compose.UNSUBSCRIBE_PLACEHOLDER: unsubscribe_url,
        }
        personal = [
            _header("To", to),
            f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}",
            f"Message-ID: {make_msgid(domain=str(DNS_NAME))}",
            _header("List-Unsubscribe", f"<{unsubscribe_url}>"),
        ]
        chunks = [self.head, ("\r\n".join(personal) + "\r\n\r\n").encode()]
        for number, part in enumerate(self.parts):
            if number:
                chunks.append(b"\r\n")
            chunks += part.filled(links)
        chunks.append(self.closing)
        # One copy of the message's bytes, joined from the rendering's own pieces.
        return self.envelope_from, [_envelope_address(to)], b"".join(chunks)


def _header(name: str, value: str) -> str:
    """A header line with Django's encoding rules (encoded words, IDNA), folded as it folds."""
    _name, encoded = forbid_multi_line_headers(name, value, settings.DEFAULT_CHARSET)
    return f"{name}: {encoded}".replace("\r\n", "\n").replace("\n", "\r\n")


# What `sanitize_address` returns unchanged: plain ASCII addresses need not be parsed.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(\.{_ATOM})*@[a-z0-9-]+(\.[a-z0-9-]+)*")


def _envelope_address(address: str) -> str:
    """The address as Django's SMTP backend gives it to the server."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, settings.DEFAULT_CHARSET)


def _boundary(bodies: Sequence[str]) -> str:
    """A multipart boundary in the email package's form, absent from the parts."""
    while True:
        # Not a secret, only unlikely to occur: the email package draws it the same way.
        boundary = f"{'=' * 15}{random.randrange(sys.maxsize):019d}=="  # noqa: S311
        if not any(boundary in body for body in bodies):
            return boundary


def _has_long_lines(body: str) -> bool:
    """Django's test for quoted-printable (any line over the SMTP limit), cheap when short."""
    encoded = body.encode(errors="surrogateescape")
    if len(encoded) <= RFC5322_EMAIL_LINE_LENGTH_LIMIT:
        return False
    # Django splits at every Unicode line break, bytes at CR/LF only: short here is short there.
    if max(map(len, encoded.splitlines())) <= RFC5322_EMAIL_LINE_LENGTH_LIMIT:
        return False
    return any(
        len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
        for line in body.splitlines()
    )


def _longest_line_with(body: str, needle: str) -> int:
    """The length in bytes of the longest LF-ended line of `body` holding `needle` (0: none)."""
    longest = 0
    found = body.find(needle)
    while found != -1:
        start = body.rfind("\n", 0, found) + 1
        end = body.find("\n", found)
        end = len(body) if end == -1 else end
        longest = max(longest, len(body[start:end].encode()))
        found = body.find(needle, end)
    return longest


_HOLES = re.compile(
    b"(" + b"|".join(re.escape(hole.encode()) for hole in compose.PLACEHOLDERS) + b")"
)


class _WirePart:
    """One text part, pre-encoded: the transfer encoding Django would choose, links as holes."""

    def __init__(self, subtype: str, body: str, boundary: str) -> None:
        # Django's rule: quoted-printable only when a line is too long for SMTP.
        self.encoding = QP if _has_long_lines(body) else ("7bit" if body.isascii() else "8bit")
        self.subtype = subtype
        self.boundary = boundary
        # Kept only where it is encoded per email (a worker keeps thousands of these).
        self.body = body if self.encoding == QP else None
        if "\r" in body:
            # Written as the email generator writes a payload: every line end becomes CRLF.
            lines = _LINE_END.split(body)
            raw = "\r\n".join(lines).encode()
            self.longest_hole = max(
                (len(line.encode()) for line in lines if compose.PLACEHOLDER_HOST in line),
                default=0,
            )
        else:
            # The same without splitting the part: only LF ends its lines (what compose writes).
            raw = body.replace("\n", "\r\n").encode()
            self.longest_hole = _longest_line_with(body, compose.PLACEHOLDER_HOST)
        # Cut at the holes (odd places): an email joins the pieces with its links in them,
        # rather than searching the part for each hole.
        self.pieces = _HOLES.split(raw)

    @property
    def raw(self) -> bytes:
        """The part as written, links still holes."""
        return b"".join(self.pieces)

    def head(self, encoding: str) -> bytes:
        return (
            f'--{self.boundary}\r\nContent-Type: text/{self.subtype}; charset="utf-8"\r\n'
            f"MIME-Version: 1.0\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n"
        ).encode()

    def filled(self, links: dict[str, str]) -> list[bytes]:
        """The part with `links` in its holes, as pieces to join."""
        growth = sum(max(0, len(url) - len(hole)) for hole, url in links.items())
        if (
            self.encoding != QP
            and all(url.isascii() for url in links.values())
            and self.longest_hole + growth <= RFC5322_EMAIL_LINE_LENGTH_LIMIT
        ):
            filled = {hole.encode(): url.encode() for hole, url in links.items()}
            pieces = [self.head(self.encoding), *self.pieces]
            # Holes are at odd places of `self.pieces`, so at even ones here.
            pieces[2::2] = [filled.get(hole, hole) for hole in pieces[2::2]]
            return pieces
        # Long lines (or a link that would make one): quoted-printable, as Django would.
        body = self.body if self.body is not None else self.raw.decode().replace("\r\n", "\n")
        for hole, url in links.items():
            body = body.replace(hole, url)
        encoded = binascii.b2a_qp(body.encode(), istext=True)
        return [self.head(QP), encoded.replace(b"\n", b"\r\n")]
