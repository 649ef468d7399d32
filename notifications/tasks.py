"""Notification emails, sent by workers after the event's commit."""

from __future__ import annotations

from celery import shared_task

from notifications.services import notification_email_send


@shared_task(name="notifications.send_emails")
def send_notification_emails(notification_ids: list[int]) -> int:
    """Send each listed notification's email unless it went already; returns how many now."""
    return sum(notification_email_send(notification_id=pk) for pk in notification_ids)
