"""Celery tasks of the weekly briefing: start a week, send one chunk (thin, idempotent)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from accounts.models import User
from community.queue import enqueue_now
from intel.briefings.services import briefing_chunk_send, briefing_week_start
from intel.digests import core as digest_core
from intel.errors import WorkflowError

logger = logging.getLogger(__name__)


@shared_task(name="intel.send_weekly_briefings")
def send_weekly_briefings(
    week_start: str | None = None, actor_id: int | None = None
) -> dict[str, object]:
    """Start a week's briefing (default: the week just ended) and queue one task per chunk.

    Safe to run twice: the week and its deliveries are created once, and the
    chunk tasks claim deliveries before sending, so nothing is sent twice.
    """
    week = (
        datetime.date.fromisoformat(week_start)
        if week_start
        else digest_core.last_full_week(timezone.now())
    )
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        plan = briefing_week_start(week_start=week, actor=actor)
    except WorkflowError as error:
        logger.warning("weekly briefing not sent: %s", error.message)
        return {"week_start": week.isoformat(), "started": False, "reason": error.message}
    for chunk in plan.chunks:
        enqueue_now(send_briefing_chunk, plan.week_start.isoformat(), chunk)
    return {
        "week_start": plan.week_start.isoformat(),
        "started": plan.started,
        "subscribers": plan.subscribers,
        "chunks": len(plan.chunks),
    }


@shared_task(bind=True, name="intel.send_briefing_chunk", max_retries=12)
def send_briefing_chunk(self: Any, week_start: str, delivery_ids: list[int]) -> dict[str, object]:
    """Send one chunk of a week's briefings over SMTP (its claims make it idempotent)."""
    try:
        outcome = briefing_chunk_send(
            week_start=datetime.date.fromisoformat(week_start),
            delivery_ids=delivery_ids,
            retries=self.request.retries,
        )
    except SoftTimeLimitExceeded:
        # Out of time (a slow SMTP server): the unsent part is pending again; go on in a new run.
        raise self.retry(countdown=1) from None
    # In-process (eager) runs do not wait and retry: what is left stays pending
    # for the next run or an administrator's "send the week now".
    if (
        outcome.retry_after is not None
        and not self.request.is_eager
        and self.request.retries < self.max_retries
    ):
        raise self.retry(countdown=outcome.retry_after)
    return outcome.as_dict()
