"""Digest STIX downloads, web and API: open to every reader, redacted to their clearance."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from intel.digests import services as digest_services
from intel.interop import stix
from intel.models import Digest
from tests.intel.digests.data import SECTOR, WEEK
from tests.intel.interop.validation import assert_valid_stix, objects_of

pytestmark = pytest.mark.django_db


def levels(bundle):
    return {
        stix.tlp_of_marking(ref)
        for obj in bundle["objects"]
        for ref in obj.get("object_marking_refs", [])
    }


def contribution_refs(bundle):
    (report,) = objects_of(bundle, "report")
    return {ref for ref in report["object_refs"] if ref.startswith("report--")}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", {"clear"}),
        ("newcomer", {"clear"}),
        ("contributor", {"clear", "green"}),
        ("analyst_without_mfa", {"clear"}),
        ("analyst", {"clear", "red"}),
    ],
)
def test_web_digest_export_per_reader(request, published, client_for, anonymous, persona,
                                      expected):  # fmt: skip
    client = anonymous if persona == "anonymous" else client_for(request.getfixturevalue(persona))
    response = client.get(reverse("intel:digest_export_stix", args=[published.digest.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/stix+json;version=2.1"
    bundle = assert_valid_stix(response.content)
    assert levels(bundle) == expected
    visible = {"clear"} | ({"green"} if "green" in expected else set())
    if persona == "analyst":
        visible = {"clear", "green", "amber", "red"}
    shown = {published.clear, published.green, published.amber, published.red,
             published.anonymous}  # fmt: skip
    assert contribution_refs(bundle) == {
        stix.contribution_report_id(c.pk) for c in shown if c.tlp in visible
    }


def test_a_preview_never_raises_clearance(published, client_for, contributor, analyst):
    url = reverse("intel:digest_export_stix", args=[published.digest.pk])
    lowered = client_for(analyst).get(url, {"clearance": "clear"})
    assert levels(assert_valid_stix(lowered.content)) == {"clear"}
    raised = client_for(contributor).get(url, {"clearance": "red"})
    assert levels(assert_valid_stix(raised.content)) == {"clear", "green"}
    assert "AMBER" not in raised.content.decode()


def test_a_draft_is_404_except_for_analysts(contributor, analyst, client_for, anonymous):
    digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR])
    draft = Digest.objects.get(sector=SECTOR, week_start=WEEK)
    url = reverse("intel:digest_export_stix", args=[draft.pk])
    assert anonymous.get(url).status_code == 404
    assert client_for(contributor).get(url).status_code == 404
    assert client_for(analyst).get(url).status_code == 200
    api = reverse("api-digest-export-stix", args=[draft.pk])
    assert APIClient().get(api).status_code == 404


def test_api_digest_export(published, api_for, contributor, analyst):
    url = reverse("api-digest-export-stix", args=[published.digest.pk])
    public = APIClient().get(url, HTTP_ACCEPT="application/stix+json;version=2.1")
    assert public.status_code == 200
    assert levels(assert_valid_stix(public.content)) == {"clear"}
    member = api_for(contributor).get(url)
    assert levels(assert_valid_stix(member.content)) == {"clear", "green"}
    cleared = api_for(analyst).get(url)
    assert stix.contribution_report_id(published.red.pk) in json.dumps(json.loads(cleared.content))
    assert APIClient().get(reverse("api-digest-export-stix", args=[999999])).status_code == 404


def test_the_digest_page_links_the_download(published, anonymous):
    page = anonymous.get(reverse("intel:digest_detail", args=[published.digest.pk]))
    assert reverse("intel:digest_export_stix", args=[published.digest.pk]) in page.content.decode()


def test_the_schema_documents_the_export_endpoints(anonymous):
    schema = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/search/export.stix.json", "/api/search/export.csv",
                 "/api/digests/{id}/export.stix.json"):  # fmt: skip
        assert path in text
