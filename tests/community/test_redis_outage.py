"""Redis (cache and broker) down: the site answers, nothing queued is lost, and it runs once back.

Each test runs its own `redis-server` (`private_redis`), stops it to cause
the outage and starts it again on the same port; the shared Redis is never
touched. Workers are real: a worker thread (`celery_worker`) or, to prove
that a starting worker publishes what waited, a `celery worker` process.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.models import OutboxMessage
from intel.models import ContributionFingerprint, ContributionTag, FieldReport
from intel.reports import services
from tests.helpers import record_sign_in
from tests.intel.briefings.test_worker import _database_url, _start_worker, _stop
from tests.intel.factories import FieldReportFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

GALLIUM = {
    "title": "Gallium export licences suspended",
    "summary": "China halted export licences for gallium to Japanese buyers.",
    "body": "Export control on gallium and germanium; semiconductor fabs in JP report delays.",
}
NEW_PASSWORD = "a-long-pass-phrase-42"


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not finish in time")
        time.sleep(0.1)


def report_form(**overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        **GALLIUM,
        "sectors": ["semiconductors"],
        "signals": ["export-control"],
        "countries": "CN, JP",
        "supply_chain_stage": "raw-materials",
        "date_observed": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "information_credibility": "2",
        "evidence_links": "",
        "tlp": "green",
        "attribution": "organisation",
        "language": "",
        "action": "submit",
    }
    data.update(overrides)
    return data


def browser() -> Client:
    """A client that answers a server error with its 500 page instead of raising it."""
    return Client(raise_request_exception=False)


def queued(task: str) -> list[list[Any]]:
    return [m.args for m in OutboxMessage.objects.filter(task=task)]


def tagged(report: FieldReport) -> bool:
    return ContributionFingerprint.objects.filter(contribution=report).exists()


def submit_on_the_web(author: Any, password: str) -> FieldReport:
    """Sign in and submit a report through the pages, as a person would; returns it."""
    web = browser()
    login = web.post(reverse("account_login"), {"login": author.email, "password": password})
    assert login.status_code == 302, "signing in works without Redis"
    page = web.post(reverse("intel:report_create"), report_form(), follow=True)
    report = FieldReport.objects.get(author=author)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0] == reverse("intel:contribution_detail", args=[report.pk])
    assert "Submitted. Analysts will review it." in page.content.decode()
    assert report.status == "submitted"
    return report


def test_with_redis_down_the_site_answers_and_a_submitted_report_is_tagged_once_it_is_back(
    private_redis, request, contributor, password
):
    private_redis.stop()

    assert browser().get(reverse("api-report-list")).status_code == 401
    token = browser().post(
        reverse("api-token"),
        {"email": contributor.email, "password": password},
        content_type="application/json",
    )
    assert token.status_code == 200
    api = browser()
    api.defaults["HTTP_AUTHORIZATION"] = f"Token {token.json()['token']}"
    assert api.get(reverse("api-report-list")).status_code == 200
    health = browser().get(reverse("healthz"))
    assert health.status_code == 503
    assert health.json()["checks"] == {
        "database": "ok",
        "broker": "failing",
        "cache": "per-process-fallback",
    }

    report = submit_on_the_web(contributor, password)
    assert queued("intel.tag_contribution") == [[report.pk]]
    assert not tagged(report)

    private_redis.start()
    request.getfixturevalue("celery_worker")
    call_command("flush_outbox")
    wait_until(lambda: tagged(report))
    assert ContributionTag.objects.filter(
        contribution=report, source="auto", kind="signal", slug="export-control"
    ).exists()
    assert not OutboxMessage.objects.exists()


def test_an_api_submit_with_redis_down_is_accepted_and_queued(
    private_redis, client_for, contributor
):
    draft = FieldReportFactory(author=contributor, **GALLIUM)
    private_redis.stop()
    api = client_for(contributor)
    api.raise_request_exception = False
    response = api.post(reverse("api-report-submit", args=[draft.pk]))
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert queued("intel.tag_contribution") == [[draft.pk]]


def test_a_verification_email_asked_for_during_the_outage_is_delivered_once_redis_is_back(
    private_redis, request, smtp_server
):
    private_redis.stop()
    signup = browser().post(
        reverse("account_signup"),
        {
            "email": "expert@research.example",
            "display_name": "Expert",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert signup.status_code == 302
    assert signup["Location"] == reverse("account_email_verification_sent")
    assert len(queued("community.send_email")) == 1

    private_redis.start()
    request.getfixturevalue("celery_worker")
    call_command("flush_outbox")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "expert@research.example"
    assert "/accounts/confirm-email/" in message.as_string()
    assert not OutboxMessage.objects.exists()


def test_forms_that_send_email_tell_the_person_it_went_through_with_redis_down(
    private_redis, request, smtp_server, contributor, analyst
):
    report = FieldReportFactory(author=contributor, **GALLIUM)
    services.report_submit(contribution=report, actor=contributor)
    services.report_start_review(contribution=report, analyst=analyst)
    OutboxMessage.objects.all().delete()  # tagging, published while Redis was up
    private_redis.stop()

    subscribe = browser().post(
        reverse("briefings:subscribe"),
        {"email": "reader@example.org", "sectors": ["energy"], "language": "en"},
    )
    assert subscribe.status_code == 302
    assert subscribe["Location"] == reverse("briefings:subscribe_sent")

    reviewer = Client(raise_request_exception=False)
    reviewer.force_login(analyst)
    record_sign_in(reviewer, analyst, second_factor=True)
    decision = reviewer.post(
        reverse("intel:review_decide", args=[report.pk]),
        {"action": "reject", "reason": "Out of scope for this community, sorry."},
        follow=True,
    )
    assert decision.status_code == 200
    assert "Rejected; the author has been told why." in decision.content.decode()
    report.refresh_from_db()
    assert report.status == "rejected"
    assert len(queued("community.send_email")) == 2

    private_redis.start()
    request.getfixturevalue("celery_worker")
    call_command("flush_outbox")
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["contributor@test.example", "reader@example.org"]


def test_failed_sign_ins_stay_limited_with_redis_down(private_redis, contributor, password):
    private_redis.stop()
    web = browser()
    for _ in range(5):
        web.post(reverse("account_login"), {"login": contributor.email, "password": "wrong"})
    response = web.post(
        reverse("account_login"), {"login": contributor.email, "password": password}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in web.session
    assert "Too many failed login attempts" in response.content.decode()


def test_a_worker_that_starts_after_the_outage_publishes_what_waited(
    private_redis, contributor, password, tmp_path: Path
):
    private_redis.stop()
    report = submit_on_the_web(contributor, password)
    private_redis.start()

    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": private_redis.url}
    worker = _start_worker("outbox", env, tmp_path / "worker.log")
    try:
        # Nobody runs the sweep here: the worker does it when it is ready.
        wait_until(lambda: tagged(report))
    finally:
        _stop(worker)
    assert not OutboxMessage.objects.exists()
