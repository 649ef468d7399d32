"""Sign-up sends a verification email over real SMTP; following it verifies the address."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")


def message_text(message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "".join(
        part.get_payload(decode=True).decode()
        for part in parts
        if part.get_content_type() == "text/plain"
    )


@pytest.mark.django_db(transaction=True)
def test_signup_sends_verification_email_over_smtp(anonymous, smtp_server):
    response = anonymous.post(
        reverse("account_signup"),
        {"email": "Expert@Research.example", "display_name": "Aiko Tanaka",
         "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"},
        HTTP_HOST="localhost:8123",
    )  # fmt: skip
    assert response.status_code == 302

    [message] = smtp_server.wait_for(1)
    assert message["To"] == "expert@research.example"
    assert message["Subject"].startswith("[CIP]")
    text = message_text(message)
    assert "Hello from Community Intelligence Platform!" in text
    # The link points where the person signed up, not at SITE_URL's host.
    link = CONFIRM_LINK.search(text)
    assert link, "the email carries a confirmation link"
    assert link.group(0).startswith("http://localhost:8123/")

    user = User.objects.get(email="expert@research.example")
    assert user.display_name == "Aiko Tanaka"
    assert not EmailAddress.objects.get(user=user).verified

    confirm_path = link.group(1)
    assert anonymous.get(confirm_path).status_code == 200
    anonymous.post(confirm_path)
    assert EmailAddress.objects.get(user=user).verified


@pytest.mark.django_db(transaction=True)
def test_signup_with_bad_input_keeps_what_was_typed_and_sends_nothing(anonymous, smtp_server):
    response = anonymous.post(
        reverse("account_signup"),
        {
            "email": "kept@example.org",
            "display_name": "Kept Name",
            "password1": "a-long-pass-phrase-42",
            "password2": "other",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="kept@example.org"' in content
    assert 'value="Kept Name"' in content
    assert "same password" in content
    assert not User.objects.filter(email="kept@example.org").exists()
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_unverified_user_cannot_sign_in(anonymous, password):
    from tests.accounts.factories import UserFactory

    user = UserFactory(verified=False)
    response = anonymous.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert "_auth_user_id" not in anonymous.session


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["", "   ", "\u200b\u202e"])
def test_signup_needs_a_visible_name(anonymous, name):
    response = anonymous.post(
        reverse("account_signup"),
        {"email": "noname@example.org", "display_name": name,
         "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"},
    )  # fmt: skip
    assert response.status_code == 200
    assert 'value="noname@example.org"' in response.content.decode()
    assert "display_name" in response.context["form"].errors
    assert not User.objects.filter(email="noname@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_site_name_comes_from_the_setting(anonymous, smtp_server, settings):
    settings.SITE_NAME = "Supply Watch"
    anonymous.post(
        reverse("account_signup"),
        {"email": "named@example.org", "display_name": "N. Named",
         "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"},
    )  # fmt: skip
    [message] = smtp_server.wait_for(1)
    assert "Hello from Supply Watch!" in message_text(message)
    page = anonymous.get(reverse("home")).content.decode()
    assert "Supply Watch" in page and "Community Intelligence Platform" not in page
