"""Briefing preview in the admin: the week as each kind of reader gets it, a test copy
mailed to oneself, and "send a week now" defaulting to the latest published week."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from intel.models import Delivery
from tests.intel.briefings.support import text_part
from tests.intel.digests.factories import WEEK

pytestmark = pytest.mark.django_db

PREVIEW = "admin:intel_briefingweek_preview"


@pytest.fixture
def admin_client(client_for: Any, admin_user: Any) -> Any:
    return client_for(admin_user)


@pytest.fixture
def published(analyst: Any, digest_factory: Any) -> Any:
    return digest_factory(
        sector="semiconductors",
        published_by=analyst,
        summary="Amber summary: do not share",
        summary_tlp="amber",
    )


def preview_text(client: Any, reader: str, language: str = "en") -> str:
    response = client.get(
        reverse(PREVIEW), {"week_start": WEEK.isoformat(), "reader": reader, "language": language}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_each_reader_type_sees_only_what_it_is_cleared_for(admin_client, published):
    public = preview_text(admin_client, "public")
    member = preview_text(admin_client, "member")
    cleared = preview_text(admin_client, "cleared")
    assert "Clear item" in public and "Green item" not in public and "Amber" not in public
    assert "Green item" in member and "Amber summary" not in member
    assert "Amber item" in cleared and "Amber summary" in cleared
    # A preview sends nothing and records no delivery.
    assert not Delivery.objects.exists()


def test_preview_in_japanese_and_as_the_html_a_mail_client_shows(admin_client, published):
    assert "週" in preview_text(admin_client, "member", "ja")
    response = admin_client.get(
        reverse(PREVIEW),
        {"week_start": WEEK.isoformat(), "reader": "public", "language": "en", "part": "html"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'style="' in html and "Clear item" in html and "Green item" not in html
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "script-src 'self'" in policy


@pytest.mark.django_db(transaction=True)
def test_test_send_mails_the_preview_to_the_admin_only(
    admin_client, admin_user, published, smtp_server
):
    response = admin_client.post(
        reverse(PREVIEW), {"week_start": WEEK.isoformat(), "reader": "public", "language": "en"}
    )
    assert response.status_code == 302
    [message] = smtp_server.wait_for(1)
    assert message["To"] == admin_user.email
    assert "Clear item" in text_part(message) and "Green item" not in text_part(message)
    assert not Delivery.objects.exists()


def test_preview_refuses_bad_input_with_400(admin_client, published):
    response = admin_client.get(
        reverse(PREVIEW), {"week_start": "2026-11-17", "reader": "king", "language": "fr"}
    )
    assert response.status_code == 400
    assert "Monday" in response.content.decode()


def test_preview_is_for_administrators_only(client_for, analyst, contributor, published):
    for user in (analyst, contributor):
        response = client_for(user).get(reverse(PREVIEW), {"week_start": WEEK.isoformat()})
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_send_week_defaults_to_the_latest_published_week(admin_client, published):
    page = admin_client.get(reverse("admin:intel_briefingweek_send")).content.decode()
    assert f'value="{WEEK.isoformat()}"' in page
