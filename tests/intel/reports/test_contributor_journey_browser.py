"""Headless Chromium: a contributor's draft from a title alone to a tagged submission.

The final page is written to docs/screenshots/contributor_report.png for reviewers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from intel.models import Attachment, FieldReport
from tests.helpers import sign_in
from tests.intel.reports.upload_files import pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
TITLE = "Gallium export licences delayed for Japanese buyers"


def test_contributor_saves_a_title_comes_back_attaches_completes_and_sees_tags(
    page, contributor, tmp_path
):
    sign_in(page, contributor.email)

    # 1. Only a title, saved as a draft.
    page.goto(reverse("intel:report_create"))
    assert page.get_by_text("needed to submit; a draft can be saved").is_visible()
    assert page.get_by_label("Title").get_attribute("aria-required") == "true"
    page.get_by_label("Title").fill(TITLE)
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Saved as a draft. Submit it when it is ready.").wait_for()
    report = FieldReport.objects.get()
    assert (report.status, report.title, report.summary) == ("draft", TITLE, "")

    # 2. Later: back through "My reports", a file attached, the rest filled in.
    page.goto(reverse("intel:dashboard"))
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Edit").click()
    scan = tmp_path / "licence-notice.pdf"
    scan.write_bytes(pdf())
    page.get_by_label("Attach a file").set_input_files(str(scan))
    page.get_by_label("Summary").fill("Licences for gallium exports to Japan now take 90 days.")
    page.get_by_label(re.compile(r"^Report")).fill(
        "Two exporters of gallium and germanium report semiconductor licence delays."
    )
    page.get_by_label("Semiconductors").check()
    page.get_by_label("Countries").fill("CN JP")
    page.get_by_label("Supply-chain stage").select_option("raw-materials")
    page.get_by_label("Date observed").fill(timezone.localdate().isoformat())
    page.get_by_label("Information credibility").select_option("2")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.get_by_text("Submitted. Analysts will review it.").wait_for()
    report.refresh_from_db()
    assert report.status == "submitted"
    assert Attachment.objects.get().original_name == "licence-notice.pdf"
    assert page.get_by_role("link", name="licence-notice.pdf").is_visible()

    # 3. Once the worker has tagged it, the author reads how it is filed.
    tags = page.get_by_test_id("automatic-tags")
    for _attempt in range(20):
        if tags.locator("[data-slug]").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert tags.locator('[data-slug="semiconductors"]').is_visible()
    assert "Semiconductors" in tags.inner_text()
    assert "No decision yet." in page.get_by_test_id("decisions").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "contributor_report.png"), full_page=True)
