"""The one way to queue a Celery task: a transactional outbox, so the broker can be away.

`enqueue_on_commit(task, *args)` writes the task as an `OutboxMessage` row in
the caller's transaction; after the commit it is published to the broker
and the row deleted. A rolled-back transaction therefore queues nothing, and
a committed one never loses its task: when the broker cannot take it the
row stays, and the sweep (`outbox_flush`: the `community.flush_outbox` beat
task every `OUTBOX_FLUSH_SECONDS`, `manage.py flush_outbox`, and every
worker at start) publishes it once the broker is back. The request itself
never fails for it: the person is told their change went through, and the
work simply happens later.

At-least-once: a row is deleted in the transaction that published it, so a
process dying between the broker's acceptance and that commit publishes the
task again later. Every task queued here is idempotent (tagging rewrites
the same rows, briefings and digests claim or key what they produce), so a
repeat is harmless; the one exception is `community.send_email`, where that
rare window can send the same email twice.

Without a broker (no `REDIS_URL`: Celery runs tasks eagerly) nothing is
written and tasks run in-process after the commit, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

import redis
from celery import Task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from kombu.exceptions import KombuError

from .breaker import CircuitBreaker, breaker_for
from .celery import app
from .models import OutboxMessage

logger = logging.getLogger(__name__)

PUBLISH_ERRORS = (KombuError, redis.RedisError, OSError)
# One immediate retry, for a pooled connection the broker dropped (a restart);
# anything longer is the sweep's job, not the request's.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}
BATCH_SIZE = 100


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Queue `task(*args, **kwargs)` once the current transaction commits (now, outside one).

    Arguments must be JSON-serialisable: they are stored in the outbox row.
    """
    if task.app.conf.task_always_eager:
        transaction.on_commit(partial(task.delay, *args, **kwargs))
        return
    message = OutboxMessage.objects.create(task=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(partial(_publish_after_commit, message.pk), robust=True)


def enqueue_now(task: Task, *args: Any, **kwargs: Any) -> None:
    """Queue at once, through the same outbox, from code outside any transaction.

    For a task fanning out into more tasks: its own data is committed already,
    so there is nothing to wait for (and in-process runs happen right here).
    """
    if task.app.conf.task_always_eager:
        task.delay(*args, **kwargs)
        return
    if connection.in_atomic_block:
        raise RuntimeError(
            "enqueue_now() would publish before the commit; use enqueue_on_commit()."
        )
    enqueue_on_commit(task, *args, **kwargs)


@dataclass(frozen=True)
class FlushResult:
    published: int
    pending: int
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def outbox_flush(
    *, batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None
) -> FlushResult:
    """Publish every pending task, oldest first, stopping at the first broker failure.

    Safe to run at any time and from several processes at once: rows being
    published elsewhere are locked and skipped, never published twice here.
    """
    published = 0
    error: Exception | None = None
    while True:
        count, error = _publish(OutboxMessage.objects.order_by("pk"), limit=batch_size)
        published += count
        if progress is not None and count:
            progress(published)
        if error is not None or count < batch_size:
            break
    _record(_broker_breaker(), error)
    return FlushResult(
        published=published,
        pending=outbox_pending(),
        error=str(error) if error is not None else "",
    )


def outbox_pending() -> int:
    return OutboxMessage.objects.count()


def _broker_breaker() -> CircuitBreaker:
    return breaker_for(f"broker {app.conf.broker_url}", retry_after=settings.REDIS_RETRY_AFTER)


def _publish_after_commit(message_id: int) -> None:
    breaker = _broker_breaker()
    if not breaker.allows():
        return  # the broker failed moments ago; the sweep will publish this
    _count, error = _publish(OutboxMessage.objects.filter(pk=message_id), limit=1)
    _record(breaker, error)


def _record(breaker: CircuitBreaker, error: Exception | None) -> None:
    """Tell the breaker how publishing went; log only the changes, not every request."""
    if error is None:
        if breaker.succeeded():
            logger.warning("queue: broker answers again; the sweep publishes what waited")
    elif breaker.failed():
        logger.warning("queue: broker unreachable (%s); tasks wait in the outbox", error)


def _publish(pending: QuerySet[OutboxMessage], *, limit: int) -> tuple[int, Exception | None]:
    """Publish up to `limit` rows of `pending` and delete them; keep and annotate a failure."""
    published: list[int] = []
    failure: Exception | None = None
    with transaction.atomic():
        for message in pending.select_for_update(skip_locked=True)[:limit]:
            try:
                _send(message)
            except PUBLISH_ERRORS as error:
                failure = error
                OutboxMessage.objects.filter(pk=message.pk).update(
                    attempts=F("attempts") + 1,
                    last_attempt_at=timezone.now(),
                    last_error=f"{type(error).__name__}: {error}"[:1000],
                )
                break
            published.append(message.pk)
        OutboxMessage.objects.filter(pk__in=published).delete()
    return len(published), failure


def _send(message: OutboxMessage) -> None:
    with app.producer_or_acquire() as producer:
        # kombu would otherwise keep trying to connect for seconds.
        producer.connection.ensure_connection(max_retries=0)
        app.send_task(
            message.task,
            args=message.args,
            kwargs=message.kwargs,
            producer=producer,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
