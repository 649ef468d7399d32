"""The OASIS taxii2-client against the live server: discovery → collections → paged objects.

Driven as a cleared reader (an analyst whose token passed the second factor)
and as a TLP:CLEAR reader; the CLEAR reader must never receive an object
marked above CLEAR, nor a reference that reveals a hidden one.
"""

from __future__ import annotations

import json

import pytest
from taxii2client.common import TokenAuth
from taxii2client.v21 import Server, as_pages

from intel.interop import stix
from tests.intel.interop.conftest import publish_week
from tests.intel.interop.validation import assert_valid_stix

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def week(contributor, analyst):
    return publish_week(contributor, analyst)


def _collection(live_server, token, title="All sectors"):
    server = Server(f"{live_server.url}/taxii2/", auth=TokenAuth(token))
    assert server.title == stix.PLATFORM_NAME
    (api_root,) = server.api_roots
    assert api_root.url == server.default.url
    collections = {collection.title: collection for collection in api_root.collections}
    assert len(collections) == 15
    return collections[title]


def _paged(collection, per_request, **filters):
    objects, pages = [], 0
    for envelope in as_pages(collection.get_objects, per_request=per_request, **filters):
        pages += 1
        objects += envelope.get("objects", [])
    return objects, pages


def _marking_levels(objects):
    return {
        stix.tlp_of_marking(ref) for obj in objects for ref in obj.get("object_marking_refs", [])
    }


def test_a_cleared_reader_pages_through_everything(live_server, week, analyst, token_for):
    collection = _collection(live_server, token_for(analyst))
    assert collection.can_read and not collection.can_write
    objects, pages = _paged(collection, per_request=20)
    assert pages > 1
    ids = [obj["id"] for obj in objects]
    assert len(ids) == len(set(ids))
    for contribution in (week.clear, week.green, week.amber, week.red, week.anonymous):
        assert stix.contribution_report_id(contribution.pk) in ids
    assert _marking_levels(objects) == {"clear", "green", "amber", "red"}
    assert_valid_stix({"type": "bundle", "id": "bundle--3f2b8a6c-1d4e-4f5a-9b7c-8e6d5f4a3b2c",
                       "objects": objects})  # fmt: skip

    # added_after: only what was added after the second-latest moment.
    manifest = collection.get_manifest(limit=1000)["objects"]
    cut = sorted({record["date_added"] for record in manifest})[-2]
    later, _pages = _paged(collection, per_request=2, added_after=cut)
    assert {obj["id"] for obj in later} == {
        record["id"] for record in manifest if record["date_added"] > cut
    }


def test_a_clear_reader_never_receives_anything_above_clear(live_server, week, newcomer, token_for):
    collection = _collection(live_server, token_for(newcomer))
    objects, _pages = _paged(collection, per_request=2)
    assert objects
    assert _marking_levels(objects) == {"clear"}
    for obj in objects:
        if obj["type"] != "marking-definition":
            assert obj["object_marking_refs"] == [stix.TLP_MARKING_IDS["clear"]], obj["id"]
    text = json.dumps(objects)
    for hidden in (week.green, week.amber, week.red, week.anonymous):
        assert stix.contribution_report_id(hidden.pk) not in text
    (digest,) = [obj for obj in objects if obj["type"] == "report"]
    assert [ref for ref in digest["object_refs"] if ref.startswith("report--")] == [
        stix.contribution_report_id(week.clear.pk)
    ]
    assert digest["extensions"][stix.EXTENSION_ID]["accepted"] == 1
    assert "AMBER" not in text and "RED-ONLY" not in text
    later, _pages = _paged(collection, per_request=2, added_after=digest["modified"])
    assert later == []
