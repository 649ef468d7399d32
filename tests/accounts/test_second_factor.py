"""One rule for privileged access: analyst power needs a sign-in that *passed* the second factor.

An enrolled authenticator is not enough: a session that passed only the
password (or a token issued without a code) is refused by analyst pages, the
API and the clearance a reader gets, even for an analyst with TOTP enrolled.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from rest_framework.test import APIClient

from intel.vocabulary import Tlp
from tests.accounts.factories import enrol_totp, totp_code
from tests.helpers import api_token_for, enrol_totp_in_session

pytestmark = pytest.mark.django_db

ANALYST_PAGE = "accounts:vetting-queue"


def test_analyst_page_sends_a_password_only_session_to_the_second_factor(
    analyst, password_only_client_for
):
    response = password_only_client_for(analyst).get(reverse(ANALYST_PAGE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert "next=" + quote(reverse(ANALYST_PAGE), safe="") in response["Location"]


def test_analyst_page_opens_to_a_session_that_passed_the_second_factor(analyst, client_for):
    assert client_for(analyst).get(reverse(ANALYST_PAGE)).status_code == 200


def test_confirming_a_code_opens_the_analyst_page(analyst, password_only_client_for):
    client = password_only_client_for(analyst)
    step_up = client.get(reverse(ANALYST_PAGE))["Location"]
    response = client.post(step_up, {"code": totp_code(analyst.totp_secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse(ANALYST_PAGE)
    assert client.get(reverse(ANALYST_PAGE)).status_code == 200


def test_api_refuses_an_analyst_session_that_passed_only_the_password(
    analyst, password_only_client_for
):
    session = password_only_client_for(analyst)
    api = APIClient()
    api.cookies = session.cookies
    assert api.get(reverse("api-application-list")).status_code == 403
    assert api.get("/api/review/").status_code == 403


def test_api_opens_to_an_analyst_session_that_passed_the_second_factor(analyst, client_for):
    api = APIClient()
    api.cookies = client_for(analyst).cookies
    assert api.get(reverse("api-application-list")).status_code == 200


def test_reader_clearance_is_red_only_for_a_session_that_passed_the_second_factor(
    analyst, client_for, password_only_client_for
):
    archive = reverse("briefings:archive")
    assert password_only_client_for(analyst).get(archive).context["clearance"] == Tlp.CLEAR
    assert client_for(analyst).get(archive).context["clearance"] == Tlp.RED


def test_token_issued_before_totp_enrolment_never_passes_the_second_factor(analyst_without_mfa):
    key = api_token_for(analyst_without_mfa)
    # Enrolled outside allauth's flow, so nothing revoked the token: it still must not count.
    enrol_totp(analyst_without_mfa)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(reverse("api-me")).status_code == 200
    assert api.get(reverse("api-application-list")).status_code == 403


def test_token_issued_with_the_second_factor_opens_analyst_endpoints(analyst, api_for):
    assert api_for(analyst).get(reverse("api-application-list")).status_code == 200


# Committed for real: allauth announces the authenticator after the commit, still
# inside the request, and the session must be written by that same request.
@pytest.mark.django_db(transaction=True)
def test_session_that_enrols_totp_goes_on_without_signing_in_again(analyst_without_mfa, client_for):
    """Enrolling means typing a current code from the new authenticator: it counts."""
    client = client_for(analyst_without_mfa)
    assert client.get(reverse(ANALYST_PAGE))["Location"].startswith(reverse("mfa_activate_totp"))
    enrol_totp_in_session(client)
    assert Authenticator.objects.filter(user=analyst_without_mfa, type="totp").exists()
    assert client.get(reverse(ANALYST_PAGE)).status_code == 200


def test_session_that_passed_an_authenticator_since_replaced_is_refused(analyst, client_for):
    client = client_for(analyst)
    assert client.get(reverse(ANALYST_PAGE)).status_code == 200
    # Elsewhere (another device) the authenticator is removed and a new one enrolled.
    Authenticator.objects.filter(user=analyst).delete()
    enrol_totp(analyst)
    response = client.get(reverse(ANALYST_PAGE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_session_whose_totp_was_removed_is_refused(analyst, client_for):
    client = client_for(analyst)
    Authenticator.objects.filter(user=analyst).delete()
    response = client.get(reverse(ANALYST_PAGE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
