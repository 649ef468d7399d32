"""Headless Chromium: a member sets a watch, a matching report is accepted, mute from the email."""

from __future__ import annotations

import re

import pytest

from intel.models import Watch
from intel.reports import services as report_services
from tests.helpers import open_menu, save_watch_in_browser, sign_in, wait_signed_in
from tests.intel.factories import FieldReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def text_part(message) -> str:
    return next(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )


def test_member_watches_gets_one_alert_and_mutes_it(
    page, live_server, smtp_server, settings, contributor, other_contributor, analyst
):
    settings.SITE_URL = live_server.url  # links in the email point at this test server

    # 1. The watcher saves a watch through the form.
    sign_in(page, other_contributor.email)
    wait_signed_in(page)
    open_menu(page, "Intelligence").get_by_role("link", name="My watches").click()
    save_watch_in_browser(page, name="Gallium in China", sector="Critical minerals", countries="CN")
    watch = Watch.objects.get(user=other_contributor)

    # 2. An analyst accepts a matching report (tasks run in-process on commit).
    report = FieldReportFactory(author=contributor, title="Gallium licences stall")
    report_services.report_submit(contribution=report, actor=contributor)
    report_services.report_start_review(contribution=report, analyst=analyst)
    report_services.report_accept(contribution=report, analyst=analyst)
    smtp_server.wait_for(2)
    [alert] = [m for m in smtp_server.messages if m["To"] == other_contributor.email]
    assert "Gallium licences stall" in text_part(alert)

    # 3. The mute link works in a browser with no session.
    mute = re.search(r"http://\S+/intel/watches/mute/\S+/", text_part(alert))
    assert mute, text_part(alert)
    page.context.clear_cookies()
    page.goto(mute.group(0))
    page.get_by_role("button", name="Mute this watch").click()
    page.get_by_text("is muted").wait_for()
    watch.refresh_from_db()
    assert watch.is_muted
