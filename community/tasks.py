"""Site-wide Celery tasks."""

from __future__ import annotations

from celery import shared_task

from .mail import EmailPayload, email_send_now


@shared_task(name="community.send_email")
def send_email(payload: EmailPayload) -> None:
    email_send_now(payload=payload)
