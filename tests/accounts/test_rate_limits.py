"""Sign-in, sign-up and token requests stay rate-limited (allauth and DRF, through the shared
cache), per address — which a client cannot choose — and per account."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.accounts.factories import totp_code

pytestmark = pytest.mark.django_db


def test_repeated_failed_sign_ins_are_refused_even_with_the_right_password(
    anonymous, contributor, password
):
    for _ in range(5):
        anonymous.post(reverse("account_login"), {"login": contributor.email, "password": "x"})
    response = anonymous.post(
        reverse("account_login"), {"login": contributor.email, "password": password}
    )
    assert "_auth_user_id" not in anonymous.session
    assert "Too many failed login attempts" in response.content.decode()


def test_signup_is_rate_limited_per_address(anonymous):
    statuses = [
        anonymous.post(
            reverse("account_signup"),
            {"email": f"flood{n}@example.org", "password1": "pw", "password2": "pw"},
        ).status_code
        for n in range(11)
    ]
    assert statuses[-1] == 429


# --- The token endpoint -------------------------------------------------------------------

TOKEN_URL = "/api/auth/token/"


def token_request(email, password, *, address="10.0.0.1", **headers):
    return APIClient().post(
        TOKEN_URL, {"email": email, "password": password}, format="json", REMOTE_ADDR=address,
        **headers,
    )  # fmt: skip


def test_token_guesses_with_varying_forwarded_for_are_still_throttled(contributor):
    """X-Forwarded-For is ignored without trusted proxies: the guesses share one address."""
    statuses = [
        token_request(
            f"guess{n}@example.org", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(30)
    ]
    assert 429 in statuses


def test_failed_token_requests_lock_the_account_whatever_the_address(contributor, password):
    for n in range(5):
        assert token_request(contributor.email, "wrong", address=f"10.0.1.{n}").status_code == 400
    locked = token_request(contributor.email, password, address="10.0.2.1")
    assert locked.status_code == 429


def test_web_login_lockout_applies_to_the_token_endpoint(anonymous, contributor, password):
    for _ in range(5):
        anonymous.post(reverse("account_login"), {"login": contributor.email, "password": "x"})
    response = token_request(contributor.email, password, address="10.0.3.1")
    assert response.status_code == 429


def test_token_endpoint_failures_lock_the_web_login(anonymous, contributor, password):
    for n in range(5):
        token_request(contributor.email, "wrong", address=f"10.0.4.{n}")
    response = anonymous.post(
        reverse("account_login"), {"login": contributor.email, "password": password}
    )
    assert "_auth_user_id" not in anonymous.session
    assert "Too many failed login attempts" in response.content.decode()


def test_a_successful_token_request_does_not_count_as_a_failure(contributor, password):
    for n in range(4):
        token_request(contributor.email, "wrong", address=f"10.0.5.{n}")
    assert token_request(contributor.email, password, address="10.0.6.1").status_code == 200
    assert token_request(contributor.email, password, address="10.0.6.2").status_code == 200


def test_token_lockout_is_json_with_retry_after(contributor, password):
    for n in range(5):
        token_request(contributor.email, "wrong", address=f"10.0.7.{n}")
    response = token_request(contributor.email, password, address="10.0.8.1")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    assert int(response["Retry-After"]) > 0


def test_api_throttle_answer_is_json_with_retry_after(contributor):
    for n in range(12):
        response = token_request(f"other{n}@example.org", "wrong")
    assert response.status_code == 429
    assert response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_wrong_codes_at_the_token_endpoint_are_limited_per_account(analyst, password):
    for n in range(5):
        response = APIClient().post(
            TOKEN_URL,
            {"email": analyst.email, "password": password, "otp": "000000"},
            format="json",
            REMOTE_ADDR=f"10.0.9.{n}",
        )
        assert response.status_code == 400
    response = APIClient().post(
        TOKEN_URL,
        {"email": analyst.email, "password": password, "otp": totp_code(analyst.totp_secret)},
        format="json",
        REMOTE_ADDR="10.0.10.1",
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(contributor, settings):
    """With NUM_PROXIES=1 the proxy's entry names the client, for DRF and allauth alike."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(12):
        token_request(f"p{n}@example.org", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert (
        token_request("p@example.org", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code
        == 429
    )
    # Another client behind the same proxy (same REMOTE_ADDR) is counted apart.
    assert (
        token_request("q@example.org", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code
        == 400
    )
