"""Every button style is readable (WCAG AA contrast, measured in Chromium from the
computed styles), and Japanese table headers keep their words on one line."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intel.reports import services
from tests.accounts.factories import TEST_PASSWORD
from tests.helpers import api_token_for, sign_in
from tests.intel.factories import FieldReportFactory
from tests.intel.reports.upload_files import png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Text colour and the first opaque background behind it, for every button-like element.
BUTTON_COLOURS = """
() => [...document.querySelectorAll(
    'button, .button, input[type=submit], summary.button, a.button, .link-button'
  )].filter(el => el.offsetParent !== null).map(el => {
    let node = el, background = null;
    while (node && !background) {
      const colour = getComputedStyle(node).backgroundColor;
      if (colour && colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') background = colour;
      node = node.parentElement;
    }
    return {label: (el.innerText || el.value || '').trim().slice(0, 40),
            colour: getComputedStyle(el).color, background: background || 'rgb(255, 255, 255)'};
  })
"""


def _luminance(rgb: str) -> float:
    red, green, blue = (int(part) for part in re.findall(r"\d+", rgb)[:3])

    def channel(value: int) -> float:
        scaled = value / 255
        return scaled / 12.92 if scaled <= 0.03928 else ((scaled + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_helper_tells_readable_from_unreadable():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    # The attachment button that used to be red on red.
    assert contrast("rgb(164, 22, 26)", "rgb(164, 22, 26)") == pytest.approx(1)


def _check_buttons(page: Any, path: str) -> int:
    page.goto(path, wait_until="networkidle")
    buttons = page.evaluate(BUTTON_COLOURS)
    for button in buttons:
        ratio = contrast(button["colour"], button["background"])
        assert ratio >= 4.5, f"{path}: {button['label']!r} {ratio:.2f}:1 ({button})"
    return len(buttons)


def test_every_button_style_has_readable_contrast(page, contributor):
    report = FieldReportFactory(author=contributor)
    services.attachment_add(
        contribution=report,
        actor=contributor,
        uploaded=SimpleUploadedFile("chart.png", png(), content_type="image/png"),
    )
    api_token_for(contributor)
    sign_in(page, contributor.email)
    page.get_by_role("navigation", name="Main navigation").wait_for()
    seen = 0
    for path in (
        f"/intel/contributions/{report.pk}/",
        f"/intel/contributions/{report.pk}/edit/",
        "/members/api-tokens/",
        "/intel/reports/new/",
    ):
        seen += _check_buttons(page, path)
    assert seen >= 5
    # The danger link buttons (Remove, Revoke) are among those measured.
    page.goto(f"/intel/contributions/{report.pk}/edit/")
    remove = page.get_by_role("button", name=re.compile("Remove chart.png"))
    assert remove.is_visible()


def test_japanese_table_headers_do_not_wrap_per_character(chromium, live_server, contributor):
    api_token_for(contributor)
    context = chromium.new_context(locale="ja-JP", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in_ja(page, contributor.email)
        page.goto("/members/api-tokens/", wait_until="networkidle")
        assert page.evaluate("document.documentElement.lang") == "ja"
        headers = page.evaluate(
            """() => [...document.querySelectorAll('th')].map(th => {
                const style = getComputedStyle(th);
                const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.3;
                const inner = th.clientHeight - parseFloat(style.paddingTop)
                              - parseFloat(style.paddingBottom);
                return {text: th.innerText, lines: inner / line};
            })"""
        )
        assert headers
        for header in headers:
            assert header["lines"] < 1.6, header
    finally:
        context.close()


def sign_in_ja(page: Any, email: str) -> None:
    """allauth's sign-in form in Japanese (labels メールアドレス / パスワード)."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
