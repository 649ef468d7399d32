"""The STIX import service: what a partner's bundle becomes, idempotency, all-or-nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from intel.errors import WorkflowError
from intel.interop import importing, services
from intel.interop.importing import BundleError
from intel.models import Contribution, ContributionTag, FieldReport, PartnerSource, Status
from intel.reports import selectors as report_selectors
from intel.reports import services as report_services
from intel.tagging.selectors import cluster_corroboration
from tests.intel.interop.import_bundles import GALLIUM, misp_bundle, misp_dict, stix2_bundle


@pytest.fixture
def partner(analyst: Any) -> PartnerSource:
    return services.partner_source_get_or_create(
        analyst=analyst, name="Allied Supply Watch", source_grade="B"
    )


def _import(analyst: Any, partner: PartnerSource, raw: bytes) -> services.ImportSummary:
    return services.bundle_import(analyst=analyst, partner=partner, raw=raw)


def test_stix2_report_becomes_a_submitted_field_report_of_the_partner(
    analyst: Any, partner: PartnerSource
) -> None:
    summary = _import(analyst, partner, stix2_bundle())

    assert len(summary.imported) == 1
    assert summary.skipped == {"location": 2, "identity": 1}
    report = FieldReport.objects.get(pk=summary.imported[0])
    assert report.status == Status.SUBMITTED
    assert report.submitted_at is not None
    assert report.author_id is None
    assert report.partner_source == partner
    assert report.organisation == "Allied Supply Watch"
    assert report.source_grade == "B"
    assert report.stix_id == "report--8a6b2f2e-0d2c-5b8f-9e71-3c4d5e6f7a8b"
    assert report.tlp == "amber+strict"
    assert report.title == "Gallium export licences delay Japanese fabs"
    assert report.body.startswith(GALLIUM)
    assert "CIP-4711" in report.body
    assert report.evidence_links == ["https://example.org/notice/2026-41"]
    assert report.date_observed.isoformat() == "2026-11-19"
    assert report.information_credibility == 1  # confidence 85
    assert {"JP", "CN"} <= set(report.countries)
    assert "semiconductors" in report.sectors
    assert "export-control" in report.signals
    assert report.attribution_label == "Allied Supply Watch"
    queue = list(report_selectors.review_queue())
    assert [item.pk for item in queue] == [report.pk]


def test_misp_event_report_and_note_are_imported_and_the_rest_counted(
    analyst: Any, partner: PartnerSource
) -> None:
    summary = _import(analyst, partner, misp_bundle())

    assert len(summary.imported) == 2
    assert summary.skipped == {
        "identity": 1,
        "marking-definition": 1,
        "indicator": 1,
        "observed-data": 1,
        "ipv4-addr": 1,
        "grouping": 1,
        "x-misp-event-note": 1,
    }
    reports = {r.stix_id: r for r in FieldReport.objects.filter(partner_source=partner)}
    event = reports["report--a6ef17d6-91cb-4a05-b10b-2f045daf874c"]
    note = reports["note--4f8a3cf6-2e52-4a0b-8f6a-8a0e2c9d1b7e"]
    # TLP 1.0 amber marking and a "tlp:green" label: the stricter one holds.
    assert event.tlp == "amber"
    assert "MISP-ISAC" in event.body
    assert "robotics" in event.sectors
    assert "supply-disruption" in event.signals
    # No marking at all: the documented safe default.
    assert note.tlp == importing.DEFAULT_TLP == "amber"
    assert note.title == "Event report: magnet holds spread to Ningbo"
    assert note.information_credibility == 6


def test_tlp_2_0_and_1_0_markings_and_misp_labels_map_to_our_levels() -> None:
    assert importing.tlp_from_name("TLP:CLEAR") == "clear"
    assert importing.tlp_from_name("tlp:white") == "clear"
    assert importing.tlp_from_name("tlp:amber+strict") == "amber+strict"
    assert importing.tlp_from_name("TLP:RED") == "red"
    assert importing.tlp_from_name("confidential") is None
    data = misp_dict()
    event = data["objects"][2]
    event["object_marking_refs"] = ["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]
    event["labels"] = ["tlp:clear"]
    read = importing.read_bundle(json.dumps(data).encode(), today=_today())
    assert read.items[0].tlp == "red"


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def test_importing_the_same_bundle_twice_creates_nothing_new(
    analyst: Any, partner: PartnerSource
) -> None:
    _import(analyst, partner, misp_bundle())
    before = list(Contribution.objects.values_list("pk", "updated_at").order_by("pk"))

    again = _import(analyst, partner, misp_bundle())

    assert again.imported == []
    assert again.updated == []
    assert again.already_present == 2
    assert list(Contribution.objects.values_list("pk", "updated_at").order_by("pk")) == before


def test_a_newer_version_updates_a_report_still_waiting_but_not_one_in_review(
    analyst: Any, partner: PartnerSource
) -> None:
    first = _import(analyst, partner, stix2_bundle())
    newer = stix2_bundle(modified="2026-11-21T09:00:00.000Z").replace(b"six weeks", b"eight weeks")

    updated = _import(analyst, partner, newer)

    assert updated.updated == first.imported
    report = FieldReport.objects.get(pk=first.imported[0])
    assert "eight weeks" in report.body
    report_services.report_start_review(contribution=report, analyst=analyst)
    newest = stix2_bundle(modified="2026-11-22T09:00:00.000Z").replace(b"six weeks", b"a year")

    left = _import(analyst, partner, newest)

    assert left.not_updated == 1
    report.refresh_from_db()
    assert "eight weeks" in report.body
    assert report.status == Status.IN_REVIEW


def test_the_same_stix_id_from_another_partner_is_its_own_report(
    analyst: Any, partner: PartnerSource
) -> None:
    other = services.partner_source_get_or_create(
        analyst=analyst, name="Second ISAC", source_grade="C"
    )
    _import(analyst, partner, stix2_bundle())
    _import(analyst, other, stix2_bundle())
    assert FieldReport.objects.filter(stix_id__startswith="report--8a6b").count() == 2


def test_a_bad_object_refuses_the_whole_bundle_and_keeps_earlier_imports(
    analyst: Any, partner: PartnerSource
) -> None:
    _import(analyst, partner, stix2_bundle())
    before = list(FieldReport.objects.values_list("pk", "body"))
    data = misp_dict()
    del data["objects"][3]["pattern"]  # the indicator
    data["objects"][6]["spec_version"] = "2.0"  # the note

    with pytest.raises(BundleError) as error:
        _import(analyst, partner, json.dumps(data).encode())

    problems = error.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("object 3 (indicator--91ae0a21")
    assert "pattern" in problems[0]
    assert problems[1].startswith("object 6 (note--4f8a3cf6")
    assert "2.0" in problems[1]
    assert list(FieldReport.objects.values_list("pk", "body")) == before


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\xff\xfe not text", "not UTF-8"),
        (b'{"type": "bundle", "objects": [', "not JSON (line 1"),
        (b'[{"type": "report"}]', "not a STIX bundle"),
        (b'{"type": "indicator"}', "not a STIX bundle"),
        (b'{"type": "bundle", "spec_version": "2.0", "objects": []}', "STIX 2.0 bundle"),
        (b'{"type": "bundle", "objects": {"a": 1}}', '"objects" is not a list'),
        (b'{"type": "bundle", "objects": [42]}', "object 0: not a STIX object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_what_is_not_a_stix_2_1_bundle_is_refused_with_the_reason(
    analyst: Any, partner: PartnerSource, raw: bytes, expected: str
) -> None:
    with pytest.raises(BundleError) as error:
        _import(analyst, partner, raw)
    assert expected in error.value.problems[0]
    assert not Contribution.objects.exists()


def test_too_big_and_too_many_objects_are_refused(
    analyst: Any, partner: PartnerSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "MAX_BYTES", 100)
    with pytest.raises(BundleError, match="at most 100 bytes"):
        _import(analyst, partner, misp_bundle())
    monkeypatch.setattr(importing, "MAX_BYTES", 10_000_000)
    monkeypatch.setattr(importing, "MAX_OBJECTS", 3)
    with pytest.raises(BundleError, match="9 objects; at most 3"):
        _import(analyst, partner, misp_bundle())
    assert not Contribution.objects.exists()


def test_a_date_in_the_future_is_refused(analyst: Any, partner: PartnerSource) -> None:
    data = misp_dict()
    data["objects"][2]["published"] = "2999-01-01T00:00:00Z"
    with pytest.raises(BundleError, match="not between 1900 and today"):
        _import(analyst, partner, json.dumps(data).encode())
    assert not Contribution.objects.exists()


def test_a_report_without_text_is_skipped_not_imported(
    analyst: Any, partner: PartnerSource
) -> None:
    data = misp_dict()
    del data["objects"][2]["description"]
    summary = _import(analyst, partner, json.dumps(data).encode())
    assert len(summary.imported) == 1  # the note
    assert summary.skipped["report without text"] == 1


def test_import_goes_through_the_submission_path_so_workers_tag_it(
    analyst: Any, partner: PartnerSource, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        summary = _import(analyst, partner, stix2_bundle())
    tags = ContributionTag.objects.filter(contribution_id=summary.imported[0])
    assert tags.filter(kind="sector", slug="semiconductors").exists()


def test_partner_sources_are_one_per_name_and_keep_their_grade(analyst: Any) -> None:
    first = services.partner_source_get_or_create(
        analyst=analyst, name="MISP-ISAC", source_grade="C"
    )
    again = services.partner_source_get_or_create(
        analyst=analyst, name="  misp-isac ", source_grade="A"
    )
    assert again == first
    assert again.source_grade == "C"


def test_only_analysts_import(contributor: Any, analyst: Any, partner: PartnerSource) -> None:
    with pytest.raises(PermissionDenied):
        services.bundle_import(analyst=contributor, partner=partner, raw=stix2_bundle())
    with pytest.raises(PermissionDenied):
        services.partner_source_get_or_create(
            analyst=contributor, name="Anything", source_grade="A"
        )
    assert not Contribution.objects.exists()


def test_an_imported_report_is_reviewed_like_any_other_without_an_author(
    analyst: Any, partner: PartnerSource, django_capture_on_commit_callbacks: Any, mailoutbox: Any
) -> None:
    summary = _import(analyst, partner, misp_bundle())
    event, note = FieldReport.objects.filter(pk__in=summary.imported).order_by("pk")
    report_services.report_start_review(contribution=event, analyst=analyst)
    with pytest.raises(WorkflowError, match="cannot be sent back"):
        report_services.report_request_changes(
            contribution=event, analyst=analyst, reason="Please add a source."
        )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = report_services.report_accept(contribution=event, analyst=analyst)
        report_services.report_start_review(contribution=note, analyst=analyst)
        report_services.report_reject(contribution=note, analyst=analyst, reason="Out of scope.")
    assert outcome == report_services.AcceptOutcome.ACCEPTED
    assert mailoutbox == []  # nobody to tell
    event.refresh_from_db()
    assert event.status == Status.ACCEPTED


def test_two_partners_reporting_the_same_thing_corroborate_each_other(
    analyst: Any,
    second_analyst: Any,
    partner: PartnerSource,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other = services.partner_source_get_or_create(
        analyst=analyst, name="Second ISAC", source_grade="C"
    )
    with django_capture_on_commit_callbacks(execute=True):
        ids = [_import(analyst, source, stix2_bundle()).imported[0] for source in (partner, other)]
    for pk in ids:
        report = FieldReport.objects.get(pk=pk)
        report_services.report_start_review(contribution=report, analyst=analyst)
        # TLP:AMBER+STRICT: the four-eyes rule applies to partners' reports too.
        for reviewer in (analyst, second_analyst):
            report_services.report_accept(contribution=report, analyst=reviewer)
    cluster_id = (
        FieldReport.objects.get(pk=ids[0]).fingerprint.cluster_id  # type: ignore[attr-defined]
    )
    assert cluster_id is not None
    assert cluster_corroboration(cluster_ids=[cluster_id]) == {cluster_id: 2}


def test_accepted_partner_reports_feed_the_weekly_digest_as_independent_sources(
    analyst: Any,
    second_analyst: Any,
    contributor: Any,
    partner: PartnerSource,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from accounts.selectors import member_track_record
    from intel.digests.core import week_start_of
    from intel.digests.services import digests_build_week
    from intel.models import DigestItem

    other = services.partner_source_get_or_create(
        analyst=analyst, name="Second ISAC", source_grade="C"
    )
    with django_capture_on_commit_callbacks(execute=True):
        ids = [_import(analyst, source, stix2_bundle()).imported[0] for source in (partner, other)]
    for pk in ids:
        report = FieldReport.objects.get(pk=pk)
        report_services.report_start_review(contribution=report, analyst=analyst)
        for reviewer in (analyst, second_analyst):
            report_services.report_accept(contribution=report, analyst=reviewer)
    accepted_at = FieldReport.objects.get(pk=ids[0]).accepted_at

    digests_build_week(week_start=week_start_of(accepted_at.date()), sectors=["semiconductors"])

    item = DigestItem.objects.get(digest__sector="semiconductors")
    assert item.tlp == "amber+strict"
    assert item.data["member_count"] == 2
    assert item.data["corroboration"] == 2
    assert item.data["source_grade"] == "B"  # the better of the two partners' grades
    # Members' records know nothing of partners' reports.
    record = member_track_record(user=contributor, include_anonymous=True)
    assert all(value in (0, None) for value in record.values())
