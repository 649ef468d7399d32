"""factory_boy factories for briefings: subscriptions, briefed weeks, deliveries."""

from __future__ import annotations

import factory
from django.utils import timezone

from intel.models import BriefingWeek, Delivery, Subscription, SubscriptionStatus
from tests.intel.digests.factories import WEEK


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A confirmed (active) English subscription to semiconductors, with no account.

    Any other `status=` keeps an earlier confirmation, except `pending`, which
    has none; `user=` links it to a member's account.
    """

    class Meta:
        model = Subscription

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    sectors = factory.LazyFunction(lambda: ["semiconductors"])
    language = "en"
    status = SubscriptionStatus.ACTIVE
    confirmed_at = factory.LazyAttribute(
        lambda subscription: (
            None if subscription.status == SubscriptionStatus.PENDING else timezone.now()
        )
    )


class BriefingWeekFactory(factory.django.DjangoModelFactory):
    """A week whose briefing was started (by the weekly schedule: no `started_by`)."""

    class Meta:
        model = BriefingWeek

    week_start = WEEK


class DeliveryFactory(factory.django.DjangoModelFactory):
    """One subscriber's briefing of `WEEK`, waiting to be sent."""

    class Meta:
        model = Delivery

    subscription = factory.SubFactory(SubscriptionFactory)
    week_start = WEEK
