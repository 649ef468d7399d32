"""Anonymity holds where analysts compare reports: clusters, corroboration, digests, the admin.

Each test builds the same situation twice, once with the anonymous report
written by the named sibling's own author (or organisation) and once by a
stranger, and asserts that what analysts see is the same both times.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from intel import digest_queries, services
from intel.models import Contribution, ContributionFingerprint, DuplicateCluster
from intel.selectors_tagging import cluster_corroboration, cluster_for_review
from tests.accounts.factories import MembershipFactory, UserFactory

from .conftest import submit
from .digest_data import SECTOR, WEEK, accepted, days, jst
from .factories import FieldReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(db):
    user = UserFactory(email="stranger@test.example", display_name="Sam Stranger")
    MembershipFactory(user=user, organisation="Stranger Labs")
    return user


def clustered(*reports):
    cluster = DuplicateCluster.objects.create()
    for report in reports:
        ContributionFingerprint.objects.create(
            contribution=report, signature=b"", cluster=cluster, similarity=0.9
        )
    return cluster


def accept(report, analyst):
    services.report_start_review(contribution=report, analyst=analyst)
    services.report_accept(contribution=report, analyst=analyst)


def cluster_seen_by_analysts(contribution):
    view = cluster_for_review(contribution=contribution)
    return view.corroboration, [
        (member.contribution.attribution_label, member.is_repeat) for member in view.members
    ]


def test_an_anonymous_repeat_of_a_named_report_is_not_flagged(contributor, analyst):
    named = submit(FieldReportFactory(author=contributor, attribution="named"), contributor)
    anonymous = submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)
    clustered(named, anonymous)
    accept(named, analyst)
    accept(anonymous, analyst)

    view = cluster_for_review(contribution=anonymous)
    assert {member.contribution.pk: member.is_repeat for member in view.members} == {
        named.pk: False,
        anonymous.pk: False,
    }
    assert view.corroboration == 1


def test_an_anonymous_report_submitted_first_never_flags_its_named_sibling(contributor):
    anonymous = submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)
    named = submit(FieldReportFactory(author=contributor, attribution="named"), contributor)
    clustered(anonymous, named)

    view = cluster_for_review(contribution=named)
    assert not any(member.is_repeat for member in view.members)


@pytest.mark.parametrize("writer", ["same_member", "same_organisation", "stranger"])
def test_the_cluster_of_two_looks_the_same_whoever_wrote_the_anonymous_report(
    writer, contributor, stranger, analyst
):
    colleague = UserFactory(email="colleague@test.example")
    MembershipFactory(user=colleague, organisation="Institute A")
    author = {"same_member": contributor, "same_organisation": colleague, "stranger": stranger}
    named = submit(FieldReportFactory(author=contributor, attribution="named"), contributor)
    hidden = author[writer]
    anonymous = submit(FieldReportFactory(author=hidden, attribution="anonymous"), hidden)
    clustered(named, anonymous)
    accept(named, analyst)
    accept(anonymous, analyst)

    named_label = named.attribution_label
    expected = (1, [(named_label, False), ("Anonymous contributor", False)])
    assert cluster_seen_by_analysts(named) == expected
    assert cluster_seen_by_analysts(anonymous) == expected


def test_anonymous_members_neither_raise_nor_lower_corroboration(
    contributor, other_contributor, stranger, analyst
):
    first = submit(FieldReportFactory(author=contributor), contributor)
    second = submit(FieldReportFactory(author=other_contributor), other_contributor)
    cluster = clustered(first, second)
    accept(first, analyst)
    accept(second, analyst)
    assert cluster_corroboration(cluster_ids=[cluster.pk]) == {cluster.pk: 2}

    for author in (stranger, contributor):
        report = submit(FieldReportFactory(author=author, attribution="anonymous"), author)
        ContributionFingerprint.objects.create(contribution=report, signature=b"", cluster=cluster)
        accept(report, analyst)
        assert cluster_corroboration(cluster_ids=[cluster.pk]) == {cluster.pk: 2}


def test_review_page_shows_no_same_source_flag_for_anonymous_members(
    client_for, contributor, analyst
):
    named = submit(FieldReportFactory(author=contributor, attribution="named"), contributor)
    anonymous = submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)
    clustered(named, anonymous)
    client = client_for(analyst)
    for report in (named, anonymous):
        content = client.get(reverse("intel:review_detail", args=[report.pk])).content.decode()
        assert "repeat from the same source" not in content
        assert "not counted: anonymous reports are never compared" in content


# --- The weekly digests use the same rule ------------------------------------------------


def _digest_cluster_item(cluster):
    _history, week_ids = digest_queries._id_ranges(WEEK)
    items = digest_queries._items(WEEK, [SECTOR], week_ids=week_ids)[SECTOR]
    [item] = [item for item in items if item.key == f"c{cluster.pk}"]
    return item


@pytest.mark.parametrize("writer", ["same_member", "stranger"])
def test_digest_corroboration_ignores_anonymous_members_and_matches_the_review_page(
    writer, contributor, stranger
):
    monday = WEEK
    cluster = DuplicateCluster.objects.create()
    accepted(contributor, at=jst(monday + days(1)), organisation="Institute A", cluster=cluster)
    hidden = contributor if writer == "same_member" else stranger
    anonymous = accepted(
        hidden, at=jst(monday + days(2)), organisation="Stranger Labs", cluster=cluster
    )
    Contribution.objects.filter(pk=anonymous.pk).update(attribution="anonymous")

    item = _digest_cluster_item(cluster)
    assert item.data["corroboration"] == 1
    assert item.data["member_count"] == 2
    assert cluster_corroboration(cluster_ids=[cluster.pk]) == {cluster.pk: 1}


def test_a_digest_item_of_anonymous_reports_only_counts_one_source(contributor, stranger):
    cluster = DuplicateCluster.objects.create()
    for author in (contributor, stranger):
        report = accepted(author, at=jst(WEEK + days(1)), cluster=cluster)
        Contribution.objects.filter(pk=report.pk).update(attribution="anonymous")

    item = _digest_cluster_item(cluster)
    assert item.data["corroboration"] == 1
    assert item.data["components"]["corroboration"] == 0.0
    assert cluster_corroboration(cluster_ids=[cluster.pk]) == {cluster.pk: 0}


# --- The admin ---------------------------------------------------------------------------


AUTHOR_LOOKUPS = ["author", "author__exact", "author_id", "author__id", "author__pk",
                  "author__id__exact", "author__in", "author__id__lte", "author__email",
                  "fieldreport__author", "comments__author", "attachments__uploaded_by",
                  "approvals__contribution__author"]  # fmt: skip


@pytest.mark.parametrize("lookup", AUTHOR_LOOKUPS)
def test_admin_contribution_list_cannot_be_filtered_by_author(
    lookup, client_for, admin_user, contributor
):
    submit(
        FieldReportFactory(author=contributor, attribution="anonymous", title="Hidden source"),
        contributor,
    )
    value = contributor.email if lookup.endswith("email") else str(contributor.pk)
    response = client_for(admin_user).get(
        reverse("admin:intel_contribution_changelist"), {lookup: value}
    )
    assert response.status_code == 400
    assert "Hidden source" not in response.content.decode()


def test_admin_contribution_pages_never_name_an_anonymous_author(
    client_for, admin_user, contributor
):
    contributor.display_name = "Hanako Yamada"
    contributor.save()
    report = submit(
        FieldReportFactory(author=contributor, attribution="anonymous", title="Hidden source"),
        contributor,
    )
    client = client_for(admin_user)
    listing = client.get(reverse("admin:intel_contribution_changelist"))
    searched = client.get(reverse("admin:intel_contribution_changelist"), {"q": contributor.email})
    change = client.get(reverse("admin:intel_contribution_change", args=[report.pk]))
    assert "Hidden source" in listing.content.decode()
    assert searched.status_code == 200
    assert "Hidden source" not in searched.content.decode()  # search is by title only
    for response in (listing, change):
        content = response.content.decode()
        assert response.status_code == 200
        assert "Hanako Yamada" not in content and contributor.email not in content
        assert "Institute A" not in content
        assert f"/admin/accounts/user/{contributor.pk}/" not in content


# --- What is stored and when attribution may change ------------------------------------


def test_an_anonymous_submission_keeps_no_organisation_snapshot(contributor):
    anonymous = submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)
    named = submit(FieldReportFactory(author=contributor, attribution="named"), contributor)
    assert Contribution.objects.get(pk=anonymous.pk).organisation == ""
    assert Contribution.objects.get(pk=named.pk).organisation == "Institute A"
    assert Contribution.objects.get(pk=anonymous.pk).source_grade == "C"


def _sent_back(report, author, analyst):
    submit(report, author)
    services.report_start_review(contribution=report, analyst=analyst)
    services.report_request_changes(contribution=report, analyst=analyst, reason="Add the dates.")
    return report


def test_a_report_analysts_saw_with_a_name_cannot_turn_anonymous(client_for, contributor, analyst):
    from django.core.exceptions import ValidationError

    report = _sent_back(FieldReportFactory(author=contributor, attribution="named"), contributor,
                        analyst)  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        services.report_update(report=report, actor=contributor, attribution="anonymous")
    assert "attribution" in excinfo.value.message_dict
    response = client_for(contributor).patch(
        reverse("api-report-detail", args=[report.pk]),
        '{"attribution": "anonymous"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "attribution" in response.json()
    services.report_resubmit(contribution=report, actor=contributor)
    assert Contribution.objects.get(pk=report.pk).attribution == "named"


def test_attribution_is_free_in_a_draft_and_may_always_become_named(contributor, analyst):
    draft = FieldReportFactory(author=contributor, attribution="named")
    services.report_update(report=draft, actor=contributor, attribution="anonymous")
    assert Contribution.objects.get(pk=draft.pk).attribution == "anonymous"

    hidden = _sent_back(FieldReportFactory(author=contributor, attribution="anonymous"),
                        contributor, analyst)  # fmt: skip
    assert Contribution.objects.get(pk=hidden.pk).organisation == ""
    services.report_update(report=hidden, actor=contributor, attribution="organisation")
    services.report_resubmit(contribution=hidden, actor=contributor)
    row = Contribution.objects.get(pk=hidden.pk)
    assert (row.attribution, row.organisation) == ("organisation", "Institute A")


@pytest.mark.parametrize(
    "lookup", ["contributions__author", "answers__contribution__author", "contributions__author_id"]
)
def test_admin_requirement_list_cannot_be_narrowed_to_one_members_answers(
    lookup, client_for, admin_user, analyst, contributor
):
    response = client_for(admin_user).get(
        reverse("admin:intel_intelligencerequirement_changelist"), {lookup: str(contributor.pk)}
    )
    assert response.status_code == 400
