"""The review page: decisions keep what was typed, the tag picker, the revision diff."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from intel.models import ContributionRevision, Status
from intel.reports import services
from intel.reports.picker import resolve_tag
from intel.reports.revisions import diff_texts
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review, submit

pytestmark = pytest.mark.django_db


# --- Decisions -------------------------------------------------------------------


def test_too_short_reason_rerenders_the_form_with_what_was_typed(client_for, in_review, analyst):
    response = client_for(analyst).post(
        reverse("intel:review_decide", args=[in_review.pk]),
        {"action": "reject", "reason": "Too thin"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Too thin</textarea>" in content
    assert "at least 10 characters" in content
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW


def test_decision_on_a_report_decided_meanwhile_keeps_the_note(
    client_for, in_review, analyst, second_analyst
):
    services.report_reject(
        contribution=in_review, analyst=second_analyst, reason="Duplicate of #3."
    )
    response = client_for(analyst).post(
        reverse("intel:review_decide", args=[in_review.pk]),
        {"action": "request_changes", "reason": "Please add the licence numbers."},
    )
    assert response.status_code == 409
    assert "Please add the licence numbers." in response.content.decode()


def test_tampered_decision_is_a_400_and_changes_nothing(client_for, in_review, analyst):
    response = client_for(analyst).post(
        reverse("intel:review_decide", args=[in_review.pk]), {"action": "publish"}
    )
    assert response.status_code == 400
    assert "Choose a decision." in response.content.decode()


# --- Tag picker ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "typed", "slug"),
    [
        ("signal", "Export control", "export-control"),
        ("signal", "輸出規制", "export-control"),
        ("signal", "stockpile", "stockpiling"),
        ("signal", "stockpiling", "stockpiling"),
        ("signal", "  EXPORT-CONTROL ", "export-control"),
        ("signal", "Stockpil", "stockpiling"),
        ("sector", "半導体", "semiconductors"),
        ("sector", "Semiconductors", "semiconductors"),
        ("country", "Japan", "JP"),
        ("country", "jp", "JP"),
        ("commodity", "ガリウム", "gallium"),
        ("signal", "ｴｸｽﾎﾟｰﾄ".replace("ｴｸｽﾎﾟｰﾄ", "輸出規制"), "export-control"),
    ],
)
def test_picker_understands_names_terms_and_codes(kind, typed, slug):
    assert resolve_tag(kind=kind, text=typed) == slug


def test_picker_refuses_an_unknown_name_saying_so():
    with pytest.raises(ValidationError, match="No Signal is called"):
        resolve_tag(kind="signal", text="moon landing")


def test_picker_asks_for_more_when_a_prefix_is_ambiguous():
    with pytest.raises(ValidationError, match="could mean"):
        resolve_tag(kind="signal", text="s")


def test_tag_added_by_readable_name_through_the_page(client_for, in_review, analyst):
    response = client_for(analyst).post(
        reverse("intel:review_tag_correct", args=[in_review.pk]),
        {"action": "add", "kind": "signal", "slug": "Stockpile"},
    )
    assert response.status_code == 302
    assert in_review.signal_rows.filter(signal="stockpiling").exists()


def test_tag_picker_fragment_answers_without_a_page(client_for, in_review, analyst):
    url = reverse("intel:review_tag_correct", args=[in_review.pk])
    client = client_for(analyst)
    response = client.post(
        url, {"action": "add", "kind": "signal", "slug": "輸出規制"}, HTTP_X_FRAGMENT="review-tags"
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert "Tags updated." in content
    response = client.post(
        url, {"action": "add", "kind": "signal", "slug": "Moon"}, HTTP_X_FRAGMENT="review-tags"
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert 'value="Moon"' in content
    assert "No Signal is called" in content


def test_review_page_lists_readable_tags_in_both_languages(client_for, in_review, analyst):
    content = (
        client_for(analyst)
        .get(reverse("intel:review_detail", args=[in_review.pk]))
        .content.decode()
    )
    assert 'data-slug="export-control"' in content
    assert "輸出規制" in content
    assert "review-tags.js" in content
    assert "<script>" not in content


@pytest.mark.parametrize("persona", ["contributor", "other_contributor", "newcomer"])
def test_tag_fragment_refuses_non_analysts(client_for, in_review, persona, request):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(
        reverse("intel:review_tag_correct", args=[in_review.pk]),
        {"action": "add", "kind": "signal", "slug": "tariff"},
        HTTP_X_FRAGMENT="review-tags",
    )
    assert response.status_code == 403
    assert not in_review.signal_rows.filter(signal="tariff").exists()


# --- Revision diff ---------------------------------------------------------------


def test_diff_marks_words_added_and_removed():
    pieces = diff_texts("Licences delayed 60 days", "Licences delayed 90 days at Tianjin")
    assert ("delete", "60") in pieces
    assert ("insert", "90") in pieces
    assert any(op == "insert" and "Tianjin" in text for op, text in pieces)


def test_resubmitted_report_shows_an_escaped_diff_against_the_previous_revision(
    client_for, contributor, analyst
):
    report = review(
        submit(FieldReportFactory(author=contributor, summary="Waits of 60 days."), contributor),
        analyst,
    )
    services.report_request_changes(
        contribution=report, analyst=analyst, reason="Which port and which dates?"
    )
    services.report_update(
        report=report, actor=contributor, summary="Waits of 90 days <script>x</script> at Tianjin."
    )
    services.report_resubmit(contribution=report, actor=contributor)
    assert ContributionRevision.objects.filter(contribution=report).count() == 2
    content = (
        client_for(analyst).get(reverse("intel:review_detail", args=[report.pk])).content.decode()
    )
    diff = content[content.index('data-testid="revision-diff"') :]
    diff = diff[: diff.index("</section>")]
    assert "Changes from revision 1 to 2" in diff
    assert "<del>60</del>" in diff
    assert "<ins>90</ins>" in diff
    assert "&lt;script&gt;" in diff
    assert "<script>" not in diff


def test_first_revision_has_no_diff(client_for, in_review, analyst):
    content = (
        client_for(analyst)
        .get(reverse("intel:review_detail", args=[in_review.pk]))
        .content.decode()
    )
    assert 'data-testid="revision-diff"' not in content
