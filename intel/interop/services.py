"""Writes of the interop domain: partner sources and the import of their STIX bundles.

An imported `report` or `note` becomes a field report in the normal review
queue (status submitted), with the partner source in place of a member
author: the partner's name as the organisation and the grade the analysts gave
it as the source grade, its STIX id and `modified` kept so a re-import finds
it, and its TLP. It is classified by our tagger (the sectors, signals and
countries its text names, plus the countries of the locations it refers to)
and submitted through the members' submission path, so the workers tag and
cluster it like any other report. The whole bundle goes in one transaction:
any problem and nothing is written. See docs/interop.md ("Import").
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require_analyst
from accounts.services import audit_record
from intel import validation
from intel.interop.importing import ImportItem, read_bundle
from intel.models import (
    Attribution,
    ContributionCountry,
    ContributionSector,
    ContributionSignal,
    FieldReport,
    Kind,
    PartnerSource,
    Status,
)
from intel.reports.services.contributions import after_submit
from intel.reports.services.search_index import search_index_update
from intel.tagging.runtime import current_tagger
from intel.vocabulary import SourceReliability

MAX_SECTORS = validation.MAX_SECTORS


@dataclass
class ImportSummary:
    """What one import did, for the result page and the API."""

    partner: PartnerSource
    imported: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    already_present: int = 0
    # A newer version of a report an analyst has already taken up is left alone.
    not_updated: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {
            "partner_source": {
                "id": self.partner.pk,
                "name": self.partner.name,
                "source_grade": self.partner.source_grade,
            },
            "imported": len(self.imported),
            "updated": len(self.updated),
            "already_present": self.already_present,
            "not_updated": self.not_updated,
            "skipped": dict(sorted(self.skipped.items())),
            "contribution_ids": sorted(self.imported + self.updated),
        }


@transaction.atomic
def partner_source_get_or_create(*, analyst: User, name: str, source_grade: str) -> PartnerSource:
    """The partner named `name` (case-insensitively), or a new one with `source_grade`.

    An existing partner keeps its grade: regrading one is a decision of its
    own, not a side effect of naming it on an upload.
    """
    require_analyst(analyst)
    try:
        name = validation.clean_line(name)
    except ValidationError as error:
        raise ValidationError({"partner_name": error.error_list}) from None
    if len(name) > PartnerSource._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"partner_name": _("A partner's name has at most 200 characters.")})
    existing = PartnerSource.objects.alias(lower=Lower("name")).filter(lower=name.lower()).first()
    if existing is not None:
        return existing
    if source_grade not in SourceReliability.values:
        raise ValidationError({"partner_grade": _("Choose the partner's reliability, A to F.")})
    partner = PartnerSource.objects.create(name=name, source_grade=source_grade)
    audit_record(
        actor=analyst,
        action="partner.create",
        target=partner,
        data={"source_grade": source_grade},
    )
    return partner


def _classify(item: ImportItem) -> tuple[list[str], list[str], list[str]]:
    """Sectors (at most three), signals and countries: our tagger's reading, plus the
    countries the partner's own location objects name."""
    result = current_tagger().tag(item.title, f"{item.summary}\n\n{item.body}")
    sectors = [tag.slug for tag in result.sectors][:MAX_SECTORS]
    signals = [tag.slug for tag in result.signals]
    countries = list(dict.fromkeys([*item.countries, *(tag.slug for tag in result.countries)]))
    return sectors, signals, validation.clean_countries(countries)


def _write_rows(report: FieldReport, item: ImportItem) -> None:
    sectors, signals, countries = _classify(item)
    ContributionSector.objects.filter(contribution=report).delete()
    ContributionSignal.objects.filter(contribution=report).delete()
    ContributionCountry.objects.filter(contribution=report).delete()
    ContributionSector.objects.bulk_create(
        [ContributionSector(contribution=report, sector=slug) for slug in sectors]
    )
    ContributionSignal.objects.bulk_create(
        [ContributionSignal(contribution=report, signal=slug) for slug in signals]
    )
    ContributionCountry.objects.bulk_create(
        [ContributionCountry(contribution=report, country=code) for code in countries]
    )


def _fields(item: ImportItem, partner: PartnerSource) -> dict[str, object]:
    return {
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "evidence_links": list(item.links),
        "language": item.language,
        "tlp": item.tlp,
        "date_observed": item.date_observed,
        "information_credibility": item.information_credibility,
        "stix_modified": item.modified,
        "organisation": partner.name,
        "source_grade": partner.source_grade,
    }


def _create(item: ImportItem, partner: PartnerSource, now: datetime.datetime) -> FieldReport:
    report = FieldReport(
        kind=Kind.REPORT,
        partner_source=partner,
        stix_id=item.stix_id,
        attribution=Attribution.ORGANISATION,
        status=Status.SUBMITTED,
        submitted_at=now,
        supply_chain_stage="",
        **_fields(item, partner),
    )
    report.full_clean(exclude=["author", "supply_chain_stage"])
    report.save()
    return report


def _update(report: FieldReport, item: ImportItem, partner: PartnerSource) -> None:
    for name, value in _fields(item, partner).items():
        setattr(report, name, value)
    report.full_clean(exclude=["author", "supply_chain_stage"])
    report.save()


@transaction.atomic
def bundle_import(
    *,
    analyst: User,
    raw: bytes,
    partner: PartnerSource | None = None,
    partner_name: str = "",
    partner_grade: str = "",
) -> ImportSummary:
    """Import the STIX 2.1 bundle in `raw` from `partner` (or the partner named
    `partner_name`, created with `partner_grade` if new), all or nothing.

    Raises `intel.interop.importing.BundleError` (listing every problem)
    before anything is written, a new partner included. Idempotent by STIX id
    per partner source: an object already imported is counted as already
    present; a newer `modified`
    updates it while it still waits in the queue (submitted) and is counted as
    not updated once an analyst has taken it into review or decided it, so a
    partner's revision never changes what an analyst is reading or has judged.
    """
    require_analyst(analyst)
    bundle = read_bundle(raw, today=timezone.localdate())
    if partner is None:
        partner = partner_source_get_or_create(
            analyst=analyst, name=partner_name, source_grade=partner_grade
        )
    summary = ImportSummary(partner=partner, skipped=bundle.skipped)
    existing = {
        report.stix_id: report
        for report in FieldReport.objects.select_for_update().filter(
            partner_source=partner, stix_id__in=[item.stix_id for item in bundle.items]
        )
    }
    now = timezone.now()
    for item in bundle.items:
        report = existing.get(item.stix_id)
        if report is None:
            report = _create(item, partner, now)
            summary.imported.append(report.pk)
        elif report.stix_modified is not None and item.modified <= report.stix_modified:
            summary.already_present += 1
            continue
        elif report.status != Status.SUBMITTED:
            summary.not_updated += 1
            continue
        else:
            _update(report, item, partner)
            summary.updated.append(report.pk)
        _write_rows(report, item)
        search_index_update(contribution=report)
        after_submit(contribution=report)
    audit_record(
        actor=analyst,
        action="stix.import",
        target=partner,
        data={key: value for key, value in summary.as_dict().items() if key != "partner_source"},
    )
    return summary
