"""API tokens: the second factor at the token endpoint, hashed storage, expiry, a new token per
request, revocation by the owner and with the person's credentials and standing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import services
from tests.accounts.factories import totp_code
from tests.helpers import api_token_for, enrol_totp_in_session, reauthenticate

pytestmark = pytest.mark.django_db

TOKEN_URL = reverse("api-token")


def obtain(email: str, password: str, **extra: str) -> tuple[int, dict]:
    response = APIClient().post(
        TOKEN_URL, {"email": email, "password": password, **extra}, format="json"
    )
    return response.status_code, response.json()


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    return with_token(key).get(reverse("api-me")).status_code == 200


# --- The second factor at the token endpoint -------------------------------------------


def test_mfa_user_without_otp_gets_a_field_error_and_no_token(analyst, password):
    status, body = obtain(analyst.email, password)
    assert status == 400
    assert set(body) == {"otp"}
    assert not AuthToken.objects.filter(user=analyst).exists()


def test_mfa_user_with_a_wrong_otp_gets_a_field_error_and_no_token(analyst, password):
    wrong = f"{(int(totp_code(analyst.totp_secret)) + 1) % 1_000_000:06d}"
    status, body = obtain(analyst.email, password, otp=wrong)
    assert status == 400
    assert set(body) == {"otp"}
    assert not AuthToken.objects.filter(user=analyst).exists()


def test_otp_is_not_asked_before_the_password_is_right(analyst):
    """Whether an account has an authenticator is not told to someone without its password."""
    status, body = obtain(analyst.email, "not-the-password")
    assert status == 400
    assert set(body) == {"non_field_errors"}


def test_mfa_user_with_a_current_code_gets_a_token_for_analyst_endpoints(analyst, password):
    status, body = obtain(analyst.email, password, otp=totp_code(analyst.totp_secret))
    assert status == 200
    api = with_token(body["token"])
    assert api.get(reverse("api-application-list")).status_code == 200
    assert api.get("/api/review/").status_code == 200


def test_a_totp_code_gets_one_token_only(analyst, password):
    code = totp_code(analyst.totp_secret)
    assert obtain(analyst.email, password, otp=code)[0] == 200
    status, body = obtain(analyst.email, password, otp=code)
    assert status == 400
    assert set(body) == {"otp"}


def test_a_recovery_code_gets_a_token_and_is_used_up(analyst, password):
    code = RecoveryCodes.activate(analyst).get_unused_codes()[0]
    status, body = obtain(analyst.email, password, otp=code)
    assert status == 200
    assert with_token(body["token"]).get(reverse("api-application-list")).status_code == 200
    recovery = Authenticator.objects.get(user=analyst, type="recovery_codes").wrap()
    assert code not in recovery.get_unused_codes()
    assert obtain(analyst.email, password, otp=code)[0] == 400


def test_user_without_an_authenticator_needs_no_otp(contributor, password):
    status, body = obtain(contributor.email, password)
    assert status == 200
    assert works(body["token"])


# --- Storage, expiry, one token per request ---------------------------------------------


def test_tokens_are_stored_only_as_hashes(contributor, password):
    _status, body = obtain(contributor.email, password)
    key = body["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, token_key FROM knox_authtoken")
        rows = cursor.fetchall()
    assert rows
    assert all(key not in (digest, token_key) for digest, token_key in rows)
    assert all(len(token_key) < len(key) for _digest, token_key in rows)


def test_each_request_issues_a_new_token_that_expires_after_the_configured_hours(
    contributor, password, settings
):
    before = timezone.now()
    first = obtain(contributor.email, password)[1]
    second = obtain(contributor.email, password)[1]
    assert first["token"] != second["token"]
    assert works(first["token"]) and works(second["token"])
    token = AuthToken.objects.filter(user=contributor).latest("created")
    lifetime = timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert before + lifetime <= token.expiry <= timezone.now() + lifetime


def test_an_expired_token_is_refused(contributor):
    key = api_token_for(contributor)
    AuthToken.objects.filter(user=contributor).update(expiry=timezone.now() - timedelta(seconds=1))
    response = with_token(key).get(reverse("api-me"))
    assert response.status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Token " + "g" * 64, "Token " + "a" * 70, "Token", "Token a b"],
)
def test_a_malformed_token_header_is_a_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(reverse("api-me")).status_code == 401


def test_a_token_header_with_a_nul_byte_is_refused_before_authentication():
    # The site-wide guard (community.middleware) answers bad bytes with a 400.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "a" * 63 + "\x00")
    response = client.get(reverse("api-me"))
    assert response.status_code == 400
    assert "detail" in response.json()


# --- Revocation with the person's credentials and standing ----------------------------


def test_password_change_revokes_every_token(contributor, password, client_for):
    keys = [api_token_for(contributor), api_token_for(contributor)]
    response = client_for(contributor).post(
        reverse("account_change_password"),
        {
            "oldpassword": password,
            "password1": "a-new-long-password-42",
            "password2": "a-new-long-password-42",
        },
    )
    assert response.status_code == 302
    assert not any(works(key) for key in keys)


def test_password_reset_revokes_every_token(contributor, anonymous):
    key = api_token_for(contributor)
    uidb36 = user_pk_to_url_str(contributor)
    reset_key = default_token_generator.make_token(contributor)
    start = anonymous.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": reset_key})
    )
    response = anonymous.post(
        start["Location"],
        {"password1": "a-new-long-password-42", "password2": "a-new-long-password-42"},
    )
    assert response.status_code == 302
    assert not works(key)


def test_account_deletion_revokes_every_token(contributor):
    key = api_token_for(contributor)
    services.account_delete(user=contributor, actor=contributor)
    assert not works(key)
    assert not AuthToken.objects.filter(user=contributor).exists()


@pytest.mark.parametrize("change", ["membership_suspend", "membership_revoke"])
def test_suspension_and_revocation_revoke_every_token(contributor, analyst, change):
    key = api_token_for(contributor)
    getattr(services, change)(membership=contributor.membership, actor=analyst, reason="Leak.")
    assert not works(key)


def test_reinstatement_gives_no_token_back(contributor, analyst):
    key = api_token_for(contributor)
    services.membership_suspend(membership=contributor.membership, actor=analyst, reason="Check.")
    services.membership_reinstate(membership=contributor.membership, actor=analyst, reason="Ok.")
    assert not works(key)


def test_enrolling_totp_revokes_every_token(
    contributor, client_for, django_capture_on_commit_callbacks
):
    key = api_token_for(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        enrol_totp_in_session(client_for(contributor))
    assert Authenticator.objects.filter(user=contributor, type="totp").exists()
    assert not works(key)


def test_removing_totp_revokes_every_token(analyst, client_for):
    key = api_token_for(analyst)
    client = client_for(analyst)
    response = reauthenticate(client, client.post(reverse("mfa_deactivate_totp")))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=analyst, type="totp").exists()
    assert not works(key)


def test_other_people_keep_their_tokens(contributor, other_contributor, analyst):
    mine, theirs = api_token_for(contributor), api_token_for(other_contributor)
    services.membership_suspend(membership=contributor.membership, actor=analyst, reason="Leak.")
    assert not works(mine)
    assert works(theirs)


# --- The owner's API tokens page ---------------------------------------------------------


def test_api_tokens_page_needs_sign_in(anonymous):
    for name, method in [
        ("accounts:api-tokens", "get"),
        ("accounts:api-token-revoke", "post"),
        ("accounts:api-tokens-revoke-all", "post"),
    ]:
        response = getattr(anonymous, method)(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_api_tokens_page_lists_only_the_owners_working_tokens(
    contributor, other_contributor, client_for
):
    key = api_token_for(contributor)
    expired = api_token_for(contributor)
    AuthToken.objects.filter(token_key=expired[:15]).update(expiry=timezone.now())
    theirs = api_token_for(other_contributor)
    page = client_for(contributor).get(reverse("accounts:api-tokens"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<code>{key[:6]}</code>" in html
    assert f"<code>{expired[:6]}</code>" not in html
    assert f"<code>{theirs[:6]}</code>" not in html
    assert key not in html  # only the first characters, never the key


def test_owner_revokes_one_token(contributor, client_for):
    kept, revoked = api_token_for(contributor), api_token_for(contributor)
    digest = AuthToken.objects.get(token_key=revoked[:15]).digest
    response = client_for(contributor).post(reverse("accounts:api-token-revoke"), {"token": digest})
    assert response.status_code == 302
    assert works(kept)
    assert not works(revoked)


def test_owner_revokes_all_tokens(contributor, client_for):
    keys = [api_token_for(contributor), api_token_for(contributor)]
    response = client_for(contributor).post(reverse("accounts:api-tokens-revoke-all"))
    assert response.status_code == 302
    assert not any(works(key) for key in keys)


def test_nobody_revokes_someone_elses_token(contributor, other_contributor, client_for):
    theirs = api_token_for(other_contributor)
    digest = AuthToken.objects.get(token_key=theirs[:15]).digest
    client = client_for(contributor)
    assert client.post(reverse("accounts:api-token-revoke"), {"token": digest}).status_code == 404
    client.post(reverse("accounts:api-tokens-revoke-all"))
    assert works(theirs)


@pytest.mark.parametrize("value", ["", "not-a-digest"])
def test_revoking_a_malformed_token_is_a_404(contributor, client_for, value):
    response = client_for(contributor).post(reverse("accounts:api-token-revoke"), {"token": value})
    assert response.status_code == 404


def test_revoking_a_token_value_with_nul_bytes_is_a_400(contributor, client_for):
    response = client_for(contributor).post(
        reverse("accounts:api-token-revoke"), {"token": "\x00" * 128}
    )
    assert response.status_code == 400
