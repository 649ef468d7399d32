"""Headless Chromium, a real Celery worker and a real SMTP server: the community loop.

A member invites a colleague as reader → the invitation arrives over SMTP →
the colleague signs up by the emailed link (verifying the address), accepts
→ reads the featured case study and sets a watch → an analyst accepts a
matching report in the review pages → the alert arrives over SMTP, and no
second one: not when the matching and sending tasks run again, not when the
analyst accepts a report outside the watch or one above the reader's level.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction

from community.queue import enqueue_on_commit
from intel.alerts.tasks import match_alerts, send_alert
from intel.library import services as library_services
from intel.models import Alert, AlertStatus, Watch
from intel.reports import services as report_services
from tests.helpers import (
    open_menu,
    save_watch_in_browser,
    sign_in,
    sign_out_in_browser,
    smtp_drain,
    smtp_wait_until,
)
from tests.intel.factories import CaseStudyFactory, FieldReportFactory
from tests.intel.helpers import review, submit

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CASE_STUDY = "Dual-sourcing neon after the Odesa shutdown"
COLLEAGUE = "colleague@test.example"  # the member's own domain
PASSWORD = "a-long-pass-phrase-42"
MATCHING = "Gallium licences stall at the border"
OUTSIDE = "Lithography tool lead times lengthen"
ABOVE_LEVEL = "Gallium stockpile figures from a ministry"


def text_of(message: Any) -> str:
    return "".join(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def to(address: str) -> Any:
    return lambda message: message["To"] == address


def is_alert(message: Any) -> bool:
    """An alert to the colleague (every alert carries its watch's mute link)."""
    return message["To"] == COLLEAGUE and "/intel/watches/mute/" in text_of(message)


def accept_in_review_pages(page: Any, title: str) -> None:
    open_menu(page, "Review").get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="Start review").click()
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("Accepted.").wait_for()


def test_invited_reader_reads_watches_and_gets_one_alert(
    celery_worker: Any,
    smtp_server: Any,
    settings: Any,
    live_server: Any,
    chromium: Any,
    page: Any,
    contributor: Any,
    other_contributor: Any,
    analyst: Any,
) -> None:
    settings.SITE_URL = live_server.url  # links in the emails point at this test server
    case_study = submit(
        CaseStudyFactory(author=contributor, title=CASE_STUDY, attribution="anonymous"),
        contributor,
    )
    review(case_study, analyst)
    report_services.report_accept(contribution=case_study, analyst=analyst)
    library_services.case_study_feature(actor=analyst, case_study=case_study, featured=True)

    # 1. The member invites a colleague from the readers page; the email comes over SMTP.
    sign_in(page, contributor.email)
    open_menu(page, "Community").get_by_role("link", name="My readers").click()
    page.get_by_label("Colleague's email address").fill(COLLEAGUE)
    page.get_by_role("button", name="Invite as reader").click()
    page.get_by_text(f"Invitation sent to {COLLEAGUE}.").wait_for()
    sign_out_in_browser(page)
    invitation = smtp_wait_until(smtp_server, to(COLLEAGUE))
    link = re.search(r"https?://\S+/members/readers/accept/\S+/", text_of(invitation))
    assert link is not None, text_of(invitation)

    # 2. The colleague has no account: the link leads to sign-in, from there to sign-up.
    page.goto(path_of(link.group(0)))
    page.get_by_role("link", name=re.compile("sign up", re.I)).first.click()
    page.get_by_label("Email").fill(COLLEAGUE)
    page.get_by_label("Your name").fill("Kenji Sato")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    verification = smtp_wait_until(
        smtp_server, lambda m: m["To"] == COLLEAGUE and "confirm-email" in text_of(m)
    )
    confirm = re.search(r"https?://\S+/accounts/confirm-email/\S+/", text_of(verification))
    assert confirm is not None
    page.goto(path_of(confirm.group(0)))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("navigation", name="Main navigation").locator(
        "summary", has_text="Account"
    ).wait_for()

    # 3. Signed in, the colleague follows the invitation again and accepts it.
    page.goto(path_of(link.group(0)))
    page.get_by_role("button", name="Accept").click()
    page.get_by_role("heading", name="Case-study library").wait_for()
    item = page.get_by_test_id("library-item").first
    assert CASE_STUDY in item.inner_text() and "Featured" in item.inner_text()
    item.get_by_role("link", name=CASE_STUDY).click()
    page.get_by_role("heading", name="What to check in your own supply chain").wait_for()
    assert "Anonymous contributor" in page.get_by_test_id("attribution").inner_text()
    assert "Institute A" not in page.content()

    # 4. The reader saves a watch from the navigation.
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My watches"
    ).click()
    save_watch_in_browser(
        page, name="Gallium from China", sector="Critical minerals", countries="CN"
    )
    watch = Watch.objects.get(user__email=COLLEAGUE)

    # 5. Three reports wait for review: one the watch matches, one outside it, and one
    #    it matches but above the reader's TLP:GREEN.
    reports = {
        title: submit(
            FieldReportFactory(author=other_contributor, title=title, **fields), other_contributor
        )
        for title, fields in (
            (MATCHING, {}),
            (OUTSIDE, {
                "summary": "Exposure tools now ship in eighteen months.",
                "body": "Our fab was quoted eighteen months for a scanner.",
                "sectors": ["semiconductors"], "signals": ["supply-disruption"],
                "countries": ["NL"], "supply_chain_stage": "manufacturing",
            }),
            (ABOVE_LEVEL, {"tlp": "amber"}),
        )
    }  # fmt: skip

    # 6. The analyst (password and TOTP) accepts the matching report in the review pages.
    analyst_context = chromium.new_context(locale="en-GB", base_url=live_server.url)
    analyst_context.set_default_timeout(15_000)
    analyst_page = analyst_context.new_page()
    sign_in(analyst_page, analyst.email, totp_secret=analyst.totp_secret)
    accept_in_review_pages(analyst_page, MATCHING)
    alert = smtp_wait_until(smtp_server, is_alert)
    body = text_of(alert)
    assert MATCHING in body
    assert "Gallium from China" in body and "/intel/watches/mute/" in body
    assert "Company B" in body  # organisation-only attribution

    # 7. Nothing more: the tasks run again, and the two other reports are accepted.
    matched = Alert.objects.get(contribution=reports[MATCHING])
    assert matched.status == AlertStatus.SENT
    with transaction.atomic():  # as a redelivery of both tasks would run them
        enqueue_on_commit(match_alerts, reports[MATCHING].pk)
        enqueue_on_commit(send_alert, matched.pk)
    accept_in_review_pages(analyst_page, OUTSIDE)
    accept_in_review_pages(analyst_page, ABOVE_LEVEL)
    analyst_context.close()
    smtp_drain(smtp_server, "behind the matching")
    smtp_drain(smtp_server, "behind any send the matching queued")
    alerts = [m for m in smtp_server.messages if is_alert(m)]
    assert [m["Message-ID"] for m in alerts] == [alert["Message-ID"]]
    rows = Alert.objects.filter(watch=watch).values_list("contribution__title", "status")
    assert sorted(rows) == [(MATCHING, AlertStatus.SENT), (ABOVE_LEVEL, AlertStatus.SKIPPED)]
