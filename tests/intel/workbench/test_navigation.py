"""The site navigation: grouped, role-appropriate links only."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(client) -> str:
    content = client.get(reverse("intel:sector_index")).content.decode()
    return content[content.index('<nav class="nav"') : content.index("</nav>")]


def test_applicant_not_yet_vetted_sees_no_api_or_security_links(client_for, newcomer):
    nav = _nav(client_for(newcomer))
    assert reverse("accounts:application") in nav
    for hidden in ("api-docs", "accounts:api-tokens", "mfa_index", "intel:review_queue"):
        assert reverse(hidden) not in nav


def test_contributor_nav_groups_their_work_and_hides_analyst_pages(client_for, contributor):
    nav = _nav(client_for(contributor))
    assert "<summary>Reports</summary>" in nav
    assert reverse("intel:report_create") in nav
    assert reverse("mfa_index") in nav
    for hidden in ("intel:review_queue", "accounts:vetting-queue", "intel:workbench"):
        assert reverse(hidden) not in nav


def test_analyst_nav_groups_review_intelligence_and_community(client_for, analyst):
    nav = _nav(client_for(analyst))
    for group in ("Review", "Intelligence", "Community", "Account"):
        assert f"<summary>{group}</summary>" in nav
    for shown in ("intel:workbench", "intel:review_queue", "accounts:vetting-queue"):
        assert reverse(shown) in nav
    assert "<summary>Admin</summary>" not in nav


def test_anonymous_nav_offers_sign_in_and_public_pages_only(anonymous):
    nav = _nav(anonymous)
    assert reverse("account_login") in nav
    assert reverse("briefings:archive") in nav
    assert "<details>" not in nav


def test_phone_menu_needs_no_script(anonymous):
    content = anonymous.get(reverse("home")).content.decode()
    # The toggle is a checkbox and its label: the menu opens with CSS alone.
    assert 'id="nav-toggle"' in content
    assert 'for="nav-toggle"' in content
    assert "<script>" not in content
