"""Tagging pipeline: submission → automatic tags and clusters; corrections and feedback."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from intel.models import ContributionFingerprint, ContributionTag, Status
from intel.reports import services
from intel.tagging.engine import default_taxonomy
from intel.tagging.runtime import FEEDBACK_MIN_REMOVALS, current_tagger, feedback_overrides
from intel.tagging.selectors import cluster_corroboration, cluster_for_review, tags_for_review
from intel.tagging.services import contribution_tag, tag_correct
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review, submit

pytestmark = pytest.mark.django_db

GALLIUM = {
    "title": "China tightens gallium export controls",
    "summary": "Beijing added gallium and germanium products to its export licence list.",
    "body": (
        "Our distributors in Osaka report that Chinese exporters now need a licence for every "
        "shipment of gallium metal and gallium arsenide wafers. Licence decisions take more than "
        "sixty days and two buyers have started drawing on stockpiles while they wait."
    ),
}
SHIPYARD = {
    "title": "Korean yard wins LNG carrier order",
    "summary": "A shipyard in Ulsan signed for twelve LNG carriers.",
    "body": (
        "The shipbuilder will hire welders from Vietnam to meet the schedule, and says the order "
        "fills its docks until 2029. Japanese yards did not bid."
    ),
}


def submitted_report(author, django_capture_on_commit_callbacks, **text):
    report = FieldReportFactory(author=author, **text)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(contribution=report, actor=author)
    return report


def auto_tags(report) -> set[tuple[str, str]]:
    return set(
        ContributionTag.objects.filter(contribution=report, source="auto").values_list(
            "kind", "slug"
        )
    )


def test_submission_stores_automatic_tags_with_scores_and_evidence(
    contributor, django_capture_on_commit_callbacks
):
    report = submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
    tags = auto_tags(report)
    assert {("sector", "critical-minerals"), ("signal", "export-control"), ("country", "CN")} <= (
        tags
    )
    assert ("commodity", "gallium") in tags
    export_control = ContributionTag.objects.get(
        contribution=report, source="auto", kind="signal", slug="export-control"
    )
    assert export_control.score > 0
    assert any("licence" in span["text"].lower() for span in export_control.spans)
    fingerprint = ContributionFingerprint.objects.get(contribution=report)
    assert fingerprint.taxonomy_version.startswith("db-")


def test_drafts_are_not_tagged(contributor):
    report = FieldReportFactory(author=contributor, **GALLIUM)
    assert contribution_tag(contribution_id=report.pk) is False
    assert not ContributionTag.objects.filter(contribution=report).exists()


def test_tagging_twice_leaves_the_same_rows(contributor, django_capture_on_commit_callbacks):
    report = submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
    before = sorted(
        ContributionTag.objects.filter(contribution=report).values_list("kind", "slug", "score")
    )
    assert contribution_tag(contribution_id=report.pk) is True
    after = sorted(
        ContributionTag.objects.filter(contribution=report).values_list("kind", "slug", "score")
    )
    assert before == after
    assert ContributionFingerprint.objects.filter(contribution=report).count() == 1


def test_analyst_removal_survives_retagging_and_updates_classification(
    contributor, analyst, django_capture_on_commit_callbacks
):
    report = submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
    tag_correct(contribution=report, analyst=analyst, kind="country", slug="CN", present=False)
    tag_correct(
        contribution=report, analyst=analyst, kind="signal", slug="stockpiling", present=True
    )
    contribution_tag(contribution_id=report.pk)

    assert ContributionTag.objects.filter(
        contribution=report, source="analyst", kind="country", slug="CN", removed=True
    ).exists()
    assert ("country", "CN") in auto_tags(report), "the engine still sees it; the analyst wins"
    assert not report.country_rows.filter(country="CN").exists()
    assert report.signal_rows.filter(signal="stockpiling").exists()
    rows = {row.slug: row for group in tags_for_review(contribution=report) for row in group.rows}
    assert rows["CN"].removed_by_analyst
    assert rows["stockpiling"].classified


def test_analyst_cannot_strip_the_last_sector_or_add_a_fourth(
    contributor, analyst, django_capture_on_commit_callbacks
):
    report = submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
    with pytest.raises(ValidationError):
        tag_correct(
            contribution=report, analyst=analyst, kind="sector", slug="critical-minerals",
            present=False,
        )  # fmt: skip
    for slug in ("energy", "batteries"):
        tag_correct(contribution=report, analyst=analyst, kind="sector", slug=slug, present=True)
    with pytest.raises(ValidationError):
        tag_correct(contribution=report, analyst=analyst, kind="sector", slug="space", present=True)


def test_unknown_tag_is_refused(contributor, analyst, django_capture_on_commit_callbacks):
    report = submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
    with pytest.raises(ValidationError):
        tag_correct(
            contribution=report, analyst=analyst, kind="sector", slug="bananas", present=True
        )
    with pytest.raises(ValidationError):
        tag_correct(contribution=report, analyst=analyst, kind="country", slug="XX", present=True)


def test_contributor_cannot_correct_tags(contributor, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied

    report = submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
    with pytest.raises(PermissionDenied):
        tag_correct(contribution=report, analyst=contributor, kind="signal", slug="tariff",
                    present=True)  # fmt: skip


def test_repeated_removals_down_weight_the_term_for_later_tagging(
    contributor, analyst, django_capture_on_commit_callbacks
):
    text = {
        "title": "Mining company opens office",
        "summary": "A mining company opened a sales office in Perth.",
        "body": "The office will sell consulting services to local firms.",
    }
    probe = ("Mining company hires staff", "A mining company is hiring in Perth.")
    assert "critical-minerals" in current_tagger().tag(*probe).as_contract()["sectors"]

    for _ in range(FEEDBACK_MIN_REMOVALS):
        report = submitted_report(contributor, django_capture_on_commit_callbacks, **text)
        tag_correct(contribution=report, analyst=analyst, kind="sector", slug="energy",
                    present=True)  # fmt: skip
        tag_correct(contribution=report, analyst=analyst, kind="sector",
                    slug="critical-minerals", present=False)  # fmt: skip

    tagger = current_tagger()
    assert "+w" in tagger.taxonomy.version, "corrections produced a new taxonomy version"
    assert "critical-minerals" not in tagger.tag(*probe).as_contract()["sectors"]
    # Other labels keep the term: only the corrected (label, term) pair fades.
    assert tagger.tag("Gallium mining company", "A gallium mine in Hunan.").as_contract()["sectors"]


STOCKPILING_EVIDENCE = [{"field": "body", "start": 0, "end": 11, "text": "stockpiling"}]


def _stockpiling_tags(tag_factory, report, *, struck_out_by=None):
    """The automatic stockpiling tag on `report`, and an analyst's removal of it if given."""
    tag_factory(contribution=report, slug="stockpiling", spans=STOCKPILING_EVIDENCE)
    if struck_out_by is not None:
        tag_factory(contribution=report, slug="stockpiling", source="analyst", removed=True,
                    score=None, spans=[], created_by=struck_out_by)  # fmt: skip


def test_a_term_fades_by_kept_plus_one_over_kept_plus_removed_plus_one(
    contributor, analyst, tag_factory
):
    for _ in range(FEEDBACK_MIN_REMOVALS):
        _stockpiling_tags(
            tag_factory, FieldReportFactory(author=contributor), struck_out_by=analyst
        )
    kept = review(submit(FieldReportFactory(author=contributor), contributor), analyst)
    services.report_accept(contribution=kept, analyst=analyst)
    _stockpiling_tags(tag_factory, kept)
    # A kept tag on a report still in review is not evidence that the term is right.
    _stockpiling_tags(tag_factory, submit(FieldReportFactory(author=contributor), contributor))

    overrides = feedback_overrides(default_taxonomy())
    # Weight 1.0 × (kept 1 + 1) / (kept 1 + removed 3 + 1).
    assert overrides[("signals", "stockpiling", "stockpiling")] == 0.4
    assert {key[:2] for key in overrides} == {("signals", "stockpiling")}


def test_fewer_removals_than_the_threshold_change_no_weight(contributor, analyst, tag_factory):
    for _ in range(FEEDBACK_MIN_REMOVALS - 1):
        _stockpiling_tags(
            tag_factory, FieldReportFactory(author=contributor), struck_out_by=analyst
        )
    assert feedback_overrides(default_taxonomy()) == {}


def test_database_refuses_an_automatic_tag_marked_removed(contributor, tag_factory):
    report = FieldReportFactory(author=contributor)
    with transaction.atomic(), pytest.raises(IntegrityError):
        tag_factory(contribution=report, source="auto", removed=True)
    tag_factory(contribution=report, source="analyst", removed=True, score=None)
    assert ContributionTag.objects.filter(contribution=report).count() == 1


def test_near_duplicates_share_a_cluster_and_corroboration_counts_organisations(
    contributor, other_contributor, analyst, django_capture_on_commit_callbacks
):
    first = submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
    reworded = {**GALLIUM, "summary": GALLIUM["summary"].replace("added", "has added")}
    second = submitted_report(other_contributor, django_capture_on_commit_callbacks, **reworded)
    repeat = submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
    unrelated = submitted_report(other_contributor, django_capture_on_commit_callbacks, **SHIPYARD)

    clusters = dict(ContributionFingerprint.objects.values_list("contribution_id", "cluster_id"))
    assert clusters[first.pk] is not None
    assert clusters[first.pk] == clusters[second.pk] == clusters[repeat.pk]
    assert clusters[unrelated.pk] is None

    for report in (first, second, repeat):
        services.report_start_review(contribution=report, analyst=analyst)
        services.report_accept(contribution=report, analyst=analyst)
    assert cluster_corroboration(cluster_ids=[clusters[first.pk]]) == {clusters[first.pk]: 2}

    view = cluster_for_review(contribution=repeat)
    flags = {member.contribution.pk: member.is_repeat for member in view.members}
    assert flags == {first.pk: False, second.pk: False, repeat.pk: True}
    assert view.corroboration == 2


def test_a_report_rewritten_away_from_its_duplicate_leaves_the_cluster(
    contributor, other_contributor, analyst, django_capture_on_commit_callbacks
):
    first = submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
    second = submitted_report(other_contributor, django_capture_on_commit_callbacks, **GALLIUM)
    assert ContributionFingerprint.objects.get(contribution=second).cluster_id is not None

    services.report_start_review(contribution=second, analyst=analyst)
    services.report_request_changes(contribution=second, analyst=analyst, reason="Rewrite it.")
    services.report_update(report=second.detail, actor=other_contributor, **SHIPYARD)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_resubmit(contribution=second, actor=other_contributor)

    fingerprints = ContributionFingerprint.objects.filter(contribution__in=[first, second])
    assert set(fingerprints.values_list("cluster_id", flat=True)) == {None}


def test_suspended_member_submission_is_not_tagged(contributor, django_capture_on_commit_callbacks):
    report = submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
    services.report_withdraw(contribution=report, actor=contributor)
    assert report.status == Status.WITHDRAWN
    assert contribution_tag(contribution_id=report.pk) is False


# --- Review page: tags, corrections, cluster ------------------------------------


@pytest.fixture
def tagged(contributor, django_capture_on_commit_callbacks):
    return submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)


def test_review_page_shows_tags_with_evidence(client_for, analyst, tagged):
    response = client_for(analyst).get(reverse("intel:review_detail", args=[tagged.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="tag-signal-export-control"' in content
    assert "<mark>" in content


def tag_post(client, report, **data):
    return client.post(reverse("intel:review_tag_correct", args=[report.pk]), data)


def test_tag_correction_refuses_anonymous(anonymous, tagged):
    response = tag_post(anonymous, tagged, action="add", kind="signal", slug="tariff")
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("persona", ["contributor", "other_contributor", "newcomer"])
def test_tag_correction_refuses_non_analysts(client_for, request, persona, tagged):
    user = request.getfixturevalue(persona)
    response = tag_post(client_for(user), tagged, action="add", kind="signal", slug="tariff")
    assert response.status_code == 403
    assert not tagged.signal_rows.filter(signal="tariff").exists()


def test_tag_correction_sends_analyst_without_mfa_to_enrol(client_for, analyst_without_mfa, tagged):
    response = tag_post(
        client_for(analyst_without_mfa), tagged, action="add", kind="signal", slug="tariff"
    )
    assert response.status_code == 302
    assert reverse("mfa_activate_totp") in response["Location"]


def test_tag_correction_by_analyst(client_for, analyst, tagged):
    client = client_for(analyst)
    response = tag_post(client, tagged, action="add", kind="signal", slug="tariff")
    assert response.status_code == 302
    assert tagged.signal_rows.filter(signal="tariff").exists()
    # A mistake re-renders the page with what was typed and why (no redirect, no lost input).
    response = tag_post(client, tagged, action="add", kind="signal", slug="not-a-signal")
    assert response.status_code == 400
    content = response.content.decode()
    assert "No Signal is called “not-a-signal”" in content
    assert 'value="not-a-signal"' in content


def test_review_page_shows_cluster_with_repeat_flag(
    client_for, analyst, contributor, tagged, django_capture_on_commit_callbacks
):
    submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
    content = (
        client_for(analyst).get(reverse("intel:review_detail", args=[tagged.pk])).content.decode()
    )
    assert 'data-testid="cluster"' in content
    assert "repeat from the same source" in content


def test_cluster_hides_anonymous_authors(
    client_for, analyst, tagged, django_capture_on_commit_callbacks
):
    hidden = UserFactory(email="hidden.person@test.example", display_name="Hidden Person")
    MembershipFactory(user=hidden, organisation="Secret Works")
    submitted_report(hidden, django_capture_on_commit_callbacks, attribution="anonymous", **GALLIUM)
    content = (
        client_for(analyst).get(reverse("intel:review_detail", args=[tagged.pk])).content.decode()
    )
    assert "Anonymous contributor" in content
    assert "Hidden Person" not in content
    assert "Secret Works" not in content
