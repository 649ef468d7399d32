"""Who may open each membership page and endpoint: the allowed and the refused cases.

Personas (tests/conftest.py): anonymous, newcomer (verified, not a member),
contributor (active member), analyst_without_mfa, analyst and admin_user
(analysts with TOTP enrolled, signed in through it). Sessions and tokens that
did not pass the second factor: tests/accounts/test_second_factor.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Application
from tests.accounts.factories import ApplicationFactory, invitation_make

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "newcomer", "contributor", "analyst_without_mfa", "analyst", "admin_user"]

LOGIN = "login"
MFA = "mfa"


def web_client(request: pytest.FixtureRequest, persona: str) -> Client:
    """Signed in as allauth signs the persona in (with TOTP when they have it)."""
    if persona == "anonymous":
        return Client()
    return request.getfixturevalue("client_for")(request.getfixturevalue(persona))


def api_client(request: pytest.FixtureRequest, persona: str) -> APIClient:
    """With a token as the token endpoint issues it to the persona."""
    if persona == "anonymous":
        return APIClient()
    return request.getfixturevalue("api_for")(request.getfixturevalue(persona))


def assert_outcome(response: Any, expected: int | str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    elif expected == MFA:
        assert response.status_code == 302
        assert reverse("mfa_activate_totp") in response["Location"]
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.fixture
def application(db: None) -> Application:
    return ApplicationFactory()


# --- Analyst pages -----------------------------------------------------------------

ANALYST_PAGE_OUTCOMES = {
    "anonymous": LOGIN,
    "newcomer": 403,
    "contributor": 403,
    "analyst_without_mfa": MFA,
    "analyst": 200,
    "admin_user": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "page", ["vetting-queue", "vetting-detail", "member-list", "member-detail", "audit-trail"]
)
def test_analyst_pages(request, persona, page, application, other_contributor):
    args = {
        "vetting-detail": [application.pk],
        "member-detail": [other_contributor.membership.pk],
    }.get(page, [])
    response = web_client(request, persona).get(reverse(f"accounts:{page}", args=args))
    assert_outcome(response, ANALYST_PAGE_OUTCOMES[persona])


ANALYST_POST_OUTCOMES = {**ANALYST_PAGE_OUTCOMES, "analyst": 302, "admin_user": 302}


@pytest.mark.parametrize("persona", PERSONAS)
def test_vetting_decision(request, persona, application):
    response = web_client(request, persona).post(
        reverse("accounts:vetting-decide", args=[application.pk]),
        {"decision": "reject", "reason": "Out of scope."},
    )
    assert_outcome(response, ANALYST_POST_OUTCOMES[persona])
    application.refresh_from_db()
    decided = ANALYST_POST_OUTCOMES[persona] == 302
    assert (application.status == Application.Status.REJECTED) is decided


@pytest.mark.parametrize("persona", PERSONAS)
def test_grade_change_page(request, persona, other_contributor):
    membership = other_contributor.membership
    response = web_client(request, persona).post(
        reverse("accounts:member-grade", args=[membership.pk]),
        {"source_grade": "A", "reason": "Reliable."},
    )
    assert_outcome(response, ANALYST_POST_OUTCOMES[persona])
    membership.refresh_from_db()
    assert (membership.source_grade == "A") is (ANALYST_POST_OUTCOMES[persona] == 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_suspension_page(request, persona, other_contributor):
    membership = other_contributor.membership
    response = web_client(request, persona).post(
        reverse("accounts:member-status", args=[membership.pk]),
        {"action": "suspend", "reason": "Investigation."},
    )
    assert_outcome(response, ANALYST_POST_OUTCOMES[persona])
    membership.refresh_from_db()
    assert (membership.status == "suspended") is (ANALYST_POST_OUTCOMES[persona] == 302)


def test_analyst_pages_refuse_get_on_post_endpoints(client_for, analyst, application):
    client = client_for(analyst)
    assert client.get(reverse("accounts:vetting-decide", args=[application.pk])).status_code == 405


def test_unknown_application_is_404(client_for, analyst):
    assert (
        client_for(analyst).get(reverse("accounts:vetting-detail", args=[999])).status_code == 404
    )


# --- Applicant pages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", LOGIN),
        ("newcomer", 200),
        ("contributor", 302),  # already a member: sent home
    ],
)
def test_apply_page(request, persona, expected):
    response = web_client(request, persona).get(reverse("accounts:apply"))
    assert_outcome(response, expected)


def test_application_page_is_the_applicants_own(client_for, newcomer, application):
    ApplicationFactory(user=newcomer, organisation="Mine Ltd")
    content = client_for(newcomer).get(reverse("accounts:application")).content.decode()
    assert "Mine Ltd" in content
    assert application.organisation not in content


def test_application_pages_need_sign_in(anonymous):
    for name in ("accounts:application", "accounts:application-resubmit"):
        assert_outcome(anonymous.get(reverse(name)), LOGIN)


def test_application_page_without_application_leads_to_the_form(client_for, newcomer):
    response = client_for(newcomer).get(reverse("accounts:application"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:apply")


# --- Contributor pages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", LOGIN),
        ("newcomer", 403),
        ("contributor", 200),
        ("analyst_without_mfa", 403),
        ("analyst", 403),
    ],
)
def test_invitations_page(request, persona, expected):
    assert_outcome(web_client(request, persona).get(reverse("accounts:invitations")), expected)


@pytest.mark.parametrize("persona", ["newcomer", "contributor", "analyst"])
def test_privacy_pages_open_for_anyone_signed_in(request, persona):
    client = web_client(request, persona)
    for name in ("accounts:privacy", "accounts:privacy-export", "accounts:account-delete"):
        assert client.get(reverse(name)).status_code == 200


def test_invitation_landing_is_public(anonymous, contributor):
    _invitation, code = invitation_make(inviter=contributor, email="friend@example.org")
    assert anonymous.get(reverse("accounts:invitation", args=[code])).status_code == 200
    assert anonymous.get(reverse("accounts:invitation", args=["unknown"])).status_code == 404


# --- Not vetted: the 403 page explains the status ----------------------------------


def test_rejected_applicant_cannot_open_contributor_pages_or_submit_reports(
    client_for, newcomer, analyst
):
    application = ApplicationFactory(user=newcomer)
    services.application_reject(application=application, actor=analyst, reason="Out of scope.")
    client = client_for(newcomer)
    for url in (reverse("accounts:invitations"), reverse("intel:report_create")):
        response = client.get(url)
        assert response.status_code == 403
        assert "was not approved" in response.content.decode()
    api = APIClient()
    api.force_authenticate(newcomer)
    assert api.post("/api/reports/", {}, format="json").status_code == 403


def test_pending_applicant_is_told_to_wait(client_for, newcomer):
    ApplicationFactory(user=newcomer)
    content = client_for(newcomer).get(reverse("accounts:invitations")).content.decode()
    assert "waiting for an analyst" in content


def test_suspended_member_is_told_so(client_for, contributor, analyst):
    services.membership_suspend(membership=contributor.membership, actor=analyst, reason="x")
    response = client_for(contributor).get(reverse("intel:report_create"))
    assert response.status_code == 403
    assert "suspended" in response.content.decode()


# --- API ---------------------------------------------------------------------------

API_ANALYST_OUTCOMES = {
    "anonymous": 401,
    "newcomer": 403,
    "contributor": 403,
    "analyst_without_mfa": 403,
    "analyst": 200,
    "admin_user": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_application_list_and_detail(request, persona, application):
    client = api_client(request, persona)
    expected = API_ANALYST_OUTCOMES[persona]
    assert client.get(reverse("api-application-list")).status_code == expected
    detail = reverse("api-application-detail", args=[application.pk])
    assert client.get(detail).status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_decision(request, persona, application):
    response = api_client(request, persona).post(
        reverse("api-application-decision", args=[application.pk]),
        {"decision": "request-info", "reason": "Which unit?"},
        format="json",
    )
    assert response.status_code == API_ANALYST_OUTCOMES[persona]
    application.refresh_from_db()
    asked = API_ANALYST_OUTCOMES[persona] == 200
    assert (application.status == Application.Status.MORE_INFO) is asked


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("newcomer", 404), ("contributor", 404), ("analyst", 404)],
)
def test_api_own_application_without_one(request, persona, expected):
    assert api_client(request, persona).get(reverse("api-my-application")).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"), [("anonymous", 401), ("newcomer", 404), ("contributor", 404)]
)
def test_api_resubmit_without_application(request, persona, expected):
    response = api_client(request, persona).post(
        reverse("api-my-application-resubmit"), {}, format="json"
    )
    assert response.status_code == expected


def test_api_me_refuses_anonymous():
    assert APIClient().get(reverse("api-me")).status_code == 401
