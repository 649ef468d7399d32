"""The "board summary only" briefing: chosen in the subscription settings, sent over real SMTP."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
from django.urls import reverse

from accounts import selectors as accounts_selectors
from intel.boardbrief.emails import compose_board_briefing
from intel.briefings import selectors as briefing_selectors
from intel.briefings.tasks import send_weekly_briefings
from intel.models import BoardBrief, Subscription
from tests.intel.boardbrief.conftest import AMBER_TITLE, SECTOR
from tests.intel.briefings.factories import SubscriptionFactory
from tests.intel.briefings.support import html_part, text_part
from tests.intel.digests.factories import WEEK, DigestFactory

pytestmark = pytest.mark.django_db


def settle(server: Any, count: int) -> list[Any]:
    """Wait for `count` messages, then a little longer to catch any extra one."""
    server.wait_for(count)
    time.sleep(0.3)
    return list(server.messages)


def by_recipient(messages: list[Any]) -> dict[str, Any]:
    return {str(message["To"]): message for message in messages}


@pytest.fixture
def questions(published: Any, analyst: Any) -> BoardBrief:
    return BoardBrief.objects.create(
        sector=SECTOR,
        week_start=WEEK,
        questions_en="Do we know our second source of gallium?",
        questions_ja="ガリウムの第二の調達先を把握しているか。",
        edited_by=analyst,
    )


def test_board_only_subscribers_get_the_board_brief_and_links_instead_of_the_briefing(
    published, questions, smtp_server, settings
):
    settings.SITE_URL = "https://intel.example.org"
    SubscriptionFactory(email="board@example.org", content="board")
    SubscriptionFactory(email="full@example.org")
    send_weekly_briefings.delay(WEEK.isoformat())
    sent = by_recipient(settle(smtp_server, 2))
    assert sorted(sent) == ["board@example.org", "full@example.org"]

    board = sent["board@example.org"]
    assert "Board summary, week of" in board["Subject"]
    for body in (text_part(board), html_part(board)):
        assert "Do we know our second source of gallium?" in body
        assert "Green: supply-chain autonomy lost, diversify" in body
        assert "Clear one: gallium licences delayed" in body
        assert f"https://intel.example.org/intel/digests/{published.pk}/board/" in body
        assert f"https://intel.example.org/intel/digests/{published.pk}/" in body
        assert "Operational detail" not in body
        assert "/briefings/u/" in body  # the personal unsubscribe link is filled in
    text = text_part(board)
    assert text.index("Board brief") < text.index("Three developments that matter")
    assert board["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    full = text_part(sent["full@example.org"])
    assert "Operational detail" in full
    assert "Do we know our second source" not in full


def test_a_public_board_subscriber_never_gets_green_or_amber(
    published, add_amber_item, smtp_server
):
    add_amber_item(published)
    SubscriptionFactory(email="board@example.org", content="board")
    send_weekly_briefings.delay(WEEK.isoformat())
    [message] = settle(smtp_server, 1)
    for body in (text_part(message), html_part(message)):
        assert "Clear one" in body and "Clear four" in body
        assert "Green two" not in body and AMBER_TITLE not in body


def test_a_japanese_board_summary(published, questions, smtp_server):
    SubscriptionFactory(email="board-ja@example.org", content="board", language="ja")
    send_weekly_briefings.delay(WEEK.isoformat())
    [message] = settle(smtp_server, 1)
    text = text_part(message)
    assert "ガリウムの第二の調達先を把握しているか。" in text
    assert "Do we know" not in text
    assert "取締役会への問い" in text


@pytest.mark.parametrize("clearance", ["clear", "green"])
def test_an_amber_item_cannot_be_inferred_from_the_board_email(
    published, questions, add_amber_item, clearance
):
    def composed() -> tuple[str, str, str]:
        week = briefing_selectors.WeekDigests.load(WEEK)
        briefing = week.briefing(sectors=[SECTOR], clearance=clearance, language="en")
        email = compose_board_briefing(briefing)
        return email.subject, email.text, email.html

    before = composed()
    add_amber_item(published)
    after = composed()
    assert AMBER_TITLE not in "".join(after)
    assert before == after


def test_a_sector_with_nothing_published_says_so(published, smtp_server):
    SubscriptionFactory(email="board@example.org", content="board", sectors=[SECTOR, "energy"])
    send_weekly_briefings.delay(WEEK.isoformat())
    [message] = settle(smtp_server, 1)
    assert "Nothing was published for this sector this week." in text_part(message)


def test_board_summary_is_chosen_on_the_preferences_page(anonymous, subscriber):
    url = reverse("briefings:preferences", args=[briefing_selectors.preferences_token(subscriber)])
    assert "Board summary only" in anonymous.get(url).content.decode()
    data = {"action": "save", "sectors": ["semiconductors"], "language": "en"}
    assert anonymous.post(url, {**data, "content": "board"}).status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.content == "board"
    # A form without the choice keeps it; a made-up one is refused and changes nothing.
    anonymous.post(url, data)
    subscriber.refresh_from_db()
    assert subscriber.content == "board"
    assert anonymous.post(url, {**data, "content": "everything"}).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.content == "board"


def test_a_member_chooses_the_board_summary_from_the_account_page(client_for, contributor):
    client = client_for(contributor)
    response = client.post(
        reverse("briefings:account"),
        {"action": "save", "sectors": ["ai"], "language": "en", "content": "board"},
    )
    assert response.status_code == 302
    assert Subscription.objects.get(user=contributor).content == "board"
    exported = accounts_selectors.member_data_export(user=contributor)["briefing_subscriptions"]
    assert [entry["content"] for entry in exported] == ["board"]


def test_a_correction_leads_the_board_summary_of_those_who_got_the_original(
    analyst, published, smtp_server
):
    previous_week = WEEK - datetime.timedelta(days=7)
    original = DigestFactory(sector=SECTOR, published_by=analyst, week_start=previous_week)
    SubscriptionFactory(email="board@example.org", content="board")
    send_weekly_briefings.delay(previous_week.isoformat())
    smtp_server.wait_for(1)
    DigestFactory(
        sector=SECTOR, published_by=analyst, week_start=previous_week, version=2,
        previous=original, correction_note="The licence count was 3, not 30.",
    )  # fmt: skip
    send_weekly_briefings.delay(WEEK.isoformat())
    text = text_part(settle(smtp_server, 2)[1])
    assert "The licence count was 3, not 30." in text
    assert text.index("Corrections") < text.index("Board brief")
