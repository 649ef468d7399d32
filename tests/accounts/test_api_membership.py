"""Membership API: own profile and application, analysts' list and decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Application, Membership
from tests.accounts.factories import ApplicationFactory, UserFactory, invitation_make
from tests.helpers import api_token_for

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "affiliation": "research",
    "organisation": "Tohoku Materials Institute",
    "position": "Senior researcher",
    "country": "jp",
    "sectors": ["critical-minerals", "batteries"],
    "statement": "Fifteen years on rare-earth separation and lithium refining in Japan.",
    "conflict_of_interest": "None",
    "accepts_handling_rules": True,
}


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


# --- Own profile and application -------------------------------------------------


def test_me_shows_membership_and_application_status(contributor, newcomer):
    body = api_for(contributor).get(reverse("api-me")).json()
    assert body["is_vetted_contributor"] is True
    assert body["membership"]["status"] == "active"
    assert body["membership"]["source_grade"] == "C"
    assert body["application_status"] is None
    ApplicationFactory(user=newcomer)
    body = api_for(newcomer).get(reverse("api-me")).json()
    assert body["membership"] is None
    assert body["application_status"] == "submitted"


def test_submit_application(newcomer):
    client = api_for(newcomer)
    response = client.post(reverse("api-my-application"), PAYLOAD, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["country"] == "JP"
    assert body["sectors"] == ["critical-minerals", "batteries"]
    assert client.get(reverse("api-my-application")).json()["id"] == body["id"]


def test_submit_reports_every_bad_field(newcomer):
    bad = {
        **PAYLOAD,
        "affiliation": "government",
        "country": "XX",
        "sectors": [],
        "statement": "short",
        "accepts_handling_rules": False,
    }
    response = api_for(newcomer).post(reverse("api-my-application"), bad, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {
        "affiliation",
        "country",
        "sectors",
        "statement",
        "accepts_handling_rules",
    }
    assert not Application.objects.exists()


def test_submit_with_bad_referral_code_is_a_field_error(newcomer):
    response = api_for(newcomer).post(
        reverse("api-my-application"), {**PAYLOAD, "referral_code": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "referral_code" in response.json()


def test_submit_with_referral_code_shows_who_vouched(contributor):
    invitee = UserFactory(email="invitee@example.org")
    _invitation, code = invitation_make(inviter=contributor, email=invitee.email)
    response = api_for(invitee).post(
        reverse("api-my-application"), {**PAYLOAD, "referral_code": code}, format="json"
    )
    assert response.json()["vouched_for_by"] == contributor.get_full_name()


def test_second_submission_and_members_get_409(newcomer, contributor):
    client = api_for(newcomer)
    client.post(reverse("api-my-application"), PAYLOAD, format="json")
    assert client.post(reverse("api-my-application"), PAYLOAD, format="json").status_code == 409
    member = api_for(contributor).post(reverse("api-my-application"), PAYLOAD, format="json")
    assert member.status_code == 409


def test_resubmit_after_more_information(newcomer, analyst):
    application = ApplicationFactory(user=newcomer)
    client = api_for(newcomer)
    early = client.post(
        reverse("api-my-application-resubmit"), {**PAYLOAD, "response": "x"}, format="json"
    )
    assert early.status_code == 409
    services.application_request_info(application=application, actor=analyst, reason="Unit?")
    own = client.get(reverse("api-my-application")).json()
    assert (own["status"], own["analyst_message"]) == ("more-info", "Unit?")
    missing = client.post(reverse("api-my-application-resubmit"), PAYLOAD, format="json")
    assert missing.status_code == 400
    assert "response" in missing.json()
    response = client.post(
        reverse("api-my-application-resubmit"),
        {**PAYLOAD, "response": "Power devices."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["response"] == "Power devices."


# --- Analysts ----------------------------------------------------------------------


def test_list_filters_and_paginates(analyst):
    old = timezone.now() - timedelta(days=20)
    match = ApplicationFactory(
        affiliation="academia", country="DE", sectors=["ai"], submitted_at=old
    )
    ApplicationFactory(affiliation="academia", country="DE", sectors=["ai"])
    ApplicationFactory(affiliation="business", country="DE", sectors=["ai"], submitted_at=old)
    client = api_for(analyst)
    body = client.get(
        reverse("api-application-list"),
        {"affiliation": "academia", "country": "de", "sector": "ai", "min_age_days": 14},
    ).json()
    assert [row["id"] for row in body["results"]] == [match.pk]
    assert body["results"][0]["applicant"]["email"] == match.user.email
    bad = client.get(reverse("api-application-list"), {"status": "bogus"})
    assert bad.status_code == 400
    assert "status" in bad.json()


@pytest.mark.parametrize("size", [3, 25])
def test_list_query_count_is_constant(analyst, contributor, django_assert_max_num_queries, size):
    for _ in range(size):
        invitee = UserFactory()
        invitation, _code = invitation_make(inviter=contributor, email=invitee.email)
        ApplicationFactory(user=invitee, invitation=invitation)
    client = api_for(analyst)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("api-application-list"))
    assert response.status_code == 200
    assert response.json()["count"] == size
    assert response.json()["results"][0]["vouched_for_by"]["email"] == contributor.email


def test_decide_approve_with_grade(analyst):
    application = ApplicationFactory()
    response = api_for(analyst).post(
        reverse("api-application-decision", args=[application.pk]),
        {"decision": "approve", "reason": "Known expert.", "source_grade": "B"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["decided_by"] == analyst.email
    assert Membership.objects.get(user=application.user).source_grade == "B"


def test_decide_reject(analyst):
    application = ApplicationFactory()
    response = api_for(analyst).post(
        reverse("api-application-decision", args=[application.pk]),
        {"decision": "reject", "reason": "Out of scope."},
        format="json",
    )
    assert response.json()["status"] == "rejected"


def test_decide_with_bad_input_is_400_per_field(analyst):
    application = ApplicationFactory()
    response = api_for(analyst).post(
        reverse("api-application-decision", args=[application.pk]),
        {"decision": "promote", "reason": "", "source_grade": "Z"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"decision", "reason", "source_grade"}
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_blank_reason_after_trimming_is_400(analyst):
    application = ApplicationFactory()
    response = api_for(analyst).post(
        reverse("api-application-decision", args=[application.pk]),
        {"decision": "reject", "reason": "   "},
        format="json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()


def test_decide_twice_is_409(analyst):
    application = ApplicationFactory()
    client = api_for(analyst)
    url = reverse("api-application-decision", args=[application.pk])
    client.post(url, {"decision": "reject", "reason": "No."}, format="json")
    response = client.post(url, {"decision": "approve", "reason": "Yes."}, format="json")
    assert response.status_code == 409
    assert not Membership.objects.filter(user=application.user).exists()


def test_decide_unknown_application_is_404(analyst):
    response = api_for(analyst).post(
        reverse("api-application-decision", args=[999]),
        {"decision": "reject", "reason": "No."},
        format="json",
    )
    assert response.status_code == 404


def test_contributor_cannot_approve_through_the_api(contributor):
    application = ApplicationFactory()
    response = api_for(contributor).post(
        reverse("api-application-decision", args=[application.pk]),
        {"decision": "approve", "reason": "Friend of mine."},
        format="json",
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=application.user).exists()


def test_schema_documents_membership_endpoints(anonymous):
    schema = anonymous.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/me/application/",
        "/api/me/application/resubmit/",
        "/api/applications/",
        "/api/applications/{id}/",
        "/api/applications/{id}/decision/",
    ):
        assert path in schema["paths"], path
    list_params = {p["name"] for p in schema["paths"]["/api/applications/"]["get"]["parameters"]}
    assert {"status", "affiliation", "sector", "country", "min_age_days", "page"} <= list_params
    decision = schema["paths"]["/api/applications/{id}/decision/"]["post"]
    assert {"200", "400", "404", "409"} <= set(decision["responses"])
