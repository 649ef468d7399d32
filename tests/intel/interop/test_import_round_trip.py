"""A true round trip: what our exporter writes, another instance of us imports intact."""

from __future__ import annotations

from typing import Any

from intel.interop import selectors as interop_selectors
from intel.interop import services, stix
from intel.models import Contribution, FieldReport
from tests.intel.digests.data import WEEK, accepted, jst, member


def _exported(*contributions: Contribution) -> bytes:
    rows = interop_selectors.with_stix_rows(
        Contribution.objects.filter(pk__in=[c.pk for c in contributions])
    )
    objects = [obj for row in rows for obj in stix.contribution_objects(row)]
    return stix.bundle_json(objects).encode()


def test_our_own_export_imports_as_the_same_report_under_the_partner(analyst: Any) -> None:
    original = accepted(
        member("Kyoto Metals KK"),
        at=jst(WEEK),
        tlp="amber",
        countries=("CN", "JP"),
        signals=("export-control",),
        credibility=2,
        grade="B",
    )
    raw = _exported(original)

    summary = services.bundle_import(
        analyst=analyst, raw=raw, partner_name="Allied instance", partner_grade="A"
    )

    assert len(summary.imported) == 1
    # The exporter's shared objects: markings, our identity, the extension definition.
    assert set(summary.skipped) <= {"marking-definition", "identity", "location",
                                    "extension-definition"}  # fmt: skip
    imported = FieldReport.objects.get(pk=summary.imported[0])
    source = original.fieldreport
    assert imported.stix_id == stix.contribution_report_id(original.pk)
    assert imported.title == source.title
    assert imported.body.startswith(source.summary)
    assert source.body in imported.body
    assert imported.tlp == "amber"
    assert set(imported.countries) >= {"CN", "JP"}
    assert imported.information_credibility == 2  # confidence 70 and back
    assert "Kyoto Metals KK" in imported.body  # the creating organisation's identity
    assert imported.organisation == "Allied instance"
    assert imported.source_grade == "A"
    assert imported.author_id is None

    again = services.bundle_import(
        analyst=analyst, raw=_exported(original), partner=summary.partner
    )
    assert again.imported == [] and again.already_present == 1


def test_an_anonymous_export_imports_without_naming_anyone(analyst: Any) -> None:
    author = member("Secret Works")
    original = accepted(author, at=jst(WEEK), organisation="")
    Contribution.objects.filter(pk=original.pk).update(attribution="anonymous")
    summary = services.bundle_import(
        analyst=analyst, raw=_exported(original), partner_name="Allied", partner_grade="C"
    )
    imported = FieldReport.objects.get(pk=summary.imported[0])
    assert "Secret Works" not in imported.body
    assert author.get_full_name() not in imported.body


def test_an_accepted_partner_report_exports_as_valid_stix_and_imports_again(
    analyst: Any,
) -> None:
    from intel.reports import services as report_services
    from tests.intel.interop.import_bundles import misp_bundle
    from tests.intel.interop.validation import assert_valid_stix

    first = services.bundle_import(
        analyst=analyst, raw=misp_bundle(), partner_name="MISP-ISAC", partner_grade="B"
    )
    report = FieldReport.objects.get(stix_id__startswith="report--a6ef17d6")
    report_services.report_start_review(contribution=report, analyst=analyst)
    report_services.report_accept(contribution=report, analyst=analyst)
    assert len(first.imported) == 2

    exported = _exported(report)
    bundle = assert_valid_stix(exported)

    (exported_report,) = [o for o in bundle["objects"] if o["type"] == "report"]
    assert exported_report["object_marking_refs"] == [stix.TLP_MARKING_IDS["amber"]]
    again = services.bundle_import(
        analyst=analyst, raw=exported, partner_name="Downstream", partner_grade="C"
    )
    copy = FieldReport.objects.get(pk=again.imported[0])
    assert copy.title == report.title
    assert copy.tlp == "amber"
    assert "supply disruption of at least a month" in copy.body
