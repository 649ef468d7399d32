"""Anonymity holds where analysts compare reports: clusters, corroboration, digests, the admin.

Each test builds the same situation twice, once with the anonymous report
written by the named sibling's own author (or organisation) and once by a
stranger, and asserts that what analysts see is the same both times.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from intel.digests import core as digest_core
from intel.digests import queries as digest_queries
from intel.digests import services as digest_services
from intel.models import Contribution, DigestItem
from intel.reports import services
from intel.tagging.selectors import cluster_corroboration, cluster_for_review
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.intel.digests.data import SECTOR, WEEK, accepted, days, jst
from tests.intel.factories import CaseStudyFactory, FieldReportFactory
from tests.intel.helpers import submit
from tests.intel.tagging.factories import ContributionFingerprintFactory, DuplicateClusterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(db):
    user = UserFactory(email="stranger@test.example", display_name="Sam Stranger")
    MembershipFactory(user=user, organisation="Stranger Labs")
    return user


def clustered(*reports):
    cluster = DuplicateClusterFactory()
    for report in reports:
        ContributionFingerprintFactory(contribution=report, cluster=cluster, similarity=0.9)
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
    contributor, other_contributor, stranger, analyst, fingerprint_factory
):
    first = submit(FieldReportFactory(author=contributor), contributor)
    second = submit(FieldReportFactory(author=other_contributor), other_contributor)
    cluster = clustered(first, second)
    accept(first, analyst)
    accept(second, analyst)
    assert cluster_corroboration(cluster_ids=[cluster.pk]) == {cluster.pk: 2}

    for author in (stranger, contributor):
        report = submit(FieldReportFactory(author=author, attribution="anonymous"), author)
        fingerprint_factory(contribution=report, cluster=cluster)
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
    week_ids = digest_queries._week_ids(WEEK)
    items = digest_queries._items(WEEK, [SECTOR], week_ids=week_ids)[SECTOR]
    [item] = [item for item in items if item.key == f"c{cluster.pk}"]
    return item


@pytest.mark.parametrize("writer", ["same_member", "stranger"])
def test_digest_corroboration_ignores_anonymous_members_and_matches_the_review_page(
    writer, contributor, stranger, cluster_factory
):
    monday = WEEK
    cluster = cluster_factory()
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


def test_a_digest_item_of_anonymous_reports_only_counts_one_source(
    contributor, stranger, cluster_factory
):
    cluster = cluster_factory()
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
    # Enough members share the contributor's grade C in the report's sector to show it.
    members("CCCC")
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


# --- The source grade of an anonymous report is shared by at least K members ----------------


SECTORS = ["critical-minerals"]


def members(grades: str, *, sectors=SECTORS, **options):
    """One active member per letter of `grades`, with expertise in `sectors`."""
    return [MembershipFactory(source_grade=grade, sectors=sectors, **options).user
            for grade in grades]  # fmt: skip


def anonymous_grade(author, sectors=SECTORS) -> str:
    return services.anonymous_source_grade(author=author, sectors=sectors)


def test_the_only_a_in_a_sector_is_shown_as_a_grade_four_others_hold(client_for, analyst):
    [only_a, *_others] = members("ABBBB")
    report = submit(
        FieldReportFactory(author=only_a, attribution="anonymous", title="Hidden A"), only_a
    )
    named = submit(FieldReportFactory(author=only_a, attribution="named"), only_a)

    assert Contribution.objects.get(pk=report.pk).source_grade == "B"
    assert Contribution.objects.get(pk=named.pk).source_grade == "A"  # named: the exact grade
    client = client_for(analyst)
    page = client.get(reverse("intel:review_detail", args=[report.pk])).content.decode()
    assert "B – Usually reliable" in page and "A – Completely reliable" not in page
    by_grade = {
        grade: client.get(reverse("intel:search"), {"source_grade": grade}).content.decode()
        for grade in "AB"
    }
    assert "Hidden A" not in by_grade["A"] and "Hidden A" in by_grade["B"]


@pytest.mark.parametrize(
    ("grades", "shown"),
    [
        ("ABBBB", "BBBBB"),
        # Lowering only until five hold the grade or better would show the one B as B.
        ("AAAAAB", "BBBBBB"),
        ("AACCCDFFFFFF", "CCCCCFFFFFFF"),
        ("AAAAABBBBBC", "AAAAACCCCCC"),
        ("ABC", "FFF"),  # fewer than five candidates in all
    ],
)
def test_every_grade_shown_is_what_at_least_k_candidates_would_show(grades, shown):
    population = members(grades)
    seen = {author.pk: anonymous_grade(author) for author in population}

    assert "".join(seen[author.pk] for author in population) == shown
    for author in population:
        # Never better than the author's own grade…
        assert seen[author.pk] >= author.membership.source_grade
        # …and, by differencing, the author is one of at least K who would show it.
        candidates = [pk for pk, grade in seen.items() if grade == seen[author.pk]]
        assert author.pk in candidates
        assert len(candidates) >= 5 or seen[author.pk] == "F"


def test_only_active_members_sharing_a_sector_of_the_report_are_candidates():
    [only_a, *_others] = members("ABBB")
    members("B", sectors=["energy"])
    members("B", status="suspended")
    [gone] = members("B")
    gone.is_active = False
    gone.save()

    assert anonymous_grade(only_a) == "F"  # four candidates in critical minerals
    assert anonymous_grade(only_a, ["critical-minerals", "energy"]) == "B"


def test_the_author_counts_even_outside_their_own_expertise():
    [author] = members("A", sectors=["energy"])
    members("BBBB")
    assert anonymous_grade(author) == "B"


def test_the_number_of_candidates_is_a_setting(settings):
    [only_a, *_others] = members("AB")
    assert anonymous_grade(only_a) == "F"
    settings.ANONYMOUS_GRADE_K = 2
    assert anonymous_grade(only_a) == "B"
    settings.ANONYMOUS_GRADE_K = 1
    assert anonymous_grade(only_a) == "A"


def test_resubmission_shows_the_grade_of_the_candidates_at_that_time(analyst):
    [only_a, *_others] = members("ABBB")
    report = _sent_back(FieldReportFactory(author=only_a, attribution="anonymous"), only_a, analyst)
    assert Contribution.objects.get(pk=report.pk).source_grade == "F"

    members("B")
    services.report_resubmit(contribution=report, actor=only_a)
    assert Contribution.objects.get(pk=report.pk).source_grade == "B"


def test_a_case_study_follows_the_same_rule():
    [only_a, *_others] = members("ABBBB", sectors=["semiconductors"])
    study = submit(CaseStudyFactory(author=only_a, attribution="anonymous"), only_a)
    assert Contribution.objects.get(pk=study.pk).source_grade == "B"


def test_the_digest_ranks_an_anonymous_report_by_the_grade_it_shows(analyst):
    [only_a, *_others] = members("ABBBB")
    report = submit(FieldReportFactory(author=only_a, attribution="anonymous"), only_a)
    accept(report, analyst)
    today = timezone.now().astimezone(digest_core.TOKYO).date()
    digest_services.digests_build_week(week_start=digest_core.week_start_of(today))

    [item] = [item for item in DigestItem.objects.all() if report.pk in item.contribution_ids]
    assert item.data["source_grade"] == "B"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_report_form_explains_the_anonymous_grade(client_for, contributor, language):
    page = client_for(contributor).get(
        reverse("intel:report_create"), HTTP_ACCEPT_LANGUAGE=language
    )
    content = page.content.decode()
    expected = {"en": "at least 5 active members", "ja": "有効な会員 5 人以上"}[language]
    assert expected in content
