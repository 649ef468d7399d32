"""Notification pages: the list, mark read, settings, the unread count; who may use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Kind, Notification, Preference
from notifications.services import notify

pytestmark = pytest.mark.django_db


def _note(user, event="comment:1", kind=Kind.REPORT_COMMENT) -> Notification:
    [notification] = notify(
        recipients=[user], kind=kind, event=event, path="/intel/", params={"title": "Neon note"}
    )
    return notification


def test_list_shows_own_notifications_only(client_for, contributor, other_contributor):
    _note(contributor)
    _note(other_contributor, event="comment:2")
    content = client_for(contributor).get(reverse("notifications:list")).content.decode()
    assert content.count("Neon note") == 1
    assert "1 unread notification." in content


def test_unread_count_endpoint_counts_own_unread(client_for, contributor, other_contributor):
    _note(contributor)
    _note(contributor, event="comment:3")
    _note(other_contributor, event="comment:2")
    response = client_for(contributor).get(reverse("notifications:unread"))
    assert response.json() == {"unread": 2}


def test_mark_one_read_cannot_touch_anothers(client_for, contributor, other_contributor):
    theirs = _note(other_contributor)
    mine = _note(contributor, event="comment:5")
    client = client_for(contributor)
    client.post(reverse("notifications:read"), {"id": theirs.pk})
    client.post(reverse("notifications:read"), {"id": mine.pk})
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.read_at is None
    assert mine.read_at is not None


def test_mark_all_read(client_for, contributor):
    _note(contributor)
    _note(contributor, event="comment:6")
    client_for(contributor).post(reverse("notifications:read"))
    assert not Notification.objects.filter(recipient=contributor, read_at__isnull=True).exists()


def test_mark_read_with_a_bad_id_is_a_400(client_for, contributor):
    assert (
        client_for(contributor).post(reverse("notifications:read"), {"id": "x"}).status_code == 400
    )


def test_mark_read_never_redirects_off_site(client_for, contributor):
    response = client_for(contributor).post(
        reverse("notifications:read"), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notifications:list")


def test_settings_offer_the_kinds_of_the_persons_role(client_for, contributor, analyst, newcomer):
    content = client_for(contributor).get(reverse("notifications:settings")).content.decode()
    assert "Decisions on my reports" in content
    assert "New applications to vet" not in content
    content = client_for(analyst).get(reverse("notifications:settings")).content.decode()
    assert "New applications to vet" in content
    assert "Sectors I follow" in content
    content = client_for(newcomer).get(reverse("notifications:settings")).content.decode()
    assert "A decision on my application" in content
    assert "Decisions on my reports" not in content


def test_settings_switch_a_kind_off(client_for, contributor):
    data = {
        "report-decision__site": "on",
        "report-comment__email": "on",
        "report-comment__site": "on",
        "requirement-new__email": "on",
        "requirement-new__site": "on",
    }
    response = client_for(contributor).post(reverse("notifications:settings"), data)
    assert response.status_code == 302
    preference = Preference.objects.get(user=contributor, kind=Kind.REPORT_DECISION)
    assert (preference.email, preference.site) == (False, True)


def test_settings_reject_an_unknown_sector_with_a_400_and_save_nothing(client_for, analyst):
    response = client_for(analyst).post(reverse("notifications:settings"), {"sectors": ["moon"]})
    assert response.status_code == 400
    assert not Preference.objects.filter(user=analyst).exists()


@pytest.mark.parametrize(
    "name", ["notifications:list", "notifications:settings", "notifications:unread"]
)
def test_anonymous_is_sent_to_sign_in(anonymous, name):
    response = anonymous.get(reverse(name))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_anonymous_cannot_mark_read(anonymous, contributor):
    notification = _note(contributor)
    response = anonymous.post(reverse("notifications:read"), {"id": notification.pk})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None


def test_list_query_count_is_fixed(client_for, contributor, django_assert_max_num_queries):
    client = client_for(contributor)
    _note(contributor)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("notifications:list"))
    for n in range(20):
        _note(contributor, event=f"comment:{100 + n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("notifications:list"))
