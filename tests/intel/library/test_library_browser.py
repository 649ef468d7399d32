"""Headless Chromium: a member invites a colleague as reader, who reads a featured case study."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from intel.library import services as library_services
from intel.reports import services as report_services
from tests.accounts.factories import UserFactory
from tests.helpers import open_menu, screenshot, sign_in, sign_out_in_browser
from tests.intel.factories import CaseStudyFactory
from tests.intel.helpers import review, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Dual-sourcing neon after the Odesa shutdown"


def test_member_invites_a_reader_who_reads_the_featured_case_study(
    page: Any, contributor: Any, analyst: Any
) -> None:
    case_study = submit(
        CaseStudyFactory(author=contributor, title=TITLE, attribution="anonymous"), contributor
    )
    review(case_study, analyst)
    report_services.report_accept(contribution=case_study, analyst=analyst)
    library_services.case_study_feature(actor=analyst, case_study=case_study, featured=True)
    colleague = UserFactory(email="colleague@test.example")

    sign_in(page, contributor.email)
    open_menu(page, "Community").get_by_role("link", name="My readers").click()
    page.get_by_label("Colleague's email address").fill(colleague.email)
    page.get_by_role("button", name="Invite as reader").click()
    page.get_by_text("Invitation sent to colleague@test.example.").wait_for()
    sign_out_in_browser(page)

    [message] = [m for m in mail.outbox if colleague.email in m.to]
    link = re.search(r"https?://\S+/members/readers/accept/\S+/", message.body)
    assert link is not None
    sign_in(page, colleague.email)
    page.goto("/" + link.group(0).split("/", 3)[3])
    page.get_by_role("button", name="Accept").click()
    page.get_by_role("heading", name="Case-study library").wait_for()
    item = page.get_by_test_id("library-item").first
    assert TITLE in item.inner_text() and "Featured" in item.inner_text()
    assert "Institute A" not in page.content()
    item.get_by_role("link", name=TITLE).click()
    page.get_by_role("heading", name="What to check in your own supply chain").wait_for()
    assert "Anonymous contributor" in page.get_by_test_id("attribution").inner_text()
    screenshot(page, "case-study")
