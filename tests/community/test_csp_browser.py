"""Headless Chromium under the real Content-Security-Policy: the main pages of every role,
the Django admin and Swagger UI render, and the browser reports no CSP violation, no
console error and no failed request."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from intel.models import Contribution
from intel.reports import services
from tests.accounts.factories import TEST_PASSWORD, totp_code
from tests.helpers import sign_in, wait_signed_in
from tests.intel.factories import FieldReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Reported through the page's own console, where the test listens; Playwright's
# init scripts run outside the page's policy.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def watch(page: Any) -> list[str]:
    """Everything the browser complains about while `page` is open."""
    problems: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    return problems


def visit(page: Any, paths: list[str]) -> None:
    for path in paths:
        response = page.goto(path, wait_until="networkidle")
        assert response is not None and response.ok, path


def sign_in_with_code(page: Any, user: Any) -> None:
    sign_in(page, user.email)
    page.get_by_placeholder("Code").fill(totp_code(user.totp_secret))
    page.get_by_role("button", name="Sign In").click()
    wait_signed_in(page)


@pytest.fixture
def demo_data(settings: Any) -> None:
    settings.DEBUG = True  # seed_demo is a development command
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False


def test_public_pages_and_api_docs_render_under_the_policy(page, demo_data):
    problems = watch(page)
    visit(page, ["/", "/accounts/login/", "/accounts/signup/", "/briefings/", "/intel/sectors/"])
    visit(page, ["/api/docs/"])
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert problems == []


def test_contributor_pages_render_under_the_policy(page, demo_data, contributor):
    report = FieldReportFactory(author=contributor)
    problems = watch(page)
    sign_in(page, contributor.email)
    wait_signed_in(page)
    visit(
        page,
        [
            "/intel/",
            "/intel/reports/new/",
            f"/intel/contributions/{report.pk}/",
            f"/intel/contributions/{report.pk}/edit/",
            "/members/privacy/",
            "/accounts/2fa/",
            "/briefings/account/",
        ],
    )
    # Setting up an authenticator asks for the password again, then shows the QR code.
    visit(page, ["/accounts/2fa/totp/activate/"])
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.locator("img[src^='data:image/svg+xml']").wait_for()
    assert problems == []


def test_analyst_pages_render_under_the_policy(page, demo_data, contributor, analyst):
    report = FieldReportFactory(author=contributor)
    services.report_submit(contribution=report, actor=contributor)
    problems = watch(page)
    sign_in_with_code(page, analyst)
    visit(
        page,
        [
            "/intel/review/",
            f"/intel/review/{report.pk}/",
            "/intel/search/?q=gallium",
            "/intel/digests/",
            "/intel/sectors/critical-minerals/",
            "/members/vetting/",
            "/members/directory/",
        ],
    )
    visit(page, ["/api/docs/"])
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert problems == []


def test_admin_pages_render_under_the_policy(page, demo_data, admin_user):
    contribution = Contribution.objects.order_by("pk").first()
    assert contribution is not None
    problems = watch(page)
    sign_in_with_code(page, admin_user)
    visit(
        page,
        [
            "/admin/",
            "/admin/intel/contribution/",
            f"/admin/intel/contribution/{contribution.pk}/change/",
            "/admin/accounts/user/",
            f"/admin/accounts/user/{admin_user.pk}/change/",
        ],
    )
    assert problems == []
