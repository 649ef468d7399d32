"""List pages and API lists cost a fixed number of queries, whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intel.models import RequirementAnswer
from intel.reports import services
from tests.intel.factories import CaseStudyFactory, FieldReportFactory, RequirementFactory
from tests.intel.helpers import submit

pytestmark = pytest.mark.django_db


def _make(contributor, analyst, count):
    for index in range(count):
        factory = CaseStudyFactory if index % 3 == 0 else FieldReportFactory
        attribution = ["named", "organisation", "anonymous"][index % 3]
        item = factory(
            author=contributor,
            attribution=attribution,
            title=f"Gallium item {index}",
            sectors=["critical-minerals", "semiconductors"],
            countries=["CN", "JP"],
        )
        submit(item, contributor)
        services.comment_add(contribution=item, author=analyst, body="Which port?")
        requirement = RequirementFactory(created_by=analyst, sector="semiconductors")
        RequirementAnswer.objects.create(requirement=requirement, contribution=item)


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


# Pinned counts include the session, user, MFA and membership look-ups of each request.
URLS = [
    ("contributor", reverse("intel:dashboard"), 10),
    # One more on the queue: the analysts a bulk assignment can name.
    ("analyst", reverse("intel:review_queue"), 10),
    # Search also lists the analyst's saved searches.
    ("analyst", reverse("intel:search"), 10),
    ("analyst", reverse("intel:search") + "?q=gallium", 10),
    ("analyst", reverse("intel:requirement_list") + "?status=all", 6),
    ("contributor", reverse("api-report-list") + "?page_size=100", 10),
    ("contributor", reverse("api-case-study-list") + "?page_size=100", 10),
    ("analyst", reverse("api-review-list") + "?page_size=100", 11),
    ("analyst", reverse("api-review-list") + "?q=gallium&page_size=100", 11),
    ("analyst", reverse("api-requirement-list") + "?page_size=100", 7),
]


@pytest.mark.parametrize(("persona", "url", "limit"), URLS)
def test_list_query_count_does_not_grow_with_page_size(
    request, client_for, contributor, analyst, persona, url, limit
):
    client = client_for(request.getfixturevalue(persona))
    _make(contributor, analyst, 5)
    few = _queries(client, url)
    _make(contributor, analyst, 25)
    many = _queries(client, url)
    assert few == many, f"{url}: {few} queries for 5 items, {many} for 30"
    assert many <= limit, f"{url}: {many} queries (pinned at {limit})"
