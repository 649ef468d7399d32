"""Fragment sets shared between worker processes through the cache never cross clearances.

Each test sends one reader's chunk, then forgets what the process kept (as
another worker process would start), so the next chunk can only find the
first one's composition in the shared cache (Redis under `REQUIRE_SERVICES`).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from intel.briefings import services
from intel.briefings.services import sending
from intel.briefings.services.sending import composition
from intel.models import Delivery
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.intel.briefings.support import html_part, text_part
from tests.intel.digests.factories import WEEK

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(analyst: Any, digest_factory: Any, subscription_factory: Any) -> dict[str, int]:
    """The delivery of each reader, by address: the week started, nothing sent yet."""
    digest_factory(
        sector="semiconductors",
        published_by=analyst,
        summary="Amber summary: do not share",
        summary_tlp="amber",
    )
    for address in ("trusted@example.org", "trusted-too@example.org"):
        trusted = UserFactory(email=address)
        MembershipFactory(user=trusted)
        subscription_factory(email=address, user=trusted, granted_clearance="amber")
    subscription_factory(email="public@example.org")
    services.briefing_week_start(week_start=WEEK)
    return {
        str(email): pk for pk, email in Delivery.objects.values_list("pk", "subscription__email")
    }


def send_as_a_new_process(delivery_id: int) -> sending.ChunkOutcome:
    """Send one delivery with nothing kept in this process from earlier chunks."""
    sending.fragment_sets.clear()
    sending.renderings.clear()
    return services.briefing_chunk_send(week_start=WEEK, delivery_ids=[delivery_id])


def body(server: Any, address: str) -> str:
    message = next(m for m in server.messages if str(m["To"]) == address)
    return text_part(message) + html_part(message)


def test_a_public_reader_after_an_amber_reader_gets_only_clear_content(smtp_server, readers):
    assert send_as_a_new_process(readers["trusted@example.org"]).compositions == 1
    public = send_as_a_new_process(readers["public@example.org"])
    smtp_server.wait_for(2)
    # Composed for its own clearance, not read from the amber reader's set.
    assert public.sent == 1 and public.compositions == 1
    text = body(smtp_server, "public@example.org")
    assert "Clear item" in text
    assert "Amber" not in text and "Green item" not in text and "TLP:AMBER" not in text
    assert "Amber item" in body(smtp_server, "trusted@example.org")


def test_a_second_process_reads_the_same_clearance_from_the_shared_cache(smtp_server, readers):
    send_as_a_new_process(readers["trusted@example.org"])
    again = send_as_a_new_process(readers["trusted-too@example.org"])
    smtp_server.wait_for(2)
    assert again.sent == 1 and again.compositions == 0
    first = body(smtp_server, "trusted@example.org")
    second = body(smtp_server, "trusted-too@example.org")
    assert "Amber item" in second and "Amber summary" in second
    # The same briefing but for the reader's own links.
    assert first.count("Amber item") == second.count("Amber item")


def test_an_amber_reader_after_a_public_reader_still_gets_amber_content(smtp_server, readers):
    send_as_a_new_process(readers["public@example.org"])
    trusted = send_as_a_new_process(readers["trusted@example.org"])
    smtp_server.wait_for(2)
    assert trusted.compositions == 1
    assert "Amber item" in body(smtp_server, "trusted@example.org")


def test_a_set_is_composed_once_and_another_key_never_answered_from_it():
    key = (WEEK, "amber", "en")
    calls: list[str] = []

    def composed() -> dict[str, str]:
        calls.append("composed")
        return {"set": "amber"}

    assert sending.shared_fragments(key, composed) == {"set": "amber"}
    assert sending.shared_fragments(key, composed) == {"set": "amber"}
    assert calls == ["composed"]
    assert sending.shared_fragments((WEEK, "clear", "en"), lambda: {"set": "clear"}) == {
        "set": "clear"
    }


def test_a_process_composing_a_set_is_waited_for_only_so_long(monkeypatch):
    key = (WEEK, "amber", "en")
    # Another process holds the composing lock and never finishes.
    cache.set(f"{sending.shared_name(key)}:composing", 12345, timeout=60)
    monkeypatch.setattr(composition, "SHARED_WAIT_SECONDS", 0.1)
    assert sending.shared_fragments(key, lambda: "composed here") == "composed here"
    assert sending.shared_fragments(key, lambda: "again") == "composed here"
