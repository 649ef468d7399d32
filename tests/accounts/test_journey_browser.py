"""Headless Chromium: the membership journey from sign-up to vetted contributor.

Sign up → verify the email read from the real SMTP server → apply → an analyst
signs in with MFA (a TOTP code) and approves with a reason → the new member
signs in and reaches the contributor dashboard; the audit trail shows the decision.
And the admin: /admin/ hands over to the same sign-in, TOTP step included.
"""

from __future__ import annotations

import re

import pytest

from accounts.models import Application, AuditEvent
from tests.accounts.factories import TEST_PASSWORD, totp_code
from tests.helpers import open_menu, sign_in, sign_out_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")
EMAIL = "new.expert@research.example"
PASSWORD = "a-long-pass-phrase-42"


def text_of(message) -> str:
    return "".join(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )


def sign_out(page) -> None:
    sign_out_in_browser(page)
    page.get_by_role("link", name="Sign in").first.wait_for()


def test_signup_apply_vetting_with_mfa_and_first_contributor_visit(page, smtp_server, analyst):
    # 1. Sign up and verify the address from the email.
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Your name").fill("Hana Kobayashi")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    [verification] = smtp_server.wait_for(1)
    page.goto(CONFIRM_LINK.search(text_of(verification)).group(1))
    page.get_by_role("button", name="Confirm").click()

    # 2. Signed in by the confirmation, the newcomer lands on the application form.
    page.get_by_role("heading", name="Apply for membership").wait_for()
    page.get_by_label("Research").check()
    page.get_by_label("Organisation").fill("Tohoku Materials Institute")
    page.get_by_label("Position").fill("Senior researcher")
    page.get_by_placeholder("Search countries").fill("Japan")
    page.get_by_label("Country").select_option("JP")
    page.get_by_label("Batteries").check()
    page.get_by_label("Statement of expertise").fill(
        "Fifteen years on rare-earth separation and battery-grade lithium refining."
    )
    page.get_by_label("Conflicts of interest").fill("None")
    page.get_by_label("I accept the handling rules").check()
    page.get_by_role("button", name="Submit application").click()
    page.get_by_text("Your application has been sent.").wait_for()
    assert Application.objects.get(user__email=EMAIL).status == "submitted"
    sign_out(page)

    # 3. The analyst signs in with the second factor and approves with a reason.
    sign_in(page, analyst.email, totp_secret=analyst.totp_secret)
    open_menu(page, "Review").get_by_role("link", name="Vetting").click()
    # Applicants are known by the name they gave at sign-up, not their address.
    page.get_by_role("link", name=re.compile("Hana Kobayashi|Tohoku", re.I)).first.click()
    page.get_by_label("Approve").check()
    page.get_by_label("Source grade on approval").select_option("C")
    page.get_by_label("Reason").fill("Publications checked; affiliation confirmed.")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Application approved").first.wait_for()

    open_menu(page, "Community").get_by_role("link", name="Audit trail").click()
    row = page.get_by_role("row", name=re.compile("Application approved"))
    assert "Publications checked; affiliation confirmed." in row.inner_text()
    assert analyst.email in row.inner_text()
    # The event's target links to the application it is about.
    row.get_by_role("link").click()
    page.get_by_text("Hana Kobayashi").first.wait_for()
    page.go_back()
    assert AuditEvent.objects.filter(action="application.approve").count() == 1

    # The decision email reached the applicant over SMTP.
    # Before it: the verification, the applicant's receipt and the analyst's notification.
    messages = smtp_server.wait_for(4)
    assert [m["To"] for m in messages].count(analyst.email) == 1
    decision = [m for m in messages if m["To"] == EMAIL][-1]
    assert "Publications checked" in text_of(decision)
    sign_out(page)

    # 4. The new member signs in and opens the contributor dashboard.
    sign_in(page, EMAIL, PASSWORD)
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_text("Contributor", exact=True).wait_for()
    response = page.goto("/intel/")
    assert response.status == 200
    page.get_by_role("heading", name="My reports and case studies").wait_for()


def test_admin_signs_in_through_the_site_sign_in_with_the_second_factor(page, admin_user):
    """/admin/ sends the admin to allauth's sign-in; the password alone does not open it."""
    page.goto("/admin/accounts/user/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Email").fill(admin_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    # The code step, before anything of the admin is shown.
    code = page.get_by_placeholder("Code")
    code.wait_for()
    assert "/admin/" not in page.url
    code.fill(totp_code(admin_user.totp_secret))
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Select user to change").wait_for()
    assert page.url.endswith("/admin/accounts/user/")
