"""Security headers: a strict Content-Security-Policy on every page, and answers that
depend on the reader kept out of shared caches (static files stay cacheable)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from intel.reports import services
from tests.intel.factories import FieldReportFactory
from tests.intel.reports.upload_files import pdf

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


def test_pages_carry_a_strict_content_security_policy(anonymous, client_for, analyst):
    for client, url in [
        (anonymous, reverse("home")),
        (anonymous, reverse("account_login")),
        (client_for(analyst), reverse("intel:review_queue")),
        (client_for(analyst), reverse("api-docs")),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = policy(response)
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["base-uri"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["form-action"] == ["'self'"]
        assert "unsafe" not in response["Content-Security-Policy"]


def test_attachment_downloads_keep_their_own_sandbox_policy(
    contributor, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = FieldReportFactory(author=contributor)
    attachment = services.attachment_add(
        contribution=report, actor=contributor, uploaded=SimpleUploadedFile("a.pdf", pdf())
    )
    response = client_for(contributor).get(
        reverse("intel:attachment_download", args=[attachment.pk])
    )
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert {"private", "no-store"} <= cache_control(response)


def test_api_answers_vary_by_reader_and_stay_out_of_shared_caches(anonymous, client_for, analyst):
    public = anonymous.get("/api/digests/")
    assert {"authorization", "cookie"} <= vary(public)
    assert "private" in cache_control(public)
    assert "public" not in cache_control(public)

    signed_in = client_for(analyst).get("/api/digests/")
    assert signed_in.status_code == 200
    assert {"authorization", "cookie"} <= vary(signed_in)
    assert {"private", "no-store"} <= cache_control(signed_in)


def test_the_token_endpoint_answer_is_never_stored(anonymous, contributor):
    response = anonymous.post(
        reverse("api-token"),
        {"email": contributor.email, "password": "wrong"},
        content_type="application/json",
    )
    assert {"private", "no-store"} <= cache_control(response)


def test_signed_in_pages_are_private_and_not_stored(client_for, analyst, contributor):
    for client, url in [
        (client_for(analyst), reverse("intel:review_queue")),
        (client_for(contributor), reverse("intel:dashboard")),
        (client_for(contributor), reverse("mfa_index")),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= cache_control(response), url
        assert "cookie" in vary(response)


def test_public_pages_are_private_but_may_be_kept_by_the_browser(anonymous):
    response = anonymous.get(reverse("home"))
    assert "private" in cache_control(response)
    assert "no-store" not in cache_control(response)
    assert {"authorization", "cookie"} <= vary(response)


def test_static_files_stay_cacheable(settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get(static("css/site.css"))
    assert response.status_code == 200
    assert "private" not in cache_control(response)
    assert "no-store" not in cache_control(response)
    assert "cookie" not in vary(response)


def test_swagger_ui_page_loads_its_script_and_styles_from_files(client_for, analyst):
    client = client_for(analyst)
    page = client.get(reverse("api-docs")).content.decode()
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


# Emails are not web pages: their styles are inlined for mail clients.
PAGE_TEMPLATES = [
    path
    for path in Path(django_settings.BASE_DIR, "templates").rglob("*.html")
    if "emails" not in path.parts
]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on*= handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize(
    "template",
    PAGE_TEMPLATES,
    ids=[str(p.relative_to(django_settings.BASE_DIR)) for p in PAGE_TEMPLATES],
)
def test_templates_hold_no_inline_script_handler_or_style(template):
    text = template.read_text()
    for pattern, what in INLINE:
        assert not pattern.search(text), f"{what} in {template.name}: move it to a static file"


def test_favicon_ico_redirects_anyone_to_the_static_icon(anonymous):
    response = anonymous.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("favicon.svg")
