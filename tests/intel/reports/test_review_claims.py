"""Who reviews what: claim, take over, release, assign, and the safe bulk actions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import AuditEvent
from intel.errors import WorkflowError
from intel.models import Contribution, Status
from intel.reports import services
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import submit

pytestmark = pytest.mark.django_db


def _reviewer_id(report) -> int | None:
    return Contribution.objects.values_list("reviewer_id", flat=True).get(pk=report.pk)


def test_claim_sets_the_reviewer_once(submitted, analyst):
    services.report_claim(contribution=submitted, analyst=analyst)
    assert _reviewer_id(submitted) == analyst.pk
    assert AuditEvent.objects.filter(action="report.claim").count() == 1


def test_second_analyst_cannot_claim_what_another_holds(submitted, analyst, second_analyst):
    services.report_claim(contribution=submitted, analyst=analyst)
    stale = Contribution.objects.get(pk=submitted.pk)
    with pytest.raises(WorkflowError, match="is reviewing this report"):
        services.report_claim(contribution=stale, analyst=second_analyst)
    assert _reviewer_id(submitted) == analyst.pk


def test_take_over_needs_the_claim_the_page_showed(submitted, analyst, second_analyst, admin_user):
    services.report_claim(contribution=submitted, analyst=analyst)
    services.report_claim(
        contribution=submitted, analyst=second_analyst, expected_reviewer_id=analyst.pk
    )
    assert _reviewer_id(submitted) == second_analyst.pk
    # A third analyst still looking at the first claim loses: nothing is silently replaced.
    with pytest.raises(WorkflowError):
        services.report_claim(
            contribution=submitted, analyst=admin_user, expected_reviewer_id=analyst.pk
        )
    assert _reviewer_id(submitted) == second_analyst.pk


def test_start_review_respects_anothers_claim(submitted, analyst, second_analyst):
    services.report_claim(contribution=submitted, analyst=analyst)
    with pytest.raises(WorkflowError, match="take it over first"):
        services.report_start_review(contribution=submitted, analyst=second_analyst)
    services.report_start_review(contribution=submitted, analyst=analyst)
    assert Contribution.objects.get(pk=submitted.pk).status == Status.IN_REVIEW


def test_only_the_claimer_releases(submitted, analyst, second_analyst):
    services.report_claim(contribution=submitted, analyst=analyst)
    with pytest.raises(WorkflowError):
        services.report_unclaim(contribution=submitted, analyst=second_analyst)
    services.report_unclaim(contribution=submitted, analyst=analyst)
    assert _reviewer_id(submitted) is None


def test_assign_only_to_an_analyst_who_is_not_the_author(submitted, analyst, contributor):
    with pytest.raises(PermissionDenied):
        services.report_assign(
            contribution=submitted, analyst=analyst, assignee=contributor, expected_reviewer_id=None
        )
    assert _reviewer_id(submitted) is None


def test_decided_report_cannot_be_claimed(in_review, analyst, second_analyst):
    services.report_reject(contribution=in_review, analyst=analyst, reason="Out of scope here.")
    with pytest.raises(WorkflowError, match="no longer waits"):
        services.report_claim(
            contribution=in_review, analyst=second_analyst, expected_reviewer_id=analyst.pk
        )


def test_bulk_claim_skips_reports_others_hold(analyst, second_analyst, contributor):
    free = submit(FieldReportFactory(author=contributor), contributor)
    held = submit(FieldReportFactory(author=contributor), contributor)
    services.report_claim(contribution=held, analyst=second_analyst)
    result = services.reports_bulk_claim(
        contributions=Contribution.objects.filter(pk__in=[free.pk, held.pk]), analyst=analyst
    )
    assert (result.changed, result.skipped) == (1, 1)
    assert _reviewer_id(free) == analyst.pk
    assert _reviewer_id(held) == second_analyst.pk


# --- Pages -----------------------------------------------------------------------


def test_review_page_shows_who_claimed_it_and_offers_take_over(
    client_for, submitted, analyst, second_analyst
):
    services.report_claim(contribution=submitted, analyst=analyst)
    content = (
        client_for(second_analyst)
        .get(reverse("intel:review_detail", args=[submitted.pk]))
        .content.decode()
    )
    assert f"{analyst.get_short_name()} is reviewing this report." in content
    assert 'value="take_over"' in content


def test_claim_button_claims_and_the_queue_shows_it(client_for, submitted, analyst):
    client = client_for(analyst)
    response = client.post(reverse("intel:review_claim", args=[submitted.pk]), {"action": "claim"})
    assert response.status_code == 302
    assert _reviewer_id(submitted) == analyst.pk
    row = client.get(reverse("intel:review_queue")).content.decode()
    assert "<strong>you</strong>" in row


def test_take_over_through_the_page(client_for, submitted, analyst, second_analyst):
    services.report_claim(contribution=submitted, analyst=analyst)
    client_for(second_analyst).post(
        reverse("intel:review_claim", args=[submitted.pk]),
        {"action": "take_over", "expected_reviewer": analyst.pk},
    )
    assert _reviewer_id(submitted) == second_analyst.pk


def test_tampered_claim_form_is_a_400(client_for, submitted, analyst):
    response = client_for(analyst).post(
        reverse("intel:review_claim", args=[submitted.pk]), {"action": "accept"}
    )
    assert response.status_code == 400
    assert _reviewer_id(submitted) is None


@pytest.mark.parametrize("persona", ["contributor", "other_contributor", "newcomer"])
def test_non_analysts_cannot_claim(client_for, submitted, persona, request):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(
        reverse("intel:review_claim", args=[submitted.pk]), {"action": "claim"}
    )
    assert response.status_code == 403
    response = client_for(user).post(
        reverse("intel:review_bulk"), {"action": "claim", "selected": [submitted.pk]}
    )
    assert response.status_code == 403
    assert _reviewer_id(submitted) is None


def test_anonymous_cannot_claim(anonymous, submitted):
    response = anonymous.post(
        reverse("intel:review_claim", args=[submitted.pk]), {"action": "claim"}
    )
    assert response.status_code == 302
    assert _reviewer_id(submitted) is None


def test_bulk_assign_from_the_queue(client_for, analyst, second_analyst, contributor):
    reports = [submit(FieldReportFactory(author=contributor), contributor) for _ in range(3)]
    response = client_for(analyst).post(
        reverse("intel:review_bulk"),
        {"action": "assign", "assignee": second_analyst.pk, "selected": [r.pk for r in reports]},
    )
    assert response.status_code == 302
    assert {_reviewer_id(r) for r in reports} == {second_analyst.pk}


def test_bulk_without_selection_rerenders_the_queue_with_an_error(client_for, analyst, submitted):
    response = client_for(analyst).post(reverse("intel:review_bulk"), {"action": "claim"})
    assert response.status_code == 400
    assert "Select at least one report." in response.content.decode()


def test_bulk_offers_no_decision(client_for, analyst, submitted):
    content = client_for(analyst).get(reverse("intel:review_queue")).content.decode()
    bulk = content[content.index('class="bulk-form"') : content.index("</fieldset>")]
    assert 'value="accept"' not in bulk
    assert 'value="reject"' not in bulk
    response = client_for(analyst).post(
        reverse("intel:review_bulk"), {"action": "accept", "selected": [submitted.pk]}
    )
    assert response.status_code == 400
    assert Contribution.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_queue_query_count_stays_fixed_with_claims(
    client_for, analyst, second_analyst, contributor, django_assert_max_num_queries
):
    client = client_for(analyst)
    for _ in range(2):
        services.report_claim(
            contribution=submit(FieldReportFactory(author=contributor), contributor),
            analyst=second_analyst,
        )
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("intel:review_queue"))
    for _ in range(8):
        services.report_claim(
            contribution=submit(FieldReportFactory(author=contributor), contributor),
            analyst=second_analyst,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("intel:review_queue"))
