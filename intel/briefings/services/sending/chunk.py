"""Sending one chunk over SMTP: its connections (several at once for a large chunk), each
delivery's attempt and what becomes of it (sent, deferred, failed, paused).
"""

from __future__ import annotations

import datetime
import logging
import queue
import secrets
import smtplib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db.models import F
from django.utils import timezone

from intel.briefings import selectors
from intel.briefings.services.sending.claims import (
    ChunkOutcome,
    _claim,
    _claimed_recipients,
    _finish,
    _Recipient,
    _release,
    _Sent,
)
from intel.briefings.services.sending.composition import Rendering, _Chunk, composer_for
from intel.briefings.services.sending.wire import briefing_message
from intel.models import Delivery, DeliveryStatus, Subscription, SubscriptionStatus

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


def _text(raw: bytes | str) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


def _reply(exc: smtplib.SMTPException) -> tuple[int | None, str]:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (None, b""))
        return code, _text(text)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code, _text(exc.smtp_error)
    return None, str(exc)


def _retry_delay(retries: int) -> int:
    return min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**retries)


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
