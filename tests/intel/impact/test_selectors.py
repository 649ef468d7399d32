"""What the impact page and the track record count: corroboration, contradictions, citations."""

from __future__ import annotations

import datetime

import pytest

from accounts.selectors import member_track_record
from intel.impact import selectors, services
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.intel.briefings.factories import BriefingWeekFactory
from tests.intel.digests.factories import DigestFactory, DigestItemFactory
from tests.intel.factories import RequirementFactory

pytestmark = pytest.mark.django_db


def cite(digest, *reports, cluster=None):
    """A digest item standing for `reports` (a cluster's, or one report's)."""
    key = f"c{cluster.pk}" if cluster else f"r{reports[0].pk}"
    return DigestItemFactory(
        digest=digest,
        key=key,
        data={"title": reports[0].title, "members": [{"id": r.pk} for r in reports]},
    )


def test_corroboration_counts_independent_organisations_only(
    decide, cluster_of, contributor, other_contributor, stranger
):
    mine = decide(contributor)
    colleague = UserFactory(email="colleague@test.example")
    MembershipFactory(user=colleague, organisation="institute a ")  # my organisation again
    cluster_of(mine, decide(colleague), decide(other_contributor), decide(stranger))

    [impact] = selectors.impact_of(user=contributor)
    assert impact.corroborated_by == 2  # Company B and Stranger Labs, not my colleague
    assert member_track_record(user=contributor)["corroborated"] == 1


def test_a_cluster_of_my_own_reports_is_no_corroboration(decide, cluster_of, contributor):
    first, second = decide(contributor), decide(contributor)
    cluster_of(first, second)
    assert member_track_record(user=contributor)["corroborated"] == 0
    assert [i.corroborated_by for i in selectors.impact_of(user=contributor)] == [0, 0]


def test_rejected_and_anonymous_siblings_do_not_corroborate(
    decide, cluster_of, contributor, other_contributor, stranger
):
    mine = decide(contributor)
    cluster_of(
        mine, decide(other_contributor, "rejected"), decide(stranger, attribution="anonymous")
    )
    assert member_track_record(user=contributor)["corroborated"] == 0


def test_contradicted_counts_only_attributed_accepted_reports(decide, contributor, analyst):
    named, anonymous = decide(contributor), decide(contributor, attribution="anonymous")
    for report in (named, anonymous):
        services.contradiction_mark(contribution=report, analyst=analyst, reason="Denied later.")
    assert member_track_record(user=contributor)["contradicted"] == 1
    assert member_track_record(user=contributor, include_anonymous=True)["contradicted"] == 2


def test_impact_lists_citations_briefings_requirements_and_notes(
    decide, cluster_of, contributor, other_contributor, analyst
):
    sector = contributor.membership.sectors[0]
    requirement = RequirementFactory(created_by=analyst, sector=sector)
    mine = decide(contributor, sectors=[sector], requirement_ids=[requirement.pk])
    single = decide(contributor)
    theirs = decide(other_contributor)
    cluster = cluster_of(mine, theirs)
    briefed = DigestFactory(sector="critical-minerals", items=[])
    cite(briefed, theirs, mine, cluster=cluster)
    BriefingWeekFactory(week_start=briefed.week_start)
    later_week = briefed.week_start + datetime.timedelta(days=7)
    not_briefed = DigestFactory(sector="semiconductors", week_start=later_week, items=[])
    cite(not_briefed, single)
    draft = DigestFactory(sector="energy", published=False, items=[])
    cite(draft, single)
    services.acknowledgement_send(
        contribution=mine, analyst=analyst, kind="thanks", message="This shaped our brief."
    )

    impacts = {i.contribution.pk: i for i in selectors.impact_of(user=contributor)}
    assert [(c.digest.pk, c.briefed) for c in impacts[mine.pk].citations] == [(briefed.pk, True)]
    assert impacts[mine.pk].briefings == [briefed.week_start]
    assert [(c.digest.pk, c.briefed) for c in impacts[single.pk].citations] == [
        (not_briefed.pk, False)
    ]
    assert impacts[mine.pk].requirements == [requirement]
    assert impacts[mine.pk].corroborated_by == 1
    assert [n.message for n in impacts[mine.pk].acknowledgements] == ["This shaped our brief."]
    assert impacts[mine.pk].contribution.feedback == "Useful, thank you."


def test_a_cluster_item_built_before_my_report_does_not_cite_it(
    decide, cluster_of, contributor, other_contributor
):
    mine, theirs = decide(contributor), decide(other_contributor)
    cluster = cluster_of(mine, theirs)
    cite(DigestFactory(items=[]), theirs, cluster=cluster)
    [impact] = selectors.impact_of(user=contributor)
    assert impact.citations == []


def test_my_anonymous_reports_appear_in_my_own_impact(decide, contributor, other_contributor):
    anonymous = decide(contributor, attribution="anonymous")
    decide(other_contributor)
    assert [i.contribution.pk for i in selectors.impact_of(user=contributor)] == [anonymous.pk]
    assert member_track_record(user=contributor)["accepted"] == 0


def test_impact_page_reads_a_fixed_number_of_queries(
    decide, contributor, django_assert_max_num_queries
):
    for _ in range(6):
        decide(contributor)
    with django_assert_max_num_queries(10):
        assert len(selectors.impact_of(user=contributor)) == 6
