"""Invitations: members vouch by email, within a monthly allowance; links expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, Invitation, User
from accounts.services.applications import ApplicationDetails
from tests.accounts.factories import UserFactory, invitation_make

pytestmark = pytest.mark.django_db

DETAILS = ApplicationDetails(
    affiliation="business",
    organisation="Kobe Shipping",
    position="Compliance manager",
    country="JP",
    sectors=["shipbuilding"],
    statement="Export-control compliance for a shipping group for over a decade.",
    conflict_of_interest="None",
    accepts_handling_rules=True,
)


def test_create_stores_only_a_hash_and_emails_the_link(
    contributor, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_TTL_DAYS = 10
    with django_capture_on_commit_callbacks(execute=True):
        invitation, code = services.invitation_create(
            inviter=contributor, email="Expert@Example.org", language="ja"
        )
    assert invitation.email == "expert@example.org"
    assert code not in invitation.token
    assert invitation.token == Invitation.token_for(code)
    assert (
        timedelta(days=9, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=10)
    )
    [message] = mail.outbox
    assert message.to == ["expert@example.org"]
    assert f"/members/invitation/{code}/" in message.body
    assert code in message.body
    assert "招待" in message.subject  # the chosen language, Japanese
    assert AuditEvent.objects.filter(action="invitation.create", actor=contributor).exists()


def test_monthly_allowance_is_configurable(contributor, settings):
    settings.INVITATIONS_PER_MONTH = 2
    services.invitation_create(inviter=contributor, email="a@example.org")
    services.invitation_create(inviter=contributor, email="b@example.org")
    with pytest.raises(ValidationError) as error:
        services.invitation_create(inviter=contributor, email="c@example.org")
    assert "2 invitations" in error.value.messages[0]
    assert Invitation.objects.count() == 2


def test_allowance_is_a_rolling_thirty_days(contributor, settings):
    settings.INVITATIONS_PER_MONTH = 1
    old, _code = invitation_make(inviter=contributor, email="old@example.org")
    Invitation.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    # The 31-day-old invitation no longer counts: this month's one is still free.
    new, _code = services.invitation_create(inviter=contributor, email="new@example.org")
    assert new.email == "new@example.org" and new.inviter == contributor
    # This one does count: the allowance of one is now spent.
    with pytest.raises(ValidationError) as error:
        services.invitation_create(inviter=contributor, email="third@example.org")
    assert "last 30 days" in error.value.messages[0]
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "old@example.org",
        "new@example.org",
    }


def test_non_members_cannot_invite(newcomer, analyst):
    for user in (newcomer, analyst):
        with pytest.raises(PermissionDenied):
            services.invitation_create(inviter=user, email="x@example.org")


def test_suspended_member_cannot_invite(contributor, analyst):
    services.membership_suspend(membership=contributor.membership, actor=analyst, reason="x")
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            inviter=User.objects.get(pk=contributor.pk), email="x@example.org"
        )


def test_cannot_invite_a_member_or_someone_already_invited(contributor, other_contributor):
    with pytest.raises(ValidationError) as error:
        services.invitation_create(inviter=contributor, email=other_contributor.email.upper())
    assert "already a member" in error.value.message_dict["email"][0]
    services.invitation_create(inviter=other_contributor, email="twice@example.org")
    with pytest.raises(ValidationError) as error:
        services.invitation_create(inviter=contributor, email="twice@example.org")
    assert "already has an invitation" in error.value.message_dict["email"][0]


def test_expired_invitation_cannot_be_used(contributor):
    invitee = UserFactory(email="late@example.org")
    _invitation, code = invitation_make(
        inviter=contributor, email=invitee.email, expires_in=timedelta(seconds=-1)
    )
    with pytest.raises(ValidationError) as error:
        services.application_submit(user=invitee, details=DETAILS, referral_code=code)
    assert "expired" in error.value.message_dict["referral_code"][0]


def test_invitation_can_be_used_once(contributor):
    first = UserFactory(email="first@example.org")
    _invitation, code = invitation_make(inviter=contributor, email=first.email)
    services.application_submit(user=first, details=DETAILS, referral_code=code)
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(code=code, user=first)
    assert "already been used" in error.value.message_dict["referral_code"][0]


def test_unknown_code_is_refused(newcomer):
    with pytest.raises(ValidationError) as error:
        services.application_submit(user=newcomer, details=DETAILS, referral_code="nope")
    assert "not valid" in error.value.message_dict["referral_code"][0]
