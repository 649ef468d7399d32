"""Subscriptions: double opt-in with signed expiring links, members without it, clearance."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent, Membership
from intel.briefings import selectors, services
from intel.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what the services queue for after the commit (the emails) at once."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def request(on_commit: Any, email: str = "reader@example.org", **kwargs: Any) -> Subscription:
    with on_commit():
        return services.subscription_request(
            email=email,
            sectors=kwargs.get("sectors", ["semiconductors", "energy"]),
            language=kwargs.get("language", "en"),
        )


def link_in(message: Any, kind: str) -> str:
    match = re.search(rf"https?://\S+/briefings/{kind}/[^/\s]+/", message.body)
    assert match, message.body
    return match.group(0)


def test_request_starts_a_pending_subscription_and_mails_a_confirmation_link(on_commit):
    pending = request(on_commit, email="Reader@Example.org")
    assert pending.status == "pending" and pending.email == "reader@example.org"
    assert pending.sectors == ["semiconductors", "energy"]  # vocabulary order
    [message] = mail.outbox
    assert message.to == ["reader@example.org"]
    token = link_in(message, "confirm").rstrip("/").rsplit("/", 1)[1]
    assert selectors.subscription_from_confirmation(token) == pending
    assert services.subscription_confirm(subscription=pending) is True
    pending.refresh_from_db()
    assert pending.status == "active" and pending.confirmed_at is not None
    # Confirming again changes nothing and still says it is active.
    assert services.subscription_confirm(subscription=pending) is True


def test_confirmation_link_expires_and_cannot_be_forged(on_commit, settings):
    pending = request(on_commit)
    token = selectors.confirmation_token(pending)
    with pytest.raises(signing.BadSignature):
        selectors.subscription_from_confirmation(token[:-2] + "xx")
    # A preferences link is not a confirmation link (different salt).
    with pytest.raises(signing.BadSignature):
        selectors.subscription_from_confirmation(selectors.preferences_token(pending))
    settings.BRIEFING_CONFIRM_MAX_AGE = -1  # every link is older than that
    with pytest.raises(signing.SignatureExpired):
        selectors.subscription_from_confirmation(token)


def test_a_request_never_changes_an_active_subscription(on_commit, subscription_factory):
    active = subscription_factory(email="reader@example.org", sectors=["quantum"])
    request(on_commit, sectors=["energy"], language="ja")
    active.refresh_from_db()
    assert active.status == "active" and active.sectors == ["quantum"] and active.language == "en"
    [message] = mail.outbox
    assert "already subscribed" in message.body
    link_in(message, "preferences")


def test_requests_for_one_address_are_mailed_at_most_every_five_minutes(on_commit):
    request(on_commit)
    request(on_commit)
    assert len(mail.outbox) == 1


def test_an_unsubscribed_address_must_confirm_again(on_commit, subscription_factory):
    gone = subscription_factory(email="reader@example.org", status="unsubscribed")
    request(on_commit, sectors=["space"])
    gone.refresh_from_db()
    assert gone.status == "pending" and gone.sectors == ["space"]
    link_in(mail.outbox[0], "confirm")


@pytest.mark.parametrize(
    ("email", "sectors", "language", "field"),
    [
        ("not-an-address", ["energy"], "en", "email"),
        ("a@example.org", [], "en", "sectors"),
        ("a@example.org", ["energy", "cheese"], "en", "sectors"),
        ("a@example.org", ["energy"], "fr", "language"),
    ],
)
def test_request_refuses_bad_input(email, sectors, language, field):
    with pytest.raises(ValidationError) as error:
        services.subscription_request(email=email, sectors=sectors, language=language)
    assert field in error.value.message_dict
    assert not Subscription.objects.exists()


def test_a_vetted_member_subscribes_without_confirming(contributor):
    mine = services.subscription_member_save(user=contributor, sectors=["ai"], language="ja")
    assert mine.status == "active" and mine.user == contributor and mail.outbox == []
    assert selectors.subscription_clearance(mine) == "green"


def test_a_member_takes_over_their_earlier_public_subscription(contributor, subscription_factory):
    public = subscription_factory(email=contributor.email, sectors=["space"], status="pending")
    assert selectors.subscription_clearance(public) == "clear"
    services.subscription_member_save(user=contributor, sectors=["ai"], language="en")
    public.refresh_from_db()
    assert public.user == contributor and public.status == "active" and public.sectors == ["ai"]
    assert Subscription.objects.count() == 1


def test_only_vetted_members_and_analysts_subscribe_from_an_account(newcomer, analyst):
    with pytest.raises(PermissionDenied):
        services.subscription_member_save(user=newcomer, sectors=["ai"], language="en")
    own = services.subscription_member_save(user=analyst, sectors=["ai"], language="en")
    # The email channel stops at TLP:GREEN even for analysts, unless an admin grants more.
    assert selectors.subscription_clearance(own) == "green"


def test_a_reader_subscribes_from_their_account_at_green_while_their_member_is_one(
    reader, contributor
):
    mine = services.subscription_member_save(user=reader, sectors=["ai"], language="en")
    assert mine.status == "active" and mine.user == reader and mail.outbox == []
    assert selectors.subscription_clearance(mine) == "green"
    Membership.objects.filter(user=contributor).update(status="suspended")
    assert selectors.subscription_clearance(mine) == "clear"


def test_a_removed_reader_falls_back_to_clear(reader, contributor):
    from accounts.services import readers

    mine = services.subscription_member_save(user=reader, sectors=["ai"], language="en")
    invitation = reader.reader_grants.get()
    readers.reader_remove(member=contributor, invitation=invitation)
    assert selectors.subscription_clearance(mine) == "clear"


def test_clearance_follows_the_account(contributor, admin_user):
    mine = services.subscription_member_save(user=contributor, sectors=["ai"], language="en")
    services.subscription_grant_clearance(
        subscription=mine, clearance="amber", actor=admin_user, reason="Works on the AI desk."
    )
    assert selectors.subscription_clearance(mine) == "amber"
    Membership.objects.filter(user=contributor).update(status="suspended")
    assert selectors.subscription_clearance(mine) == "amber", "a grant is personal"
    type(contributor).objects.filter(pk=contributor.pk).update(is_active=False)
    assert selectors.subscription_clearance(mine) == "clear"


def test_a_suspended_member_falls_back_to_clear(contributor):
    mine = services.subscription_member_save(user=contributor, sectors=["ai"], language="en")
    Membership.objects.filter(user=contributor).update(status="suspended")
    assert selectors.subscription_clearance(mine) == "clear"


def test_clearance_grants_are_for_admins_with_a_reason_on_linked_subscriptions(
    contributor, analyst, admin_user, subscriber
):
    mine = services.subscription_member_save(user=contributor, sectors=["ai"], language="en")
    with pytest.raises(PermissionDenied):
        services.subscription_grant_clearance(
            subscription=mine, clearance="amber", actor=analyst, reason="Because."
        )
    with pytest.raises(ValidationError) as missing:
        services.subscription_grant_clearance(
            subscription=mine, clearance="amber", actor=admin_user, reason=" "
        )
    assert "reason" in missing.value.message_dict
    with pytest.raises(ValidationError) as unlinked:
        services.subscription_grant_clearance(
            subscription=subscriber, clearance="amber", actor=admin_user, reason="Because."
        )
    assert "granted_clearance" in unlinked.value.message_dict
    services.subscription_grant_clearance(
        subscription=mine, clearance="amber", actor=admin_user, reason="Needs it."
    )
    event = AuditEvent.objects.get(action="briefing.clearance")
    assert event.actor == admin_user and event.reason == "Needs it."
    assert event.data == {"from": "default", "to": "amber", "raised": True}
    mine.refresh_from_db()
    assert mine.granted_by == admin_user and mine.granted_at is not None


def test_unsubscribe_is_idempotent(subscriber):
    assert services.subscription_unsubscribe(subscription=subscriber) is True
    assert services.subscription_unsubscribe(subscription=subscriber) is False
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed" and subscriber.unsubscribed_at is not None


def test_resume_needs_an_earlier_confirmation(subscription_factory):
    gone = subscription_factory(email="gone@example.org", status="unsubscribed")
    paused = subscription_factory(email="paused@example.org", status="paused")
    pending = subscription_factory(email="pending@example.org", status="pending")
    assert services.subscription_resume(subscription=gone) is True
    assert services.subscription_resume(subscription=paused) is True
    assert services.subscription_resume(subscription=pending) is False
    paused.refresh_from_db()
    assert paused.status == "active" and paused.consecutive_failures == 0


def test_unsubscribe_tokens_are_random_and_unique(subscription_factory):
    first, second = (
        subscription_factory(email="a@example.org"),
        subscription_factory(email="b@example.org"),
    )
    assert first.unsubscribe_token != second.unsubscribe_token
    assert len(first.unsubscribe_token) >= 40
    assert "a@example.org" not in first.unsubscribe_token
