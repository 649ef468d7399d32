"""Headless Chromium: a report from first (invalid) submission to acceptance."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from intel.models import FieldReport
from tests.accounts.factories import totp_code
from tests.helpers import open_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Gallium export licences delayed for Japanese buyers"


def test_contributor_and_analyst_take_a_report_to_acceptance(
    page, chromium, live_server, contributor, analyst
):
    today = timezone.localdate()
    future = (today + datetime.timedelta(days=7)).isoformat()
    past = (today - datetime.timedelta(days=2)).isoformat()

    # 1. The contributor fills the form with a date observed in the future.
    sign_in(page, contributor.email)
    open_menu(page, "Reports").get_by_role("link", name="New report").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Three distributors report waits of over 60 days.")
    page.get_by_label(re.compile(r"^Report")).fill("Seen in **three** licence applications.")
    page.get_by_label("Critical minerals").check()
    page.get_by_label("Export control").check()
    page.get_by_label("Countries").fill("CN JP")
    page.get_by_label("Supply-chain stage").select_option("raw-materials")
    page.get_by_label("Date observed").fill(future)
    page.get_by_label("Information credibility").select_option("2")
    page.get_by_label("Handling level (TLP)").select_option("amber")
    page.get_by_role("button", name="Submit", exact=True).click()

    # 2. The page says what to fix and keeps everything else.
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "cannot be in the future" in alert.inner_text()
    assert page.get_by_label("Title").input_value() == TITLE
    assert page.get_by_label("Countries").input_value() == "CN JP"
    assert page.get_by_label("Critical minerals").is_checked()
    assert page.get_by_label("Handling level (TLP)").input_value() == "amber"
    assert not FieldReport.objects.exists()

    # 3. Only the date is corrected; the report is submitted.
    page.get_by_label("Date observed").fill(past)
    page.get_by_role("button", name="Submit", exact=True).click()
    page.get_by_text("Submitted. Analysts will review it.").wait_for()
    report = FieldReport.objects.get()
    assert report.status == "submitted"
    assert report.countries and report.summary.startswith("Three distributors")

    # 4. The analyst (password, then TOTP) requests changes.
    analyst_context = chromium.new_context(locale="en-GB", base_url=live_server.url)
    analyst_context.set_default_timeout(15_000)
    review_page = analyst_context.new_page()
    sign_in(review_page, analyst.email)
    review_page.get_by_placeholder("Code").fill(totp_code(analyst.totp_secret))
    review_page.get_by_role("button", name="Sign In").click()
    open_menu(review_page, "Review").get_by_role("link", name="Review queue").click()
    review_page.get_by_role("link", name=TITLE).click()
    review_page.get_by_role("button", name="Start review").click()
    review_page.get_by_label("Reason or note for the author").fill(
        "Please name the port where the shipments were held."
    )
    review_page.get_by_role("button", name="Request changes").click()
    review_page.get_by_text("Changes requested; the author has been told why.").wait_for()

    # 5. The contributor sees the feedback, revises and resubmits.
    open_menu(page, "Reports").get_by_role("link", name="My reports", exact=True).click()
    page.get_by_text("Please name the port where the shipments were held.").first.wait_for()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Revise").click()
    body = page.get_by_label(re.compile(r"^Report"))
    body.fill(body.input_value() + "\n\nShipments were held at the port of Dalian.")
    page.get_by_role("button", name="Resubmit").click()
    page.get_by_text("Submitted. Analysts will review it.").wait_for()

    # 6. The analyst accepts the revision.
    review_page.reload()
    review_page.get_by_role("button", name="Start review").click()
    review_page.get_by_role("button", name="Accept").click()
    review_page.get_by_text("Accepted.").wait_for()
    analyst_context.close()

    # 7. The contributor sees it accepted.
    open_menu(page, "Reports").get_by_role("link", name="My reports", exact=True).click()
    row = page.get_by_role("row", name=re.compile(TITLE))
    assert "Accepted" in row.inner_text()
    report.refresh_from_db()
    assert (report.status, report.revision) == ("accepted", 2)
