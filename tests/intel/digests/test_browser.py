"""Headless Chromium: an analyst edits a draft digest, drops an item, publishes; the dashboard
shows it."""

from __future__ import annotations

import datetime

import pytest

from intel.digests import services as digest_services
from intel.models import Digest
from tests.accounts.factories import totp_code
from tests.helpers import sign_in
from tests.intel.digests.data import SECTOR, WEEK, accepted, jst

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEEP = "Gallium licences stall for Japanese buyers"
DROP = "Duplicate rumour about germanium"


def test_analyst_edits_drops_an_item_publishes_and_the_dashboard_shows_it(
    page, contributor, analyst
):
    day = WEEK + datetime.timedelta(days=2)
    accepted(contributor, at=jst(day), credibility=1, grade="A", title=KEEP)
    accepted(contributor, at=jst(day), credibility=5, grade="E", title=DROP)
    digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR])

    sign_in(page, analyst.email)
    page.get_by_placeholder("Code").fill(totp_code(analyst.totp_secret))
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="Digest drafts").click()
    page.get_by_role("link", name="Critical minerals").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Analyst summary").fill("Licence delays **worsen**.")
    page.get_by_label("Handling level of the summary").select_option("green")
    page.get_by_label(f"Drop: {DROP}").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved. Publish when it is ready.").wait_for()
    page.get_by_text("Publish…").click()
    page.get_by_label("I have checked this digest and want to publish it").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("Published. Readers now see this digest.").wait_for()

    assert page.get_by_test_id("digest-status").inner_text() == "Published"
    assert page.get_by_test_id("digest-summary").inner_html().strip() == (
        "<p>Licence delays <strong>worsen</strong>.</p>"
    )
    items = page.get_by_test_id("digest-item")
    assert items.count() == 1 and KEEP in items.first.inner_text()

    page.get_by_role("link", name="Sector dashboard").click()
    latest = page.get_by_test_id("latest-published")
    assert "Week of 2026-10-05" in latest.inner_text()
    assert page.locator("svg.chart").count() == 2
    digest = Digest.objects.get(sector=SECTOR, week_start=WEEK)
    assert digest.status == "published" and digest.published_by_id == analyst.pk
    assert digest.items.get(data__title=DROP).dropped
