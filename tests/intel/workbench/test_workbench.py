"""The analyst workbench: what waits, who may see it, and a fixed query count."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from intel.reports import services
from intel.workbench.selectors import briefing_status, sector_trends, workbench_for
from tests.accounts.factories import ApplicationFactory
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review, submit

pytestmark = pytest.mark.django_db


def _four_eyes_report(author, analyst):
    report = submit(FieldReportFactory(author=author, tlp="red"), author)
    review(report, analyst)
    services.report_accept(contribution=report, analyst=analyst)
    return report


def test_workbench_counts_and_lists_what_waits(
    analyst, second_analyst, contributor, other_contributor, requirement_factory, digest_factory
):
    old, new = ApplicationFactory(), ApplicationFactory()
    ApplicationFactory(status="approved", decided_at=timezone.now())
    submit(FieldReportFactory(author=contributor), contributor)
    FieldReportFactory(author=contributor)  # a draft waits for nobody
    red = _four_eyes_report(other_contributor, analyst)
    mine = requirement_factory(created_by=analyst, sector="semiconductors")
    theirs = requirement_factory(created_by=second_analyst, sector="semiconductors")
    answer = submit(
        FieldReportFactory(author=contributor, requirement_ids=[mine.pk], title="Answer to mine"),
        contributor,
    )
    submit(
        FieldReportFactory(
            author=contributor, requirement_ids=[theirs.pk], title="Answer to theirs"
        ),
        contributor,
    )
    digest_factory(published=False)
    digest_factory(published=True, sector="batteries")

    workbench = workbench_for(analyst=analyst)

    assert workbench.applications.count == 2
    assert [a.pk for a in workbench.applications.items] == [old.pk, new.pk]
    assert workbench.reviews.count == 4  # three submitted, one in review
    assert [c.pk for c in workbench.second_approvals.items] == [red.pk]
    assert [a.contribution_id for a in workbench.answers.items] == [answer.pk]
    assert workbench.digests.count == 1


def test_second_approval_leaves_the_list_once_a_new_revision_is_due(analyst, contributor):
    report = _four_eyes_report(contributor, analyst)
    assert workbench_for(analyst=analyst).second_approvals.count == 1
    services.report_request_changes(
        contribution=report, analyst=analyst, reason="Name the licensing office please."
    )
    assert workbench_for(analyst=analyst).second_approvals.count == 0


def test_briefing_status_counts_deliveries_of_the_last_full_week(
    briefing_week_factory, delivery_factory
):
    status = briefing_status()
    assert status.started is False
    briefing_week_factory(week_start=status.week_start)
    delivery_factory(week_start=status.week_start, status="sent", sent_at=timezone.now())
    delivery_factory(week_start=status.week_start, status="failed")
    status = briefing_status()
    assert status.started is True
    assert status.counts["sent"] == 1
    assert status.counts["failed"] == 1


def test_workbench_is_the_analysts_home(client_for, analyst, contributor):
    submit(FieldReportFactory(author=contributor, title="Waiting gallium report"), contributor)
    content = client_for(analyst).get(reverse("home")).content.decode()
    assert "Workbench" in content
    assert "Waiting gallium report" in content
    assert reverse("intel:review_queue") in content
    assert reverse("accounts:vetting-queue") in content


def test_workbench_never_names_an_anonymous_author(client_for, analyst, contributor):
    submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)
    content = client_for(analyst).get(reverse("intel:workbench")).content.decode()
    assert contributor.email not in content
    assert "Institute A" not in content


@pytest.mark.parametrize("persona", ["contributor", "other_contributor", "newcomer"])
def test_workbench_refuses_non_analysts(client_for, persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("intel:workbench")).status_code == 403
    # Their home is the welcome page, not the workbench.
    assert "Applications to vet" not in client_for(user).get(reverse("home")).content.decode()


def test_workbench_sends_anonymous_visitors_to_sign_in(anonymous):
    response = anonymous.get(reverse("intel:workbench"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_analyst_without_second_factor_gets_the_welcome_page_not_the_workbench(
    password_only_client_for, analyst
):
    client = password_only_client_for(analyst)
    assert "Applications to vet" not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("intel:workbench")).status_code == 302


def test_workbench_query_count_does_not_grow_with_the_queues(
    client_for, analyst, second_analyst, contributor, requirement_factory,
    django_assert_max_num_queries,
):  # fmt: skip
    client = client_for(analyst)
    requirement = requirement_factory(created_by=analyst, sector="semiconductors")

    def add_work() -> None:
        ApplicationFactory()
        answer = FieldReportFactory(author=contributor, requirement_ids=[requirement.pk])
        submit(answer, contributor)
        red = submit(FieldReportFactory(author=contributor, tlp="red"), contributor)
        review(red, second_analyst)
        services.report_accept(contribution=red, analyst=second_analyst)

    add_work()
    with django_assert_max_num_queries(25) as small:
        assert client.get(reverse("intel:workbench")).status_code == 200
    for _ in range(6):
        add_work()
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("intel:workbench")).status_code == 200


def test_sector_trends_count_accepted_reports_per_week_with_a_sparkline(
    client_for, analyst, second_analyst, contributor
):
    accepted = []
    for sectors in (["semiconductors"], ["semiconductors", "batteries"]):
        report = submit(FieldReportFactory(author=contributor, sectors=sectors), contributor)
        review(report, second_analyst)
        services.report_accept(contribution=report, analyst=second_analyst)
        accepted.append(report)
    # Submitted but not accepted: not counted.
    submit(FieldReportFactory(author=contributor, sectors=["batteries"]), contributor)

    trends = {trend.sector: trend for trend in sector_trends()}
    assert len(trends["semiconductors"].weekly) == 12
    assert trends["semiconductors"].weekly[-1] == 2 and trends["semiconductors"].total == 2
    assert trends["batteries"].total == 1 and trends["space"].total == 0

    page = client_for(analyst).get(reverse("intel:workbench")).content.decode()
    row = page.split('data-testid="trend-semiconductors"')[1].split("</tr>")[0]
    assert 'class="sparkline"' in row and "<polyline" in row
    assert reverse("intel:sector_dashboard", args=["semiconductors"]) in row
    assert "accepted reports per week, last 12 weeks: 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2" in row
