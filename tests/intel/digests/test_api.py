"""Digest and assessment API: permissions per persona, redaction, the analyst's workflow."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from intel.digests import services as digest_services
from intel.models import Digest, SectorAssessment
from tests.helpers import api_token_for
from tests.intel.digests.data import SECTOR, WEEK, accepted, jst, member

pytestmark = pytest.mark.django_db

AMBER_TITLE = "AMBER-ONLY cobalt diversion"


@pytest.fixture
def api_for():
    """Anonymous, or signed in with a real token (which an analyst gets with the TOTP code)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
        return client

    return make


@pytest.fixture
def digests(contributor, analyst):
    day = WEEK + datetime.timedelta(days=1)
    accepted(contributor, at=jst(day), tlp="clear", title="CLEAR notice")
    accepted(contributor, at=jst(day), tlp="green", title="GREEN delays")
    accepted(member("Org Y"), at=jst(day), tlp="amber", credibility=1, title=AMBER_TITLE)
    accepted(contributor, at=jst(day), sectors=("batteries",), title="Battery draft item")
    digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR, "batteries"])
    published = Digest.objects.get(sector=SECTOR, week_start=WEEK)
    digest_services.digest_edit(digest=published, analyst=analyst, summary="AMBER-SUMMARY",
                                summary_tlp="amber")  # fmt: skip
    digest_services.digest_publish(digest=published, analyst=analyst)
    return {"published": published, "draft": Digest.objects.get(sector="batteries")}


def _detail(pk):
    return reverse("api-digest-detail", args=[pk])


LIST = "/api/digests/"


def test_anyone_lists_published_digests_but_only_analysts_see_drafts(api_for, digests, contributor,
                                                                    analyst):  # fmt: skip
    for user in (None, contributor):
        ids = [row["id"] for row in api_for(user).get(LIST).json()["results"]]
        assert ids == [digests["published"].pk]
    ids = {row["id"] for row in api_for(analyst).get(LIST).json()["results"]}
    assert ids == {digests["published"].pk, digests["draft"].pk}


@pytest.mark.parametrize("persona", ["anonymous", "newcomer", "contributor", "analyst_without_mfa"])
def test_drafts_are_404_for_everyone_but_analysts(request, api_for, digests, persona):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    assert api_for(user).get(_detail(digests["draft"].pk)).status_code == 404


@pytest.mark.parametrize(
    ("persona", "clearance"),
    [("anonymous", "clear"), ("newcomer", "clear"), ("contributor", "green"), ("analyst", "red")],
)
def test_retrieve_is_redacted_to_the_callers_clearance(request, api_for, digests, persona,
                                                       clearance):  # fmt: skip
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    response = api_for(user).get(_detail(digests["published"].pk))
    assert response.status_code == 200
    data = response.json()
    assert data["clearance"] == clearance
    text = json.dumps(data)
    assert (AMBER_TITLE in text) == (clearance == "red")
    assert ("AMBER-SUMMARY" in text) == (clearance == "red")
    assert ("GREEN delays" in text) == (clearance in ("green", "red"))
    assert ("editing" in data) == (clearance == "red")


def test_green_caller_cannot_raise_the_clearance(api_for, contributor, digests):
    data = api_for(contributor).get(_detail(digests["published"].pk) + "?clearance=red").json()
    assert data["clearance"] == "green" and AMBER_TITLE not in json.dumps(data)
    data = api_for(contributor).get(_detail(digests["published"].pk) + "?clearance=clear").json()
    assert data["clearance"] == "clear" and "GREEN delays" not in json.dumps(data)


WRITES = [
    ("post", LIST, {"sector": "energy", "week_start": "2026-10-05"}),
    ("patch", "draft", {"summary": "x"}),
    ("post", "draft/publish", {}),
    ("post", "published/correct", {"correction_note": "A figure was wrong."}),
    ("post", "/api/assessments/", {"sector": SECTOR, "sector_class": "red", "autonomy": 2,
                                   "indispensability": 3, "rationale": "Breakthrough."}),
    ("get", "/api/assessments/", None),
]  # fmt: skip


def _write_url(target, digests):
    if target.startswith("/"):
        return target
    key, _, action = target.partition("/")
    return _detail(digests[key].pk) + (f"{action}/" if action else "")


@pytest.mark.parametrize(("method", "target", "data"), WRITES)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("newcomer", 403), ("contributor", 403), ("analyst_without_mfa", 403)],
)
def test_analyst_endpoints_refuse_everyone_else(request, digests, method, target, data, persona,
                                                expected):  # fmt: skip
    client = APIClient()
    if persona != "anonymous":
        client.force_authenticate(request.getfixturevalue(persona))
    response = getattr(client, method)(_write_url(target, digests), data, format="json")
    assert response.status_code == expected


def test_analyst_builds_edits_publishes_and_corrects(api_for, analyst, digests):
    client = api_for(analyst)
    created = client.post(LIST, {"sector": "energy", "week_start": "2026-10-07"}, format="json")
    assert created.status_code == 201 and created.json()["week_start"] == "2026-10-05"
    again = client.post(LIST, {"sector": "energy", "week_start": "2026-10-05"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]

    draft = digests["draft"]
    [item] = client.get(_detail(draft.pk)).json()["editing"]["items"]
    bad = client.patch(_detail(draft.pk), {"order": [item["id"], 999]}, format="json")
    assert bad.status_code == 400 and "order" in bad.json()
    bad_notes = client.patch(_detail(draft.pk), {"item_notes": {"x": "y"}}, format="json")
    assert bad_notes.status_code == 400
    edited = client.patch(
        _detail(draft.pk),
        {"summary": "Battery week", "summary_tlp": "clear", "dropped": [item["id"]],
         "item_notes": {str(item["id"]): "dropped: duplicate"}},
        format="json",
    )  # fmt: skip
    assert edited.status_code == 200
    body = edited.json()
    assert body["status"] == "edited" and body["summary"] == "Battery week" and body["items"] == []
    assert body["editing"]["items"][0]["dropped"] is True

    assert client.post(_detail(draft.pk) + "publish/").status_code == 200
    assert client.post(_detail(draft.pk) + "publish/").status_code == 409
    assert client.patch(_detail(draft.pk), {"summary": "late"}, format="json").status_code == 409

    short = client.post(_detail(draft.pk) + "correct/", {"correction_note": "x"}, format="json")
    assert short.status_code == 400
    note = {"correction_note": "The duplicate was not one."}
    corrected = client.post(_detail(draft.pk) + "correct/", note, format="json")
    assert corrected.status_code == 201
    assert corrected.json()["version"] == 2 and corrected.json()["corrects"] == draft.pk
    assert client.post(_detail(draft.pk) + "correct/", {"correction_note": "Again, twice."},
                       format="json").status_code == 409  # fmt: skip


def test_list_shows_only_the_latest_version_unless_asked(api_for, analyst, contributor, digests):
    published = digests["published"]
    correction = digest_services.digest_correct(digest=published, analyst=analyst,
                                                correction_note="Corrected a count.")  # fmt: skip
    digest_services.digest_publish(digest=correction, analyst=analyst)
    client = api_for(contributor)
    assert [row["id"] for row in client.get(LIST).json()["results"]] == [correction.pk]
    rows = client.get(LIST + "?latest=false").json()["results"]
    assert {row["id"] for row in rows} == {published.pk, correction.pk}
    assert client.get(LIST + f"?sector={SECTOR}&week_start=2026-10-05").json()["count"] == 1


def test_assessments_api_appends(api_for, analyst):
    client = api_for(analyst)
    response = client.post("/api/assessments/", {
        "sector": SECTOR, "sector_class": "red", "autonomy": 2, "indispensability": 4,
        "rationale": "New extraction technology.",
    }, format="json")  # fmt: skip
    assert response.status_code == 201 and response.json()["assessed_by"] == analyst.email
    bad = client.post("/api/assessments/", {"sector": SECTOR, "sector_class": "red",
                                            "autonomy": 7, "indispensability": 4,
                                            "rationale": "Too high."}, format="json")  # fmt: skip
    assert bad.status_code == 400 and "autonomy" in bad.json()
    assert client.get("/api/assessments/?sector=critical-minerals").json()["count"] == 1
    assert SectorAssessment.objects.count() == 1


def test_list_costs_a_fixed_number_of_queries(api_for, contributor, digests,
                                              django_assert_max_num_queries):  # fmt: skip
    client = api_for(contributor)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [digests["published"].pk]


def test_schema_documents_the_digest_endpoints(anonymous):
    schema = anonymous.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    for path in ("/api/digests/", "/api/digests/{id}/", "/api/digests/{id}/publish/",
                 "/api/digests/{id}/correct/", "/api/assessments/"):  # fmt: skip
        assert path in schema["paths"], path
    detail = schema["paths"]["/api/digests/{id}/"]["get"]
    assert "clearance" in {parameter["name"] for parameter in detail["parameters"]}
    assert "DigestDetail" in schema["components"]["schemas"]
