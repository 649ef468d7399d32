"""Headless Chromium against the live server: the demo contributor signs in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tests.helpers import open_menu, sign_in, wait_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_contributor_signs_in(page, settings):
    settings.DEBUG = True  # seed_demo is a development command
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False

    sign_in(page, "contributor@example.org", "demo-password-123")

    wait_signed_in(page)
    nav = open_menu(page, "Account")
    assert nav.get_by_text("Contributor", exact=True).is_visible()
    assert nav.get_by_text("contributor@example.org").is_visible()


def test_wrong_password_keeps_email_and_says_what_is_wrong(page, contributor):
    sign_in(page, contributor.email, "wrong-password")
    assert "not correct" in page.content()
    assert page.get_by_label("Email").input_value() == contributor.email
