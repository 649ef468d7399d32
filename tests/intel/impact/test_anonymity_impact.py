"""Differencing: anonymous work never moves a figure analysts see of its author.

Snapshot everything an analyst can read about the member — the grade page
(track record, suggested grade and its reasons), the member list, the track
record and the suggestion as the selectors give them — then let the member's
anonymous report be accepted, corroborated by another organisation, cited,
thanked and marked contradicted, and snapshot again: identical. The same
steps with a named report do change the figures, so the snapshot can see them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from accounts.selectors import member_track_record
from intel.impact import selectors, services
from tests.intel.digests.factories import DigestFactory, DigestItemFactory

pytestmark = pytest.mark.django_db

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def analyst_view(client: Any, member: Any) -> dict[str, Any]:
    pages = {
        url: _CSRF.sub(r'\1…"', client.get(url).content.decode())
        for url in (
            reverse("accounts:member-detail", args=[member.membership.pk]),
            reverse("accounts:member-list"),
            f"{reverse('accounts:member-list')}?q={member.email}",
        )
    }
    suggestion = selectors.grade_suggestion(user=member)
    return {
        "pages": pages,
        "track_record": member_track_record(user=member),
        "suggestion": (suggestion.grade, suggestion.reasons),
    }


@pytest.fixture
def record(decide, cluster_of, contributor, stranger):
    """Six accepted named reports, one corroborated by Stranger Labs, one rejected."""
    reports = [decide(contributor) for _ in range(6)]
    cluster_of(reports[0], decide(stranger))
    decide(contributor, "rejected")
    return reports


def corroborated_cited_thanked_contradicted(
    report, *, decide, cluster_of, other_contributor, analyst
) -> None:
    cluster = cluster_of(report, decide(other_contributor))
    DigestItemFactory(
        digest=DigestFactory(items=[]),
        key=f"c{cluster.pk}",
        data={"title": report.title, "members": [{"id": report.pk}]},
    )
    services.acknowledgement_send(
        contribution=report, analyst=analyst, kind="thanks", message="Thank you."
    )
    services.contradiction_mark(contribution=report, analyst=analyst, reason="Denied later.")


def test_an_anonymous_report_accepted_and_corroborated_changes_nothing_analysts_see(
    record, client_for, decide, cluster_of, contributor, other_contributor, analyst
):
    client = client_for(analyst)
    before = analyst_view(client, contributor)
    assert before["suggestion"][0] == "C"

    hidden = decide(contributor, attribution="anonymous")
    corroborated_cited_thanked_contradicted(
        hidden,
        decide=decide,
        cluster_of=cluster_of,
        other_contributor=other_contributor,
        analyst=analyst,
    )

    assert analyst_view(client, contributor) == before
    # The member's own view does count it.
    [mine] = [i for i in selectors.impact_of(user=contributor) if i.contribution.pk == hidden.pk]
    assert (mine.corroborated_by, len(mine.citations), mine.contradiction is not None) == (
        1,
        1,
        True,
    )


def test_the_same_steps_with_a_named_report_do_show(
    record, client_for, decide, cluster_of, contributor, other_contributor, analyst
):
    client = client_for(analyst)
    before = analyst_view(client, contributor)
    named = decide(contributor)
    corroborated_cited_thanked_contradicted(
        named,
        decide=decide,
        cluster_of=cluster_of,
        other_contributor=other_contributor,
        analyst=analyst,
    )
    after = analyst_view(client, contributor)
    assert after["track_record"]["corroborated"] == before["track_record"]["corroborated"] + 1
    assert after["track_record"]["contradicted"] == 1
    assert after["suggestion"] != before["suggestion"]
    detail = reverse("accounts:member-detail", args=[contributor.membership.pk])
    assert after["pages"][detail] != before["pages"][detail]
