"""The monthly "what your reports changed" email: over real SMTP, once per member and month."""

from __future__ import annotations

import datetime
from email.header import decode_header, make_header

import pytest
from django.db import transaction
from django.utils import timezone

from community.queue import enqueue_on_commit
from intel.impact import services
from intel.impact.tasks import send_impact_summary, send_monthly_impact
from intel.models import Acknowledgement, Contribution, ImpactSummary, SummaryStatus
from notifications.models import Kind, Notification, Preference
from tests.helpers import smtp_drain
from tests.intel.digests.factories import DigestFactory, DigestItemFactory

SUBJECT = "What your reports changed"


def last_month() -> datetime.date:
    return services.previous_month(timezone.localdate())


def in_last_month() -> datetime.datetime:
    month = last_month()
    return timezone.make_aware(datetime.datetime(month.year, month.month, 15, 12))


def backdate(report) -> None:
    Contribution.objects.filter(pk=report.pk).update(decided_at=in_last_month())


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def summaries(inbox, to: str) -> list:
    return [m for m in inbox.messages if m["To"] == to and SUBJECT in subject(m)]


def body(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


@pytest.mark.django_db
def test_member_gets_a_summary_of_last_months_decisions_citations_and_notes(
    smtp_server, decide, contributor, other_contributor, analyst
):
    report = decide(contributor, title="Neon purifier restarts")
    hidden = decide(contributor, title="Gallium smuggling route", attribution="anonymous")
    for item in (report, hidden):
        backdate(item)
    digest = DigestFactory(sector="semiconductors", items=[], published_at=in_last_month())
    DigestItemFactory(
        digest=digest,
        key=f"r{report.pk}",
        data={"title": report.title, "members": [{"id": report.pk}]},
    )
    note = services.acknowledgement_send(
        contribution=hidden, analyst=analyst, kind="thanks", message="It named the route."
    )
    Acknowledgement.objects.filter(pk=note.pk).update(created_at=in_last_month())
    decide(other_contributor)  # decided this month: nothing to tell for last month

    assert send_monthly_impact() == 1
    [message] = summaries(smtp_server, contributor.email)
    text = body(message)
    assert "Neon purifier restarts: Accepted — Useful, thank you." in text
    assert "Gallium smuggling route (Thanks): It named the route." in text  # my own anonymous work
    assert "Semiconductors" in text
    assert "/intel/impact/" in text and "/notifications/" in text
    assert summaries(smtp_server, other_contributor.email) == []
    [summary] = ImpactSummary.objects.all()
    assert (summary.user, summary.month, summary.status) == (contributor, last_month(), "sent")
    assert Notification.objects.filter(recipient=contributor, kind=Kind.IMPACT_MONTHLY).count() == 1


@pytest.mark.django_db
def test_a_member_who_opted_out_gets_no_summary(smtp_server, decide, contributor):
    backdate(decide(contributor))
    Preference.objects.create(user=contributor, kind=Kind.IMPACT_MONTHLY, email=False, site=True)
    send_monthly_impact()
    assert summaries(smtp_server, contributor.email) == []
    assert ImpactSummary.objects.get().status == SummaryStatus.SKIPPED


@pytest.mark.django_db
def test_the_opt_out_is_on_the_notification_settings_page(client_for, contributor):
    content = client_for(contributor).get("/notifications/settings/").content.decode()
    assert "Monthly summary: what my reports changed" in content


@pytest.mark.django_db
def test_a_second_run_of_the_month_sends_nothing(smtp_server, decide, contributor):
    backdate(decide(contributor))
    assert send_monthly_impact() == 1
    assert send_monthly_impact() == 0
    [summary] = ImpactSummary.objects.all()
    assert services.impact_summary_send(summary_id=summary.pk) is False
    assert len(summaries(smtp_server, contributor.email)) == 1


@pytest.mark.redis
def test_worker_sends_each_summary_once_even_when_tasks_run_again(
    celery_worker, smtp_server, decide, contributor
):
    report = decide(contributor, title="Neon purifier restarts")
    backdate(report)
    with transaction.atomic():
        enqueue_on_commit(send_monthly_impact)
    smtp_drain(smtp_server, "first marker")  # behind the monthly run
    smtp_drain(smtp_server, "second marker")  # behind the summary it queued
    [summary] = ImpactSummary.objects.all()
    assert summary.status == SummaryStatus.SENT
    with transaction.atomic():  # a redelivery, and beat firing twice
        enqueue_on_commit(send_impact_summary, summary.pk)
        enqueue_on_commit(send_monthly_impact)
    smtp_drain(smtp_server, "third marker")
    smtp_drain(smtp_server, "fourth marker")
    assert len(summaries(smtp_server, contributor.email)) == 1
    assert ImpactSummary.objects.count() == 1


def test_monthly_run_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-impact"]
    assert entry["task"] == send_monthly_impact.name
    assert entry["schedule"].day_of_month == {1}


@pytest.mark.django_db
def test_summary_is_in_the_members_language(smtp_server, decide, contributor):
    contributor.language = "ja"
    contributor.save(update_fields=["language"])
    backdate(decide(contributor))
    send_monthly_impact()
    [message] = [m for m in smtp_server.messages if m["To"] == contributor.email]
    assert "あなたのレポートがもたらしたもの" in subject(message)
    assert "この月次メールは通知設定で停止できます" in body(message)
