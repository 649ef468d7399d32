"""API shell: token sign-in and the caller's own profile, with their refused cases."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def obtain_token(email: str, password: str) -> tuple[int, dict]:
    response = APIClient().post(
        reverse("api-token"), {"email": email, "password": password}, format="json"
    )
    return response.status_code, response.json()


def test_token_for_verified_user(contributor, password):
    status, body = obtain_token(contributor.email, password)
    assert status == 200
    assert len(body["token"]) == 64
    assert body["expiry"]


def test_token_email_is_case_insensitive(contributor, password):
    status, _body = obtain_token(contributor.email.upper(), password)
    assert status == 200


def test_token_refused_for_wrong_password(contributor):
    status, body = obtain_token(contributor.email, "not-the-password")
    assert status == 400
    assert "non_field_errors" in body


def test_token_refused_for_unverified_email(password):
    user = UserFactory(verified=False)
    status, body = obtain_token(user.email, password)
    assert status == 400
    assert "Verify your email" in body["non_field_errors"][0]


def test_token_refused_for_inactive_user(password):
    user = UserFactory(is_active=False)
    status, _body = obtain_token(user.email, password)
    assert status == 400


def test_token_request_reports_missing_fields_per_field():
    response = APIClient().post(reverse("api-token"), {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_me_refuses_anonymous():
    assert APIClient().get(reverse("api-me")).status_code == 401


def test_me_with_token_shows_own_profile_and_roles(contributor, password):
    _status, body = obtain_token(contributor.email, password)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    response = api.get(reverse("api-me"))
    assert response.status_code == 200
    assert response.json()["email"] == contributor.email
    assert response.json()["roles"] == ["contributors"]


@pytest.mark.parametrize("key", ["0" * 40, "0" * 64])
def test_me_refuses_a_bad_token(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(reverse("api-me")).status_code == 401


def test_schema_and_docs_are_public_and_self_hosted(anonymous):
    assert anonymous.get(reverse("api-schema")).status_code == 200
    docs = anonymous.get(reverse("api-docs"))
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()


def test_schema_documents_token_endpoint(anonymous):
    schema = anonymous.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    assert "/api/auth/token/" in schema["paths"]
    assert "/api/me/" in schema["paths"]
