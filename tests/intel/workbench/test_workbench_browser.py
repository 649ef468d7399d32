"""Headless Chromium: an analyst's day — workbench, claim, tag picker, accept — on a desktop
and a 390 px phone; screenshots for reviewers go to docs/screenshots/."""

from __future__ import annotations

import pytest

from intel.models import Contribution
from tests.accounts.factories import ApplicationFactory
from tests.helpers import open_menu, screenshot, sign_in
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Gallium export licences delayed at Dalian"


def test_analyst_claims_corrects_a_tag_and_accepts(page, contributor, analyst):
    ApplicationFactory(organisation="Tohoku Materials Lab")
    report = submit(
        FieldReportFactory(author=contributor, title=TITLE, signals=["export-control"]),
        contributor,
    )
    submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)

    sign_in(page, analyst.email, totp_secret=analyst.totp_secret)
    page.get_by_role("heading", name="Workbench").wait_for()
    card = page.locator("section", has=page.get_by_role("heading", name="Reports to review"))
    assert "2" in card.locator(".count").inner_text()
    page.get_by_text("Tohoku Materials Lab").wait_for()
    screenshot(page, "workbench")

    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_role("button", name="I'm reviewing this").click()
    page.get_by_text("You are reviewing this report.").first.wait_for()
    assert Contribution.objects.get(pk=report.pk).reviewer_id == analyst.pk
    page.get_by_role("button", name="Start review").click()

    # The picker: type a readable word, choose the suggestion; the section updates in place.
    marker = page.evaluate("() => { window.__noReload = true; return true; }")
    assert marker
    page.get_by_label("Kind").select_option("signal")
    page.locator("#id_slug").fill("stock")
    page.get_by_role("option", name="Stockpiling").click()
    assert page.locator("#id_slug").input_value() == "Stockpiling"
    page.get_by_role("button", name="Add tag").click()
    page.get_by_text("Tags updated.").wait_for()
    assert page.evaluate("() => window.__noReload === true"), "the page reloaded"
    assert report.signal_rows.filter(signal="stockpiling").exists()

    # A name the taxonomy does not know comes back with what was typed, still no reload.
    page.get_by_label("Kind").select_option("signal")
    page.locator("#id_slug").fill("moon landing")
    page.get_by_role("button", name="Add tag").click()
    page.get_by_text("No Signal is called").wait_for()
    assert page.locator("#id_slug").input_value() == "moon landing"
    assert page.get_by_label("Kind").input_value() == "signal"
    assert page.evaluate("() => window.__noReload === true")
    screenshot(page, "review")

    page.get_by_role("button", name="Accept").click()
    page.get_by_text("Accepted.").wait_for()
    assert Contribution.objects.get(pk=report.pk).status == "accepted"


def test_phone_menu_folds_and_the_queue_fits_390px(chromium, live_server, contributor, analyst):
    for n in range(3):
        submit(FieldReportFactory(author=contributor, title=f"Neon supply report {n}"), contributor)
    context = chromium.new_context(
        locale="en-GB", base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(15_000)
    phone = context.new_page()
    sign_in(phone, analyst.email, totp_secret=analyst.totp_secret)
    phone.get_by_role("heading", name="Workbench").wait_for()
    nav = phone.get_by_role("navigation", name="Main navigation")
    assert not nav.locator("summary", has_text="Review").is_visible()
    nav.get_by_text("Menu").click()
    open_menu(phone, "Review").get_by_role("link", name="Review queue").click()
    phone.get_by_role("heading", name="Review queue").wait_for()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the queue scrolls sideways ({width}px)"
    context.close()
