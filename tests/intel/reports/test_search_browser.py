"""Headless Chromium: an analyst searches in English and half-width Japanese, sees the hits
marked, saves the search and re-runs it from the list."""

from __future__ import annotations

import pytest

from tests.helpers import screenshot, sign_in
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_searches_saves_and_reruns(page, contributor, analyst):
    for fields in (
        {"title": "Gallium export licences delayed",
         "summary": "Distributors wait months for licences."},
        {"title": "化合物半導体の調達", "summary": "ガリウムの輸出規制が強化された。",
         "body": "許可審査が長期化している。"},
        {"title": "Neon prices doubled", "summary": "Two suppliers raised prices."},
    ):  # fmt: skip
        submit(FieldReportFactory(author=contributor, **fields), contributor)
    sign_in(page, analyst.email, totp_secret=analyst.totp_secret)
    page.goto("/intel/search/")

    page.get_by_label("Search", exact=True).fill("licences gallium")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("status").filter(has_text="1 result").wait_for()
    assert page.locator("ol.results mark").first.inner_text().lower() in {"gallium", "licences"}

    page.get_by_label("Search", exact=True).fill("ｶﾞﾘｳﾑ")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("status").filter(has_text="1 result").wait_for()
    assert page.locator("ol.results .snippet mark").first.inner_text() == "ガリウム"
    screenshot(page, "search_results")

    page.get_by_label("Name").fill("Gallium, Japanese")
    page.get_by_role("button", name="Save this search").click()
    page.get_by_text("Search saved.").wait_for()
    page.goto("/intel/search/")
    page.get_by_role("link", name="Gallium, Japanese").click()
    page.get_by_role("status").filter(has_text="1 result").wait_for()
    assert page.get_by_label("Search", exact=True).input_value() == "ｶﾞﾘｳﾑ"
