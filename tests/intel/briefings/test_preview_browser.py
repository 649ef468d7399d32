"""Headless Chromium: an administrator previews the week's briefing as a public reader,
sees only TLP:CLEAR content, and opens the HTML a mail client shows."""

from __future__ import annotations

import pytest

from tests.helpers import screenshot, sign_in
from tests.intel.digests.factories import WEEK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_previews_the_briefing_per_reader(page, admin_user, analyst, digest_factory):
    digest_factory(sector="semiconductors", published_by=analyst)
    sign_in(page, admin_user.email, totp_secret=admin_user.totp_secret)
    page.get_by_role("navigation", name="Main navigation").wait_for()
    page.goto("/admin/intel/briefingweek/send/")
    assert page.get_by_label("Week starting (a Monday)").first.input_value() == WEEK.isoformat()
    form = page.locator("form", has=page.get_by_label("Reader"))
    form.get_by_label("Reader").select_option("public")
    form.get_by_role("button", name="Preview").click()
    text = page.get_by_test_id("preview-text")
    text.wait_for()
    assert "Clear item" in text.inner_text() and "Green item" not in text.inner_text()
    screenshot(page, "briefing_preview")
    page.get_by_role("link", name="Open the HTML version as a mail client shows it").click()
    page.get_by_text("Clear item").first.wait_for()
    assert page.get_by_text("Green item").count() == 0
