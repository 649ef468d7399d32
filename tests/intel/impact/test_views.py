"""Impact pages and endpoints: who may use each, what they do, and 4xx for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from intel.models import Acknowledgement, Contradiction
from notifications.models import Kind, Notification
from tests.intel.factories import FieldReportFactory

pytestmark = pytest.mark.django_db

IMPACT = reverse("intel:impact")


@pytest.fixture
def people(anonymous, client_for, newcomer, reader, contributor, analyst_without_mfa, analyst):
    """A client per persona (the applicant has signed up, not yet been vetted)."""
    return {
        "anonymous": anonymous,
        "applicant": client_for(newcomer),
        "reader": client_for(reader),
        "member": client_for(contributor),
        "analyst_without_mfa": client_for(analyst_without_mfa),
        "analyst": client_for(analyst),
    }


def is_refused(response: Any, persona: str) -> bool:
    if persona == "anonymous":
        return response.status_code == 302 and "/accounts/login/" in response["Location"]
    if persona == "analyst_without_mfa" and response.status_code == 302:
        return "mfa" in response["Location"] or "2fa" in response["Location"]
    return response.status_code in (403, 404)


# --- The member's own impact page ----------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "applicant", "reader", "analyst_without_mfa"])
def test_impact_page_is_for_vetted_members_only(people, persona):
    assert is_refused(people[persona].get(IMPACT), persona)


def test_analyst_who_is_not_a_member_has_no_impact_page(people):
    assert people["analyst"].get(IMPACT).status_code == 403


def test_member_sees_their_own_reports_anonymous_ones_included(
    people, decide, contributor, other_contributor, analyst
):
    named = decide(contributor, title="Neon purifier restarts")
    hidden = decide(contributor, title="Gallium smuggling route", attribution="anonymous")
    decide(other_contributor, title="Someone else's report")
    content = people["member"].get(IMPACT).content.decode()
    assert named.title in content and hidden.title in content
    assert "anonymous: counted only in your own view" in content
    assert "Someone else&#x27;s report" not in content
    assert "Useful, thank you." in content  # the reason given with the decision


def test_impact_page_rejects_other_methods(people):
    assert people["member"].post(IMPACT).status_code == 405


# --- Thanks and feedback, contradiction (review page) --------------------------


ENDPOINTS = {
    "note": ("intel:acknowledgement_send", {"kind": "thanks", "message": "Thank you!"}),
    "contradicted": ("intel:contradiction_mark", {"reason": "The ministry denied it."}),
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize(
    "persona", ["anonymous", "applicant", "reader", "member", "analyst_without_mfa"]
)
def test_only_analysts_send_notes_or_mark_contradictions(
    people, decide, other_contributor, endpoint, persona
):
    report = decide(other_contributor)
    name, data = ENDPOINTS[endpoint]
    response = people[persona].post(reverse(name, args=[report.pk]), data)
    assert is_refused(response, persona)
    assert not Acknowledgement.objects.exists() and not Contradiction.objects.exists()


def test_analyst_thanks_the_author_who_is_notified_and_it_is_audited(
    people, decide, contributor, analyst
):
    report = decide(contributor, attribution="anonymous")
    review_page = people["analyst"].get(reverse("intel:review_detail", args=[report.pk]))
    assert "Thanks and feedback to the author" in review_page.content.decode()
    response = people["analyst"].post(
        reverse("intel:acknowledgement_send", args=[report.pk]),
        {"kind": "thanks", "message": "Your report shaped this week's brief."},
    )
    assert response.status_code == 302
    [note] = Acknowledgement.objects.filter(contribution=report)
    assert (note.kind, note.analyst) == ("thanks", analyst)
    assert AuditEvent.objects.filter(action="contribution.thanks", target_id=str(report.pk))
    [notification] = Notification.objects.filter(recipient=contributor, kind=Kind.REPORT_THANKS)
    assert notification.path.startswith(IMPACT)
    content = people["member"].get(IMPACT).content.decode()
    assert "Your report shaped this week&#x27;s brief." in content


@pytest.mark.parametrize(
    "data", [{}, {"kind": "praise", "message": "x"}, {"kind": "thanks", "message": "  "},
             {"kind": "feedback", "message": "x" * 2001}],
)  # fmt: skip
def test_bad_note_is_a_400_that_keeps_what_was_typed(people, decide, contributor, data):
    report = decide(contributor)
    response = people["analyst"].post(reverse("intel:acknowledgement_send", args=[report.pk]), data)
    assert response.status_code == 400
    assert not Acknowledgement.objects.exists()


def test_note_on_an_unknown_or_draft_report_is_a_404(people, contributor):
    draft = FieldReportFactory(author=contributor)
    for pk in (draft.pk, 999_999):
        response = people["analyst"].post(
            reverse("intel:acknowledgement_send", args=[pk]), {"kind": "thanks", "message": "x"}
        )
        assert response.status_code == 404


def test_contradiction_is_audited_and_refused_for_a_report_not_accepted(
    people, decide, contributor
):
    accepted, rejected = decide(contributor), decide(contributor, "rejected")
    url = "intel:contradiction_mark"
    data = {"reason": "Later reporting showed the plant never stopped."}
    assert people["analyst"].post(reverse(url, args=[accepted.pk]), data).status_code == 302
    assert AuditEvent.objects.filter(action="contribution.contradicted").count() == 1
    assert people["analyst"].post(reverse(url, args=[accepted.pk]), data).status_code == 409
    assert people["analyst"].post(reverse(url, args=[rejected.pk]), data).status_code == 409
    assert people["analyst"].post(reverse(url, args=[accepted.pk]), {}).status_code == 400
    assert Contradiction.objects.count() == 1


# --- The suggested grade on the member's grade page ----------------------------


def grade_urls(contributor: Any) -> dict[str, str]:
    pk = contributor.membership.pk
    return {
        "confirm": reverse("accounts:member-grade-confirm", args=[pk]),
        "override": reverse("accounts:member-grade-override", args=[pk]),
    }


@pytest.mark.parametrize("action", ["confirm", "override"])
@pytest.mark.parametrize(
    "persona", ["anonymous", "applicant", "reader", "member", "analyst_without_mfa"]
)
def test_only_analysts_confirm_or_override_the_suggestion(people, contributor, action, persona):
    data = {"suggested": "F"} if action == "confirm" else {"grade": "A", "reason": "Known well."}
    response = people[persona].post(grade_urls(contributor)[action], data)
    assert is_refused(response, persona)
    contributor.membership.refresh_from_db()
    assert contributor.membership.source_grade == "C"
    assert not AuditEvent.objects.filter(action__startswith="membership.grade").exists()


def test_grade_page_shows_the_suggestion_and_its_reasons(people, decide, contributor):
    for _ in range(5):
        decide(contributor)
    response = people["analyst"].get(
        reverse("accounts:member-detail", args=[contributor.membership.pk])
    )
    assert response.status_code == 200
    assert response.context["suggestion"].grade == "C"
    content = response.content.decode()
    assert "5 accepted of 5 decided" in content
    assert "0 corroborated by independent organisations" in content


def test_confirming_makes_the_suggestion_the_grade_and_is_audited(people, contributor):
    response = people["analyst"].post(grade_urls(contributor)["confirm"], {"suggested": "F"})
    assert response.status_code == 302
    contributor.membership.refresh_from_db()
    assert contributor.membership.source_grade == "F"
    [event] = AuditEvent.objects.filter(action="membership.grade_suggestion_confirm")
    assert event.data == {"suggested": "F", "grade": "F"}
    assert AuditEvent.objects.filter(action="membership.grade_change").count() == 1


def test_confirming_a_suggestion_that_moved_meanwhile_is_refused(people, contributor):
    response = people["analyst"].post(grade_urls(contributor)["confirm"], {"suggested": "A"})
    assert response.status_code == 409
    contributor.membership.refresh_from_db()
    assert contributor.membership.source_grade == "C"


def test_overriding_sets_the_chosen_grade_with_the_reason(people, contributor):
    response = people["analyst"].post(
        grade_urls(contributor)["override"], {"grade": "B", "reason": "Long record elsewhere."}
    )
    assert response.status_code == 302
    contributor.membership.refresh_from_db()
    assert contributor.membership.source_grade == "B"
    [event] = AuditEvent.objects.filter(action="membership.grade_suggestion_override")
    assert (event.data, event.reason) == (
        {"suggested": "F", "grade": "B"},
        "Long record elsewhere.",
    )


@pytest.mark.parametrize(
    "data",
    [{}, {"grade": "Z", "reason": "x"}, {"grade": "B"}, {"grade": "B", "reason": "   "},
     {"grade": "b", "reason": "x"}, {"grade": "B", "reason": "x" * 4001}],
)  # fmt: skip
def test_bad_override_is_a_400_never_a_500(people, contributor, data):
    response = people["analyst"].post(grade_urls(contributor)["override"], data)
    assert response.status_code == 400
    contributor.membership.refresh_from_db()
    assert contributor.membership.source_grade == "C"


@pytest.mark.parametrize("data", [{}, {"suggested": "Q"}])
def test_bad_confirm_is_a_400(people, contributor, data):
    assert people["analyst"].post(grade_urls(contributor)["confirm"], data).status_code == 400


def test_override_of_an_unknown_member_is_a_404(people):
    url = reverse("accounts:member-grade-override", args=[999_999])
    assert people["analyst"].post(url, {"grade": "B", "reason": "x"}).status_code == 404


def test_analyst_cannot_grade_themselves(people, analyst):
    from tests.accounts.factories import MembershipFactory

    membership = MembershipFactory(user=analyst, organisation="Ministry")
    url = reverse("accounts:member-grade-override", args=[membership.pk])
    assert people["analyst"].post(url, {"grade": "A", "reason": "Me."}).status_code == 403


def test_confirming_the_grade_the_member_already_has_records_only_the_confirmation(
    people, contributor
):
    url = grade_urls(contributor)["confirm"]
    assert people["analyst"].post(url, {"suggested": "F"}).status_code == 302
    assert people["analyst"].post(url, {"suggested": "F"}).status_code == 302
    assert AuditEvent.objects.filter(action="membership.grade_suggestion_confirm").count() == 2
    assert contributor.membership.grade_history.count() == 1


def test_impact_page_costs_the_same_queries_whatever_the_number_of_reports(
    people, decide, contributor, django_assert_max_num_queries
):
    for _ in range(8):
        decide(contributor)
    with django_assert_max_num_queries(25):
        assert people["member"].get(IMPACT).status_code == 200
