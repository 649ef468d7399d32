"""A real Celery worker on Redis runs tasks enqueued in committed transactions only."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMessage
from django.db import transaction

from community.mail import email_send_on_commit

pytestmark = pytest.mark.redis


class Rollback(Exception):
    pass


def queue_email(subject: str) -> None:
    email_send_on_commit(
        message=EmailMessage(subject, "body", "intel@example.org", ["reader@example.org"])
    )


def test_task_enqueued_in_committed_transaction_runs_on_worker(celery_worker, smtp_server):
    with transaction.atomic():
        queue_email("committed")
        assert smtp_server.messages == [], "nothing may run before the commit"
    [message] = smtp_server.wait_for(1, timeout=30)
    assert message["Subject"] == "committed"


def test_task_enqueued_in_rolled_back_transaction_never_runs(celery_worker, smtp_server):
    with pytest.raises(Rollback), transaction.atomic():
        queue_email("rolled back")
        raise Rollback
    # A later committed task proves the worker is consuming; the first never arrives.
    with transaction.atomic():
        queue_email("marker")
    messages = smtp_server.wait_for(1, timeout=30)
    assert [m["Subject"] for m in messages] == ["marker"]
