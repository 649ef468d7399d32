"""The Celery app, configured from Django settings (the CELERY_* names).

Every task inherits the retry pattern of `RetryingTask`: transient failures
(database or broker connection trouble, SMTP hiccups) are retried with
exponential backoff and jitter instead of being lost. A worker that starts
first publishes what waited in the outbox (`community.queue`).
"""

from __future__ import annotations

import os
import smtplib
from typing import Any

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError, connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)


class RetryingTask(DjangoTask):
    """Django-aware, with retries on transient errors. Queue through `community.queue`."""

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8


app = Celery("community", task_cls=RetryingTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _flush_outbox_at_start(**kwargs: Any) -> None:
    # A worker coming up is often the broker coming back: publish what waited.
    from .queue import outbox_flush

    try:
        outbox_flush()
    finally:
        # Pool processes forked later must not inherit this connection (the
        # solo pool simply reconnects).
        connections.close_all()
