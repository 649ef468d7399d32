"""Readers: a member's invited colleagues read at TLP:GREEN and never contribute."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, ReaderInvitation
from accounts.services import readers as services
from intel.digests.selectors import reader_clearance
from tests.accounts.factories import UserFactory
from tests.intel.digests.test_views import AMBER_TITLE, _all_outputs

pytestmark = pytest.mark.django_db

READERS = reverse("accounts:readers")
LIBRARY = reverse("intel:library")


@pytest.fixture
def colleague(db: None) -> Any:
    """Signed up at the contributor's organisation (same domain), not a member."""
    return UserFactory(email="colleague@test.example")


def test_member_invites_a_colleague_who_accepts_by_the_emailed_link(
    contributor: Any, colleague: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(contributor).post(READERS, {"email": colleague.email})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [colleague.email]
    link = re.search(r"https?://\S+/members/readers/accept/\S+/", message.body)
    assert link is not None
    path = "/" + link.group(0).split("/", 3)[3]
    client = client_for(colleague)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_reader
    assert reader_clearance(colleague) == "green"
    assert AuditEvent.objects.filter(action="reader.accept").exists()
    listing = client_for(contributor).get(READERS).content.decode()
    assert colleague.email in listing


def test_colleague_outside_the_organisation_is_refused(contributor: Any, client_for: Any) -> None:
    response = client_for(contributor).post(READERS, {"email": "someone@elsewhere.example"})
    assert response.status_code == 400
    assert "someone@elsewhere.example" in response.content.decode()  # what was typed is kept
    assert not ReaderInvitation.objects.exists()


def test_invitation_for_someone_else_cannot_be_accepted(
    contributor: Any, client_for: Any, other_contributor: Any
) -> None:
    stranger = UserFactory(email="stranger@test.example")
    _invitation, code = services.reader_invite(member=contributor, email="colleague@test.example")
    path = reverse("accounts:reader_accept", args=[code])
    assert client_for(stranger).post(path).status_code == 400
    stranger.refresh_from_db()
    assert not stranger.is_reader
    assert (
        client_for(stranger).get(reverse("accounts:reader_accept", args=["nope"])).status_code
        == 404
    )


def test_reader_reads_green_but_never_amber(
    reader: Any, accepted_case_study: Any, client_for: Any
) -> None:
    green = accepted_case_study(title="Green lesson", tlp="green")
    amber = accepted_case_study(title="Amber lesson", tlp="amber")
    client = client_for(reader)
    body = client.get(LIBRARY).content.decode()
    assert "Green lesson" in body
    assert "Amber lesson" not in body
    assert client.get(reverse("intel:library_case_study", args=[green.pk])).status_code == 200
    assert client.get(reverse("intel:library_case_study", args=[amber.pk])).status_code == 404


def test_reader_cannot_contribute(reader: Any, client_for: Any) -> None:
    client = client_for(reader)
    for name in ("intel:report_create", "intel:case_study_create", "accounts:readers"):
        assert client.get(reverse(name)).status_code == 403


def test_reader_cannot_contribute_through_the_api(reader: Any, api_for: Any) -> None:
    response = api_for(reader).post("/api/reports/", {"title": "x"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["analyst", "anonymous"])
def test_readers_page_needs_a_member(
    persona: str, request: pytest.FixtureRequest, client_for: Any
) -> None:
    user = request.getfixturevalue(persona)
    client = user if persona == "anonymous" else client_for(user)
    response = client.get(READERS)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"]


def test_member_removes_their_reader_and_the_clearance_goes(
    contributor: Any, reader: Any, client_for: Any
) -> None:
    invitation = ReaderInvitation.objects.get(reader=reader)
    response = client_for(contributor).post(reverse("accounts:reader_remove", args=[invitation.pk]))
    assert response.status_code == 302
    reader.refresh_from_db()
    assert not reader.is_reader
    assert reader_clearance(reader) == "clear"
    assert AuditEvent.objects.filter(action="reader.remove", target_id=str(invitation.pk)).exists()


def test_other_member_cannot_remove_someone_elses_reader(
    other_contributor: Any, reader: Any, client_for: Any
) -> None:
    invitation = ReaderInvitation.objects.get(reader=reader)
    url = reverse("accounts:reader_remove", args=[invitation.pk])
    assert client_for(other_contributor).post(url).status_code == 404
    assert reader.__class__.objects.get(pk=reader.pk).is_reader
    # Nor does the other member's list show it.
    assert reader.email not in client_for(other_contributor).get(READERS).content.decode()


@pytest.mark.parametrize("persona", ["reader", "analyst", "anonymous"])
def test_only_the_member_removes(
    persona: str, reader: Any, request: pytest.FixtureRequest, client_for: Any
) -> None:
    invitation = ReaderInvitation.objects.get(reader=reader)
    user = request.getfixturevalue(persona)
    client = user if persona == "anonymous" else client_for(user)
    response = client.post(reverse("accounts:reader_remove", args=[invitation.pk]))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"]
    assert ReaderInvitation.objects.get(pk=invitation.pk).removed_at is None


def test_service_refuses_removal_by_another_member(other_contributor: Any, reader: Any) -> None:
    from django.core.exceptions import PermissionDenied

    invitation = ReaderInvitation.objects.get(reader=reader)
    with pytest.raises(PermissionDenied):
        services.reader_remove(member=other_contributor, invitation=invitation)


def test_reader_reads_digests_at_green_never_amber(
    reader: Any, digests: Any, client_for: Any
) -> None:
    for text in _all_outputs(client_for(reader), digests["published"], ""):
        assert AMBER_TITLE not in text
        assert "GREEN licence delays" in text


def test_reader_loses_access_when_their_member_is_suspended(
    contributor: Any, reader: Any, analyst: Any
) -> None:
    from accounts.services import membership_suspend

    membership_suspend(membership=contributor.membership, actor=analyst, reason="Inactive.")
    reader = reader.__class__.objects.get(pk=reader.pk)
    assert not reader.is_reader
    assert reader_clearance(reader) == "clear"


def test_privacy_export_lists_readers_on_both_sides(
    contributor: Any, reader: Any, client_for: Any
) -> None:
    import json

    export = reverse("accounts:privacy-export")
    mine = json.loads(client_for(contributor).get(export).content)
    assert [row["email"] for row in mine["readers_invited"]] == [reader.email]
    assert mine["readers_invited"][0]["accepted"] is True
    theirs = json.loads(client_for(reader).get(export).content)
    assert theirs["reader_of"] == [contributor.email]


def test_readers_page_costs_a_fixed_number_of_queries(
    contributor: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(contributor)
    services.reader_invite(member=contributor, email="one@test.example")
    client.get(READERS)
    with django_assert_max_num_queries(30) as few:
        client.get(READERS)
    for name in ("two", "three", "four"):
        services.reader_invite(member=contributor, email=f"{name}@test.example")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(READERS)


def test_admin_lists_reader_invitations_without_token(
    reader: Any, admin_user: Any, client_for: Any
) -> None:
    response = client_for(admin_user).get(reverse("admin:accounts_readerinvitation_changelist"))
    assert response.status_code == 200
    assert reader.email in response.content.decode()


def test_expired_invitation_can_be_sent_again_and_shows_as_expired(
    contributor: Any, colleague: Any, client_for: Any
) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    first, code = services.reader_invite(member=contributor, email=colleague.email)
    with pytest.raises(ValidationError):
        services.reader_invite(member=contributor, email=colleague.email)
    ReaderInvitation.objects.filter(pk=first.pk).update(expires_at=timezone.now())
    assert "expired" in client_for(contributor).get(READERS).content.decode()
    with pytest.raises(ValidationError):
        services.reader_accept(code=code, user=colleague)
    services.reader_invite(member=contributor, email=colleague.email)
    assert ReaderInvitation.objects.filter(email=colleague.email).count() == 2


def test_reader_signing_in_lands_on_the_library(reader: Any, password: str) -> None:
    from django.test import Client

    response = Client().post(
        reverse("account_login"), {"login": reader.email, "password": password}
    )
    assert response.status_code == 302
    assert response["Location"] == LIBRARY


def test_reader_reads_briefings_at_green_never_amber(
    reader: Any, briefed_week: Any, client_for: Any
) -> None:
    week = reverse("briefings:week", args=["2026-11-16"])
    text = client_for(reader).get(week).content.decode()
    assert "Green item" in text and "Clear item" in text
    assert "Amber item" not in text and "Red item" not in text
