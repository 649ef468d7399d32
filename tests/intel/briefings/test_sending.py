"""Sending the briefing over real SMTP: once per subscriber and week, redacted, with headers."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import AuditEvent
from intel.briefings import services
from intel.briefings.tasks import send_briefing_chunk, send_weekly_briefings
from intel.digests import core as digest_core
from intel.digests import services as digest_services
from intel.errors import WorkflowError
from intel.models import BriefingWeek, Delivery, Digest, Subscription
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.helpers import free_port, send_mail_to
from tests.intel.briefings.support import html_part, recipients, text_part
from tests.intel.digests.factories import WEEK

pytestmark = pytest.mark.django_db

PREVIOUS_WEEK = WEEK - datetime.timedelta(days=7)


def settle(server: Any, count: int) -> list[Any]:
    """Wait for `count` messages, then a little longer to catch any extra one."""
    server.wait_for(count)
    time.sleep(0.3)
    return list(server.messages)


@pytest.fixture
def week(analyst: Any, digest_factory: Any) -> dict[str, Digest]:
    return {
        sector: digest_factory(sector=sector, published_by=analyst)
        for sector in ("semiconductors", "energy")
    }


def test_each_subscriber_gets_one_briefing_when_the_send_task_runs_twice(
    week, smtp_server, subscription_factory
):
    for number in range(3):
        subscription_factory(
            email=f"reader{number}@example.org", sectors=["semiconductors", "energy"]
        )
    send_weekly_briefings.delay(WEEK.isoformat())
    send_weekly_briefings.delay(WEEK.isoformat())
    messages = settle(smtp_server, 3)
    assert recipients(messages) == [f"reader{n}@example.org" for n in range(3)]
    assert BriefingWeek.objects.count() == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_duplicated_chunk_task_sends_nothing_again(week, smtp_server, subscriber):
    plan = services.briefing_week_start(week_start=WEEK)
    [chunk] = plan.chunks
    send_briefing_chunk.delay(WEEK.isoformat(), chunk)
    send_briefing_chunk.delay(WEEK.isoformat(), chunk)
    assert len(settle(smtp_server, 1)) == 1
    assert Delivery.objects.get().attempts == 1


def test_briefing_has_one_click_unsubscribe_headers_and_both_parts(
    week, smtp_server, settings, subscriber
):
    settings.SITE_URL = "https://intel.example.org"
    send_weekly_briefings.delay(WEEK.isoformat())
    [message] = smtp_server.wait_for(1)
    link = f"https://intel.example.org/briefings/u/{subscriber.unsubscribe_token}/"
    # Long headers may be folded on the wire (RFC 5322); the unfolded value is what counts.
    assert " ".join(message["List-Unsubscribe"].split()) == f"<{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "<briefings.intel.example.org>"
    assert message.get_content_type() == "multipart/alternative"
    text, html = text_part(message), html_part(message)
    assert link in text and f'href="{link}"' in html  # the visible unsubscribe link
    assert "/briefings/preferences/" in text and "/briefings/preferences/" in html
    # CSS is inlined for mail clients: no style sheet left, styles on the elements.
    assert "<style" not in html and 'style="' in html and "<table" in html
    assert "Week of" not in message["Subject"]
    assert message["Subject"] == "[CIP] Weekly briefing, week of 2026-11-16: Semiconductors"


def test_clear_subscriber_never_receives_a_green_or_amber_item(
    analyst, smtp_server, digest_factory, subscription_factory
):
    digest_factory(
        sector="semiconductors",
        published_by=analyst,
        summary="Amber summary: do not share",
        summary_tlp="amber",
    )
    member = UserFactory(email="member@example.org")
    MembershipFactory(user=member)
    trusted = UserFactory(email="trusted@example.org")
    MembershipFactory(user=trusted)
    subscription_factory(email="public@example.org")
    subscription_factory(email="member@example.org", user=member)
    subscription_factory(email="trusted@example.org", user=trusted, granted_clearance="amber")
    send_weekly_briefings.delay(WEEK.isoformat())
    by_reader = {str(m["To"]): text_part(m) + html_part(m) for m in settle(smtp_server, 3)}

    public = by_reader["public@example.org"]
    assert "Clear item" in public and "Clear case" in public
    assert "Green item" not in public and "Amber" not in public
    assert "TLP:GREEN" not in public and "TLP:AMBER" not in public
    # No count gives the hidden items away: 1 clear report, not 3 or 7.
    assert "1 report was accepted" in public
    assert not re.search(r"\b[37] reports\b", public)

    green = by_reader["member@example.org"]
    assert "Green item" in green and "Amber" not in green and "TLP:AMBER" not in green
    assert "3 reports were accepted" in green

    amber = by_reader["trusted@example.org"]
    assert "Amber item" in amber and "Amber summary" in amber


def test_sector_with_nothing_published_says_so(week, smtp_server, subscription_factory):
    subscription_factory(email="reader@example.org", sectors=["semiconductors", "quantum"])
    send_weekly_briefings.delay(WEEK.isoformat())
    [message] = smtp_server.wait_for(1)
    text = text_part(message)
    assert "Quantum" in text and "Nothing was published for this sector this week." in text
    assert "Quantum" in message["Subject"] and "Semiconductors" in message["Subject"]


def test_japanese_subscriber_gets_a_japanese_briefing(week, smtp_server, subscription_factory):
    subscription_factory(email="yomu@example.org", language="ja")
    send_weekly_briefings.delay(WEEK.isoformat())
    [message] = smtp_server.wait_for(1)
    from email.header import decode_header, make_header

    subject = str(make_header(decode_header(message["Subject"])))
    assert "週次ブリーフィング" in subject and "半導体" in subject
    assert "配信停止" in text_part(message)


def test_each_chunk_sends_over_one_smtp_connection(
    week, scripted_smtp, settings, subscription_factory
):
    settings.BRIEFING_CHUNK_SIZE = 2
    for number in range(5):
        subscription_factory(email=f"reader{number}@example.org")
    result = send_weekly_briefings.delay(WEEK.isoformat()).get()
    assert result["chunks"] == 3
    assert len(scripted_smtp.messages) == 5
    assert scripted_smtp.connections == 3


def test_permanent_failures_are_recorded_and_pause_the_address_after_three(
    analyst, scripted_smtp, settings, digest_factory, subscription_factory
):
    settings.BRIEFING_PAUSE_AFTER_FAILURES = 3
    scripted_smtp.replies["gone@example.org"] = "550 5.1.1 No such user"
    gone = subscription_factory(email="gone@example.org")
    subscription_factory(email="fine@example.org")
    weeks = [WEEK - datetime.timedelta(days=7 * n) for n in (2, 1, 0)]
    for monday in weeks:
        digest_factory(sector="semiconductors", published_by=analyst, week_start=monday)
        send_weekly_briefings.delay(monday.isoformat())
        gone.refresh_from_db()
    failed = Delivery.objects.filter(subscription=gone).order_by("week_start")
    assert [d.status for d in failed] == ["failed"] * 3
    assert failed[0].smtp_code == 550 and "No such user" in failed[0].error
    assert gone.status == "paused" and gone.consecutive_failures == 3
    assert (
        Delivery.objects.filter(subscription__email="fine@example.org", status="sent").count() == 3
    )
    # Paused: the next week does not even try.
    next_week = WEEK + datetime.timedelta(days=7)
    digest_factory(sector="semiconductors", published_by=analyst, week_start=next_week)
    send_weekly_briefings.delay(next_week.isoformat())
    assert not Delivery.objects.filter(subscription=gone, week_start=next_week).exists()


def test_a_success_resets_the_failure_count(week, scripted_smtp, subscriber):
    Subscription.objects.filter(pk=subscriber.pk).update(consecutive_failures=2)
    send_weekly_briefings.delay(WEEK.isoformat())
    subscriber.refresh_from_db()
    assert subscriber.consecutive_failures == 0 and subscriber.status == "active"


def test_temporary_failure_is_retried_then_sent(week, scripted_smtp, settings, subscriber):
    scripted_smtp.replies[subscriber.email] = "451 4.3.0 Try again later"
    plan = services.briefing_week_start(week_start=WEEK)
    outcome = services.briefing_chunk_send(week_start=WEEK, delivery_ids=plan.chunks[0])
    assert outcome.deferred == 1 and outcome.retry_after == 30
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.smtp_code == 451
    scripted_smtp.replies.clear()
    outcome = services.briefing_chunk_send(week_start=WEEK, delivery_ids=plan.chunks[0], retries=1)
    assert outcome.sent == 1 and outcome.retry_after is None
    assert len(scripted_smtp.messages) == 1


def test_temporary_failures_give_up_after_the_attempt_limit(
    week, scripted_smtp, settings, subscriber
):
    settings.BRIEFING_MAX_ATTEMPTS = 2
    scripted_smtp.replies[subscriber.email] = "451 4.3.0 Try again later"
    plan = services.briefing_week_start(week_start=WEEK)
    services.briefing_chunk_send(week_start=WEEK, delivery_ids=plan.chunks[0])
    services.briefing_chunk_send(week_start=WEEK, delivery_ids=plan.chunks[0])
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 2
    subscriber.refresh_from_db()
    assert subscriber.status == "active", "temporary failures never pause an address"


def test_a_dropped_connection_hands_the_chunk_back_for_the_retry(week, settings, subscriber):
    send_mail_to(settings, "127.0.0.1", free_port())  # nothing listens there
    plan = services.briefing_week_start(week_start=WEEK)
    with pytest.raises(ConnectionRefusedError):
        services.briefing_chunk_send(week_start=WEEK, delivery_ids=plan.chunks[0])
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.claim_token == ""
    assert "ConnectionRefusedError" in delivery.error


def test_a_fresh_claim_is_left_alone_and_a_stale_one_taken_over(
    week, smtp_server, settings, subscriber
):
    settings.BRIEFING_CLAIM_TIMEOUT = 600
    plan = services.briefing_week_start(week_start=WEEK)
    # Another task (alive) holds the delivery.
    Delivery.objects.update(status="sending", claim_token="other", claimed_at=timezone.now())
    outcome = services.briefing_chunk_send(week_start=WEEK, delivery_ids=plan.chunks[0])
    assert outcome.claimed == 0 and outcome.held_elsewhere == 1
    assert 590 <= outcome.retry_after <= 601
    assert smtp_server.messages == []
    # That task died: once its claim is older than the timeout, it is taken over.
    Delivery.objects.update(claimed_at=timezone.now() - datetime.timedelta(seconds=601))
    outcome = services.briefing_chunk_send(week_start=WEEK, delivery_ids=plan.chunks[0])
    assert outcome.sent == 1
    assert len(settle(smtp_server, 1)) == 1


def test_unsubscribed_after_the_fan_out_is_skipped(week, smtp_server, subscriber):
    plan = services.briefing_week_start(week_start=WEEK)
    services.subscription_unsubscribe(subscription=subscriber)
    outcome = services.briefing_chunk_send(week_start=WEEK, delivery_ids=plan.chunks[0])
    assert outcome.skipped == 1 and smtp_server.messages == []
    assert Delivery.objects.get().status == "skipped"


def test_a_week_with_nothing_published_is_not_started(smtp_server, subscriber):
    result = send_weekly_briefings.delay(WEEK.isoformat()).get()
    assert result["started"] is False and "published" in result["reason"]
    assert not BriefingWeek.objects.exists() and smtp_server.messages == []
    with pytest.raises(WorkflowError):
        services.briefing_week_start(week_start=WEEK)


def test_default_week_is_the_week_just_ended(analyst, smtp_server, digest_factory, subscriber):
    last = digest_core.last_full_week(timezone.now())
    digest_factory(sector="semiconductors", published_by=analyst, week_start=last)
    result = send_weekly_briefings.delay().get()
    assert result["week_start"] == last.isoformat()
    smtp_server.wait_for(1)


def test_corrections_lead_the_next_briefing_to_those_who_got_the_original(
    analyst, smtp_server, digest_factory, subscription_factory
):
    original = digest_factory(
        sector="semiconductors", published_by=analyst, week_start=PREVIOUS_WEEK
    )
    digest_factory(sector="energy", published_by=analyst, week_start=PREVIOUS_WEEK)
    subscription_factory(email="had-it@example.org", sectors=["semiconductors"])
    subscription_factory(email="other-sector@example.org", sectors=["energy"])
    send_weekly_briefings.delay(PREVIOUS_WEEK.isoformat())
    smtp_server.wait_for(2)
    subscription_factory(email="newcomer@example.org", sectors=["semiconductors"])
    correction = digest_factory(
        sector="semiconductors",
        published_by=analyst,
        week_start=PREVIOUS_WEEK,
        version=2,
        previous=original,
        correction_note="The licence count was 3, not 30.",
    )
    digest_factory(sector="semiconductors", published_by=analyst)
    digest_factory(sector="energy", published_by=analyst)
    send_weekly_briefings.delay(WEEK.isoformat())
    send_weekly_briefings.delay(WEEK.isoformat())
    messages = settle(smtp_server, 5)[2:]
    by_reader = {str(m["To"]): text_part(m) for m in messages}
    assert len(messages) == 3
    text = by_reader["had-it@example.org"]
    assert "The licence count was 3, not 30." in text
    assert text.index("Corrections") < text.index("Board summary")
    assert "corrected in version 2" in text
    assert "Corrections" not in by_reader["other-sector@example.org"]
    assert "Corrections" not in by_reader["newcomer@example.org"]
    correction.refresh_from_db()
    assert correction.correction_pending_briefing is False
    assert correction.correction_briefed_at is not None
    assert BriefingWeek.objects.get(week_start=WEEK).corrections == [correction.pk]
    assert Delivery.objects.get(
        subscription__email="had-it@example.org", week_start=WEEK
    ).corrections == [correction.pk]
    # Carried once: the following week does not repeat it.
    following = WEEK + datetime.timedelta(days=7)
    digest_factory(sector="semiconductors", published_by=analyst, week_start=following)
    send_weekly_briefings.delay(following.isoformat())
    later = settle(smtp_server, 8)[5:]
    assert all("licence count was 3" not in text_part(m) for m in later)


def test_real_build_publish_and_send_keeps_amber_out_of_a_public_briefing(
    contributor, analyst, smtp_server, report_factory, subscriber
):
    from intel.reports import services as intel_services

    titles = {"clear": "Open notice on tariffs", "green": "Member note on supply", "amber": "X"}
    titles["amber"] = "Restricted note on a named firm"
    for tlp, title in titles.items():
        report = report_factory(
            author=contributor, title=title, tlp=tlp, sectors=["semiconductors"]
        )
        intel_services.report_submit(contribution=report, actor=contributor)
        intel_services.report_start_review(contribution=report, analyst=analyst)
        intel_services.report_accept(contribution=report, analyst=analyst)
    monday = digest_core.week_start_of(timezone.now().astimezone(digest_core.TOKYO).date())
    [result] = digest_services.digests_build_week(week_start=monday, sectors=["semiconductors"])
    digest_services.digest_publish(digest=Digest.objects.get(pk=result.digest_id), analyst=analyst)
    send_weekly_briefings.delay(monday.isoformat())
    [message] = smtp_server.wait_for(1)
    body = text_part(message) + html_part(message)
    assert titles["clear"] in body
    assert titles["green"] not in body and titles["amber"] not in body


def test_admin_resends_one_briefing(
    week, smtp_server, admin_user, django_capture_on_commit_callbacks, subscriber
):
    send_weekly_briefings.delay(WEEK.isoformat())
    smtp_server.wait_for(1)
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_resend(delivery=delivery, actor=admin_user) is True
        assert services.delivery_resend(delivery=delivery, actor=admin_user) is False
    assert len(settle(smtp_server, 2)) == 2
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.resend_count == 1
    assert AuditEvent.objects.filter(action="briefing.resend", actor=admin_user).count() == 1


def test_only_an_administrator_resends_or_sends_a_week(week, analyst, subscriber, delivery_factory):
    delivery = delivery_factory(subscription=subscriber, status="failed")
    with pytest.raises(PermissionDenied):
        services.delivery_resend(delivery=delivery, actor=analyst)
    with pytest.raises(PermissionDenied):
        services.briefing_week_send_now(week_start=WEEK, actor=analyst)
    with pytest.raises(PermissionDenied):
        services.briefing_week_start(week_start=WEEK, actor=analyst)


def test_weekly_schedule_is_monday_0800_tokyo(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-briefings"]
    assert entry["task"] == "intel.send_weekly_briefings"
    schedule = entry["schedule"]
    assert schedule.hour == {8} and schedule.minute == {0} and schedule.day_of_week == {1}
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"


def test_a_chunk_out_of_time_goes_on_in_a_new_run(week, smtp_server, monkeypatch, subscriber):
    from celery.exceptions import Retry, SoftTimeLimitExceeded

    from intel.briefings import tasks

    plan = services.briefing_week_start(week_start=WEEK)
    calls = []

    def slow_then_fine(**kwargs: Any) -> services.ChunkOutcome:
        calls.append(kwargs["retries"])
        if len(calls) == 1:
            raise SoftTimeLimitExceeded
        return services.briefing_chunk_send(**kwargs)

    monkeypatch.setattr(tasks, "briefing_chunk_send", slow_then_fine)
    with pytest.raises(Retry):  # in-process runs surface the retry instead of queueing it
        send_briefing_chunk.apply(args=(WEEK.isoformat(), plan.chunks[0]))
    result = send_briefing_chunk.apply(args=(WEEK.isoformat(), plan.chunks[0]), retries=1)
    assert calls == [0, 1] and result.get()["sent"] == 1
    assert len(settle(smtp_server, 1)) == 1
