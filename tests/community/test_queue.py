"""The outbox: a task is written in the caller's transaction and published after it commits.

Broker tests run against the test's own Redis (`private_redis`) and read
what reached the queue straight from Redis, so nothing here depends on a
worker's timing.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from community.celery import app
from community.mail import email_send_on_commit
from community.models import OutboxMessage
from community.queue import enqueue_now, enqueue_on_commit, outbox_flush
from community.tasks import flush_outbox, send_email
from intel.tagging.tasks import tag_contribution


class Rollback(Exception):
    pass


def broker_messages(url: str) -> list[tuple[str, list[Any]]]:
    """(task name, args) of each message waiting in Celery's default queue, oldest first."""
    client = redis.Redis.from_url(url)
    try:
        raw = client.lrange("celery", 0, -1)
    finally:
        client.close()
    messages = []
    for item in reversed(raw):  # Celery pushes on the left and pops on the right
        envelope = json.loads(item)
        args, _kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        messages.append((envelope["headers"]["task"], args))
    return messages


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_committed_task_is_published_after_the_commit_and_its_row_deleted(private_redis):
    with transaction.atomic():
        enqueue_on_commit(tag_contribution, 41)
        assert [m.args for m in OutboxMessage.objects.all()] == [[41]]
        assert broker_messages(private_redis.url) == [], "nothing leaves before the commit"
    assert broker_messages(private_redis.url) == [("intel.tag_contribution", [41])]
    assert not OutboxMessage.objects.exists()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_queues_nothing(private_redis):
    with pytest.raises(Rollback), transaction.atomic():
        enqueue_on_commit(tag_contribution, 41)
        raise Rollback
    assert not OutboxMessage.objects.exists()
    assert broker_messages(private_redis.url) == []


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_task_waits_in_the_outbox_with_its_error(private_redis):
    private_redis.stop()
    with transaction.atomic():
        enqueue_on_commit(tag_contribution, 41)
    message = OutboxMessage.objects.get()
    assert (message.task, message.args, message.attempts) == ("intel.tag_contribution", [41], 1)
    assert "Connection refused" in message.last_error
    assert message.last_attempt_at is not None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_after_a_failed_publish_the_next_requests_leave_the_broker_alone(private_redis):
    private_redis.stop()
    enqueue_on_commit(tag_contribution, 1)
    enqueue_on_commit(tag_contribution, 2)
    # The first tried and failed; the second did not wait for a connection attempt.
    assert [(m.args, m.attempts) for m in OutboxMessage.objects.all()] == [([1], 1), ([2], 0)]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_sweep_publishes_waiting_tasks_in_order_once_the_broker_is_back(private_redis):
    private_redis.stop()
    for contribution_id in (1, 2, 3):
        enqueue_on_commit(tag_contribution, contribution_id)
    private_redis.start()
    result = outbox_flush(batch_size=2)
    assert (result.published, result.pending, result.error) == (3, 0, "")
    assert broker_messages(private_redis.url) == [
        ("intel.tag_contribution", [1]),
        ("intel.tag_contribution", [2]),
        ("intel.tag_contribution", [3]),
    ]
    assert not OutboxMessage.objects.exists()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_sweep_stops_at_the_first_failure_and_keeps_every_task(private_redis):
    private_redis.stop()
    for contribution_id in (1, 2, 3):
        enqueue_on_commit(tag_contribution, contribution_id)
    result = outbox_flush()
    assert (result.published, result.pending) == (0, 3)
    assert "Connection refused" in result.error
    assert [m.attempts for m in OutboxMessage.objects.all()] == [2, 0, 0]


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_a_task_another_process_is_publishing(private_redis):
    private_redis.stop()
    enqueue_on_commit(tag_contribution, 1)
    enqueue_on_commit(tag_contribution, 2)
    private_redis.start()
    first = OutboxMessage.objects.order_by("pk").first()
    locked, release = threading.Event(), threading.Event()

    def publisher_holding_the_first_row() -> None:
        with transaction.atomic():
            OutboxMessage.objects.select_for_update().get(pk=first.pk)
            locked.set()
            release.wait(30)
        connection.close()

    other = threading.Thread(target=publisher_holding_the_first_row)
    other.start()
    try:
        assert locked.wait(30)
        result = outbox_flush()
    finally:
        release.set()
        other.join(30)
    assert broker_messages(private_redis.url) == [("intel.tag_contribution", [2])]
    assert (result.published, result.pending) == (1, 1)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_task_fanning_out_queues_through_the_outbox_at_once(private_redis):
    enqueue_now(tag_contribution, 7)
    assert broker_messages(private_redis.url) == [("intel.tag_contribution", [7])]
    assert not OutboxMessage.objects.exists()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_queueing_at_once_is_refused_inside_a_transaction(private_redis):
    with pytest.raises(RuntimeError, match="enqueue_on_commit"), transaction.atomic():
        enqueue_now(tag_contribution, 7)
    assert broker_messages(private_redis.url) == []


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_flush_outbox_command_publishes_and_says_so(private_redis, capsys):
    private_redis.stop()
    enqueue_on_commit(tag_contribution, 1)
    private_redis.start()
    call_command("flush_outbox")
    out = capsys.readouterr().out
    assert "1 task(s) waiting in the outbox." in out
    assert "Published 1 task(s); 0 waiting." in out
    assert broker_messages(private_redis.url) == [("intel.tag_contribution", [1])]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_flush_outbox_command_fails_while_the_broker_is_down(private_redis):
    private_redis.stop()
    enqueue_on_commit(tag_contribution, 1)
    with pytest.raises(CommandError, match="1 still waiting"):
        call_command("flush_outbox")
    assert OutboxMessage.objects.count() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_runs_the_sweep(private_redis):
    private_redis.stop()
    enqueue_on_commit(tag_contribution, 1)
    private_redis.start()
    assert flush_outbox.apply().get() == {"published": 1, "pending": 0, "error": ""}
    assert broker_messages(private_redis.url) == [("intel.tag_contribution", [1])]


def test_beat_sweeps_the_outbox_every_interval_without_piling_up():
    entry = settings.CELERY_BEAT_SCHEDULE["flush-outbox"]
    assert entry["task"] == "community.flush_outbox"
    assert entry["schedule"] == settings.OUTBOX_FLUSH_SECONDS
    assert entry["options"]["expires"] == settings.OUTBOX_FLUSH_SECONDS
    assert "community.flush_outbox" in app.tasks


@pytest.mark.django_db
def test_in_process_mode_runs_the_task_after_commit_and_writes_no_row(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email_send_on_commit(
            message=EmailMessage("in process", "body", "intel@example.org", ["r@example.org"])
        )
        assert not OutboxMessage.objects.exists()
        assert smtp_server.messages == []
    assert len(callbacks) == 1
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "in process"


@pytest.mark.django_db
def test_flush_outbox_command_has_nothing_to_do_in_process_mode(capsys):
    call_command("flush_outbox")
    assert "tasks run in-process; nothing to do" in capsys.readouterr().out
    assert send_email.app.conf.task_always_eager
