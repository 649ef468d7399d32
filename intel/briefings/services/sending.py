"""Sending the weekly briefing: start a week, fan out in chunks, send each chunk over SMTP.

Flow (tasks in `intel.briefings.tasks`, each a thin wrapper around a function here):

1. `briefing_week_start` (Monday 08:00 Asia/Tokyo, or an administrator) records
   the week (`BriefingWeek`, unique per week), captures the digest corrections
   it will carry and marks them briefed, creates one `Delivery` per active
   subscription (unique per subscription and week; a re-run adds only the
   missing ones) and returns the unfinished deliveries in chunks of
   `BRIEFING_CHUNK_SIZE`.
2. `briefing_chunk_send` claims the chunk's deliveries in one conditional
   UPDATE (pending → sending, with a random claim token and the time), opens
   its SMTP connections (one, or up to `CONNECTIONS` for a chunk large enough
   to keep them busy, each in a thread that only talks SMTP), sends each
   claimed briefing and marks accepted ones sent in batches.

Composition and encoding happen once per rendering, not per email: the
composer of the subscription's format (`composer_for`) renders the week once
per clearance, language and corrections, each reader's sectors are assembled
from its fragments (`compose.Fragments`), and each assembled briefing is
encoded once (`Wire`); an email then costs its own four header lines and two
links. Both are kept per worker process across chunks (`fragment_sets`,
`renderings`), and fragment sets are shared between processes through the
cache (`shared_fragments`). The plan orders deliveries by what their
renderings depend on, so a chunk needs few of them.

Delivery guarantee. Every delivery is claimed before anything reaches SMTP,
and only rows that are pending — or whose claim is older than
`BRIEFING_CLAIM_TIMEOUT` (more than the task hard time limit, so their task
is dead) — can be claimed. Hence:

- a retried, duplicated or re-run task never sends a briefing that another
  run sent or is sending: its claim matches no row (it waits and retries
  while another live task holds the rows, and finds them sent);
- after a worker dies mid-chunk, the redelivered task takes over the stale
  claims once the timeout has passed, and sends every briefing not yet marked
  sent. Briefings the dead worker never started are therefore sent exactly
  once. The briefings the server had accepted but the dead worker had not yet
  recorded are sent again: this is **at-least-once for those messages**, by
  choice. They are at most the messages in flight (one per connection) plus
  the unrecorded batch: marks go out one at a time at first and in batches
  doubling up to `MARK_BATCH`, and whatever stops a chunk records what was
  accepted before anything is released. The alternative — never reclaiming,
  at-most-once — would silently drop a subscriber's weekly briefing on every
  crash; a reader who gets the same briefing twice loses less than one who
  gets none.
- temporary SMTP failures (4xx, dropped connections) release the claims and
  the task retries with backoff; permanent failures (5xx) are recorded on the
  delivery, and an address with `BRIEFING_PAUSE_AFTER_FAILURES` permanent
  failures in a row is paused.
"""

from __future__ import annotations

import binascii
import datetime
import hashlib
import json
import logging
import os
import queue
import random
import re
import secrets
import smtplib
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from email.utils import formatdate, make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    forbid_multi_line_headers,
    sanitize_address,
)
from django.core.mail.utils import DNS_NAME
from django.db import IntegrityError, models, transaction
from django.db import connection as db_connection
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from community.queue import enqueue_on_commit
from intel import validation
from intel.boardbrief import emails as board_emails
from intel.briefings import compose, selectors
from intel.digests import selectors as digest_selectors
from intel.digests.selectors import corrections_pending_briefing
from intel.digests.services import digest_corrections_mark_briefed
from intel.errors import WorkflowError
from intel.models import (
    BriefingContent,
    BriefingWeek,
    Delivery,
    DeliveryStatus,
    Digest,
    DigestStatus,
    Subscription,
    SubscriptionStatus,
)
from intel.vocabulary import Sector

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 900


class TemporarySmtpError(ConnectionError):
    """A 4xx reply about the session itself: the task retries it with backoff."""


# Reply codes that concern our side of the conversation (sender, login, greeting):
# retrying message after message would fail the same way, so the chunk stops.
_SESSION_ERRORS = (
    smtplib.SMTPSenderRefused,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
)


@dataclass(frozen=True)
class WeekPlan:
    week_start: datetime.date
    started: bool  # False when the week had been started before (a re-run)
    subscribers: int  # active subscriptions when this run planned the week
    corrections: list[int]
    chunks: list[list[int]]


@dataclass
class ChunkOutcome:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0  # permanent failures, recorded
    deferred: int = 0  # temporary failures, back to pending for a retry
    held_elsewhere: int = 0  # claimed by another task that may still be running
    compositions: int = 0  # whole renderings (composer, clearance, language, corrections)
    assembled: int = 0  # renderings assembled from them (× sectors)
    retry_after: int | None = None  # seconds; set when part of the chunk must be tried again
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# --- Starting a week ------------------------------------------------------------------------


def _require_briefable_week(week_start: datetime.date) -> None:
    """A week is briefed once something of it is published (or its sending has begun)."""
    if not BriefingWeek.objects.filter(week_start=week_start).exists() and not (
        week_has_published_digests(week_start)
    ):
        raise WorkflowError(
            _("No digest of the week of %(week)s is published yet; nothing to brief.")
            % {"week": week_start.isoformat()}
        )


def week_has_published_digests(week_start: datetime.date) -> bool:
    return Digest.objects.filter(week_start=week_start, status=DigestStatus.PUBLISHED).exists()


def _start_week(week_start: datetime.date, actor: User | None) -> tuple[BriefingWeek, bool]:
    """Create the week's row once; the creator captures and marks the pending corrections."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                week = BriefingWeek.objects.create(week_start=week_start, started_by=actor)
        except IntegrityError:
            return BriefingWeek.objects.get(week_start=week_start), False
        pending = list(corrections_pending_briefing().values_list("pk", flat=True))
        if pending:
            week.corrections = pending
            week.save(update_fields=["corrections", "updated_at"])
            # Carried by this week from now on: every chunk reads `week.corrections`.
            digest_corrections_mark_briefed(digest_ids=pending)
        audit_record(
            actor=actor,
            action="briefing.week_start",
            target=week,
            data={"corrections": pending},
        )
        return week, True


def _create_deliveries(week_start: datetime.date) -> None:
    """One delivery per active subscription, in one INSERT … SELECT: no row passes through
    Python, whatever the number of subscribers. The unique (subscription, week) constraint
    makes a re-run add only the missing ones."""
    now = timezone.now()
    columns = [column for column in Delivery._meta.concrete_fields if not column.primary_key]
    values = {"week_start": week_start, "created_at": now, "updated_at": now}
    quote = db_connection.ops.quote_name
    subscription_pk = quote(str(Subscription._meta.pk.column))
    select, params = [], []
    for column in columns:
        if column.name == "subscription":
            select.append(f"subscription.{subscription_pk}")
            continue
        select.append("%s")
        value = values[column.name] if column.name in values else column.get_default()
        params.append(column.get_db_prep_save(value, connection=db_connection))
    active, active_params = selectors.active_subscription_ids().query.sql_with_params()
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Delivery._meta.db_table)} "  # noqa: S608 - names are ours
            f"({', '.join(quote(str(column.column)) for column in columns)}) "
            f"SELECT {', '.join(select)} FROM {quote(Subscription._meta.db_table)} AS subscription "
            f"WHERE subscription.{subscription_pk} IN ({active}) "
            # Numbered in subscription order, as the subscriptions were (chunks follow it).
            f"ORDER BY subscription.{subscription_pk} ON CONFLICT DO NOTHING",
            [*params, *active_params],
        )


def briefing_week_start(*, week_start: datetime.date, actor: User | None = None) -> WeekPlan:
    """Start (or resume) a week's briefing and plan its chunks. Safe to run any number of times.

    Refuses a week with no published digest at all (`WorkflowError`): the
    analysts have not published yet, and an administrator sends it later.
    """
    week_start = validation.clean_week_start(week_start, field="week_start")
    if actor is not None and not actor.is_site_admin:
        raise PermissionDenied(_("Only administrators send briefings."))
    _require_briefable_week(week_start)
    week, started = _start_week(week_start, actor)
    if not started and actor is not None:
        # An administrator's "send now" on a week already under way: recorded too.
        audit_record(actor=actor, action="briefing.week_resume", target=week)
    subscribers = selectors.active_subscription_ids().count()
    _create_deliveries(week_start)
    unfinished = selectors.deliveries_to_send(week_start=week_start)
    size = settings.BRIEFING_CHUNK_SIZE
    chunks = [unfinished[offset : offset + size] for offset in range(0, len(unfinished), size)]
    return WeekPlan(
        week_start=week_start,
        started=started,
        subscribers=subscribers,
        corrections=list(week.corrections),
        chunks=chunks,
    )


# --- Sending a chunk -------------------------------------------------------------------------


def _claim(
    *, week_start: datetime.date, delivery_ids: Sequence[int], token: str, now: datetime.datetime
) -> int:
    stale_before = now - datetime.timedelta(seconds=settings.BRIEFING_CLAIM_TIMEOUT)
    return (
        Delivery.objects.filter(pk__in=list(delivery_ids), week_start=week_start)
        .filter(
            Q(status=DeliveryStatus.PENDING)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale_before)
        )
        .update(
            status=DeliveryStatus.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )


def _release(delivery_ids: Iterable[int], token: str, error: str = "") -> None:
    """Hand claimed, unfinished deliveries back (pending) so a retry can take them at once."""
    ids = list(delivery_ids)
    if ids:
        Delivery.objects.filter(
            pk__in=ids, claim_token=token, status=DeliveryStatus.SENDING
        ).update(
            status=DeliveryStatus.PENDING,
            claim_token="",
            claimed_at=None,
            error=error[:500],
            updated_at=timezone.now(),
        )


def _finish(delivery: _Recipient, token: str, **changes: object) -> bool:
    done = Delivery.objects.filter(
        pk=delivery.delivery_id, claim_token=token, status=DeliveryStatus.SENDING
    ).update(claim_token="", updated_at=timezone.now(), **changes)
    if done != 1:
        # Only possible if our claim went stale while we were alive (a task
        # running beyond CELERY_TASK_TIME_LIMIT, e.g. the solo pool, which does
        # not enforce time limits): the log must say so.
        logger.warning(
            "briefing delivery %s: claim lost before it was finished", delivery.delivery_id
        )
    return done == 1


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


def _text(raw: bytes | str) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


def _reply(exc: smtplib.SMTPException) -> tuple[int | None, str]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (None, b""))
        return code, _text(text)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code, _text(exc.smtp_error)
    return None, str(exc)


class _Lru:
    """What a worker process keeps across the chunks it sends (least recently used out).

    Keyed by everything the value depends on — the week's digest versions
    (published ones never change; a correction has a new id), the composer,
    clearance, language, corrections, the site's address and, for a
    rendering, the sectors — so a hit is always what a fresh composition
    would produce.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[object, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass
class Rendering:
    """A reader's briefing (sectors, clearance, language, corrections) and its wire form."""

    composed: compose.ComposedBriefing
    _wire: Wire | None = None

    def wire(self) -> Wire:
        if self._wire is None:
            self._wire = Wire(self.composed, from_email=str(settings.DEFAULT_FROM_EMAIL))
        return self._wire


# Fragment sets: one per composer, clearance, language and corrections (10 in a usual week).
fragment_sets = _Lru(64)

# Fragment sets are also shared by every worker process through the cache (Redis with
# `REDIS_URL`): the first process to need one composes it and the others read it, instead of
# each redacting the week's digests and rendering them again. Its key holds everything the
# key of `fragment_sets` holds (clearance and language first of all), so a reader only ever
# gets what a composition for their own clearance gives.
SHARED_FRAGMENTS_TIMEOUT = 3600  # seconds: a week's send is over long before
SHARED_WAIT_SECONDS = 30.0  # the longest wait for another process's composition
SHARED_POLL_SECONDS = 0.02


def shared_fragments(key: tuple[object, ...], composed: Callable[[], Any]) -> Any:
    """The fragment set of `key` from the shared cache, composed here (and stored) if no
    other process has it or is composing it; a process composing it is waited for."""
    name = shared_name(key)
    found = cache.get(name)
    if found is not None:
        return found
    lock = f"{name}:composing"
    deadline = time.monotonic() + SHARED_WAIT_SECONDS
    while not (owned := cache.add(lock, os.getpid(), timeout=SHARED_WAIT_SECONDS)):
        if time.monotonic() > deadline:
            break  # the composer died or hangs: compose here
        time.sleep(SHARED_POLL_SECONDS)
        found = cache.get(name)
        if found is not None:
            return found
    try:
        found = composed()
        cache.set(name, found, SHARED_FRAGMENTS_TIMEOUT)
    finally:
        if owned:
            cache.delete(lock)
    return found


def shared_name(key: tuple[object, ...]) -> str:
    """The cache key of a fragment set (its key's values in full, hashed to a fixed length)."""
    return "briefings:fragments:" + hashlib.sha256(repr(key).encode()).hexdigest()


@lru_cache(maxsize=1)
def _composing_code() -> str:
    """A digest of the code and templates a fragment set comes from: after a deploy that
    changes them (redaction included), no process reads a set the old code composed."""
    files = [
        Path(module.__file__ or "")
        for module in (compose, selectors, board_emails, digest_selectors, sys.modules[__name__])
    ]
    files += sorted((Path(settings.BASE_DIR) / "templates" / "emails").glob("*"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# Assembled renderings, about 40 KB each with their wire form. Sized for every combination
# of up to three sectors, two languages and two clearances: a smaller cache that subscribers
# hit in random order would evict nearly every rendering before its next use.
RENDER_CACHE_SIZE = 2048
renderings = _Lru(RENDER_CACHE_SIZE)


@dataclass(frozen=True)
class _Whole:
    """A format without fragments: each reader's sectors composed in one piece."""

    briefing: compose.Briefing
    compose_sectors: Callable[[compose.Briefing], compose.ComposedBriefing]

    def assemble(self, sectors: Sequence[str]) -> compose.ComposedBriefing:
        chosen = set(sectors)
        sections = [section for section in self.briefing.sections if section.sector in chosen]
        return self.compose_sectors(replace(self.briefing, sections=sections))


def _board_summaries(briefing: compose.Briefing) -> _Whole:
    # Board summary only: the board briefs of the same redacted views (intel.boardbrief).
    return _Whole(briefing, board_emails.compose_board_briefing)


# How each format of briefing (`Subscription.content`) is composed from the whole briefing
# of every sector a reader may choose: the full one is rendered once and each reader's
# sectors assembled from its fragments; the board summary is composed per sector set.
COMPOSERS: dict[str, Callable[[compose.Briefing], Any]] = {
    BriefingContent.FULL: compose.fragments,
    BriefingContent.BOARD: _board_summaries,
}


def composer_for(subscription: selectors.Subscriber) -> str:
    """The one place a subscription's format chooses its composer (a key of `COMPOSERS`)."""
    return subscription.content if subscription.content in COMPOSERS else BriefingContent.FULL


# Deliveries marked sent per UPDATE: the first alone, then doubling up to this. A crash
# re-sends at most one batch (accepted by the server, not yet recorded); a long chunk costs
# a few UPDATEs instead of one per email.
MARK_BATCH = 64


def _retry_delay(retries: int) -> int:
    return min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**retries)


@dataclass
class _Sent:
    delivery_id: int
    sectors: list[str]
    clearance: str
    language: str
    corrections: list[int]


class _Chunk:
    """State of one chunk run: its claim, the renderings it reuses, what is left to finish."""

    def __init__(self, *, week_start: datetime.date, token: str, outcome: ChunkOutcome) -> None:
        self.week_start = week_start
        self.token = token
        self.outcome = outcome
        self.digests = selectors.WeekDigests.load(week_start)
        self.rendered: dict[tuple[object, ...], Rendering] = {}
        self._corrections: dict[str, dict[int, compose.Correction]] = {}
        week = BriefingWeek.objects.filter(week_start=week_start).first()
        self.correction_digests = selectors.correction_digests(week.corrections if week else [])
        self.unrecorded: list[_Sent] = []
        self.mark_batch = 1

    def prepare(self, deliveries: Sequence[_Recipient]) -> None:
        self.clearances = selectors.subscription_clearances(deliveries)
        self.links = selectors.SubscriberLinks()
        self.received = selectors.received_weeks(
            subscription_ids=[delivery.subscription_id for delivery in deliveries],
            weeks={digest.week_start for digest in self.correction_digests},
        )

    def corrections_for(
        self, subscription: selectors.Subscriber, sectors: Sequence[str]
    ) -> tuple[int, ...]:
        """Corrections of digests this reader was sent before (same sector and week)."""
        return tuple(
            digest.pk
            for digest in self.correction_digests
            if digest.sector in sectors
            and digest.sector in self.received.get((subscription.pk, digest.week_start), ())
        )

    def _fragments(
        self, *, composer: str, clearance: str, language: str, corrections: tuple[int, ...]
    ) -> Any:
        key = (
            self.week_start,
            self.digests.identity,
            composer,
            clearance,
            language,
            corrections,
            settings.SITE_URL,
        )
        found = fragment_sets.get(key)
        if found is None:

            def composed() -> Any:
                if language not in self._corrections:
                    self._corrections[language] = selectors.corrections_by_id(
                        [digest.pk for digest in self.correction_digests], language
                    )
                by_id = self._corrections[language]
                self.outcome.compositions += 1
                return COMPOSERS[composer](
                    self.digests.briefing(
                        sectors=Sector.values,
                        clearance=clearance,
                        language=language,
                        corrections=[by_id[pk] for pk in corrections if pk in by_id],
                    )
                )

            found = shared_fragments((*key, *self._shared_identity()), composed)
            fragment_sets.put(key, found)
        return found

    def _shared_identity(self) -> tuple[object, ...]:
        """What a key shared between processes adds to a process's own: when each digest
        was published (a database re-created under the same ids never meets an old
        entry), the subject prefix, and the code and templates that compose."""
        published = tuple(
            (digest.pk, digest.published_at.isoformat() if digest.published_at else None)
            for digest in [*self.digests.digests.values(), *self.correction_digests]
            if digest is not None
        )
        return (published, settings.ACCOUNT_EMAIL_SUBJECT_PREFIX, _composing_code())

    def rendering(
        self,
        *,
        composer: str,
        sectors: list[str],
        clearance: str,
        language: str,
        corrections: tuple[int, ...],
    ) -> Rendering:
        key = (
            self.week_start,
            self.digests.identity,
            composer,
            tuple(sectors),
            clearance,
            language,
            corrections,
            settings.SITE_URL,
        )
        found = self.rendered.get(key) or renderings.get(key)
        if found is None:
            fragments = self._fragments(
                composer=composer, clearance=clearance, language=language, corrections=corrections
            )
            found = Rendering(fragments.assemble(sectors))
            renderings.put(key, found)
            self.outcome.assembled += 1
        self.rendered[key] = found
        return found

    def record_sent(self, sent: _Sent) -> None:
        self.unrecorded.append(sent)
        if len(self.unrecorded) >= self.mark_batch:
            self.flush()
            self.mark_batch = min(MARK_BATCH, self.mark_batch * 2)

    def flush(self) -> None:
        """Mark the accepted, unrecorded deliveries sent: one UPDATE for the batch."""
        if not self.unrecorded:
            return
        batch, self.unrecorded = self.unrecorded, []
        done = _mark_sent(batch, self.token, timezone.now())
        if done != len(batch):
            # As in `_finish`: only a claim gone stale under a live task loses rows here.
            logger.warning("briefing chunk: %s sent deliveries lost their claim", len(batch) - done)


def _mark_sent(batch: Sequence[_Sent], token: str, now: datetime.datetime) -> int:
    """One UPDATE: the batch's deliveries sent, each with what its email carried."""
    if db_connection.vendor == "postgresql":
        # The rows' own values joined in from one JSON parameter: one short statement
        # whatever the batch, where a CASE per column and row costs more to build than to run.
        table, pk = Delivery._meta.db_table, Delivery._meta.pk.column
        with db_connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table} AS d SET status = %s, sent_at = %s, smtp_code = 250, error = '',
                    claim_token = '', updated_at = %s, sectors = v.sectors,
                    clearance = v.clearance, language = v.language, corrections = v.corrections
                FROM jsonb_to_recordset(%s::jsonb) AS v(
                    id bigint, sectors jsonb, clearance text, language text, corrections jsonb)
                WHERE d.{pk} = v.id AND d.{pk} = ANY(%s) AND d.claim_token = %s
                    AND d.status = %s
                """,  # noqa: S608 - the table name is ours, every value a parameter
                [
                    DeliveryStatus.SENT.value,
                    now,
                    now,
                    json.dumps(
                        [
                            {
                                "id": row.delivery_id,
                                "sectors": row.sectors,
                                "clearance": row.clearance,
                                "language": row.language,
                                "corrections": row.corrections,
                            }
                            for row in batch
                        ]
                    ),
                    # The keys again, as an array: the planner reads them through the primary
                    # key whatever its statistics (joined from the JSON alone, it estimates one
                    # claimed row and scans the whole table for every batch).
                    [row.delivery_id for row in batch],
                    token,
                    DeliveryStatus.SENDING.value,
                ],
            )
            return int(cursor.rowcount)

    def per_row(name: str, output: models.Field) -> Case:
        return Case(
            *(
                When(pk=row.delivery_id, then=Value(getattr(row, name), output_field=output))
                for row in batch
            ),
            output_field=output,
        )

    return Delivery.objects.filter(
        pk__in=[row.delivery_id for row in batch],
        claim_token=token,
        status=DeliveryStatus.SENDING,
    ).update(
        status=DeliveryStatus.SENT,
        sent_at=now,
        smtp_code=250,
        error="",
        claim_token="",
        updated_at=now,
        sectors=per_row("sectors", models.JSONField()),
        clearance=per_row("clearance", models.CharField()),
        language=per_row("language", models.CharField()),
        corrections=per_row("corrections", models.JSONField()),
    )


def briefing_chunk_send(
    *, week_start: datetime.date, delivery_ids: Sequence[int], retries: int = 0
) -> ChunkOutcome:
    """Claim and send one chunk of the week's deliveries over its own SMTP connections."""
    token = secrets.token_hex(16)
    now = timezone.now()
    claimed = _claim(week_start=week_start, delivery_ids=delivery_ids, token=token, now=now)
    outcome = ChunkOutcome(claimed=claimed)
    held = [
        claimed_at
        for claimed_at in Delivery.objects.filter(
            pk__in=list(delivery_ids), week_start=week_start, status=DeliveryStatus.SENDING
        )
        .exclude(claim_token=token)
        .values_list("claimed_at", flat=True)
        if claimed_at is not None  # always set while sending (a check constraint)
    ]
    if held:
        # Another task holds these. If it is alive it finishes them; if it died,
        # its claim goes stale and this task (retried then) takes them over.
        outcome.held_elsewhere = len(held)
        stale_at = min(held) + datetime.timedelta(seconds=settings.BRIEFING_CLAIM_TIMEOUT)
        outcome.retry_after = max(1, int((stale_at - now).total_seconds()) + 1)
    if not claimed:
        return outcome
    chunk = _Chunk(week_start=week_start, token=token, outcome=outcome)
    deliveries = _claimed_recipients(delivery_ids, token)
    chunk.prepare(deliveries)
    unfinished = {delivery.delivery_id for delivery in deliveries}
    connections = [get_connection()]
    if isinstance(connections[0], SmtpBackend):
        connections += [get_connection() for _ in range(connections_for(len(deliveries)) - 1)]
    try:
        _on_each(connections, _open)
        if len(connections) == 1:
            for delivery in deliveries:
                job = _prepare(chunk, delivery)
                if job is not None:
                    _settle(chunk, job, _attempt(connections[0], chunk, job))
                unfinished.discard(delivery.delivery_id)
        else:
            _send_in_parallel(chunk, connections, deliveries, unfinished)
        chunk.flush()
    except BaseException as exc:
        # What the server accepted is recorded; whatever stopped the chunk, what it did
        # not finish goes back to pending at once (not after the claim timeout).
        chunk.flush()
        _release(unfinished, token, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        _on_each(connections, _close)
    if outcome.deferred:
        delay = _retry_delay(retries)
        outcome.retry_after = min(outcome.retry_after or delay, delay)
    return outcome


def _open(connection: Any) -> None:
    connection.open()


def _close(connection: Any) -> None:
    try:
        connection.close()
    except (OSError, smtplib.SMTPException):  # pragma: no cover - closing a dead link
        logger.debug("closing the SMTP connection failed", exc_info=True)


def _on_each(connections: Sequence[Any], action: Callable[[Any], None]) -> None:
    """`action` on every connection at once: opening (greeting, EHLO) and closing (QUIT) are
    round trips to a server busy with other connections. Raises the first error raised."""
    if len(connections) == 1:
        action(connections[0])
        return
    errors: list[BaseException] = []

    def run(connection: Any) -> None:
        try:
            action(connection)
        except BaseException as exc:  # re-raised in the chunk's thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in connections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


# SMTP is a conversation of round trips (MAIL, RCPT, DATA, the message): one connection
# mostly waits for the server. A chunk with enough deliveries talks over several at once.
CONNECTIONS = 4
PER_CONNECTION = 50  # fewer deliveries than this per connection are not worth a handshake


def connections_for(deliveries: int) -> int:
    """How many SMTP connections a chunk of `deliveries` sends over."""
    return max(1, min(CONNECTIONS, deliveries // PER_CONNECTION))


@dataclass(slots=True)
class _Recipient:
    """A claimed delivery and what its email needs of the subscription (one row of a join).

    Named as `Subscription`'s fields (`pk` is the subscription's), so the
    selectors of clearances and links take it as they take a subscription.
    """

    delivery_id: int
    attempts: int
    pk: int
    email: str
    sectors: list[str]
    language: str
    content: str
    status: str
    unsubscribe_token: str
    consecutive_failures: int
    user_id: int | None
    granted_clearance: str
    user_deleted_at: datetime.datetime | None

    @property
    def subscription_id(self) -> int:
        return self.pk

    @property
    def is_active(self) -> bool:
        return self.status == SubscriptionStatus.ACTIVE


_RECIPIENT_COLUMNS = (
    "pk",
    "attempts",
    "subscription_id",
    "subscription__email",
    "subscription__sectors",
    "subscription__language",
    "subscription__content",
    "subscription__status",
    "subscription__unsubscribe_token",
    "subscription__consecutive_failures",
    "subscription__user_id",
    "subscription__granted_clearance",
    "subscription__user__deleted_at",
)


def _claimed_recipients(delivery_ids: Sequence[int], token: str) -> list[_Recipient]:
    """The deliveries this run claimed, as plain rows: a chunk's model instances (delivery,
    subscription, account, with every date parsed) cost more than its SMTP client."""
    rows: Iterable[tuple[Any, ...]] = (
        Delivery.objects.filter(pk__in=list(delivery_ids), claim_token=token)
        .order_by("pk")
        .values_list(*_RECIPIENT_COLUMNS)
    )
    return [_Recipient(*row) for row in rows]


@dataclass
class _Job:
    """One claimed delivery ready to hand to the mail backend."""

    delivery: _Recipient
    rendering: Rendering
    sent: _Sent
    wire: tuple[str, list[str], bytes] | None = None  # set for SMTP connections


def _prepare(chunk: _Chunk, delivery: _Recipient) -> _Job | None:
    """The delivery's briefing, or None when it is skipped (recorded here)."""
    subscription = delivery
    sectors = selectors.ordered_sectors(subscription.sectors)
    if not subscription.is_active or not sectors or subscription.user_deleted_at is not None:
        _finish(delivery, chunk.token, status=DeliveryStatus.SKIPPED, error=subscription.status)
        chunk.outcome.skipped += 1
        return None
    clearance = chunk.clearances[subscription.pk]
    corrections = chunk.corrections_for(subscription, sectors)
    rendering = chunk.rendering(
        composer=composer_for(subscription),
        sectors=sectors,
        clearance=clearance,
        language=subscription.language,
        corrections=corrections,
    )
    sent = _Sent(
        delivery_id=delivery.delivery_id,
        sectors=sectors,
        clearance=clearance,
        language=subscription.language,
        corrections=list(corrections),
    )
    return _Job(delivery=delivery, rendering=rendering, sent=sent)


def _wire(chunk: _Chunk, job: _Job) -> tuple[str, list[str], bytes]:
    if job.wire is None:
        subscription = job.delivery
        job.wire = job.rendering.wire().message(
            to=subscription.email,
            preferences_url=chunk.links.preferences_url(subscription),
            unsubscribe_url=chunk.links.unsubscribe_url(subscription),
        )
    return job.wire


def _attempt(connection: Any, chunk: _Chunk, job: _Job) -> BaseException | None:
    """Hand one briefing to the mail backend; the exception it raised, if any.

    Over SMTP the pre-encoded bytes go straight to the open session; any other
    backend (console, files, test outboxes) gets the message object.
    """
    try:
        if isinstance(connection, SmtpBackend) and connection.connection is not None:
            sender, recipients, data = _wire(chunk, job)
            connection.connection.sendmail(sender, recipients, data)
        else:
            message = briefing_message(subscription=job.delivery, composed=job.rendering.composed)
            connection.send_messages([message])
    except Exception as exc:
        return exc
    return None


def _settle(chunk: _Chunk, job: _Job, error: BaseException | None) -> None:
    """Record what became of one delivery; raise when the whole chunk must stop."""
    delivery = job.delivery
    if error is None:
        chunk.record_sent(job.sent)
        chunk.outcome.sent += 1
        if delivery.consecutive_failures:
            Subscription.objects.filter(pk=delivery.subscription_id).update(consecutive_failures=0)
        return
    try:
        raise error
    except _SESSION_ERRORS as exc:
        code, text = _reply(exc)
        if code is not None and 400 <= code < 500:
            raise TemporarySmtpError(f"{code} {text}") from exc
        raise
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
        code, text = _reply(exc)
        if code is not None and 400 <= code < 500:
            _defer(chunk, delivery, code, text)
        else:
            _fail(chunk, delivery, code, text)
    except smtplib.SMTPNotSupportedError as exc:
        # The server cannot take this message at all (e.g. an address needing SMTPUTF8).
        _fail(chunk, delivery, None, str(exc))


_NOT_SENT = RuntimeError("not sent: the chunk stopped first")


def _send_in_parallel(
    chunk: _Chunk,
    connections: Sequence[Any],
    deliveries: Sequence[_Recipient],
    unfinished: set[int],
) -> None:
    """Send over every connection at once: one thread per connection does SMTP only,
    this thread prepares the messages and does every database write."""
    jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=4 * len(connections))
    results: queue.Queue[tuple[_Job, BaseException | None]] = queue.Queue()
    stop = threading.Event()

    def sender(connection: Any) -> None:
        while (job := jobs.get()) is not None:
            # Once the chunk stops, what is still queued is not sent: left for the release.
            results.put((job, _NOT_SENT if stop.is_set() else _attempt(connection, chunk, job)))

    threads = [threading.Thread(target=sender, args=(c,), daemon=True) for c in connections]
    for thread in threads:
        thread.start()
    in_flight = 0
    failure: BaseException | None = None

    def settle_ready(block: bool) -> None:
        nonlocal in_flight, failure
        while in_flight:
            try:
                job, error = results.get(block=block, timeout=None if block else 0)
            except queue.Empty:
                return
            in_flight -= 1
            if error is _NOT_SENT:
                continue
            try:
                if failure is None or error is None:
                    _settle(chunk, job, error)
                    unfinished.discard(job.delivery.delivery_id)
            except BaseException as exc:
                failure = exc
                stop.set()

    try:
        for delivery in deliveries:
            if failure is not None:
                break
            job = _prepare(chunk, delivery)
            if job is None:
                unfinished.discard(delivery.delivery_id)
                continue
            _wire(chunk, job)  # encoded here, so the threads only talk SMTP
            jobs.put(job)
            in_flight += 1
            settle_ready(block=False)
    finally:
        for _thread in threads:
            jobs.put(None)
        # Every message a thread handed over is settled (accepted ones recorded) first.
        settle_ready(block=True)
        for thread in threads:
            thread.join()
    if failure is not None:
        raise failure


def _defer(chunk: _Chunk, delivery: _Recipient, code: int, text: str) -> None:
    """A temporary failure: back to pending for the task's retry, or failed after too many."""
    error = f"{code} {text}"[:500]
    if delivery.attempts >= settings.BRIEFING_MAX_ATTEMPTS:
        _finish(delivery, chunk.token, status=DeliveryStatus.FAILED, smtp_code=code, error=error)
        chunk.outcome.failed += 1
        return
    Delivery.objects.filter(
        pk=delivery.delivery_id, claim_token=chunk.token, status=DeliveryStatus.SENDING
    ).update(
        status=DeliveryStatus.PENDING,
        claim_token="",
        claimed_at=None,
        smtp_code=code,
        error=error,
        updated_at=timezone.now(),
    )
    chunk.outcome.deferred += 1


def _fail(chunk: _Chunk, delivery: _Recipient, code: int | None, text: str) -> None:
    """A permanent failure: recorded; enough of them in a row pause the address."""
    _finish(
        delivery,
        chunk.token,
        status=DeliveryStatus.FAILED,
        smtp_code=code,
        error=f"{code or ''} {text}".strip()[:500],
    )
    chunk.outcome.failed += 1
    chunk.outcome.errors.append(f"{delivery.subscription_id}: {code} {text}"[:200])
    now = timezone.now()
    Subscription.objects.filter(pk=delivery.subscription_id).update(
        consecutive_failures=F("consecutive_failures") + 1, updated_at=now
    )
    Subscription.objects.filter(
        pk=delivery.subscription_id,
        status=SubscriptionStatus.ACTIVE,
        consecutive_failures__gte=settings.BRIEFING_PAUSE_AFTER_FAILURES,
    ).update(status=SubscriptionStatus.PAUSED, paused_at=now)


# --- Administrators ------------------------------------------------------------------------------


@transaction.atomic
def delivery_resend(*, delivery: Delivery, actor: User) -> bool:
    """Send one briefing again (after a failure, or on a reader's request); audited.

    A conditional update from a finished state, so two clicks queue one send.
    """
    if not actor.is_site_admin:
        raise PermissionDenied(_("Only administrators resend briefings."))
    reset = Delivery.objects.filter(
        pk=delivery.pk,
        status__in=[DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED],
    ).update(
        status=DeliveryStatus.PENDING,
        claim_token="",
        claimed_at=None,
        attempts=0,
        error="",
        resend_count=F("resend_count") + 1,
        updated_at=timezone.now(),
    )
    if reset != 1:
        return False
    delivery.refresh_from_db()
    audit_record(
        actor=actor,
        action="briefing.resend",
        target=delivery,
        data={"week_start": delivery.week_start.isoformat()},
    )
    from intel.briefings.tasks import send_briefing_chunk

    enqueue_on_commit(send_briefing_chunk, delivery.week_start.isoformat(), [delivery.pk])
    return True


def briefing_week_send_now(*, week_start: datetime.date, actor: User) -> None:
    """An administrator sends (or finishes sending) a week now; the fan-out runs in a worker.

    Raises `WorkflowError` at once when the week has nothing published, so
    the administrator learns it on the page rather than from a worker's log.
    """
    week_start = validation.clean_week_start(week_start, field="week_start")
    if not actor.is_site_admin:
        raise PermissionDenied(_("Only administrators send briefings."))
    _require_briefable_week(week_start)
    from intel.briefings.tasks import send_weekly_briefings

    enqueue_on_commit(send_weekly_briefings, week_start.isoformat(), actor.pk)
