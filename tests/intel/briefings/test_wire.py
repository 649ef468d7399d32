"""The email the send path puts on the wire is the email Django's message classes build.

For subscribers of different sectors, clearances and languages, each briefing
received over real SMTP is compared with the reference: the one-piece
`compose.compose` rendering of that subscriber's briefing in Django's
`EmailMultiAlternatives` (what the send path used to send). Headers that
differ between any two sends (Date, Message-ID) are left out; the rest are
compared decoded, and each part by its decoded content.
"""

from __future__ import annotations

import re
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest

from intel.briefings import compose, selectors, services
from intel.briefings.tasks import send_weekly_briefings
from intel.models import Subscription
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.intel.digests.factories import WEEK

pytestmark = pytest.mark.django_db

PER_SEND = {"date", "message-id"}
PREFERENCES_LINK = re.compile(r"/briefings/preferences/([^/\s\"]+)/")
# One paragraph longer than an SMTP line: the HTML part goes quoted-printable.
LONG_SUMMARY = "Supply **tightened** again; " * 60


def _headers(message: Message) -> dict[str, str]:
    """Every header but the per-send ones, decoded and unfolded (RFC 5322 folding is free)."""
    return {
        name.lower(): " ".join(str(make_header(decode_header(value))).split())
        for name, value in message.items()
        if name.lower() not in PER_SEND
    }


def _parts(message: Message, subscription: Subscription) -> list[tuple[str, list[Any], str]]:
    """Each part decoded; the signed preferences link (it carries the time of signing) must
    name the subscriber, and is then compared without its signature."""
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        text = payload.decode(part.get_content_charset() or "utf-8")
        tokens = PREFERENCES_LINK.findall(text)
        assert tokens, "every part carries the preferences link"
        for token in tokens:
            assert selectors.subscription_from_preferences(token) == subscription
        text = PREFERENCES_LINK.sub("/briefings/preferences/<signed>/", text)
        found.append((part.get_content_type(), part.get_params(), text))
    return found


def _reference(subscription: Subscription) -> Message:
    digests = selectors.WeekDigests.load(WEEK)
    composed = compose.compose(
        digests.briefing(
            sectors=selectors.ordered_sectors(subscription.sectors),
            clearance=selectors.subscription_clearance(subscription),
            language=subscription.language,
        )
    )
    message = services.briefing_message(subscription=subscription, composed=composed)
    return message_from_bytes(message.message().as_bytes(linesep="\r\n"))


def _comparable(message: Message, subscription: Subscription) -> tuple[Any, ...]:
    headers = _headers(message)
    # The multipart boundary is chosen afresh for every message.
    headers["content-type"] = message.get_content_type()
    return headers, _parts(message, subscription)


def test_every_briefing_on_the_wire_is_the_reference_email(
    analyst, smtp_server, settings, digest_factory, subscription_factory
):
    settings.SITE_URL = "https://intel.example.org"
    digest_factory(sector="semiconductors", published_by=analyst, summary=LONG_SUMMARY)
    digest_factory(sector="energy", published_by=analyst, summary="Amber view", summary_tlp="amber")
    digest_factory(sector="ai", published_by=analyst)
    member = UserFactory(email="member@example.org")
    MembershipFactory(user=member)
    cleared = UserFactory(email="cleared@example.org")
    MembershipFactory(user=cleared)
    subscriptions = [
        subscription_factory(email="public@example.org", sectors=["semiconductors"]),
        subscription_factory(
            email="public-ja@example.org", sectors=["energy", "quantum"], language="ja"
        ),
        subscription_factory(
            email="member@example.org", user=member, sectors=["ai", "energy", "semiconductors"]
        ),
        subscription_factory(
            email="cleared@example.org",
            user=cleared,
            granted_clearance="amber",
            sectors=["energy", "space"],
            language="ja",
        ),
        subscription_factory(email="quantum@example.org", sectors=["quantum"]),
    ]
    send_weekly_briefings.delay(WEEK.isoformat())
    received = {str(m["To"]): m for m in smtp_server.wait_for(len(subscriptions))}
    encodings = set()
    for subscription in subscriptions:
        wire, reference = received[subscription.email], _reference(subscription)
        assert _comparable(wire, subscription) == _comparable(reference, subscription)
        assert wire["Date"] and wire["Message-ID"] != reference["Message-ID"]
        encodings |= {part["Content-Transfer-Encoding"] for part in wire.walk()}
    # Both the plain (7/8 bit) and the quoted-printable encodings were exercised.
    assert {"7bit", "8bit", "quoted-printable"} <= encodings


@pytest.mark.parametrize(
    "address",
    [
        "reader@example.org",
        "first.last+tag@mail.example.org",
        "Reader@Example.ORG",
        "a..b@example.org",
        "読者@example.org",
        "reader@例え.jp",
    ],
)
def test_envelope_addresses_are_what_the_smtp_backend_gives_the_server(address):
    from django.core.mail.message import sanitize_address

    from intel.briefings.services.sending import wire

    assert wire._envelope_address(address) == sanitize_address(address, "utf-8")


@pytest.mark.parametrize("text", ["Plain text.\n", "日本語のテキスト。\n"])
def test_a_link_too_long_for_an_smtp_line_switches_that_email_to_quoted_printable(text):
    from intel.briefings.services import sending

    body = f"{text}Unsubscribe: {compose.UNSUBSCRIBE_PLACEHOLDER}\n"
    composed = compose.ComposedBriefing(
        subject="Weekly briefing",
        text=body,
        html=f'<a href="{compose.UNSUBSCRIBE_PLACEHOLDER}">x</a>',
    )
    wire = sending.Wire(composed, from_email="intel@example.org")
    long_link = "https://intel.example.org/u/" + "a" * 1200 + "/"
    short = message_from_bytes(
        wire.message(to="r@example.org", preferences_url="p", unsubscribe_url="https://u/")[2]
    )
    long = message_from_bytes(
        wire.message(to="r@example.org", preferences_url="p", unsubscribe_url=long_link)[2]
    )
    assert {part["Content-Transfer-Encoding"] for part in short.walk()} - {None} <= {"7bit", "8bit"}
    assert {part["Content-Transfer-Encoding"] for part in long.walk()} - {None} == {
        "quoted-printable"
    }
    plain, html = (
        part.get_payload(decode=True).decode() for part in long.walk() if not part.is_multipart()
    )
    assert plain.replace("\r\n", "\n") == body.replace(compose.UNSUBSCRIBE_PLACEHOLDER, long_link)
    assert html == f'<a href="{long_link}">x</a>'


@pytest.mark.parametrize(
    "body",
    [
        "Hello\nSee https://briefing.invalid/preferences-link now\n\nhttps://briefing.invalid/u\n",
        "No link at all\nin two lines",
        "Ends on the link https://briefing.invalid/unsubscribe-link",
        "読者へ\nhttps://briefing.invalid/preferences-link 読者\n",
        "Mixed\r\nline ends\rhttps://briefing.invalid/x\nlast",
    ],
)
def test_a_part_is_written_with_crlf_and_its_longest_link_line_measured(body):
    from intel.briefings.services.sending import wire

    part = wire._WirePart("plain", body, "boundary")
    lines = re.split(r"\r\n|\r|\n", body)
    assert part.raw == "\r\n".join(lines).encode()
    assert part.longest_hole == max(
        (len(line.encode()) for line in lines if compose.PLACEHOLDER_HOST in line), default=0
    )
