"""Search exports (STIX bundle and CSV), web and API: analysts only, the search's own results."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from intel.interop import stix
from intel.interop.exports import safe_cell
from intel.models import Contribution
from tests.intel.interop.validation import assert_valid_stix, objects_of

pytestmark = pytest.mark.django_db

WEB = {"stix": "intel:search_export_stix", "csv": "intel:search_export_csv"}
API = {"stix": "api-search-export-stix", "csv": "api-search-export-csv"}


def report_ids(bundle):
    return {o["id"] for o in objects_of(bundle, "report")}


@pytest.mark.parametrize("kind", ["stix", "csv"])
def test_web_export_refuses_everyone_but_analysts_with_second_factor(
    kind, anonymous, client_for, contributor, analyst_without_mfa, newcomer
):
    url = reverse(WEB[kind])
    response = anonymous.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(contributor).get(url).status_code == 403
    assert client_for(newcomer).get(url).status_code == 403
    response = client_for(analyst_without_mfa).get(url)
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


@pytest.mark.parametrize("kind", ["stix", "csv"])
def test_api_export_refuses_everyone_but_analysts_with_second_factor(
    kind, api_for, contributor, analyst_without_mfa
):
    from rest_framework.test import APIClient

    url = reverse(API[kind])
    assert APIClient().get(url).status_code == 401
    assert api_for(contributor).get(url).status_code == 403
    assert api_for(analyst_without_mfa).get(url).status_code == 403


def test_web_stix_export_holds_exactly_the_search_results(published, client_for, analyst):
    client = client_for(analyst)
    response = client.get(reverse(WEB["stix"]), {"tlp": "amber"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/stix+json;version=2.1"
    assert "attachment" in response["Content-Disposition"]
    bundle = assert_valid_stix(response.content)
    assert report_ids(bundle) == {stix.contribution_report_id(published.amber.pk)}
    everything = assert_valid_stix(client.get(reverse(WEB["stix"])).content)
    assert len(report_ids(everything)) == Contribution.objects.count()


def test_web_export_of_a_full_text_search(published, client_for, analyst):
    response = client_for(analyst).get(reverse(WEB["stix"]), {"q": "smuggling"})
    bundle = assert_valid_stix(response.content)
    assert report_ids(bundle) == {stix.contribution_report_id(published.amber.pk)}


def test_clearance_preview_lowers_what_is_exported(published, client_for, analyst):
    response = client_for(analyst).get(reverse(WEB["stix"]), {"clearance": "clear"})
    bundle = assert_valid_stix(response.content)
    assert {
        stix.tlp_of_marking(o["object_marking_refs"][0]) for o in objects_of(bundle, "report")
    } == {"clear"}


def test_an_invalid_search_is_a_400_that_says_what_to_fix(published, client_for, analyst):
    response = client_for(analyst).get(reverse(WEB["csv"]), {"tlp": "purple"})
    assert response.status_code == 400
    assert "tlp" in response.content.decode()


def test_csv_export_rows_and_anonymity(published, client_for, analyst):
    response = client_for(analyst).get(reverse(WEB["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == Contribution.objects.count()
    anonymous = next(row for row in rows if row["id"] == str(published.anonymous.pk))
    assert anonymous["attribution"] == "Anonymous contributor"
    assert "Lonely Unique Foundry" not in response.content.decode()
    assert anonymous["stix_id"] == stix.contribution_report_id(published.anonymous.pk)


def test_csv_cells_never_start_a_formula(published, client_for, analyst):
    Contribution.objects.filter(pk=published.clear.pk).update(title='=HYPERLINK("http://x")')
    response = client_for(analyst).get(reverse(WEB["csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    row = next(r for r in rows if r["id"] == str(published.clear.pk))
    assert row["title"] == '\'=HYPERLINK("http://x")'
    for value in ("+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(value) == f"'{value}"
    assert safe_cell("plain") == "plain" and safe_cell(None) == ""


def test_api_exports_take_the_api_search_parameters(published, api_for, analyst):
    client = api_for(analyst)
    response = client.get(reverse(API["stix"]), {"sector": "semiconductors"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/stix+json;version=2.1"
    bundle = assert_valid_stix(response.content)
    assert report_ids(bundle) == {stix.contribution_report_id(published.other_sector.pk)}
    response = client.get(reverse(API["csv"]), {"status": "accepted", "tlp": "red"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["id"] for row in rows] == [str(published.red.pk)]


def test_api_export_with_a_bad_filter_is_a_400(published, api_for, analyst):
    response = api_for(analyst).get(reverse(API["csv"]), {"tlp": "purple"})
    assert response.status_code == 400
    assert "tlp" in json.loads(response.content)


def test_api_export_query_count_does_not_grow_with_results(
    published, api_for, analyst, django_assert_max_num_queries
):
    from tests.intel.digests.data import accepted, jst, member

    client = api_for(analyst)
    with django_assert_max_num_queries(16):
        client.get(reverse(API["stix"]))
    bulk = member("Bulk Org")
    for hour in range(15):
        accepted(bulk, at=jst(published.digest.week_start, hour))
    with django_assert_max_num_queries(16):
        response = client.get(reverse(API["stix"]))
    assert len(report_ids(json.loads(response.content))) == Contribution.objects.count()
