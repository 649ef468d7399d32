"""Site-wide Celery tasks."""

from __future__ import annotations

from celery import shared_task

from .mail import EmailPayload, email_send_now
from .queue import outbox_flush


@shared_task(name="community.send_email")
def send_email(payload: EmailPayload) -> None:
    email_send_now(payload=payload)


@shared_task(name="community.flush_outbox")
def flush_outbox() -> dict[str, object]:
    """Publish tasks that waited in the outbox while the broker was away (beat, every minute)."""
    return outbox_flush().as_dict()
