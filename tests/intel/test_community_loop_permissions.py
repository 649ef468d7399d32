"""Who may open each page of the library, readers and watches: every persona, allowed and refused.

Personas: anonymous visitor, applicant (signed up, not vetted), member, a
member's reader, analyst with two-factor authentication and analyst without.
None of these domains has an API endpoint; the API refuses readers as
contributors (tests/intel/library/test_readers.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ReaderInvitation
from accounts.services import readers as reader_services
from intel.alerts import services as alert_services
from intel.models import CaseStudyCuration, Watch

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "applicant", "member", "reader", "analyst", "analyst_without_2fa"]
WATCH_FORM = {"name": "Gallium", "sectors": ["critical-minerals"], "frequency": "immediate"}


@pytest.fixture
def client_of(
    newcomer: Any,
    other_contributor: Any,
    reader: Any,
    analyst: Any,
    client_for: Any,
    password_only_client_for: Any,
) -> Any:
    """The signed-in session of a persona by name (`member` is not the reader's member)."""

    def make(persona: str) -> Client:
        return {
            "anonymous": Client,
            "applicant": lambda: client_for(newcomer),
            "member": lambda: client_for(other_contributor),
            "reader": lambda: client_for(reader),
            "analyst": lambda: client_for(analyst),
            "analyst_without_2fa": lambda: password_only_client_for(analyst),
        }[persona]()

    return make


def assert_status(response: Any, expected: int | str) -> None:
    """`expected` is a status, or "login" / "second factor" for the redirect there."""
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif expected == "second factor":
        assert response.status_code == 302 and "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code == expected, response.content[:300]


# --- Case-study library ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "green", "clear"),
    [
        ("anonymous", 404, 200),
        ("applicant", 404, 200),
        ("member", 200, 200),
        ("reader", 200, 200),
        ("analyst", 200, 200),
        ("analyst_without_2fa", 404, 200),  # an analyst reads above CLEAR only with 2FA
    ],
)
def test_library_and_case_study_pages(
    accepted_case_study: Any, client_of: Any, persona: str, green: int, clear: int
) -> None:
    green_item = accepted_case_study(title="Green lesson", tlp="green")
    clear_item = accepted_case_study(title="Clear lesson", tlp="clear")
    client = client_of(persona)
    listing = client.get(reverse("intel:library"))
    assert listing.status_code == 200
    assert ("Green lesson" in listing.content.decode()) is (green == 200)
    detail = reverse("intel:library_case_study", args=[green_item.pk])
    assert client.get(detail).status_code == green
    assert client.get(reverse("intel:library_case_study", args=[clear_item.pk])).status_code == (
        clear
    )
    assert client.post(detail).status_code == 405
    curate = reverse("intel:library_curate", args=[clear_item.pk])
    shown = client.get(reverse("intel:library_case_study", args=[clear_item.pk])).content
    assert (curate in shown.decode()) is (persona == "analyst")  # the form, for analysts only


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("applicant", 403),
        ("member", 403),
        ("reader", 403),
        ("analyst", 302),
        ("analyst_without_2fa", "second factor"),
    ],
)
def test_curation(
    accepted_case_study: Any, client_of: Any, persona: str, expected: int | str
) -> None:
    item = accepted_case_study()
    url = reverse("intel:library_curate", args=[item.pk])
    client = client_of(persona)
    assert_status(client.post(url, {"action": "feature"}), expected)
    featured = CaseStudyCuration.objects.filter(case_study=item, featured=True).exists()
    assert featured is (persona == "analyst")
    assert client.get(url).status_code == 405


# --- Readers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("applicant", 403),
        ("member", 200),
        ("reader", 403),  # a reader never invites readers of their own
        ("analyst", 403),  # not a member of an organisation
        ("analyst_without_2fa", 403),
    ],
)
def test_readers_page_and_invitation(client_of: Any, persona: str, expected: int | str) -> None:
    client = client_of(persona)
    assert_status(client.get(reverse("accounts:readers")), expected)
    response = client.post(reverse("accounts:readers"), {"email": "new@test.example"})
    assert_status(response, 302 if expected == 200 else expected)
    assert ReaderInvitation.objects.filter(email="new@test.example").exists() is (
        persona == "member"
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("applicant", 403),
        ("member", 404),  # another member's reader is as absent as a missing one
        ("reader", 403),
        ("analyst", 403),
        ("analyst_without_2fa", 403),
    ],
)
def test_only_the_inviting_member_removes_a_reader(
    reader: Any, contributor: Any, client_of: Any, client_for: Any, persona: str, expected: Any
) -> None:
    invitation = ReaderInvitation.objects.get(reader=reader)
    url = reverse("accounts:reader_remove", args=[invitation.pk])
    assert_status(client_of(persona).post(url), expected)
    assert ReaderInvitation.objects.get(pk=invitation.pk).removed_at is None
    assert client_of(persona).get(url).status_code in (302, 403, 405)
    assert client_for(contributor).post(url).status_code == 302
    assert ReaderInvitation.objects.get(pk=invitation.pk).removed_at is not None


@pytest.mark.parametrize(
    ("persona", "page", "accept"),
    [
        ("anonymous", "login", "login"),
        ("applicant", 200, 400),  # signed in, but not at the invited address
        ("member", 200, 400),
        ("reader", 200, 400),
        ("analyst", 200, 400),
    ],
)
def test_accepting_needs_the_invited_address(
    contributor: Any, client_of: Any, persona: str, page: Any, accept: Any
) -> None:
    _invitation, code = reader_services.reader_invite(
        member=contributor, email="invitee@test.example"
    )
    url = reverse("accounts:reader_accept", args=[code])
    client = client_of(persona)
    assert_status(client.get(url), page)
    assert_status(client.post(url), accept)
    assert not ReaderInvitation.objects.filter(reader__isnull=False, email="invitee@test.example")


# --- Watches -----------------------------------------------------------------------------

WATCHERS = [
    ("anonymous", "login"),
    ("applicant", 403),
    ("member", 200),
    ("reader", 200),
    ("analyst", 200),
    ("analyst_without_2fa", 403),  # cleared to TLP:CLEAR only: nothing to be alerted about
]


@pytest.mark.parametrize(("persona", "expected"), WATCHERS)
def test_keeping_watches(client_of: Any, persona: str, expected: int | str) -> None:
    client = client_of(persona)
    assert_status(client.get(reverse("intel:watch_list")), expected)
    assert_status(client.get(reverse("intel:watch_create")), expected)
    response = client.post(reverse("intel:watch_create"), WATCH_FORM)
    assert_status(response, 302 if expected == 200 else expected)
    assert Watch.objects.exists() is (expected == 200)


@pytest.mark.parametrize(("persona", "expected"), WATCHERS)
def test_nobody_touches_another_persons_watch(
    contributor: Any, client_of: Any, persona: str, expected: int | str
) -> None:
    watch = alert_services.watch_save(user=contributor, name="Mine", sectors=["semiconductors"])
    alert_services.watch_mute(watch=watch)
    client = client_of(persona)
    refused = 404 if expected == 200 else expected  # someone else's watch does not exist
    for name, method in (
        ("intel:watch_edit", client.get),
        ("intel:watch_edit", client.post),
        ("intel:watch_delete", client.post),
        ("intel:watch_unmute", client.post),
    ):
        assert_status(method(reverse(name, args=[watch.pk]), WATCH_FORM), refused)
    watch.refresh_from_db()
    assert (watch.name, watch.is_muted) == ("Mine", True)


def test_reader_edits_mutes_and_deletes_their_own_watch(reader: Any, client_for: Any) -> None:
    client = client_for(reader)
    assert client.post(reverse("intel:watch_create"), WATCH_FORM).status_code == 302
    watch = Watch.objects.get(user=reader)
    edit = reverse("intel:watch_edit", args=[watch.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {**WATCH_FORM, "frequency": "daily"}).status_code == 302
    alert_services.watch_mute(watch=watch)
    assert client.post(reverse("intel:watch_unmute", args=[watch.pk])).status_code == 302
    assert client.post(reverse("intel:watch_delete", args=[watch.pk])).status_code == 302
    assert not Watch.objects.filter(pk=watch.pk).exists()


def test_reader_sees_my_watches_in_the_navigation_and_no_contributor_menu(
    reader: Any, client_for: Any
) -> None:
    body = client_for(reader).get(reverse("intel:library")).content.decode()
    assert reverse("intel:watch_list") in body
    for contributor_page in ("intel:report_create", "accounts:readers", "accounts:application"):
        assert f'href="{reverse(contributor_page)}"' not in body
