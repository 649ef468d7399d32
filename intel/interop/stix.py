"""The STIX 2.1 mapping: our objects as STIX objects, built with the OASIS `stix2` library.

Shared by every export, the TAXII server and the importer:

- **Ids** are UUIDv5 over `NAMESPACE` and "<kind>:<key>" (`stix_id`), so a
  re-export of the same contribution or digest week updates the partner's
  copy instead of duplicating it. A digest week keeps one id across its
  published versions; `modified` is the version's publication time.
- **Handling** uses the published TLP 2.0 marking definitions
  (`TLP_MARKING_IDS`, `tlp_marking`, `tlp_of_marking`).
- **Our structure** (sector, signals, stage, METI class, pillars, Admiralty
  grade) travels in one property extension, `EXTENSION_ID`, defined by
  `extension_definition()` and created by the platform's own identity.
- **Attribution**: an anonymous contribution is created by the platform
  identity and names no organisation; otherwise the organisation's identity
  (never a person) creates it.

Functions here take rows or a digest view already redacted by the callers
(`intel.interop.selectors`, `intel.digests.selectors.digest_view`); they
decide nothing about who may see what.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import stix2
from django.utils import translation
from stix2.utils import STIXdatetime, format_datetime

from intel.countries import country_name
from intel.digests import core as digest_core
from intel.models import Attribution, CaseStudy, Contribution, Digest, FieldReport, Kind
from intel.vocabulary import TLP_ORDER, Sector, Tlp

# Never change: every id a partner holds is derived from it.
NAMESPACE = uuid.UUID("bd5e8ca2-924c-4f5b-8d9d-8f79e661f7b0")
# `created` and `modified` of the platform's own objects (identity, extension definition).
EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
PLATFORM_NAME = "Community Intelligence Platform"

# The OASIS TLP 2.0 extension and its marking definitions (cti-stix-common-objects).
TLP_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_MARKING_IDS: dict[str, str] = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP_MARKING_CREATED = datetime.datetime(2022, 10, 1, tzinfo=datetime.UTC)

# STIX's Admiralty credibility scale (STIX 2.1, appendix A): 6 means "cannot be judged".
ADMIRALTY_CONFIDENCE = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10}

REPORT_TYPES = {Kind.REPORT: "field-report", Kind.CASE_STUDY: "case-study"}
DIGEST_REPORT_TYPE = "sector-digest"
_CASE_STUDY_SECTIONS = {
    name: CaseStudy._meta.get_field(name).verbose_name  # type: ignore[union-attr]
    for name in ("context", "challenge", "actions_taken", "outcome", "lessons_learned")
}
EXTENSION_VERSION = "1.0"
# The extension's normative definition, as plain text (STIX allows a URL or text; a
# partner cannot reach our repository, so the definition travels with it).
EXTENSION_SCHEMA = (
    "Property extension of report and note objects. kind: field-report | case-study | digest; "
    "status; sectors, signals: lists of the platform's fixed slugs; countries: ISO 3166-1 "
    "alpha-2 codes; supply_chain_stage; date_observed (ISO date); source_reliability (A-F) and "
    "information_credibility (1-6), the Admiralty grade, and admiralty_grade (e.g. B2); "
    "revision (integer); for digests: sector, week_start (Monday, Asia/Tokyo), version, "
    "accepted, signals and countries as slug-to-count maps, rising_signals, items "
    "(title, tlp, score, corroboration, signals, countries, object_refs); for assessments: "
    "sector_class (green | blue | red), autonomy and indispensability (1-5)."
)


def timestamp(moment: datetime.datetime) -> str:
    """`moment` as `stix2` writes `created`/`modified` (UTC, at least milliseconds), so a
    TAXII manifest's `version` equals the object's `modified` character for character."""
    return str(
        format_datetime(STIXdatetime(moment, precision="millisecond", precision_constraint="min"))
    )


def stix_id(stix_type: str, kind: str, key: object) -> str:
    """The deterministic id of our object `kind` with `key` (a pk, a slug, a week)."""
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


PLATFORM_IDENTITY_ID = stix_id("identity", "platform", "community-intelligence-platform")
EXTENSION_ID = stix_id(
    "extension-definition", "extension", f"economic-security/{EXTENSION_VERSION}"
)


def contribution_report_id(pk: int) -> str:
    return stix_id("report", "contribution", pk)


def digest_report_id(sector: str, week_start: datetime.date) -> str:
    """One id per sector and week: every published version of the week shares it."""
    return stix_id("report", "digest", f"{sector}:{week_start.isoformat()}")


def location_id(country: str) -> str:
    return stix_id("location", "country", country.upper())


def organisation_identity_id(name: str) -> str:
    return stix_id("identity", "organisation", " ".join(name.split()).casefold())


# --- Markings, identities, the extension -------------------------------------------------


def tlp_marking(level: str) -> stix2.MarkingDefinition:
    """The published TLP 2.0 marking definition of `level` (one of `Tlp`)."""
    return stix2.MarkingDefinition(
        id=TLP_MARKING_IDS[level],
        created=TLP_MARKING_CREATED,
        name=f"TLP:{level.upper()}",
        extensions={TLP_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level}},
    )


def tlp_of_marking(marking_ref: str) -> str | None:
    """Our TLP level of a TLP 2.0 marking-definition id, or None if it is not one."""
    for level, marking_id in TLP_MARKING_IDS.items():
        if marking_id == marking_ref:
            return str(level)
    return None


def platform_identity() -> stix2.Identity:
    return stix2.Identity(
        id=PLATFORM_IDENTITY_ID,
        created=EPOCH,
        modified=EPOCH,
        name=PLATFORM_NAME,
        identity_class="system",
        description=(
            "Vetted outside experts' economic-security intelligence. Creator of every "
            "anonymous contribution and of the weekly sector digests."
        ),
        object_marking_refs=[TLP_MARKING_IDS[Tlp.CLEAR]],
    )


def organisation_identity(name: str) -> stix2.Identity:
    """The contributing organisation; created by the platform, which vetted it."""
    return stix2.Identity(
        id=organisation_identity_id(name),
        created=EPOCH,
        modified=EPOCH,
        created_by_ref=PLATFORM_IDENTITY_ID,
        name=" ".join(name.split()),
        identity_class="organization",
        object_marking_refs=[TLP_MARKING_IDS[Tlp.CLEAR]],
    )


def location(country: str) -> stix2.Location:
    return stix2.Location(
        id=location_id(country),
        created=EPOCH,
        modified=EPOCH,
        created_by_ref=PLATFORM_IDENTITY_ID,
        name=country_name(country, "en"),
        country=country.upper(),
        object_marking_refs=[TLP_MARKING_IDS[Tlp.CLEAR]],
    )


def extension_definition() -> stix2.ExtensionDefinition:
    return stix2.ExtensionDefinition(
        id=EXTENSION_ID,
        created=EPOCH,
        modified=EPOCH,
        created_by_ref=PLATFORM_IDENTITY_ID,
        name="Economic-security structure",
        description=(
            "Sector, signals, countries, supply-chain stage, Admiralty grading, METI class "
            "and pillar scores of a contribution or weekly sector digest."
        ),
        schema=EXTENSION_SCHEMA,
        version=EXTENSION_VERSION,
        extension_types=["property-extension"],
        object_marking_refs=[TLP_MARKING_IDS[Tlp.CLEAR]],
    )


def _extension(**properties: Any) -> dict[str, Any]:
    values = {name: value for name, value in properties.items() if value not in (None, "", [])}
    return {EXTENSION_ID: {"extension_type": "property-extension", **values}}


def highest_level(levels: Iterable[str]) -> str:
    return max(levels, key=TLP_ORDER.__getitem__, default=Tlp.CLEAR.value)


# --- Contributions -----------------------------------------------------------------------


def _contribution_text(contribution: Contribution) -> str:
    detail = contribution.detail
    if isinstance(detail, FieldReport):
        return f"{detail.summary}\n\n{detail.body}"
    with translation.override("en"):
        return "\n\n".join(
            f"{str(_CASE_STUDY_SECTIONS[name]).capitalize()}:\n{getattr(detail, name)}"
            for name in _CASE_STUDY_SECTIONS
        )


def creator_id(contribution: Contribution) -> str:
    """Who a partner is told created it: the organisation if attribution allows, else us."""
    if contribution.attribution == Attribution.ANONYMOUS or not contribution.organisation.strip():
        return PLATFORM_IDENTITY_ID
    return organisation_identity_id(contribution.organisation)


def contribution_modified(contribution: Contribution) -> datetime.datetime:
    """The version a partner holds: the last change of the row (a revision, a tag correction)."""
    return max(contribution.updated_at, contribution.created_at)


def contribution_objects(contribution: Contribution) -> list[Any]:
    """The report, and the identity and locations it references (load with
    `intel.interop.selectors.with_stix_rows`)."""
    creator = creator_id(contribution)
    countries = sorted(contribution.countries)
    related: list[Any] = [location(country) for country in countries]
    if creator != PLATFORM_IDENTITY_ID:
        related.append(organisation_identity(contribution.organisation))
    grade = contribution.source_grade
    credibility = contribution.information_credibility
    published = contribution.accepted_at or contribution.submitted_at or contribution.created_at
    report = stix2.Report(
        id=contribution_report_id(contribution.pk),
        created=contribution.created_at,
        modified=contribution_modified(contribution),
        created_by_ref=creator,
        name=contribution.title,
        description=_contribution_text(contribution),
        published=published,
        report_types=[REPORT_TYPES[Kind(contribution.kind)]],
        labels=[f"sector:{slug}" for slug in sorted(contribution.sectors)]
        + [f"signal:{slug}" for slug in sorted(contribution.signals)],
        lang=contribution.language,
        confidence=ADMIRALTY_CONFIDENCE.get(credibility) if credibility else None,
        object_refs=[location_id(country) for country in countries] + [creator],
        object_marking_refs=[TLP_MARKING_IDS[contribution.tlp]],
        extensions=_extension(
            kind=contribution.kind,
            status=contribution.status,
            sectors=sorted(contribution.sectors),
            signals=sorted(contribution.signals),
            countries=countries,
            supply_chain_stage=contribution.supply_chain_stage,
            date_observed=contribution.date_observed.isoformat()
            if contribution.date_observed
            else None,
            source_reliability=grade,
            information_credibility=credibility,
            admiralty_grade=f"{grade or 'F'}{credibility or 6}"
            if contribution.kind == Kind.REPORT
            else None,
            revision=contribution.revision,
        ),
    )
    return [report, *related]


# --- Digests -----------------------------------------------------------------------------


def digest_created(week_start: datetime.date) -> datetime.datetime:
    """The week's start: the same for every version, never after a publication."""
    return digest_core.week_bounds(week_start)[0]


def digest_modified(digest: Digest) -> datetime.datetime:
    moment = digest.published_at or digest.edited_at or digest.updated_at
    return max(moment, digest_created(digest.week_start))


def digest_level(view: Mapping[str, Any]) -> str:
    """The handling a reader's copy needs: its most restricted content, at least CLEAR."""
    levels = [item["tlp"] for item in view["items"]]
    if view.get("summary_tlp"):
        levels.append(view["summary_tlp"])
    return highest_level(levels)


def _digest_description(view: Mapping[str, Any]) -> str:
    parts = [view["summary"]] if view.get("summary") else []
    parts.extend(view.get("what_changed", []))
    for item in view["items"]:
        parts.append(f"{item['number']}. {item['title']} ({item['tlp_label']})")
    return "\n\n".join(part for part in parts if part)


def digest_objects(digest: Digest, view: Mapping[str, Any]) -> list[Any]:
    """A digest as the reader of `view` (`digest_view`, already redacted) may receive it:
    the report and, when the sector is assessed, a note with the assessment."""
    level = digest_level(view)
    marking = [TLP_MARKING_IDS[level]]
    report_id = digest_report_id(digest.sector, digest.week_start)
    created = digest_created(digest.week_start)
    modified = digest_modified(digest)
    refs: list[str] = []
    for item in view["items"]:
        for member in item["contributions"]:
            ref = contribution_report_id(int(member["id"]))
            if ref not in refs:
                refs.append(ref)
    objects: list[Any] = []
    assessment = view["assessment"]["current"]
    if assessment:
        note_id = stix_id(
            "note", "digest-assessment", f"{digest.sector}:{digest.week_start}:{assessment['id']}"
        )
        assessed_at = datetime.datetime.fromisoformat(assessment["assessed_at"])
        objects.append(
            stix2.Note(
                id=note_id,
                created=assessed_at,
                modified=assessed_at,
                created_by_ref=PLATFORM_IDENTITY_ID,
                abstract=(
                    f"METI class {assessment['sector_class']}; autonomy "
                    f"{assessment['autonomy']}/5; strategic indispensability "
                    f"{assessment['indispensability']}/5"
                ),
                content=assessment["rationale"],
                object_refs=[report_id],
                object_marking_refs=marking,
                extensions=_extension(
                    sector=digest.sector,
                    sector_class=assessment["sector_class"],
                    autonomy=assessment["autonomy"],
                    indispensability=assessment["indispensability"],
                ),
            )
        )
        refs.append(note_id)
    totals = view["totals"]
    report = stix2.Report(
        id=report_id,
        created=created,
        modified=modified,
        created_by_ref=PLATFORM_IDENTITY_ID,
        name=f"{Sector(digest.sector).label} digest, week of {digest.week_start.isoformat()}",
        description=_digest_description(view),
        published=digest.published_at or modified,
        report_types=[DIGEST_REPORT_TYPE],
        labels=[f"sector:{digest.sector}"],
        lang="en",
        # A report must reference something: an empty week references its publisher.
        object_refs=refs or [PLATFORM_IDENTITY_ID],
        object_marking_refs=marking,
        extensions=_extension(
            kind="digest",
            sector=digest.sector,
            week_start=digest.week_start.isoformat(),
            version=digest.version,
            status=digest.status,
            accepted=totals["accepted"],
            signals={row["slug"]: row["count"] for row in view["signals"]},
            rising_signals=[row["slug"] for row in view["rising_signals"]],
            countries={row["code"]: row["count"] for row in view["countries"]},
            sector_class=assessment["sector_class"] if assessment else None,
            autonomy=assessment["autonomy"] if assessment else None,
            indispensability=assessment["indispensability"] if assessment else None,
            items=[
                {
                    "title": item["title"],
                    "tlp": item["tlp"],
                    "score": item["score"],
                    "corroboration": item["corroboration"],
                    "signals": [row["slug"] for row in item["signals"]],
                    "countries": [row["code"] for row in item["countries"]],
                    "object_refs": [
                        contribution_report_id(int(member["id"]))
                        for member in item["contributions"]
                    ],
                }
                for item in view["items"]
            ],
        ),
    )
    return [report, *objects]


# --- Bundles -----------------------------------------------------------------------------


def with_references(objects: Iterable[Any]) -> list[Any]:
    """`objects` (first occurrence of each id kept), with the marking definitions, the
    platform identity and the extension definition they use, as a bundle must carry."""
    unique: dict[str, Any] = {}
    for obj in objects:
        unique.setdefault(obj.id, obj)
    levels = {
        level
        for obj in unique.values()
        for ref in obj.get("object_marking_refs", [])
        if (level := tlp_of_marking(ref))
    }
    shared: list[Any] = [tlp_marking(level) for level in TLP_ORDER if level in levels]
    shared += [platform_identity(), extension_definition()]
    if Tlp.CLEAR not in levels:
        shared.insert(0, tlp_marking(Tlp.CLEAR))  # the platform's own objects carry it
    return [*shared, *(obj for obj in unique.values() if obj.id not in {s.id for s in shared})]


def bundle_json(objects: Iterable[Any]) -> str:
    """A STIX 2.1 bundle of `objects` and their references (a new bundle id each time:
    a bundle is one transmission, its objects keep their ids)."""
    return str(stix2.Bundle(*with_references(objects)).serialize(pretty=False))


def as_json(obj: Any) -> dict[str, Any]:
    """One STIX object as plain JSON data (the TAXII envelope's items)."""
    return dict(json.loads(obj.serialize()))
