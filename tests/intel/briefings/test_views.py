"""Briefing pages: who may open each one (allowed and refused), one-click unsubscribe, archive."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from intel.briefings import selectors
from intel.models import BriefingWeek, Digest, Subscription
from tests.intel.digests.factories import WEEK

pytestmark = pytest.mark.django_db

FORM = {"email": "reader@example.org", "sectors": ["semiconductors", "ai"], "language": "en"}


@pytest.fixture
def briefed_week(analyst: Any, digest_factory: Any, briefing_week_factory: Any) -> BriefingWeek:
    digest_factory(sector="semiconductors", published_by=analyst, summary="", summary_tlp="clear")
    red = [("red", "Red item: eyes only", "report"), ("clear", "Clear energy note", "report")]
    digest_factory(sector="energy", published_by=analyst, items=red)
    return briefing_week_factory()


# --- Subscribe and confirm -----------------------------------------------------------------


def test_anyone_can_open_the_subscribe_form(anonymous):
    page = anonymous.get(reverse("briefings:subscribe"))
    assert page.status_code == 200 and 'name="email"' in page.content.decode()


def test_subscribing_mails_a_confirmation_and_redirects(
    anonymous, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous.post(reverse("briefings:subscribe"), FORM)
    assert response.status_code == 302 and response["Location"] == reverse(
        "briefings:subscribe_sent"
    )
    assert Subscription.objects.get().status == "pending"
    assert len(mail.outbox) == 1
    assert anonymous.get(response["Location"]).status_code == 200


def test_a_bad_form_keeps_what_was_typed(anonymous):
    response = anonymous.post(reverse("briefings:subscribe"), {**FORM, "sectors": []})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="reader@example.org"' in body and "Choose at least one sector." in body
    assert not Subscription.objects.exists()


def test_the_subscribe_form_is_rate_limited(anonymous):
    for number in range(10):
        anonymous.post(reverse("briefings:subscribe"), {**FORM, "email": f"r{number}@ex.org"})
    response = anonymous.post(reverse("briefings:subscribe"), {**FORM, "email": "x@ex.org"})
    assert response.status_code == 429
    assert not Subscription.objects.filter(email="x@ex.org").exists()


def test_confirm_page_needs_a_click_and_never_confirms_on_get(anonymous, subscription_factory):
    pending = subscription_factory(email="reader@example.org", status="pending")
    url = reverse("briefings:confirm", args=[selectors.confirmation_token(pending)])
    page = anonymous.get(url)
    assert page.status_code == 200 and "Confirm subscription" in page.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"
    done = anonymous.post(url)
    assert done.status_code == 200 and "Subscription confirmed" in done.content.decode()
    pending.refresh_from_db()
    assert pending.status == "active"


def test_confirm_refuses_a_forged_or_expired_link(anonymous, settings, subscription_factory):
    pending = subscription_factory(email="reader@example.org", status="pending")
    token = selectors.confirmation_token(pending)
    forged = anonymous.post(reverse("briefings:confirm", args=[token[:-3] + "abc"]))
    assert forged.status_code == 400
    settings.BRIEFING_CONFIRM_MAX_AGE = -1
    expired = anonymous.post(reverse("briefings:confirm", args=[token]))
    assert expired.status_code == 400 and "expired" in expired.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"


# --- Preferences ---------------------------------------------------------------------------------


def preferences_url(subscription: Subscription) -> str:
    return reverse("briefings:preferences", args=[selectors.preferences_token(subscription)])


def test_preferences_open_with_the_signed_link_and_save(anonymous, subscriber):
    url = preferences_url(subscriber)
    assert anonymous.get(url).status_code == 200
    response = anonymous.post(
        url, {"action": "save", "sectors": ["energy", "space"], "language": "ja"}
    )
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.sectors == ["energy", "space"] and subscriber.language == "ja"


def test_preferences_refuse_a_tampered_or_expired_link(anonymous, subscriber, settings):
    token = selectors.preferences_token(subscriber)
    assert anonymous.get(reverse("briefings:preferences", args=[token + "x"])).status_code == 400
    settings.BRIEFING_PREFERENCES_MAX_AGE = -1
    assert anonymous.get(reverse("briefings:preferences", args=[token])).status_code == 400


def test_preferences_unsubscribe_and_resume(anonymous, subscriber):
    url = preferences_url(subscriber)
    anonymous.post(url, {"action": "unsubscribe"})
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    anonymous.post(url, {"action": "resume"})
    subscriber.refresh_from_db()
    assert subscriber.status == "active"


def test_preferences_keep_a_bad_choice_on_the_page(anonymous, subscriber):
    response = anonymous.post(preferences_url(subscriber), {"action": "save", "language": "ja"})
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.sectors == ["semiconductors"]


# --- One-click unsubscribe (RFC 8058) ------------------------------------------------------------


def test_one_click_post_needs_no_cookie_csrf_token_or_login(subscriber):
    client = Client(enforce_csrf_checks=True)  # fresh: no cookies at all
    url = reverse("briefings:unsubscribe", args=[subscriber.unsubscribe_token])
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200  # no redirect
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    again = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200 and "You are unsubscribed" in again.content.decode()


def test_unsubscribe_get_shows_a_button_and_changes_nothing(anonymous, subscriber):
    page = anonymous.get(reverse("briefings:unsubscribe", args=[subscriber.unsubscribe_token]))
    assert page.status_code == 200
    assert re.search(r'<form method="post">\s*<button type="submit"', page.content.decode())
    subscriber.refresh_from_db()
    assert subscriber.status == "active"


def test_unsubscribe_with_an_unknown_token_is_404(anonymous, subscriber):
    url = reverse("briefings:unsubscribe", args=["not-a-real-token"])
    assert anonymous.get(url).status_code == 404
    assert Client(enforce_csrf_checks=True).post(url).status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == "active"


def test_only_the_unsubscribe_view_is_csrf_exempt(subscriber, subscription_factory):
    client = Client(enforce_csrf_checks=True)
    pending = subscription_factory(email="p@example.org", status="pending")
    refused = [
        client.post(reverse("briefings:subscribe"), FORM),
        client.post(preferences_url(subscriber), {"action": "unsubscribe"}),
        client.post(reverse("briefings:confirm", args=[selectors.confirmation_token(pending)])),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403]


# --- Members ---------------------------------------------------------------------------------


def test_account_page_asks_anonymous_visitors_to_sign_in(anonymous):
    response = anonymous.get(reverse("briefings:account"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_account_page_refuses_people_who_are_not_vetted(client_for, newcomer):
    response = client_for(newcomer).get(reverse("briefings:account"))
    assert response.status_code == 403
    assert reverse("briefings:subscribe") in response.content.decode()


def test_a_member_subscribes_from_the_account_page(client_for, contributor):
    client = client_for(contributor)
    assert client.get(reverse("briefings:account")).status_code == 200
    response = client.post(
        reverse("briefings:account"),
        {"action": "save", "sectors": ["ai"], "language": "en"},
    )
    assert response.status_code == 302
    mine = Subscription.objects.get(user=contributor)
    assert mine.status == "active" and mine.sectors == ["ai"] and mail.outbox == []
    page = client.get(reverse("briefings:account")).content.decode()
    assert "TLP:GREEN" in page
    client.post(reverse("briefings:account"), {"action": "unsubscribe"})
    mine.refresh_from_db()
    assert mine.status == "unsubscribed"


def test_analysts_subscribe_from_their_account_too(client_for, analyst):
    assert client_for(analyst).get(reverse("briefings:account")).status_code == 200


def test_readers_subscribe_from_their_account_at_green(client_for, reader):
    client = client_for(reader)
    response = client.post(
        reverse("briefings:account"), {"action": "save", "sectors": ["ai"], "language": "en"}
    )
    assert response.status_code == 302
    assert "TLP:GREEN" in client.get(reverse("briefings:account")).content.decode()


# --- Archive ---------------------------------------------------------------------------------


def test_archive_lists_briefed_weeks_for_everyone(anonymous, briefed_week):
    page = anonymous.get(reverse("briefings:archive"))
    assert page.status_code == 200
    assert reverse("briefings:week", args=["2026-11-16"]) in page.content.decode()


def test_public_archive_shows_only_clear_items(anonymous, briefed_week):
    body = anonymous.get(reverse("briefings:week", args=["2026-11-16"])).content.decode()
    assert "Clear item" in body and "Clear energy note" in body
    assert "Green item" not in body and "Amber item" not in body and "Red item" not in body
    assert "sign in" in body


def test_members_read_the_archive_up_to_green(client_for, contributor, briefed_week):
    body = client_for(contributor).get(reverse("briefings:week", args=["2026-11-16"]))
    text = body.content.decode()
    assert "Green item" in text and "Amber item" not in text and "Red item" not in text


def test_analysts_read_the_archive_at_their_clearance(client_for, analyst, briefed_week):
    text = client_for(analyst).get(reverse("briefings:week", args=["2026-11-16"])).content
    assert b"Amber item" in text and b"Red item" in text


def test_dropped_and_stale_items_reach_no_reader_of_the_archive(
    client_for, analyst, briefed_week, digest_item_factory
):
    digest = Digest.objects.get(sector="semiconductors", week_start=WEEK)
    digest_item_factory(digest=digest, tlp="clear", title="Dropped by the analyst", dropped=True)
    digest_item_factory(digest=digest, tlp="clear", title="No longer in the data", stale=True)
    body = client_for(analyst).get(reverse("briefings:week", args=["2026-11-16"])).content.decode()
    assert "Clear item" in body and "Amber item" in body
    assert "Dropped by the analyst" not in body and "No longer in the data" not in body


def test_archive_week_filters_by_sector(anonymous, briefed_week):
    body = anonymous.get(
        reverse("briefings:week", args=["2026-11-16"]), {"sector": "energy"}
    ).content.decode()
    assert "Clear energy note" in body and "Clear item" not in body


def test_a_week_without_a_briefing_is_404(anonymous, briefed_week):
    assert anonymous.get(reverse("briefings:week", args=["2026-11-09"])).status_code == 404
    assert anonymous.get("/briefings/2026-13-45/").status_code == 404


def test_archive_list_costs_a_fixed_number_of_queries(
    anonymous, briefing_week_factory, django_assert_max_num_queries
):
    import datetime

    for weeks in range(40):
        briefing_week_factory(week_start=WEEK - datetime.timedelta(days=7 * weeks))
    with django_assert_max_num_queries(2):
        response = anonymous.get(reverse("briefings:archive"))
    assert response.status_code == 200
    links = re.findall(r'href="/briefings/(\d{4}-\d{2}-\d{2})/"', response.content.decode())
    assert len(links) == 25 and links[0] == WEEK.isoformat()  # a full page, newest first


def test_a_week_page_costs_a_few_queries_per_published_sector(
    client_for, contributor, briefed_week, django_assert_max_num_queries
):
    client = client_for(contributor)
    client.get(reverse("briefings:archive"))  # session and user loaded once before
    with django_assert_max_num_queries(10):  # 2 published sectors, 2 queries each
        response = client.get(reverse("briefings:week", args=["2026-11-16"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Green item" in body and "Clear energy note" in body and "Amber item" not in body
