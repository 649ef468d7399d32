"""Headless Chromium: subscribe → confirm from the email → preferences → unsubscribe."""

from __future__ import annotations

import re

import pytest

from intel.models import Subscription
from tests.intel.briefings.support import text_part

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_subscriber_journey(page, live_server, smtp_server, settings):
    settings.SITE_URL = live_server.url  # links in the email point at this test server

    # 1. Subscribe with the public form.
    page.goto("/briefings/subscribe/")
    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_label("Semiconductors").check()
    page.get_by_label("English").check()
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    assert Subscription.objects.get().status == "pending"

    # 2. Confirm from the link in the email (a page with a button, not a GET).
    [message] = smtp_server.wait_for(1)
    confirm = re.search(r"http://\S+/briefings/confirm/\S+/", text_part(message))
    assert confirm, text_part(message)
    page.goto(confirm.group(0))
    page.get_by_role("button", name="Confirm subscription").click()
    page.get_by_role("heading", name="Subscription confirmed").wait_for()
    assert Subscription.objects.get().status == "active"

    # 3. Preferences: add a sector, switch the language.
    page.get_by_role("link", name="Change sectors or language").click()
    page.get_by_label("Energy").check()
    page.get_by_label("Japanese").check()
    page.get_by_role("button", name="Save preferences").click()
    page.get_by_text("Your preferences are saved.").wait_for()
    reader = Subscription.objects.get()
    assert reader.sectors == ["semiconductors", "energy"] and reader.language == "ja"

    # 4. Unsubscribe.
    page.get_by_role("button", name="Unsubscribe from the briefing").click()
    page.get_by_text("You are unsubscribed.").wait_for()
    reader.refresh_from_db()
    assert reader.status == "unsubscribed"
