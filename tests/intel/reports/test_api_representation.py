"""The author's API lists and details give exactly what DRF's own serialisation gave.

`intel.reports.api.representation` replaces DRF's per-field walk and the
prefetched rows with a plan of the same fields and rows read per page; here
both paths serialise the same varied reports (named, organisation-only,
anonymous, Japanese, a draft, a case study, attachments, requirement
answers, a revision not yet resubmitted) and must agree key by key, in order.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from intel.models import CaseStudy, FieldReport, RequirementAnswer
from intel.reports import selectors, services
from intel.reports.api.serializers import CaseStudySerializer, FieldReportSerializer
from tests.intel.factories import CaseStudyFactory, FieldReportFactory, RequirementFactory
from tests.intel.helpers import review, submit
from tests.intel.reports.test_filetypes import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied(contributor, analyst, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    requirement = RequirementFactory(created_by=analyst, sector="semiconductors")
    named = submit(FieldReportFactory(author=contributor, attribution="named"), contributor)
    FieldReportFactory(author=contributor, attribution="anonymous", title="", sectors=[])
    organisation = FieldReportFactory(
        author=contributor,
        title="ガリウムの輸出許可が遅れている",
        summary="三社の代理店が報告。",
        body="申請が止まっている。",
        signals=["export-control", "supply-disruption"],
        countries=["JP", "CN", "US"],
        evidence_links=["https://example.org/notice", "https://example.org/second"],
    )
    for name in ("notice.pdf", "annex.pdf"):
        services.attachment_add(
            contribution=organisation,
            actor=contributor,
            uploaded=SimpleUploadedFile(name, PDF),
        )
    RequirementAnswer.objects.create(requirement=requirement, contribution=organisation)
    anonymous = submit(
        FieldReportFactory(author=contributor, attribution="anonymous", tlp="amber"), contributor
    )
    services.report_request_changes(
        contribution=review(anonymous, analyst), analyst=analyst, reason="Which port, when?"
    )
    services.contribution_save(
        author=contributor,
        kind="report",
        contribution=anonymous,
        title="Revised: held at Dalian",
        sectors=["semiconductors", "critical-minerals"],
        countries=["CN"],
        requirement_ids=[requirement.pk],
    )
    case = CaseStudyFactory(author=contributor, attribution="anonymous", countries=["UA", "PL"])
    RequirementAnswer.objects.create(requirement=requirement, contribution=case)
    submit(case, contributor)
    CaseStudyFactory(author=contributor, company_size="", context="")
    return named


def _drf(serializer_class, model, user):
    """DRF's own serialisation of the author's list, from prefetched rows as before."""
    queryset = selectors.contributions_of_author(user=user, model=model).prefetch_related(
        "attachments", "answer_rows"
    )
    serializer = serializer_class()
    return [
        serializers.Serializer.to_representation(serializer, selectors.as_author_sees(item))
        for item in queryset
    ]


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "UTC"])
@pytest.mark.parametrize(
    ("url_name", "serializer_class", "model"),
    [
        ("api-report", FieldReportSerializer, FieldReport),
        ("api-case-study", CaseStudySerializer, CaseStudy),
    ],
)
def test_list_and_detail_match_drf_serialisation(
    client_for, contributor, varied, zone, url_name, serializer_class, model
):
    client = client_for(contributor)
    with timezone.override(zone):
        expected = _drf(serializer_class, model, contributor)
        listed = client.get(reverse(f"{url_name}-list"), {"page_size": 100}).json()
        details = [
            client.get(reverse(f"{url_name}-detail", args=[item["id"]])).json() for item in expected
        ]
    assert len(expected) >= 2 and listed["count"] == len(expected)
    # json.dumps keeps the keys' order, so this compares order as well as values.
    assert json.dumps(listed["results"]) == json.dumps(expected)
    assert json.dumps(details) == json.dumps(expected)


def test_the_varied_reports_cover_what_the_representation_reads(client_for, contributor, varied):
    results = client_for(contributor).get(reverse("api-report-list")).json()["results"]
    by_title = {item["title"]: item for item in results}
    revised = by_title["Revised: held at Dalian"]
    # The author sees their revision's lists, not the submitted rows.
    assert revised["sectors"] == ["semiconductors", "critical-minerals"]  # as the author gave
    assert revised["countries"] == ["CN"] and revised["requirements"]
    organisation = by_title["ガリウムの輸出許可が遅れている"]
    assert [item["name"] for item in organisation["attachments"]] == ["notice.pdf", "annex.pdf"]
    # In the order the database gives the rows, as before (the test above compares it).
    assert sorted(organisation["countries"]) == ["CN", "JP", "US"] and organisation["requirements"]
    assert {item["attribution"] for item in results} == {"named", "organisation", "anonymous"}
    assert {item["status"] for item in results} >= {"draft", "submitted", "changes-requested"}
