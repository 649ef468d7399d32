"""The TAXII 2.1 endpoints: who may read, what each reader receives, filters, paging, errors."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client

from intel.digests import services as digest_services
from intel.interop import stix
from intel.interop.taxii import feed
from intel.models import Contribution
from tests.intel.digests.data import SECTOR, accepted, jst, member
from tests.intel.interop.validation import assert_valid_stix

pytestmark = pytest.mark.django_db

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/api/"
ALL = feed.collection_id("")
OBJECTS = f"{ROOT}collections/{ALL}/objects/"


def get(path, token=None, accept=TAXII, **params):
    headers = {"HTTP_ACCEPT": accept} if accept is not None else {}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"
    return Client().get(path, params, **headers)


def body(response):
    return json.loads(response.content)


def all_objects(token, path=OBJECTS, **params):
    """Every object of a listing, following `next`."""
    objects, next_token = [], None
    while True:
        extra = {"next": next_token} if next_token else {}
        response = get(path, token, **params, **extra)
        assert response.status_code == 200, response.content
        page = body(response)
        objects += page.get("objects", [])
        if not page["more"]:
            return objects
        next_token = page["next"]


ENDPOINTS = [
    "/taxii2/",
    ROOT,
    f"{ROOT}collections/",
    f"{ROOT}collections/{ALL}/",
    OBJECTS,
    f"{ROOT}collections/{ALL}/manifest/",
]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_gets_401_as_a_taxii_error(path):
    response = get(path)
    assert response.status_code == 401
    assert response["Content-Type"] == TAXII
    assert response["WWW-Authenticate"].startswith("Token")
    error = body(response)
    assert error["http_status"] == "401" and error["title"] and error["description"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("persona", ["newcomer", "contributor", "analyst_without_mfa", "analyst"])
def test_every_token_holder_may_read(request, token_for, path, persona):
    response = get(path, token_for(request.getfixturevalue(persona)))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == TAXII
    assert response["Cache-Control"] == "private, no-store"


def test_a_malformed_token_is_refused(published):
    assert get(OBJECTS, "not-a-token").status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_not_offered(token_for, contributor, method):
    response = getattr(Client(), method)(
        OBJECTS, data="{}", content_type=TAXII, HTTP_ACCEPT=TAXII,
        HTTP_AUTHORIZATION=f"Token {token_for(contributor)}",
    )  # fmt: skip
    assert response.status_code == 405
    assert body(response)["http_status"] == "405"


@pytest.mark.parametrize(
    ("accept", "code"),
    [
        (TAXII, 200),
        ("application/taxii+json", 200),
        ("*/*", 200),
        (None, 200),
        ("application/taxii+json;version=2.0", 406),
        ("application/json", 406),
        ("text/html", 406),
    ],
)
def test_accept_header(token_for, contributor, accept, code):
    response = get("/taxii2/", token_for(contributor), accept=accept)
    assert response.status_code == code
    assert response["Content-Type"] == TAXII
    if code == 406:
        assert body(response)["http_status"] == "406"


def test_discovery_names_the_one_api_root(token_for, contributor):
    discovery = body(get("/taxii2/", token_for(contributor)))
    assert discovery["api_roots"] == ["http://testserver/taxii2/api/"]
    assert discovery["default"] == discovery["api_roots"][0]
    assert body(get(ROOT, token_for(contributor)))["versions"] == [TAXII]


def test_collections_are_all_and_one_per_sector_read_only(token_for, contributor):
    collections = body(get(f"{ROOT}collections/", token_for(contributor)))["collections"]
    assert len(collections) == 15
    assert collections[0]["id"] == ALL
    assert all(c["can_read"] and not c["can_write"] for c in collections)


@pytest.mark.parametrize(
    "path",
    [
        "/taxii2/other/",
        f"{ROOT}collections/not-a-collection/",
        f"{ROOT}collections/{ALL}/objects/report--00000000-0000-4000-8000-000000000000/",
        f"{ROOT}collections/{ALL}/objects/report--00000000-0000-4000-8000-000000000000/versions/",
    ],
)
def test_unknown_things_are_404_errors(token_for, contributor, path):
    response = get(path, token_for(contributor))
    assert response.status_code == 404
    assert body(response)["http_status"] == "404"


@pytest.mark.parametrize(
    "params",
    [
        {"added_after": "yesterday"},
        {"added_after": "2026-01-01T00:00:00"},
        {"limit": "ten"},
        {"limit": "0"},
        {"next": "bm9wZQ"},
        {"next": "%%%"},
        {"match[version]": "soon"},
        {"match[colour]": "red"},
    ],
)
def test_bad_parameters_are_400_errors(token_for, contributor, params):
    response = get(OBJECTS, token_for(contributor), **params)
    assert response.status_code == 400
    error = body(response)
    assert error["http_status"] == "400" and error["description"]


def _levels(objects):
    return {
        stix.tlp_of_marking(ref) for obj in objects for ref in obj.get("object_marking_refs", [])
    }


def test_a_clear_reader_receives_only_clear_objects(published, token_for, newcomer):
    objects = all_objects(token_for(newcomer))
    assert _levels(objects) == {"clear"}
    assert {o["type"] for o in objects} == {"marking-definition", "identity",
                                           "extension-definition", "report", "note"}  # fmt: skip
    assert [o["id"] for o in objects if o["type"] == "marking-definition"] == [
        stix.TLP_MARKING_IDS["clear"]
    ]
    (digest,) = [o for o in objects if o["type"] == "report"]
    refs = {ref for ref in digest["object_refs"] if ref.startswith("report--")}
    assert refs == {stix.contribution_report_id(published.clear.pk)}
    text = json.dumps(objects)
    for hidden in (published.green, published.amber, published.red, published.anonymous):
        assert stix.contribution_report_id(hidden.pk) not in text
    assert "AMBER" not in text and "RED-ONLY" not in text and "GREEN licence" not in text
    assert digest["extensions"][stix.EXTENSION_ID]["accepted"] == 1


def test_a_member_receives_the_digest_at_green_and_no_contribution(published, token_for,
                                                                    contributor):  # fmt: skip
    objects = all_objects(token_for(contributor))
    assert _levels(objects) == {"clear", "green"}
    assert [o["id"] for o in objects if o["type"] == "report"] == [
        stix.digest_report_id(SECTOR, published.digest.week_start)
    ]
    assert "AMBER" not in json.dumps(objects)


def test_an_analyst_token_without_second_factor_reads_below_analyst_level(
    published, token_for, analyst_without_mfa
):
    objects = all_objects(token_for(analyst_without_mfa))
    assert _levels(objects) == {"clear"}
    assert "RED-ONLY" not in json.dumps(objects)


def test_an_analyst_receives_everything_valid_and_anonymity_holds(published, token_for,
                                                                  analyst):  # fmt: skip
    objects = all_objects(token_for(analyst), limit=50)
    ids = {o["id"] for o in objects}
    for contribution in (published.clear, published.green, published.amber, published.red,
                         published.anonymous, published.other_sector):  # fmt: skip
        assert stix.contribution_report_id(contribution.pk) in ids
    assert_valid_stix({"type": "bundle", "id": "bundle--6b9f5d3e-8c1a-4e7b-9d2f-0a1b2c3d4e5f",
                       "objects": objects})  # fmt: skip
    anonymous = next(
        o for o in objects if o["id"] == stix.contribution_report_id(published.anonymous.pk)
    )
    assert anonymous["created_by_ref"] == stix.PLATFORM_IDENTITY_ID
    assert "Lonely Unique Foundry" not in json.dumps(objects)
    assert stix.organisation_identity_id("Lonely Unique Foundry") not in ids
    assert stix.organisation_identity_id("Org Amber KK") in ids


def test_a_sector_collection_holds_only_that_sector(published, token_for, analyst):
    path = f"{ROOT}collections/{feed.collection_id('semiconductors')}/objects/"
    reports = all_objects(token_for(analyst), path, **{"match[type]": "report"})
    assert [o["id"] for o in reports] == [stix.contribution_report_id(published.other_sector.pk)]


def test_pages_cover_everything_once_with_date_headers(published, token_for, analyst):
    token = token_for(analyst)
    everything = all_objects(token, limit=1000)
    seen, next_token = [], None
    while True:
        response = get(OBJECTS, token, limit=7, **({"next": next_token} if next_token else {}))
        page = body(response)
        assert len(page["objects"]) <= 7
        assert response["X-TAXII-Date-Added-First"] <= response["X-TAXII-Date-Added-Last"]
        seen += page["objects"]
        if not page["more"]:
            break
        next_token = page["next"]
    assert [o["id"] for o in seen] == [o["id"] for o in everything]
    assert len({o["id"] for o in seen}) == len(seen)


def test_added_after_returns_only_later_objects(published, token_for, analyst):
    token = token_for(analyst)
    manifest = body(get(f"{ROOT}collections/{ALL}/manifest/", token, limit=1000))["objects"]
    cut = sorted({record["date_added"] for record in manifest})[-3]
    later = all_objects(token, added_after=cut)
    expected = {r["id"] for r in manifest if r["date_added"] > cut}
    assert {o["id"] for o in later} == expected and expected


def test_match_id_and_type(published, token_for, analyst):
    token = token_for(analyst)
    wanted = stix.contribution_report_id(published.amber.pk)
    digest_id = stix.digest_report_id(SECTOR, published.digest.week_start)
    found = all_objects(token, **{"match[id]": f"{wanted},{digest_id}"})
    assert sorted(o["id"] for o in found) == sorted([wanted, digest_id])
    notes = all_objects(token, **{"match[type]": "note"})
    assert [o["type"] for o in notes] == ["note"]
    single = body(get(f"{ROOT}collections/{ALL}/objects/{wanted}/", token))["objects"]
    assert [o["id"] for o in single] == [wanted]


def test_the_clear_reader_cannot_fetch_a_hidden_object_by_id(published, token_for, newcomer):
    hidden = stix.contribution_report_id(published.amber.pk)
    token = token_for(newcomer)
    assert get(f"{ROOT}collections/{ALL}/objects/{hidden}/", token).status_code == 404
    assert get(f"{ROOT}collections/{ALL}/objects/{hidden}/versions/", token).status_code == 404


def test_manifest_versions_match_the_objects(published, token_for, analyst):
    token = token_for(analyst)
    manifest = body(get(f"{ROOT}collections/{ALL}/manifest/", token, limit=1000))["objects"]
    objects = all_objects(token, limit=1000)
    assert [r["id"] for r in manifest] == [o["id"] for o in objects]
    for record, obj in zip(manifest, objects, strict=True):
        assert record["version"] == obj.get("modified", obj.get("created"))
        assert record["media_type"] == "application/stix+json;version=2.1"


def test_a_correction_is_a_new_version_of_the_same_digest(published, token_for, analyst):
    correction = digest_services.digest_correct(
        digest=published.digest, analyst=analyst, correction_note="A figure was wrong."
    )
    digest_services.digest_publish(digest=correction, analyst=analyst)
    token = token_for(analyst)
    digest_id = stix.digest_report_id(SECTOR, published.digest.week_start)
    versions = body(get(f"{ROOT}collections/{ALL}/objects/{digest_id}/versions/", token))
    assert len(versions["versions"]) == 2 and versions["versions"][0] < versions["versions"][1]
    latest = body(get(f"{ROOT}collections/{ALL}/objects/{digest_id}/", token))["objects"]
    assert [o["modified"] for o in latest] == [versions["versions"][1]]
    every = body(get(f"{ROOT}collections/{ALL}/objects/{digest_id}/", token,
                     **{"match[version]": "all"}))["objects"]  # fmt: skip
    assert sorted(o["modified"] for o in every) == versions["versions"]
    first = body(get(f"{ROOT}collections/{ALL}/objects/{digest_id}/", token,
                     **{"match[version]": "first"}))["objects"]  # fmt: skip
    assert [o["modified"] for o in first] == [versions["versions"][0]]
    at = body(get(f"{ROOT}collections/{ALL}/objects/{digest_id}/", token,
                  **{"match[version]": versions["versions"][0]}))["objects"]  # fmt: skip
    assert [o["modified"] for o in at] == [versions["versions"][0]]


def test_a_page_costs_the_same_queries_whatever_its_size(
    published, token_for, analyst, django_assert_max_num_queries
):
    bulk = member("Bulk Org")
    for hour in range(20):
        accepted(bulk, at=jst(published.digest.week_start, hour), tlp="green")
    token = token_for(analyst)
    with django_assert_max_num_queries(14):
        small = get(OBJECTS, token, limit=5, **{"match[type]": "report,note,identity"})
    with django_assert_max_num_queries(14):
        large = get(OBJECTS, token, limit=500, **{"match[type]": "report,note,identity"})
    assert len(body(small)["objects"]) == 5 and len(body(large)["objects"]) > 25


def test_match_spec_version(published, token_for, contributor):
    token = token_for(contributor)
    assert all_objects(token, **{"match[spec_version]": "2.0"}) == []
    assert all_objects(token, **{"match[spec_version]": "2.0,2.1"})


def test_locations_travel_only_with_contributions(published, token_for, analyst, newcomer):
    japan = stix.location_id("JP")
    path = f"{ROOT}collections/{ALL}/objects/{japan}/"
    (location,) = body(get(path, token_for(analyst)))["objects"]
    assert location["country"] == "JP" and location["name"] == "Japan"
    assert get(path, token_for(newcomer)).status_code == 404


def test_an_anonymous_contribution_never_moves_its_organisations_identity(
    published, token_for, analyst
):
    """The organisation identity's presence and date added come from its attributed
    contributions only: an anonymous one from the same organisation changes neither."""
    author = member("Org Twin KK")
    named = accepted(author, at=jst(published.digest.week_start, 15), tlp="green")
    token = token_for(analyst)
    identity = stix.organisation_identity_id("Org Twin KK")
    manifest_path = f"{ROOT}collections/{ALL}/manifest/"

    def record():
        records = body(get(manifest_path, token, limit=1000, **{"match[id]": identity}))
        return records.get("objects", [])

    before = record()
    earlier = accepted(author, at=jst(published.digest.week_start, 1), tlp="green")
    Contribution.objects.filter(pk=earlier.pk).update(
        attribution="anonymous", updated_at=named.updated_at - datetime.timedelta(days=1)
    )
    assert record() == before and len(before) == 1
