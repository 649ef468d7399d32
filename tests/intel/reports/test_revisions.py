"""Changes requested: analysts see the submitted revision until the author resubmits.

The author revises in their own time (web form or API PATCH); what they save
is theirs until they resubmit, so the review page, the review API, search,
filters and attachments keep showing what was submitted.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from intel.models import Contribution, ContributionEdit
from intel.reports import services
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review, submit
from tests.intel.reports.test_filetypes import PDF

pytestmark = pytest.mark.django_db

SUBMITTED = {
    "title": "Neon shipments held at a port",
    "summary": "Two neon shipments were held for inspection.",
    "body": "Our broker says both containers are waiting for paperwork.",
}
REVISED = {
    "title": "Neon shipments held at Dalian",
    "summary": "Unfinished: still checking the dates with the broker.",
}


@pytest.fixture
def sent_back(contributor, analyst):
    report = review(
        submit(FieldReportFactory(author=contributor, **SUBMITTED), contributor), analyst
    )
    services.report_request_changes(
        contribution=report, analyst=analyst, reason="Please name the port and the dates."
    )
    return report


def revise_by_form(client, report, **overrides):
    data = {
        **SUBMITTED,
        **REVISED,
        "sectors": ["semiconductors"],
        "signals": ["supply-disruption"],
        "countries": "CN",
        "supply_chain_stage": "logistics",
        "date_observed": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "information_credibility": "3",
        "evidence_links": "",
        "tlp": "green",
        "attribution": "organisation",
        "language": "",
        "action": "save",
        **overrides,
    }
    return client.post(reverse("intel:contribution_edit", args=[report.pk]), data)


def test_a_revision_is_kept_apart_from_the_submitted_report(sent_back, contributor):
    services.report_update(report=sent_back.detail, actor=contributor, **REVISED, sectors=["ai"])
    row = Contribution.objects.get(pk=sent_back.pk)
    assert (row.title, row.detail.summary, row.sectors) == (
        SUBMITTED["title"], SUBMITTED["summary"], ["critical-minerals"],
    )  # fmt: skip
    assert ContributionEdit.objects.get(contribution=sent_back).changes == {
        **REVISED, "sectors": ["ai"],
    }  # fmt: skip

    services.report_resubmit(contribution=sent_back, actor=contributor)
    row = Contribution.objects.get(pk=sent_back.pk)
    assert (row.title, row.detail.summary, row.sectors, row.revision) == (
        REVISED["title"], REVISED["summary"], ["ai"], 2,
    )  # fmt: skip
    assert not ContributionEdit.objects.exists()


def test_undoing_a_revision_leaves_nothing_pending(sent_back, contributor):
    services.report_update(report=sent_back.detail, actor=contributor, title="Changed my mind")
    services.report_update(report=sent_back.detail, actor=contributor, title=SUBMITTED["title"])
    assert not ContributionEdit.objects.exists()


def test_a_bad_revision_is_refused_and_the_previous_one_kept(sent_back, contributor):
    from django.core.exceptions import ValidationError

    services.report_update(report=sent_back.detail, actor=contributor, title="Second draft")
    with pytest.raises(ValidationError):
        services.report_update(report=sent_back.detail, actor=contributor, sectors=["nope"])
    assert ContributionEdit.objects.get().changes == {"title": "Second draft"}


def test_review_page_and_search_show_the_submitted_revision_until_resubmission(
    client_for, sent_back, contributor, analyst
):
    author, reviewer = client_for(contributor), client_for(analyst)
    assert revise_by_form(author, sent_back).status_code == 302

    seen = [
        reviewer.get(reverse("intel:review_detail", args=[sent_back.pk])),
        reviewer.get(reverse("intel:review_queue"), {"status": "changes-requested"}),
        reviewer.get(reverse("intel:search"), {"q": "neon"}),
    ]
    for response in seen:
        # Search marks its hits in the title.
        content = response.content.decode().replace("<mark>", "").replace("</mark>", "")
        assert SUBMITTED["title"] in content
        assert "Dalian" not in content and "Unfinished" not in content
    assert SUBMITTED["summary"] in seen[0].content.decode()
    assert "0 results" in reviewer.get(reverse("intel:search"), {"q": "Dalian"}).content.decode()
    by_sector = reviewer.get(reverse("intel:search"), {"sector": "semiconductors"})
    assert SUBMITTED["title"] not in by_sector.content.decode()

    own = author.get(reverse("intel:contribution_detail", args=[sent_back.pk])).content.decode()
    assert REVISED["title"] in own and REVISED["summary"] in own
    assert "Analysts see the version you submitted until you resubmit." in own
    form = author.get(reverse("intel:contribution_edit", args=[sent_back.pk])).content.decode()
    assert REVISED["summary"] in form

    author.post(reverse("intel:contribution_submit", args=[sent_back.pk]))
    content = reviewer.get(reverse("intel:review_detail", args=[sent_back.pk])).content.decode()
    assert REVISED["title"] in content and REVISED["summary"] in content
    assert "1 result" in reviewer.get(reverse("intel:search"), {"q": "Dalian"}).content.decode()


def test_review_api_shows_the_submitted_revision_until_resubmission(
    client_for, sent_back, contributor, analyst
):
    author, reviewer = client_for(contributor), client_for(analyst)
    own_url = reverse("api-report-detail", args=[sent_back.pk])
    patched = author.patch(
        own_url, json.dumps({"title": REVISED["title"], "sectors": ["energy"]}),
        content_type="application/json",
    )  # fmt: skip
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["title"], patched.json()["sectors"]) == (REVISED["title"], ["energy"])
    assert author.get(own_url).json()["title"] == REVISED["title"]
    listed = author.get(reverse("api-report-list")).json()["results"]
    assert [item["title"] for item in listed] == [REVISED["title"]]

    review_url = reverse("api-review-detail", args=[sent_back.pk])
    detail = reviewer.get(review_url).json()
    assert (detail["title"], detail["sectors"]) == (SUBMITTED["title"], ["critical-minerals"])
    assert reviewer.get(reverse("api-review-list"), {"q": "Dalian"}).json()["count"] == 0
    assert reviewer.get(reverse("api-review-list"), {"sector": "energy"}).json()["count"] == 0

    resubmitted = author.post(reverse("api-report-submit", args=[sent_back.pk]))
    assert resubmitted.json()["status"] == "submitted"
    detail = reviewer.get(review_url).json()
    assert (detail["title"], detail["sectors"], detail["revision"]) == (
        REVISED["title"], ["energy"], 2,
    )  # fmt: skip


def test_files_attached_to_a_revision_reach_analysts_with_it(
    client_for, sent_back, contributor, analyst, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    services.attachment_add(
        contribution=sent_back,
        actor=contributor,
        uploaded=SimpleUploadedFile("revised-notice.pdf", PDF),
    )
    reviewer = client_for(analyst)
    page = reviewer.get(reverse("intel:review_detail", args=[sent_back.pk])).content.decode()
    api = reviewer.get(reverse("api-review-detail", args=[sent_back.pk])).json()
    assert "revised-notice.pdf" not in page
    assert api["attachments"] == []
    services.report_resubmit(contribution=sent_back, actor=contributor)
    page = reviewer.get(reverse("intel:review_detail", args=[sent_back.pk])).content.decode()
    assert "revised-notice.pdf" in page
    api = reviewer.get(reverse("api-review-detail", args=[sent_back.pk])).json()
    assert [item["name"] for item in api["attachments"]] == ["revised-notice.pdf"]


def test_a_case_study_revision_waits_for_resubmission_too(client_for, contributor, analyst):
    from tests.intel.factories import CaseStudyFactory

    study = review(submit(CaseStudyFactory(author=contributor), contributor), analyst)
    services.report_request_changes(
        contribution=study, analyst=analyst, reason="Say which supplier it was."
    )
    services.case_study_update(
        case_study=study.detail, actor=contributor, context="Draft: naming the supplier soon.",
        company_size="large",
    )  # fmt: skip
    seen = client_for(analyst).get(reverse("api-review-detail", args=[study.pk])).json()
    assert seen["content"]["context"] == "A parts maker relied on one neon supplier."
    assert seen["content"]["company_size"] == "medium"
    own = client_for(contributor).get(reverse("api-case-study-detail", args=[study.pk])).json()
    assert (own["context"], own["company_size"]) == ("Draft: naming the supplier soon.", "large")
    services.report_resubmit(contribution=study, actor=contributor)
    seen = client_for(analyst).get(reverse("api-review-detail", args=[study.pk])).json()
    assert seen["content"]["context"] == "Draft: naming the supplier soon."


def test_the_authors_lists_show_revisions_at_a_fixed_number_of_queries(
    client_for, contributor, analyst
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def sent_back_and_revised(count):
        for number in range(count):
            report = review(submit(FieldReportFactory(author=contributor), contributor), analyst)
            services.report_request_changes(
                contribution=report, analyst=analyst, reason="Please add the dates."
            )
            services.report_update(report=report, actor=contributor, title=f"Revised {number}")

    client = client_for(contributor)
    counts = []
    for count in (2, 8):
        sent_back_and_revised(count)
        for url in (reverse("intel:dashboard"), reverse("api-report-list") + "?page_size=100"):
            with CaptureQueriesContext(connection) as queries:
                content = client.get(url).content.decode()
            assert "Revised 1" in content
            counts.append(len(queries.captured_queries))
    assert counts[:2] == counts[2:]
