"""The STIX mapping: valid bundles, deterministic ids, attribution, markings and redaction."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from intel.digests import services as digest_services
from intel.interop import selectors, stix
from intel.models import Contribution, Digest
from tests.intel.digests.data import SECTOR, WEEK, accepted, jst, member
from tests.intel.interop.validation import assert_valid_stix, objects_of

pytestmark = pytest.mark.django_db

DAY = WEEK + datetime.timedelta(days=2)


def export(*contributions: Contribution) -> dict:
    rows = selectors.with_stix_rows(
        Contribution.objects.filter(pk__in=[c.pk for c in contributions])
    )
    objects = [obj for row in rows for obj in stix.contribution_objects(row)]
    return assert_valid_stix(stix.bundle_json(objects))


def the_report(bundle: dict, pk: int) -> dict:
    (report,) = [
        o for o in objects_of(bundle, "report") if o["id"] == stix.contribution_report_id(pk)
    ]
    return report


def test_accepted_report_maps_to_a_valid_report_with_its_structure(contributor):
    contribution = accepted(
        member("Kyoto Metals KK"), at=jst(DAY), tlp="amber", countries=("CN", "JP"),
        signals=("export-control", "stockpiling"), credibility=2, grade="B",
    )  # fmt: skip
    bundle = export(contribution)
    report = the_report(bundle, contribution.pk)
    assert report["name"] == contribution.title
    assert report["report_types"] == ["field-report"]
    assert report["object_marking_refs"] == [stix.TLP_MARKING_IDS["amber"]]
    assert report["confidence"] == 70
    assert set(report["labels"]) == {"sector:critical-minerals", "signal:export-control",
                                     "signal:stockpiling"}  # fmt: skip
    extension = report["extensions"][stix.EXTENSION_ID]
    assert extension["extension_type"] == "property-extension"
    assert extension["admiralty_grade"] == "B2"
    assert extension["supply_chain_stage"] == "raw-materials"
    assert extension["countries"] == ["CN", "JP"]
    # Every referenced object and marking travels in the bundle.
    ids = {obj["id"] for obj in bundle["objects"]}
    assert set(report["object_refs"]) <= ids
    assert {stix.location_id("CN"), stix.location_id("JP")} <= set(report["object_refs"])
    assert stix.TLP_MARKING_IDS["amber"] in ids
    (definition,) = objects_of(bundle, "extension-definition")
    assert definition["id"] == stix.EXTENSION_ID
    assert definition["created_by_ref"] == stix.PLATFORM_IDENTITY_ID
    amber = next(o for o in bundle["objects"] if o["id"] == stix.TLP_MARKING_IDS["amber"])
    assert amber["extensions"][stix.TLP_EXTENSION_ID]["tlp_2_0"] == "amber"


def test_named_and_organisation_reports_are_created_by_the_organisation_never_a_person():
    author = member("Kyoto Metals KK")
    author.first_name, author.last_name = "Hanako", "Suzuki"
    author.save()
    named = accepted(author, at=jst(DAY))
    Contribution.objects.filter(pk=named.pk).update(attribution="named")
    organisation_only = accepted(author, at=jst(DAY))
    bundle = export(named, organisation_only)
    organisation = stix.organisation_identity_id("Kyoto Metals KK")
    for contribution in (named, organisation_only):
        assert the_report(bundle, contribution.pk)["created_by_ref"] == organisation
    identities = objects_of(bundle, "identity")
    assert {i["identity_class"] for i in identities} == {"organization", "system"}
    text = json.dumps(bundle)
    assert "Suzuki" not in text and "Hanako" not in text and author.email not in text


def test_anonymous_report_names_neither_author_nor_organisation():
    author = member("Tiny Unique Foundry GK")
    contribution = accepted(author, at=jst(DAY))
    Contribution.objects.filter(pk=contribution.pk).update(attribution="anonymous")
    bundle = export(contribution)
    report = the_report(bundle, contribution.pk)
    assert report["created_by_ref"] == stix.PLATFORM_IDENTITY_ID
    assert [i["id"] for i in objects_of(bundle, "identity")] == [stix.PLATFORM_IDENTITY_ID]
    text = json.dumps(bundle)
    assert "Tiny Unique Foundry" not in text and author.email not in text
    assert stix.organisation_identity_id("Tiny Unique Foundry GK") not in text


def test_case_study_maps_to_a_valid_report(contributor):
    study = accepted(contributor, at=jst(DAY), case_study=True, tlp="clear")
    report = the_report(export(study), study.pk)
    assert report["report_types"] == ["case-study"]
    assert "Lessons learned:" in report["description"]


def test_ids_are_deterministic_and_modified_follows_changes(contributor):
    contribution = accepted(contributor, at=jst(DAY))
    first = the_report(export(contribution), contribution.pk)
    assert the_report(export(contribution), contribution.pk)["id"] == first["id"]
    later = timezone.now() + datetime.timedelta(hours=1)
    Contribution.objects.filter(pk=contribution.pk).update(updated_at=later, revision=2)
    second = the_report(export(contribution), contribution.pk)
    assert second["id"] == first["id"]
    assert second["modified"] > first["modified"]
    assert second["extensions"][stix.EXTENSION_ID]["revision"] == 2


@pytest.fixture
def published(contributor, analyst, assessment_factory):
    accepted(contributor, at=jst(DAY), tlp="clear", title="CLEAR tariff notice")
    accepted(contributor, at=jst(DAY), tlp="green", title="GREEN licence delays")
    amber = accepted(member("Org Q"), at=jst(DAY), tlp="amber", credibility=1, grade="A",
                     title="AMBER-ONLY smuggling route")  # fmt: skip
    assessment = assessment_factory(sector=SECTOR, assessed_by=analyst)
    # In force during the week, so the build carries it into the digest.
    type(assessment).objects.filter(pk=assessment.pk).update(created_at=jst(WEEK))
    digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR])
    digest = Digest.objects.get(sector=SECTOR, week_start=WEEK)
    digest_services.digest_edit(
        digest=digest, analyst=analyst, summary="AMBER-SUMMARY analysts think",
        summary_tlp="amber", notes="INTERNAL-NOTE", item_notes={},
    )  # fmt: skip
    digest_services.digest_publish(digest=digest, analyst=analyst)
    digest.refresh_from_db()
    return digest, amber


def digest_bundle(digest: Digest, clearance: str) -> dict:
    objects = selectors.digest_stix_objects(digest=digest, clearance=clearance)
    return assert_valid_stix(stix.bundle_json(objects))


def test_digest_for_a_clear_reader_references_and_reveals_only_clear_content(published):
    digest, amber = published
    bundle = digest_bundle(digest, "clear")
    (report,) = objects_of(bundle, "report")
    assert report["id"] == stix.digest_report_id(SECTOR, WEEK)
    clear_ids = {
        stix.contribution_report_id(c.pk) for c in Contribution.objects.filter(tlp="clear")
    }
    contribution_refs = {ref for ref in report["object_refs"] if ref.startswith("report--")}
    assert contribution_refs == clear_ids
    for obj in bundle["objects"]:
        assert obj.get("object_marking_refs", [stix.TLP_MARKING_IDS["clear"]]) == [
            stix.TLP_MARKING_IDS["clear"]
        ], obj["id"]
    text = json.dumps(bundle)
    assert "AMBER" not in text and "GREEN licence" not in text and "INTERNAL-NOTE" not in text
    assert stix.contribution_report_id(amber.pk) not in text
    extension = report["extensions"][stix.EXTENSION_ID]
    assert extension["accepted"] == 1
    assert [item["tlp"] for item in extension["items"]] == ["clear"]
    (note,) = objects_of(bundle, "note")
    assert note["object_refs"] == [report["id"]] and note["id"] in report["object_refs"]


def test_digest_for_an_analyst_carries_everything_at_its_highest_marking(published):
    digest, amber = published
    bundle = digest_bundle(digest, "red")
    (report,) = objects_of(bundle, "report")
    assert stix.contribution_report_id(amber.pk) in report["object_refs"]
    assert report["object_marking_refs"] == [stix.TLP_MARKING_IDS["amber"]]
    assert "AMBER-SUMMARY analysts think" in report["description"]
    assert "INTERNAL-NOTE" not in json.dumps(bundle)


def test_a_correction_updates_the_same_digest_object(published, analyst):
    digest, _amber = published
    first = objects_of(digest_bundle(digest, "green"), "report")[0]
    correction = digest_services.digest_correct(
        digest=digest, analyst=analyst, correction_note="A figure was wrong."
    )
    digest_services.digest_publish(digest=correction, analyst=analyst)
    correction.refresh_from_db()
    second = objects_of(digest_bundle(correction, "green"), "report")[0]
    assert second["id"] == first["id"] and second["created"] == first["created"]
    assert second["modified"] > first["modified"]
    assert second["extensions"][stix.EXTENSION_ID]["version"] == 2


def test_tlp_markings_round_trip():
    for level, marking_id in stix.TLP_MARKING_IDS.items():
        assert stix.tlp_of_marking(marking_id) == level
        assert stix.tlp_marking(level).id == marking_id
    assert stix.tlp_of_marking("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9") is None
