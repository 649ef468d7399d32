"""Analyst pages: the vetting queue, decisions, members and grades, the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Application, AuditEvent, Membership
from tests.accounts.factories import (
    ApplicationFactory,
    MembershipFactory,
    UserFactory,
    invitation_make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(client_for, analyst):
    return client_for(analyst)


def queue(client, **params):
    return client.get(reverse("accounts:vetting-queue"), params)


def rows(response) -> list[Application]:
    return list(response.context["page"].object_list)


# --- Queue -----------------------------------------------------------------------


def test_queue_shows_waiting_applications_oldest_first(analyst_client):
    newer = ApplicationFactory(submitted_at=timezone.now() - timedelta(days=1))
    older = ApplicationFactory(submitted_at=timezone.now() - timedelta(days=9))
    ApplicationFactory(status="rejected", decided_at=timezone.now())
    assert rows(queue(analyst_client)) == [older, newer]


def test_queue_filters(analyst_client):
    old = timezone.now() - timedelta(days=20)
    match = ApplicationFactory(
        affiliation="academia", country="DE", sectors=["quantum", "ai"], submitted_at=old
    )
    ApplicationFactory(affiliation="academia", country="DE", sectors=["ai"])  # too recent
    ApplicationFactory(affiliation="business", country="DE", sectors=["quantum"], submitted_at=old)
    ApplicationFactory(affiliation="academia", country="FR", sectors=["quantum"], submitted_at=old)
    ApplicationFactory(affiliation="academia", country="DE", sectors=["space"], submitted_at=old)
    response = queue(
        analyst_client, affiliation="academia", country="DE", sector="quantum", min_age_days="14"
    )
    assert rows(response) == [match]


def test_queue_state_filter_and_any_state(analyst_client, analyst):
    waiting = ApplicationFactory()
    asked = ApplicationFactory()
    services.application_request_info(application=asked, actor=analyst, reason="?")
    assert rows(queue(analyst_client, status="more-info")) == [asked]
    assert set(rows(queue(analyst_client, status=""))) == {waiting, asked}


def test_queue_shows_who_vouched(analyst_client, contributor):
    invitee = UserFactory()
    invitation, _code = invitation_make(inviter=contributor, email=invitee.email)
    ApplicationFactory(user=invitee, invitation=invitation)
    content = queue(analyst_client).content.decode()
    assert contributor.get_full_name() in content


def test_queue_paginates_with_filters_kept(analyst_client):
    ApplicationFactory.create_batch(27, country="JP")
    response = queue(analyst_client, country="JP")
    assert len(rows(response)) == 25
    content = response.content.decode()
    assert "?country=JP&amp;page=2" in content
    assert len(rows(queue(analyst_client, country="JP", page="2"))) == 2


@pytest.mark.parametrize("size", [3, 30])
def test_queue_query_count_does_not_grow_with_page_size(
    analyst_client, contributor, django_assert_max_num_queries, size
):
    for _ in range(size):
        invitee = UserFactory()
        invitation, _code = invitation_make(inviter=contributor, email=invitee.email)
        ApplicationFactory(user=invitee, invitation=invitation)
    with django_assert_max_num_queries(8):
        response = queue(analyst_client)
    assert response.status_code == 200
    assert len(rows(response)) == min(size, 25)
    assert contributor.get_full_name() in response.content.decode()


# --- Detail and decisions --------------------------------------------------------


def test_detail_shows_everything_the_applicant_gave(analyst_client, contributor):
    invitee = UserFactory(display_name="Aiko Tanaka")
    invitation, _code = invitation_make(inviter=contributor, email=invitee.email)
    application = ApplicationFactory(
        user=invitee,
        invitation=invitation,
        position="Senior researcher",
        statement="Rare earths for fifteen years, mostly separation chemistry.",
        conflict_of_interest="Advisor to a refiner.",
        sectors=["critical-minerals"],
    )
    content = analyst_client.get(
        reverse("accounts:vetting-detail", args=[application.pk])
    ).content.decode()
    for text in (
        invitee.email,
        "Aiko Tanaka",
        "Senior researcher",
        "Rare earths for fifteen years",
        "Advisor to a refiner.",
        "Critical minerals",
        "Japan",
        contributor.email,
    ):
        assert text in content


def test_decision_without_reason_keeps_the_choice_and_names_the_fix(analyst_client):
    application = ApplicationFactory()
    response = analyst_client.post(
        reverse("accounts:vetting-decide", args=[application.pk]),
        {"decision": "approve", "source_grade": "B", "reason": ""},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Please correct the following" in content
    assert 'value="approve" required id="id_decision_0" checked' in content
    assert '<option value="B" selected>' in content
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_approve_with_grade_from_the_page(analyst_client, analyst):
    application = ApplicationFactory()
    response = analyst_client.post(
        reverse("accounts:vetting-decide", args=[application.pk]),
        {"decision": "approve", "source_grade": "B", "reason": "Known to us."},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=application.user)
    assert membership.source_grade == "B"
    event = AuditEvent.objects.get(action="application.approve")
    assert (event.actor, event.reason) == (analyst, "Known to us.")


def test_decision_on_a_decided_application_is_refused_with_a_message(analyst_client, analyst):
    application = ApplicationFactory()
    services.application_reject(application=application, actor=analyst, reason="No.")
    response = analyst_client.post(
        reverse("accounts:vetting-decide", args=[application.pk]),
        {"decision": "approve", "reason": "Yes."},
        follow=True,
    )
    assert "Only a submitted application can be approved." in response.content.decode()
    assert not Membership.objects.filter(user=application.user).exists()


def test_while_waiting_for_the_applicant_only_rejection_is_offered(analyst_client, analyst):
    application = ApplicationFactory()
    services.application_request_info(application=application, actor=analyst, reason="?")
    content = analyst_client.get(
        reverse("accounts:vetting-detail", args=[application.pk])
    ).content.decode()
    assert 'value="reject"' in content
    assert 'value="approve"' not in content


# --- Members and source grade ----------------------------------------------------


def test_member_list_filters(analyst_client):
    wanted = MembershipFactory(source_grade="A", affiliation="business", sectors=["energy"])
    MembershipFactory(source_grade="A", affiliation="research", sectors=["energy"])
    MembershipFactory(source_grade="C", affiliation="business", sectors=["energy"])
    response = analyst_client.get(
        reverse("accounts:member-list"),
        {"source_grade": "A", "affiliation": "business", "sector": "energy"},
    )
    assert list(response.context["page"].object_list) == [wanted]


@pytest.mark.parametrize("size", [2, 30])
def test_member_list_query_count_is_constant(analyst_client, django_assert_max_num_queries, size):
    members = MembershipFactory.create_batch(size)
    with django_assert_max_num_queries(8):
        response = analyst_client.get(reverse("accounts:member-list"))
    assert response.status_code == 200
    listed = set(response.context["page"].object_list)
    assert len(listed) == min(size, 25) and listed <= set(members)


def test_grade_page_shows_grade_history_and_track_record(analyst_client, analyst, contributor):
    membership = contributor.membership
    services.grade_change(membership=membership, actor=analyst, grade="B", reason="Corroborated.")
    response = analyst_client.get(reverse("accounts:member-detail", args=[membership.pk]))
    content = response.content.decode()
    assert "B – Usually reliable" in content
    assert "C → B" in content
    assert "Corroborated." in content
    assert response.context["track_record"]["submitted"] == 0
    assert "Reports submitted" in content


def test_grade_change_without_reason_keeps_the_grade_and_says_why(analyst_client, contributor):
    membership = contributor.membership
    response = analyst_client.post(
        reverse("accounts:member-grade", args=[membership.pk]), {"source_grade": "A", "reason": ""}
    )
    assert response.status_code == 200
    assert '<option value="A" selected>' in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).source_grade == "C"


def test_same_grade_is_a_field_error(analyst_client, contributor):
    membership = contributor.membership
    response = analyst_client.post(
        reverse("accounts:member-grade", args=[membership.pk]),
        {"source_grade": "C", "reason": "No change."},
    )
    assert "The member already has this grade." in response.content.decode()


def test_suspend_and_reinstate_from_the_page(analyst_client, contributor, client_for):
    url = reverse("accounts:member-status", args=[contributor.membership.pk])
    analyst_client.post(url, {"action": "suspend", "reason": "Investigation."})
    assert client_for(contributor).get(reverse("accounts:invitations")).status_code == 403
    response = analyst_client.post(url, {"action": "suspend", "reason": "Again."}, follow=True)
    assert "Only an active membership can be suspended." in response.content.decode()
    analyst_client.post(url, {"action": "reinstate", "reason": "Cleared."})
    assert client_for(contributor).get(reverse("accounts:invitations")).status_code == 200


# --- Audit trail -----------------------------------------------------------------


def test_audit_trail_lists_and_filters_decisions(analyst_client, analyst, contributor):
    application = ApplicationFactory()
    services.application_reject(application=application, actor=analyst, reason="Out of scope.")
    services.grade_change(
        membership=contributor.membership, actor=analyst, grade="A", reason="Excellent."
    )
    content = analyst_client.get(reverse("accounts:audit-trail")).content.decode()
    assert "Application rejected" in content
    assert "Source grade changed" in content
    filtered = analyst_client.get(
        reverse("accounts:audit-trail"), {"action": "membership.grade_change"}
    )
    assert [e.reason for e in filtered.context["page"].object_list] == ["Excellent."]
    by_target = analyst_client.get(reverse("accounts:audit-trail"), {"target": "contributor@"})
    assert [e.action for e in by_target.context["page"].object_list] == ["membership.grade_change"]
    today = timezone.localdate().isoformat()
    assert (
        analyst_client.get(reverse("accounts:audit-trail"), {"since": today, "until": today})
        .context["page"]
        .paginator.count
        == 2
    )


@pytest.mark.parametrize("size", [3, 60])
def test_audit_trail_query_count_is_constant(
    analyst_client, analyst, contributor, django_assert_max_num_queries, size
):
    for _ in range(size):
        services.audit_record(actor=analyst, action="test.event", target=contributor)
    with django_assert_max_num_queries(8):
        response = analyst_client.get(reverse("accounts:audit-trail"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(size, 50)


def test_audit_trail_has_no_way_to_edit(analyst_client, analyst, contributor):
    services.audit_record(actor=analyst, action="test.event", target=contributor)
    content = analyst_client.get(reverse("accounts:audit-trail")).content.decode()
    assert 'method="post"' not in content.split("</nav>", 1)[1].split("<footer")[0]
