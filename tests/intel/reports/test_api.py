"""The intel API: own reports for contributors, review for analysts, per-field errors."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from intel.reports import services
from tests.accounts.factories import MembershipFactory
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review, submit
from tests.intel.reports.test_filetypes import PDF

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "newcomer", "contributor", "analyst_without_mfa", "analyst"]


@pytest.fixture
def api(request, client_for, anonymous):
    def make(name):
        return anonymous if name == "anonymous" else client_for(request.getfixturevalue(name))

    return make


def payload(**overrides):
    data = {
        "title": "Gallium export licences delayed",
        "summary": "Three distributors report long waits.",
        "body": "Seen in **three** applications.",
        "sectors": ["critical-minerals"],
        "signals": ["export-control"],
        "countries": ["CN", "JP"],
        "supply_chain_stage": "raw-materials",
        "date_observed": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "information_credibility": 2,
        "tlp": "green",
        "attribution": "organisation",
        "evidence_links": ["https://example.org/notice"],
    }
    data.update(overrides)
    return data


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.mark.parametrize(
    ("url_name", "answers"),
    [
        ("api-report-list", [401, 403, 200, 403, 403]),
        ("api-case-study-list", [401, 403, 200, 403, 403]),
        ("api-review-list", [401, 403, 403, 403, 200]),
        ("api-requirement-list", [401, 403, 200, 403, 200]),
    ],
)
@pytest.mark.parametrize("persona_index", range(len(PERSONAS)))
def test_list_permissions(api, url_name, answers, persona_index):
    response = api(PERSONAS[persona_index]).get(reverse(url_name))
    assert response.status_code == answers[persona_index]


def test_contributor_creates_updates_and_submits(client_for, contributor):
    client = client_for(contributor)
    response = post(client, reverse("api-report-list"), payload())
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["status"] == "draft"
    assert report["language"] == "en"
    url = reverse("api-report-detail", args=[report["id"]])
    response = client.patch(url, json.dumps({"title": "Revised"}), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["title"] == "Revised"
    assert response.json()["sectors"] == ["critical-minerals"]
    response = post(client, reverse("api-report-submit", args=[report["id"]]))
    assert response.json()["status"] == "submitted"
    response = client.patch(url, json.dumps({"title": "Late"}), content_type="application/json")
    assert response.status_code == 409


def test_validation_errors_are_per_field(client_for, contributor):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = post(
        client_for(contributor),
        reverse("api-report-list"),
        payload(
            date_observed=future, sectors=["ai", "energy", "space", "quantum"],
            countries=["XX"], evidence_links=["ftp://x"], information_credibility=9,
        ),
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {
        "date_observed", "sectors", "countries", "evidence_links", "information_credibility",
    }  # fmt: skip
    assert "future" in errors["date_observed"][0]


def test_contributor_never_sees_anothers_reports(client_for, contributor, other_contributor):
    report = FieldReportFactory(author=contributor)
    client = client_for(other_contributor)
    assert client.get(reverse("api-report-list")).json()["count"] == 0
    assert client.get(reverse("api-report-detail", args=[report.pk])).status_code == 404
    response = client.patch(
        reverse("api-report-detail", args=[report.pk]),
        json.dumps({"title": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert post(client, reverse("api-report-submit", args=[report.pk])).status_code == 404
    url = reverse("api-report-attachments", args=[report.pk])
    assert client.get(url).status_code == 404


def test_suspended_member_cannot_submit(client_for, contributor):
    report = FieldReportFactory(author=contributor)
    contributor.membership.status = "suspended"
    contributor.membership.save()
    response = post(client_for(contributor), reverse("api-report-submit", args=[report.pk]))
    assert response.status_code == 403


def test_attachment_upload_and_download(
    client_for, contributor, other_contributor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = FieldReportFactory(author=contributor)
    client = client_for(contributor)
    url = reverse("api-report-attachments", args=[report.pk])
    response = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00")})
    assert response.status_code == 400
    assert "file" in response.json()
    response = client.post(url, {"file": SimpleUploadedFile("notice.pdf", PDF)})
    assert response.status_code == 201
    download = response.json()["download_url"]
    got = client.get(download)
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith("attachment;")
    assert got["X-Content-Type-Options"] == "nosniff"
    assert client_for(other_contributor).get(download).status_code == 404


def test_case_study_api(client_for, contributor):
    response = post(
        client_for(contributor),
        reverse("api-case-study-list"),
        {
            "title": "電池材料の調達先多様化", "sectors": ["batteries"], "countries": ["AU"],
            "company_size": "large", "context": "正極材メーカーの事例。",
            "challenge": "単一国依存。", "actions_taken": "長期契約。",
            "outcome": "依存度を下げた。", "lessons_learned": "早く始める。",
            "tlp": "green", "attribution": "anonymous",
        },
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["language"] == "ja"
    assert response.json()["kind"] == "case-study"


def test_analyst_lists_submitted_only_and_decides(client_for, contributor, analyst):
    draft = FieldReportFactory(author=contributor, title="Still a draft")
    report = submit(FieldReportFactory(author=contributor), contributor)
    client = client_for(analyst)
    listing = client.get(reverse("api-review-list")).json()
    assert [item["id"] for item in listing["results"]] == [report.pk]
    assert client.get(reverse("api-review-detail", args=[draft.pk])).status_code == 404
    assert post(client, reverse("api-review-accept", args=[report.pk])).status_code == 409
    assert post(client, reverse("api-review-start-review", args=[report.pk])).status_code == 200
    response = post(client, reverse("api-review-reject", args=[report.pk]), {"reason": "no"})
    assert response.status_code == 400
    assert "reason" in response.json()
    response = post(
        client,
        reverse("api-review-request-changes", args=[report.pk]),
        {"reason": "Please add the licence numbers."},
    )
    assert response.json()["status"] == "changes-requested"
    comments = client.get(reverse("api-review-comments", args=[report.pk])).json()
    assert comments[0]["kind"] == "changes-requested"


def test_four_eyes_outcome_in_api(client_for, contributor, analyst, second_analyst):
    report = review(submit(FieldReportFactory(author=contributor, tlp="red"), contributor), analyst)
    first = post(client_for(analyst), reverse("api-review-accept", args=[report.pk])).json()
    assert (first["outcome"], first["status"]) == ("awaiting-second-analyst", "in-review")
    second = post(client_for(second_analyst), reverse("api-review-accept", args=[report.pk]))
    assert second.json()["status"] == "accepted"


def test_anonymous_author_never_in_review_api(client_for, contributor, analyst):
    contributor.display_name = "Hanako Yamada"
    contributor.save()
    # Four more members of the report's sector hold C: the grade shown is C, not the floor.
    MembershipFactory.create_batch(4, sectors=["critical-minerals"])
    report = submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)
    services.comment_add(contribution=report, author=contributor, body="Details follow.")
    client = client_for(analyst)
    for url in (
        reverse("api-review-list"),
        reverse("api-review-detail", args=[report.pk]),
        reverse("api-review-comments", args=[report.pk]),
        reverse("api-review-list") + "?q=gallium",
    ):
        body = client.get(url).content.decode()
        assert "Hanako" not in body and contributor.email not in body and "Institute A" not in body
    detail = client.get(reverse("api-review-detail", args=[report.pk])).json()
    assert detail["source"] == "Anonymous contributor"
    assert detail["source_grade"] == "C"
    assert "author" not in detail


def test_review_api_filters(client_for, contributor, other_contributor, analyst):
    submit(FieldReportFactory(author=contributor), contributor)
    energy = submit(
        FieldReportFactory(author=other_contributor, sectors=["energy"], countries=["NO"]),
        other_contributor,
    )
    client = client_for(analyst)
    for query in ("sector=energy", "country=no", "status=submitted&sector=energy"):
        results = client.get(reverse("api-review-list") + "?" + query).json()["results"]
        assert [item["id"] for item in results] == [energy.pk], query
    assert client.get(reverse("api-review-list") + "?sector=nope").status_code == 400


def test_requirements_api(client_for, contributor, analyst):
    due = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    data = {
        "sector": "semiconductors",
        "question": "HBM rationing?",
        "priority": 3,
        "due_date": due,
    }
    assert post(client_for(contributor), reverse("api-requirement-list"), data).status_code == 403
    response = post(client_for(analyst), reverse("api-requirement-list"), data)
    assert response.status_code == 201, response.json()
    requirement_id = response.json()["id"]
    FieldReportFactory(author=contributor, requirement_ids=[requirement_id])
    own = client_for(contributor).get(reverse("api-requirement-list")).json()["results"]
    assert [item["id"] for item in own] == [requirement_id]
    assert "answer_count" not in own[0]
    closed = post(client_for(analyst), reverse("api-requirement-close", args=[requirement_id]))
    assert closed.json()["status"] == "closed"
    bad = post(
        client_for(analyst), reverse("api-requirement-list"), {**data, "due_date": "2000-01-01"}
    )
    assert "due_date" in bad.json()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_observed", "9999-12-31", "cannot be in the future"),
        ("date_observed", "1899-12-31", "after 1900"),
        ("title", "\u200b\u200c\u202e", "visible text"),
        ("summary", "\u3164", "visible text"),
    ],
)
def test_report_api_refuses_far_dates_and_invisible_text_per_field(
    client_for, contributor, field, value, message
):
    response = post(client_for(contributor), reverse("api-report-list"), payload(**{field: value}))
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_requirement_api_refuses_a_due_date_years_away(client_for, analyst):
    response = post(
        client_for(analyst),
        reverse("api-requirement-list"),
        {"sector": "energy", "question": "LNG?", "due_date": "9999-12-31"},
    )
    assert response.status_code == 400
    assert "at most 5 years" in response.json()["due_date"][0]


def test_schema_documents_intel_endpoints_with_examples(anonymous):
    schema = anonymous.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    for path in ("/api/reports/", "/api/reports/{id}/submit/", "/api/review/{id}/accept/",
                 "/api/case-studies/", "/api/requirements/"):  # fmt: skip
        assert path in schema["paths"], path
    create = schema["paths"]["/api/reports/"]["post"]
    examples = create["requestBody"]["content"]["application/json"]["examples"]
    assert {"EnglishFieldReport", "JapaneseFieldReport"} <= set(examples)


def test_contributor_cannot_answer_a_requirement_outside_their_sectors_by_patch(
    client_for, contributor, analyst, requirement_factory
):
    # The contributor's sectors are semiconductors only.
    elsewhere = requirement_factory(
        created_by=analyst, sector="defense", question="Which depot holds the spare rotors?"
    )
    report = FieldReportFactory(author=contributor)
    client = client_for(contributor)
    url = reverse("api-report-detail", args=[report.pk])
    response = client.patch(
        url, json.dumps({"requirements": [elsewhere.pk]}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "requirements" in response.json()
    assert not report.answer_rows.exists()
    page = client.get(reverse("intel:contribution_detail", args=[report.pk])).content.decode()
    assert "spare rotors" not in page
    created = post(client, reverse("api-report-list"), payload(requirements=[elsewhere.pk]))
    assert created.status_code == 400
    assert "requirements" in created.json()
