"""Admin: the delivery log is read-only; admins resend, send a week now and grant clearance."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from intel.models import BriefingWeek, Delivery
from tests.accounts.factories import UserFactory, enrol_totp
from tests.intel.digests.factories import WEEK

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_for: Any, admin_user: Any) -> Any:
    return client_for(admin_user)


@pytest.fixture
def staff_client(client_for: Any) -> Any:
    """Staff without being a site administrator (no model permissions), signed in with TOTP."""
    user = UserFactory(email="staff@test.example", is_staff=True)
    enrol_totp(user)
    return client_for(user)


@pytest.fixture
def sent(analyst: Any, smtp_server: Any, digest_factory: Any, subscriber: Any) -> Delivery:
    from intel.briefings.tasks import send_weekly_briefings

    digest_factory(sector="semiconductors", published_by=analyst)
    send_weekly_briefings.delay(WEEK.isoformat())
    smtp_server.wait_for(1)
    return Delivery.objects.get()


def test_delivery_log_is_read_only(admin_client, sent):
    assert admin_client.get(reverse("admin:intel_delivery_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:intel_delivery_change", args=[sent.pk]))
    assert page.status_code == 200
    assert 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    assert admin_client.get(reverse("admin:intel_delivery_add")).status_code == 403
    delete = admin_client.post(reverse("admin:intel_delivery_delete", args=[sent.pk]))
    assert delete.status_code == 403 and Delivery.objects.filter(pk=sent.pk).exists()


def test_staff_without_rights_cannot_open_the_briefing_admin(staff_client, sent):
    for name in ("delivery_changelist", "subscription_changelist", "briefingweek_changelist"):
        assert staff_client.get(reverse(f"admin:intel_{name}")).status_code == 403
    assert staff_client.get(reverse("admin:intel_briefingweek_send")).status_code == 403


def test_admin_resends_a_briefing_from_the_log(
    admin_client, admin_user, sent, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:intel_delivery_changelist"),
            {"action": "resend", "_selected_action": [sent.pk]},
        )
    assert response.status_code == 302
    assert len(smtp_server.wait_for(2)) == 2
    sent.refresh_from_db()
    assert sent.status == "sent" and sent.resend_count == 1
    assert AuditEvent.objects.filter(action="briefing.resend", actor=admin_user).exists()


def test_admin_sends_a_week_now(
    admin_client,
    admin_user,
    analyst,
    smtp_server,
    django_capture_on_commit_callbacks,
    digest_factory,
    subscriber,
):
    digest_factory(sector="semiconductors", published_by=analyst)
    url = reverse("admin:intel_briefingweek_send")
    assert admin_client.get(url).status_code == 200
    assert url in admin_client.get(reverse("admin:intel_briefingweek_changelist")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"week_start": WEEK.isoformat()})
    assert response.status_code == 302
    assert len(smtp_server.wait_for(1)) == 1
    week = BriefingWeek.objects.get()
    assert week.started_by == admin_user
    assert AuditEvent.objects.filter(action="briefing.week_start", actor=admin_user).exists()
    # "Send now" on the listed week sends nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:intel_briefingweek_changelist"),
            {"action": "send_now", "_selected_action": [week.pk]},
        )
    assert len(smtp_server.messages) == 1
    assert AuditEvent.objects.filter(action="briefing.week_resume", actor=admin_user).exists()


def test_sending_a_week_with_nothing_published_is_refused_on_the_page(admin_client):
    response = admin_client.post(
        reverse("admin:intel_briefingweek_send"), {"week_start": WEEK.isoformat()}, follow=True
    )
    assert "nothing to brief" in response.content.decode()
    assert not BriefingWeek.objects.exists()


def test_send_week_form_wants_a_monday(admin_client):
    response = admin_client.post(
        reverse("admin:intel_briefingweek_send"), {"week_start": "2026-11-17"}
    )
    assert response.status_code == 200 and "starts on a Monday" in response.content.decode()


def test_admin_grants_clearance_with_a_reason(
    admin_client, admin_user, contributor, subscription_factory
):
    mine = subscription_factory(email=contributor.email, user=contributor)
    url = reverse("admin:intel_subscription_change", args=[mine.pk])
    missing = admin_client.post(url, {"granted_clearance": "amber", "reason": ""})
    assert missing.status_code == 200 and "Give a reason" in missing.content.decode()
    admin_client.post(url, {"granted_clearance": "amber", "reason": "Works with the AI desk."})
    mine.refresh_from_db()
    assert mine.granted_clearance == "amber" and mine.granted_by == admin_user
    event = AuditEvent.objects.get(action="briefing.clearance")
    assert event.reason == "Works with the AI desk."


def test_a_public_subscription_cannot_be_granted_clearance(admin_client, subscriber):
    response = admin_client.post(
        reverse("admin:intel_subscription_change", args=[subscriber.pk]),
        {"granted_clearance": "green", "reason": "Asked nicely."},
    )
    assert response.status_code == 200 and "linked to an account" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.granted_clearance == ""
