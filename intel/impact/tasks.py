"""Celery tasks of contributor impact: the monthly run and one summary (thin, idempotent)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from community.queue import enqueue_now
from intel.impact import services


@shared_task(name="intel.send_monthly_impact")
def send_monthly_impact() -> int:
    """Plan last month's summaries and queue each one still to send; the number queued."""
    month = services.previous_month(timezone.localdate())
    summary_ids = services.impact_summaries_plan(month=month)
    for summary_id in summary_ids:
        enqueue_now(send_impact_summary, summary_id)
    return len(summary_ids)


@shared_task(name="intel.send_impact_summary", acks_late=True)
def send_impact_summary(summary_id: int) -> bool:
    return services.impact_summary_send(summary_id=summary_id)
