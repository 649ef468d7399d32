"""A chunk large enough for several SMTP connections: each briefing once, failures settled."""

from __future__ import annotations

from collections import Counter

import pytest

from intel.briefings import services
from intel.briefings.services import sending
from intel.models import Delivery
from tests.intel.briefings.support import recipients
from tests.intel.digests.factories import WEEK

pytestmark = pytest.mark.django_db

READERS = 2 * sending.PER_CONNECTION + 3  # two connections


def test_a_large_chunk_sends_each_briefing_once_over_several_connections(
    analyst, scripted_smtp, digest_factory, subscription_factory
):
    digest_factory(sector="semiconductors", published_by=analyst)
    emails = [f"reader{number:03}@example.org" for number in range(READERS)]
    for email in emails:
        subscription_factory(email=email)
    scripted_smtp.replies["reader007@example.org"] = "550 5.1.1 No such user"
    scripted_smtp.replies["reader050@example.org"] = "451 4.3.0 Try again later"
    plan = services.briefing_week_start(week_start=WEEK)
    [chunk] = plan.chunks
    outcome = services.briefing_chunk_send(week_start=WEEK, delivery_ids=chunk)
    assert scripted_smtp.connections == sending.connections_for(READERS) == 2
    assert (outcome.sent, outcome.failed, outcome.deferred) == (READERS - 2, 1, 1)
    refused = {"reader007@example.org", "reader050@example.org"}
    assert Counter(recipients(scripted_smtp.messages)) == dict.fromkeys(set(emails) - refused, 1)
    statuses = dict(Delivery.objects.values_list("subscription__email", "status"))
    assert statuses.pop("reader007@example.org") == "failed"
    assert statuses.pop("reader050@example.org") == "pending"
    assert set(statuses.values()) == {"sent"}
    # Every sent row records what its email carried, batch after batch.
    assert not Delivery.objects.filter(status="sent", sectors=[]).exists()
    assert not Delivery.objects.filter(status="sent").exclude(clearance="clear").exists()


def test_a_server_refusing_senders_midway_stops_the_chunk_and_keeps_what_it_accepted(
    analyst, scripted_smtp, digest_factory, subscription_factory
):
    digest_factory(sector="semiconductors", published_by=analyst)
    for number in range(READERS):
        subscription_factory(email=f"reader{number:03}@example.org")
    plan = services.briefing_week_start(week_start=WEEK)
    [chunk] = plan.chunks
    scripted_smtp.busy_after = READERS // 2
    with pytest.raises(sending.TemporarySmtpError):
        services.briefing_chunk_send(week_start=WEEK, delivery_ids=chunk)
    sent = Delivery.objects.filter(status="sent").count()
    # Whatever the server accepted is recorded as sent; the rest is pending for the retry.
    assert sent == len(scripted_smtp.messages) and 0 < sent < READERS
    assert Delivery.objects.filter(status="pending").count() == READERS - sent
    assert not Delivery.objects.filter(status="sending").exists()
    scripted_smtp.busy_after = None
    outcome = services.briefing_chunk_send(week_start=WEEK, delivery_ids=chunk, retries=1)
    assert outcome.sent == READERS - sent
    assert Counter(recipients(scripted_smtp.messages)) == {
        f"reader{number:03}@example.org": 1 for number in range(READERS)
    }
