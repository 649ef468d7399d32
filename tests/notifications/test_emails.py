"""Notification emails over a real SMTP server: once per event, in the reader's language."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest
from django.db import transaction

from notifications.models import EmailStatus, Kind, Notification
from notifications.services import notify, preferences_update
from notifications.tasks import send_notification_emails
from tests.helpers import free_port, smtp_serving
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import submit


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


@pytest.mark.django_db
def test_one_email_per_event_even_when_the_task_runs_twice(
    contributor, analyst, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://intel.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        submit(FieldReportFactory(author=contributor, title="Neon rationing"), contributor)
    [message] = smtp_server.wait_for(1)
    [notification] = Notification.objects.filter(recipient=analyst)
    assert send_notification_emails([notification.pk]) == 0
    assert send_notification_emails([notification.pk]) == 0
    # The same event reported again records and sends nothing either.
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[analyst], kind=notification.kind, event=notification.event,
            path=notification.path, params=notification.params,
        )  # fmt: skip
    assert len(smtp_server.messages) == 1
    assert message["To"] == analyst.email
    assert "Community Intelligence Platform" in _subject(message)
    body = _body(message)
    assert "Neon rationing" in body
    assert f"https://intel.example.org/intel/review/{notification.path.split('/')[-2]}/" in body
    assert "https://intel.example.org/notifications/settings/" in body
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT


@pytest.mark.django_db
def test_email_is_in_the_recipients_language_and_names_no_anonymous_author(
    contributor, analyst, smtp_server, django_capture_on_commit_callbacks
):
    analyst.language = "ja"
    analyst.save(update_fields=["language"])
    report = FieldReportFactory(author=contributor, attribution="anonymous", title="ガリウム")
    with django_capture_on_commit_callbacks(execute=True):
        submit(report, contributor)
    [message] = smtp_server.wait_for(1)
    body = _body(message)
    assert "新しい提出" in body
    for identifying in (contributor.email, contributor.get_short_name(), "Institute A"):
        assert identifying not in body
        assert identifying not in _subject(message)


@pytest.mark.django_db
def test_email_switched_off_sends_nothing(
    contributor, analyst, smtp_server, django_capture_on_commit_callbacks
):
    preferences_update(user=analyst, choices={Kind.SUBMISSION_NEW: (False, True)})
    with django_capture_on_commit_callbacks(execute=True):
        submit(FieldReportFactory(author=contributor), contributor)
    [notification] = Notification.objects.filter(recipient=analyst)
    assert notification.email_status == EmailStatus.NONE
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_decision_email_switched_off_keeps_the_site_notification(
    in_review, contributor, analyst, smtp_server, django_capture_on_commit_callbacks
):
    from intel.reports import services

    preferences_update(user=contributor, choices={Kind.REPORT_DECISION: (False, True)})
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reject(
            contribution=in_review, analyst=analyst, reason="Out of scope, sorry."
        )
    assert Notification.objects.filter(recipient=contributor, kind=Kind.REPORT_DECISION).exists()
    assert smtp_server.messages == []


def test_worker_sends_exactly_one_email_per_event(celery_worker, smtp_server, analyst):
    with transaction.atomic():
        notify(recipients=[analyst], kind=Kind.SECOND_APPROVAL, event="approval:9:r1", path="/")
    with transaction.atomic():
        # Reported again (a retried service, a second worker): nothing new is queued.
        notify(recipients=[analyst], kind=Kind.SECOND_APPROVAL, event="approval:9:r1", path="/")
        notify(recipients=[analyst], kind=Kind.SECOND_APPROVAL, event="approval:10:r1", path="/")
    messages = smtp_server.wait_for(2, timeout=30)
    [notification] = Notification.objects.filter(event="approval:9:r1")
    # Queue the first one's task once more by hand: the claim refuses a second send.
    send_notification_emails.delay([notification.pk])
    with transaction.atomic():
        notify(recipients=[analyst], kind=Kind.SECOND_APPROVAL, event="approval:11:r1", path="/")
    # The solo worker runs tasks in order: once the marker's email is in, the repeat is done.
    messages = smtp_server.wait_for(3, timeout=30)
    assert len(messages) == 3
    sent = Notification.objects.filter(
        event__in=["approval:9:r1", "approval:10:r1"], email_status=EmailStatus.SENT
    )
    assert sent.count() == 2


class _RefusingHandler:
    """An SMTP server that refuses one address for good (550) and accepts the rest."""

    def __init__(self, refused: str) -> None:
        self.refused = refused
        self.delivered: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address == self.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def _pending_notification(recipient) -> Notification:
    return Notification.objects.create(
        recipient=recipient, kind=Kind.SUBMISSION_NEW, event="test:refused",
        path="/intel/review/1/", params={"title": "Neon", "sectors": ["energy"]},
        email_status=EmailStatus.PENDING,
    )  # fmt: skip


@pytest.mark.django_db
def test_an_address_the_server_refuses_is_marked_failed_and_not_retried(analyst, settings):
    handler = _RefusingHandler(refused=analyst.email)
    with smtp_serving(handler, free_port(), settings=settings):
        notification = _pending_notification(analyst)
        assert send_notification_emails([notification.pk]) == 0
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED
    assert notification.emailed_at is None
    assert handler.delivered == []


@pytest.mark.django_db
def test_a_server_that_does_not_answer_leaves_the_email_pending_for_a_retry(
    analyst, smtp_server, settings
):
    notification = _pending_notification(analyst)
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with pytest.raises(OSError):
        send_notification_emails([notification.pk])
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    settings.EMAIL_PORT = smtp_server.port
    assert send_notification_emails([notification.pk]) == 1
    [message] = smtp_server.wait_for(1)
    assert message["To"] == analyst.email
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert notification.emailed_at is not None
