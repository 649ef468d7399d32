"""The analysts' import page and API endpoint: who may use them, and what they answer."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intel.interop import importing
from intel.models import Contribution, FieldReport, PartnerSource
from tests.intel.interop.import_bundles import misp_bundle, misp_dict, stix2_bundle

PAGE = "/intel/import/"
API = "/api/import/stix/"


def _upload(raw: bytes, **fields: str) -> dict[str, Any]:
    return {"bundle": SimpleUploadedFile("bundle.json", raw, "application/json"), **fields}


def test_the_urls_are_where_the_docs_say() -> None:
    assert reverse("intel:bundle_import") == PAGE
    assert reverse("api-stix-import") == API


def test_analyst_uploads_a_misp_bundle_and_sees_the_summary(client_for: Any, analyst: Any) -> None:
    client = client_for(analyst)
    assert client.get(PAGE).status_code == 200

    response = client.post(
        PAGE, _upload(misp_bundle(), partner_name="MISP-ISAC", partner_grade="B")
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="imported">2<' in page
    assert "<code>indicator</code>: 1" in page
    assert "<code>x-misp-event-note</code>: 1" in page
    partner = PartnerSource.objects.get()
    assert (partner.name, partner.source_grade) == ("MISP-ISAC", "B")
    assert FieldReport.objects.filter(partner_source=partner).count() == 2

    again = client.post(PAGE, _upload(misp_bundle(), partner=str(partner.pk)))
    assert again.status_code == 200
    assert 'data-testid="imported">0<' in again.content.decode()
    assert 'data-testid="already-present">2<' in again.content.decode()
    assert Contribution.objects.count() == 2


def test_a_broken_bundle_is_a_400_listing_the_problems_and_saves_nothing(
    client_for: Any, analyst: Any
) -> None:
    data = misp_dict()
    del data["objects"][2]["name"]  # the event's report
    response = client_for(analyst).post(
        PAGE, _upload(json.dumps(data).encode(), partner_name="MISP-ISAC", partner_grade="B")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "object 2 (report--a6ef17d6-91cb-4a05-b10b-2f045daf874c)" in page
    assert "name" in page
    # Not even the partner named on the refused upload.
    assert not PartnerSource.objects.exists()
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Choose a partner source or name a new one."),
        ({"partner_name": "New ISAC"}, "Choose the partner"),
        ({"partner_name": "New ISAC", "partner_grade": "Z"}, "Select a valid choice"),
    ],
)
def test_the_form_says_what_is_missing_and_keeps_the_name(
    client_for: Any, analyst: Any, fields: dict[str, str], message: str
) -> None:
    response = client_for(analyst).post(PAGE, _upload(stix2_bundle(), **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    if "partner_name" in fields:
        assert 'value="New ISAC"' in response.content.decode()
    assert not Contribution.objects.exists()


def test_a_file_over_the_limit_is_refused(
    client_for: Any, analyst: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("intel.interop.forms.MAX_BYTES", 100)
    response = client_for(analyst).post(
        PAGE, _upload(misp_bundle(), partner_name="MISP-ISAC", partner_grade="B")
    )
    assert response.status_code == 400
    assert "at most 100 bytes" in response.content.decode()
    assert not Contribution.objects.exists()


def test_people_other_than_analysts_with_a_second_factor_cannot_import(
    client_for: Any,
    password_only_client_for: Any,
    anonymous: Any,
    contributor: Any,
    other_contributor: Any,
    newcomer: Any,
    analyst: Any,
    analyst_without_mfa: Any,
    subscriber: Any,
) -> None:
    upload = _upload(stix2_bundle(), partner_name="Intruder", partner_grade="A")
    for member in (contributor, other_contributor, newcomer):
        client = client_for(member)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, upload).status_code == 403
    # A subscriber has no account: signed links are all they hold.
    for client in (anonymous,):
        response = client.post(PAGE, upload)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    for client in (password_only_client_for(analyst), client_for(analyst_without_mfa)):
        response = client.post(PAGE, upload)
        assert response.status_code == 302
        assert "/accounts/" in response["Location"]
    assert not PartnerSource.objects.exists()
    assert not Contribution.objects.exists()


def test_the_review_page_shows_the_partner_instead_of_a_member(
    client_for: Any, analyst: Any, contributor: Any
) -> None:
    client = client_for(analyst)
    client.post(
        PAGE, _upload(stix2_bundle(), partner_name="Allied Supply Watch", partner_grade="B")
    )
    report = FieldReport.objects.get()

    page = client.get(reverse("intel:review_detail", args=[report.pk])).content.decode()

    assert "Partner source" in page
    assert "Allied Supply Watch" in page
    assert "B – Usually reliable" in page
    assert report.stix_id in page
    assert contributor.get_full_name() not in page
    client.post(reverse("intel:review_decide", args=[report.pk]), {"action": "start"})
    page = client.get(reverse("intel:review_detail", args=[report.pk])).content.decode()
    assert 'value="accept"' in page
    assert 'value="request_changes"' not in page
    queue = client.get(reverse("intel:review_queue")).content.decode()
    assert "Allied Supply Watch" in queue


def test_analyst_imports_through_the_api_as_json_and_as_multipart(
    api_for: Any, analyst: Any
) -> None:
    client = api_for(analyst)
    response = client.post(
        API,
        {"bundle": json.loads(stix2_bundle()), "partner_name": "Allied", "partner_grade": "C"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["imported"] == 1
    assert body["skipped"] == {"identity": 1, "location": 2}
    assert body["partner_source"]["name"] == "Allied"
    partner_id = body["partner_source"]["id"]

    response = client.post(
        API,
        {"bundle": SimpleUploadedFile("b.json", misp_bundle()), "partner": partner_id},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["imported"] == 2
    assert Contribution.objects.count() == 3


def test_a_bad_bundle_through_the_api_is_a_400_listing_the_problems(
    api_for: Any, analyst: Any
) -> None:
    data = misp_dict()
    data["objects"][3]["valid_from"] = "last Tuesday"
    response = api_for(analyst).post(
        API, {"bundle": data, "partner_name": "MISP-ISAC", "partner_grade": "B"}, format="json"
    )
    assert response.status_code == 400
    problems = response.json()["bundle"]
    assert problems[0].startswith("object 3 (indicator--91ae0a21")
    assert not Contribution.objects.exists()
    assert not PartnerSource.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"partner_name": "X", "partner_grade": "B"},
        {"bundle": "not json at all", "partner_name": "X", "partner_grade": "B"},
        {"bundle": {"type": "bundle", "objects": []}},
        {"bundle": {"type": "bundle", "objects": []}, "partner": 999999},
        {"bundle": {"type": "bundle", "objects": []}, "partner_name": "X", "partner_grade": "Q"},
    ],
)
def test_bad_api_requests_are_400s(api_for: Any, analyst: Any, body: dict[str, Any]) -> None:
    response = api_for(analyst).post(API, body, format="json")
    assert response.status_code == 400
    assert not Contribution.objects.exists()


def test_an_api_body_over_the_limit_is_a_400(
    api_for: Any, analyst: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "MAX_BYTES", 100)
    response = api_for(analyst).post(
        API,
        {"bundle": json.loads(misp_bundle()), "partner_name": "X", "partner_grade": "B"},
        format="json",
    )
    assert response.status_code == 400
    assert "at most 100 bytes" in response.json()["bundle"][0]


def test_only_analysts_with_a_second_factor_use_the_api(
    api_for: Any,
    anonymous: Any,
    contributor: Any,
    other_contributor: Any,
    analyst_without_mfa: Any,
) -> None:
    from rest_framework.test import APIClient

    body = {"bundle": json.loads(stix2_bundle()), "partner_name": "X", "partner_grade": "A"}
    for user in (contributor, other_contributor, analyst_without_mfa):
        assert api_for(user).post(API, body, format="json").status_code == 403
    assert APIClient().post(API, body, format="json").status_code in (401, 403)
    assert not Contribution.objects.exists()


def test_admin_lists_partner_sources_and_their_reports_read_only(
    client_for: Any, admin_user: Any, analyst: Any
) -> None:
    client_for(analyst).post(
        PAGE, _upload(stix2_bundle(), partner_name="Allied Supply Watch", partner_grade="B")
    )
    admin = client_for(admin_user)
    partners = admin.get(reverse("admin:intel_partnersource_changelist"))
    assert partners.status_code == 200
    assert "Allied Supply Watch" in partners.content.decode()
    reports = admin.get(reverse("admin:intel_contribution_changelist"))
    assert reports.status_code == 200
    assert "Allied Supply Watch" in reports.content.decode()
    assert admin.get(reverse("admin:intel_partnersource_add")).status_code == 403
    # An analyst is not staff: no admin at all.
    assert (
        client_for(analyst).get(reverse("admin:intel_partnersource_changelist")).status_code == 302
    )


def test_search_and_the_review_api_show_an_imported_report_by_its_partner(
    client_for: Any, api_for: Any, analyst: Any
) -> None:
    client_for(analyst).post(
        PAGE, _upload(stix2_bundle(), partner_name="Allied Supply Watch", partner_grade="B")
    )
    report = FieldReport.objects.get()
    found = client_for(analyst).get(reverse("intel:search"), {"q": "gallium"})
    assert found.status_code == 200
    # The page marks the hits: compare the text without the <mark> tags.
    assert report.title in re.sub(r"</?mark>", "", found.content.decode())
    response = api_for(analyst).get(f"/api/review/{report.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert "Allied Supply Watch" in json.dumps(body)
    assert body["source_grade"] == "B"


def test_absurdly_nested_json_is_a_400_not_a_crash(api_for: Any, analyst: Any) -> None:
    raw = b'{"bundle": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = api_for(analyst).post(API, raw, content_type="application/json")
    assert response.status_code == 400


def test_the_upload_page_costs_the_same_queries_however_many_partners(
    client_for: Any, analyst: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(analyst)
    PartnerSource.objects.create(name="Partner 0", source_grade="C")
    with django_assert_max_num_queries(20) as few:
        client.get(PAGE)
    PartnerSource.objects.bulk_create(
        [PartnerSource(name=f"Partner {n}", source_grade="C") for n in range(1, 40)]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(PAGE)
    assert "Partner 39" in page.content.decode()


def test_the_import_pages_and_problems_speak_japanese(client_for: Any, analyst: Any) -> None:
    client = client_for(analyst)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "パートナーの STIX 2.1 バンドルを取り込む" in page
    refused = client.post(
        PAGE,
        _upload(b'{"type": "indicator"}', partner_name="MISP-ISAC", partner_grade="B"),
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert refused.status_code == 400
    assert "この JSON は STIX バンドルではありません" in refused.content.decode()
