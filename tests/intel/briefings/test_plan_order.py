"""The week's plan puts deliveries that share a rendering next to each other."""

from __future__ import annotations

import pytest

from intel.briefings import selectors, services
from intel.models import Delivery
from tests.accounts.factories import UserFactory
from tests.intel.digests.factories import WEEK

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriptions(analyst, digest_factory, subscription_factory):
    digest_factory(sector="semiconductors", published_by=analyst)
    member = UserFactory(email="member@example.org")
    return [
        subscription_factory(email="a@example.org", sectors=["energy", "ai"]),
        subscription_factory(email="b@example.org", sectors=["semiconductors"], language="ja"),
        subscription_factory(email="c@example.org", sectors=["ai", "energy"]),
        subscription_factory(email="d@example.org", sectors=["semiconductors"], content="board"),
        subscription_factory(email="e@example.org", sectors=["ai", "energy", "ai"]),
        subscription_factory(
            email="member@example.org", user=member, sectors=["energy", "ai"], granted_clearance=""
        ),
        subscription_factory(email="f@example.org", sectors=["semiconductors"]),
        subscription_factory(email="g@example.org", sectors=["ai"]),
    ]


def test_deliveries_sharing_a_rendering_are_planned_next_to_each_other(subscriptions):
    plan = services.briefing_week_start(week_start=WEEK)
    [ids] = plan.chunks
    emails = dict(Delivery.objects.values_list("pk", "subscription__email"))
    order = [emails[pk] for pk in ids]
    assert sorted(order) == sorted(s.email for s in subscriptions)  # each once
    # The three public English readers of AI and energy, whatever order they chose them in.
    together = [order.index(email) for email in ("a@example.org", "c@example.org", "e@example.org")]
    assert max(together) - min(together) == 2


def test_the_database_orders_the_plan_as_the_portable_sort_does(subscriptions):
    services.briefing_week_start(week_start=WEEK)
    unfinished = Delivery.objects.filter(week_start=WEEK, status__in=["pending", "sending"])
    assert selectors.deliveries_to_send(week_start=WEEK) == selectors._rendering_order(unfinished)
