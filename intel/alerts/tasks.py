"""Celery tasks of alerts: match a report, send one alert, the daily run (thin, idempotent)."""

from __future__ import annotations

from celery import shared_task

from community.queue import enqueue_now
from intel.alerts import services


@shared_task(name="intel.match_alerts")
def match_alerts(contribution_id: int) -> int:
    """Match an accepted contribution against every watch; the number of watches it matched."""
    return len(services.alerts_match(contribution_id=contribution_id))


@shared_task(name="intel.send_alert")
def send_alert(alert_id: int) -> bool:
    return services.alert_send(alert_id=alert_id)


@shared_task(name="intel.send_daily_alerts")
def send_daily_alerts() -> int:
    """Queue one digest email per daily watch with pending alerts; the number queued."""
    watch_ids = services.daily_watch_ids()
    for watch_id in watch_ids:
        enqueue_now(send_daily_alert, watch_id)
    return len(watch_ids)


@shared_task(name="intel.send_daily_alert")
def send_daily_alert(watch_id: int) -> int:
    return services.alerts_daily_send(watch_id=watch_id)
