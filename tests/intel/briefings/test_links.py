"""The personal links of a briefing made for many subscribers are the links made for one."""

from __future__ import annotations

import time

import pytest

from intel.briefings import selectors
from intel.briefings.services.sending import claims
from intel.models import Delivery
from tests.accounts.factories import UserFactory
from tests.intel.briefings.factories import SubscriptionFactory
from tests.intel.digests.factories import WEEK

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("site_url", ["https://intel.example.org", "http://localhost:8000"])
def test_links_for_many_subscribers_are_byte_for_byte_the_one_subscriber_links(
    settings, monkeypatch, site_url
):
    settings.SITE_URL = site_url
    # Signed links carry the second they were signed in: both ways sign in the same one.
    monkeypatch.setattr(time, "time", lambda: 1_893_456_000.25)
    subscriptions = [SubscriptionFactory(email=f"reader-{n}@example.org") for n in range(3)]
    odd = SubscriptionFactory(email="odd@example.org")
    odd.unsubscribe_token = "with space%"  # not what tokens are made of: `reverse` quotes it
    links = selectors.SubscriberLinks()
    for subscription in [*subscriptions, odd]:
        assert links.preferences_url(subscription) == selectors.preferences_url(subscription)
        assert links.unsubscribe_url(subscription) == selectors.unsubscribe_url(subscription)


def test_preferences_link_for_many_subscribers_opens_that_subscribers_preferences():
    first, second = SubscriptionFactory(), SubscriptionFactory(email="second@example.org")
    links = selectors.SubscriberLinks()
    for subscription in (first, second):
        token = links.preferences_url(subscription).rstrip("/").rsplit("/", 1)[1]
        assert selectors.subscription_from_preferences(token) == subscription


def test_a_chunk_reads_its_subscribers_as_the_model_has_them(subscription_factory):
    """The rows a chunk sends from carry the subscription's own values."""
    member = UserFactory(email="member@example.org")
    subscription = subscription_factory(
        email="member@example.org",
        user=member,
        sectors=["energy", "ai"],
        language="ja",
        granted_clearance="amber",
    )
    delivery = Delivery.objects.create(
        subscription=subscription,
        week_start=WEEK,
        status="sending",
        claim_token="t",
        claimed_at=subscription.created_at,
    )
    (row,) = claims._claimed_recipients([delivery.pk], "t")
    assert row.delivery_id == delivery.pk and row.attempts == delivery.attempts
    assert row.subscription_id == subscription.pk and row.email == subscription.email
    assert row.sectors == subscription.sectors and row.language == "ja"
    assert row.content == subscription.content and row.is_active
    assert row.unsubscribe_token == subscription.unsubscribe_token
    assert row.user_id == member.pk and row.granted_clearance == "amber"
    assert row.user_deleted_at is None
    assert selectors.subscription_clearances([row]) == selectors.subscription_clearances(
        [subscription]
    )
    assert claims._claimed_recipients([delivery.pk], "another run") == []
