"""Reads for digests, assessments and sector dashboards, and who may see what.

Handling, in one place:

- `reader_clearance(user)` is the highest handling level a reader may see:
  analysts whose sign-in passed the second factor TLP:RED, vetted members
  TLP:GREEN, everyone else TLP:CLEAR. A reader may preview a lower one
  (`preview`, the `?clearance=` of pages and API), never a higher one.
  Briefings pass a subscription's clearance instead.
- Published digests are open to everyone, redacted to their clearance by
  `digest_view` — the one function every page, export, API response and
  briefing renders. Drafts exist only for analysts (anyone else gets a 404).
- Of a week corrected since, readers are shown the latest published version
  (`published_digests`, `digests_for_listing`); the archive keeps them all.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone, translation

from accounts.permissions import has_analyst_access
from intel.countries import country_name
from intel.digests import core, rollups
from intel.digests import text as digest_text
from intel.digests.queries import aggregation_session
from intel.models import (
    Digest,
    DigestStatus,
    IntelligenceRequirement,
    Kind,
    SectorAssessment,
    SectorClass,
    SupplyChainStage,
)
from intel.reports.selectors import requirements_with_counts
from intel.vocabulary import TLP_ORDER, Sector, Signal, Tlp, choice_label, tlp_allows

DASHBOARD_WEEKS = 12
DIGEST_ITEM_FIELDS = ("key", "position", "tlp", "score", "dropped", "stale", "note", "data")
TOP_SIGNALS = 4


def reader_clearance(user: Any, *, preview: str = "") -> str:
    """The highest TLP level `user` may read in digests, or the lower `preview` they asked for.

    `preview` is taken as it came (a query parameter): anything that is not a
    level at or below the reader's own is ignored.
    """
    if has_analyst_access(user):
        clearance = Tlp.RED.value
    elif (
        user is not None
        and user.is_authenticated
        and (user.is_vetted_contributor or user.is_reader)
    ):
        clearance = Tlp.GREEN.value
    else:
        clearance = Tlp.CLEAR.value
    if preview in TLP_ORDER and tlp_allows(clearance, preview):
        return preview
    return clearance


# --- Which digests --------------------------------------------------------------------


def _superseded() -> Exists:
    return Exists(Digest.objects.filter(previous=OuterRef("pk"), status=DigestStatus.PUBLISHED))


def _newest_first(queryset: QuerySet[Digest], *, latest_only: bool) -> QuerySet[Digest]:
    """Newest week first; with `latest_only`, no version a published correction superseded."""
    queryset = queryset.annotate(superseded=_superseded())
    if latest_only:
        queryset = queryset.filter(superseded=False)
    return queryset.order_by("-week_start", "sector", "-version")


def published_digests(*, sector: str = "", latest_only: bool = True) -> QuerySet[Digest]:
    """Published digests, newest week first; by default only the latest version of each week."""
    queryset = Digest.objects.filter(status=DigestStatus.PUBLISHED)
    if sector:
        queryset = queryset.filter(sector=sector)
    return _newest_first(queryset, latest_only=latest_only)


def digests_for_listing(*, user: Any, latest_only: bool = True) -> QuerySet[Digest]:
    """The digests `user` may list: analysts every one (drafts too), others the published ones."""
    if has_analyst_access(user):
        return _newest_first(Digest.objects.all(), latest_only=latest_only)
    return published_digests(latest_only=latest_only)


def open_digests(*, sector: str = "") -> QuerySet[Digest]:
    """Drafts and edited digests waiting for an analyst, oldest week first."""
    queryset = Digest.objects.filter(status__in=[DigestStatus.DRAFT, DigestStatus.EDITED])
    if sector:
        queryset = queryset.filter(sector=sector)
    return (
        queryset.select_related("edited_by")
        .annotate(
            item_count=Count("items", filter=Q(items__dropped=False, items__stale=False)),
        )
        .order_by("week_start", "sector")
    )


def digest_for_reader(*, user: Any, pk: int) -> Digest:
    """A digest `user` may open: any for analysts, published ones for everyone else; or 404."""
    queryset = Digest.objects.all()
    if not has_analyst_access(user):
        queryset = queryset.filter(status=DigestStatus.PUBLISHED)
    try:
        return queryset.select_related("published_by", "edited_by", "previous").get(pk=pk)
    except Digest.DoesNotExist:
        raise Http404 from None


def digest_for_analyst(*, pk: int) -> Digest:
    try:
        return Digest.objects.select_related("published_by", "edited_by").get(pk=pk)
    except Digest.DoesNotExist:
        raise Http404 from None


def superseded_by(digest: Digest) -> Digest | None:
    """The published correction of `digest`, if there is one."""
    return Digest.objects.filter(previous=digest, status=DigestStatus.PUBLISHED).first()


def digests_for_briefing(
    *, week_start: datetime.date, sectors: Iterable[str]
) -> dict[str, Digest | None]:
    """The latest published version of each sector's week (None: nothing published)."""
    sectors = list(sectors)
    found: dict[str, Digest | None] = dict.fromkeys(sectors)
    for digest in published_digests().filter(week_start=week_start, sector__in=sectors):
        found[digest.sector] = digest
    return found


def corrections_pending_briefing(*, sectors: Iterable[str] | None = None) -> QuerySet[Digest]:
    """Published corrections that no briefing has carried yet, oldest first."""
    queryset = Digest.objects.filter(correction_pending_briefing=True)
    if sectors is not None:
        queryset = queryset.filter(sector__in=list(sectors))
    return queryset.select_related("previous").order_by("published_at", "pk")


# --- The reader's view --------------------------------------------------------------------


def labels(language: str) -> core.Labels:
    """Labels in `language`; call inside `translation.override(language)`."""

    def choice(choices: Any) -> Any:
        return lambda slug: choice_label(choices, slug)

    return core.Labels(
        sector=choice(Sector),
        signal=choice(Signal),
        country=lambda code: country_name(code, language),
        stage=choice(SupplyChainStage),
        kind=choice(Kind),
        tlp=choice(Tlp),
        sector_class=choice(SectorClass),
    )


# `correction` not given: look it up (a list passes what it fetched for all its digests).
_LOOK_UP: Any = object()


def digest_meta(
    digest: Digest, *, for_analyst: bool = False, correction: Digest | None = _LOOK_UP
) -> dict[str, Any]:
    if correction is _LOOK_UP:
        correction = superseded_by(digest) if digest.is_published else None
    meta: dict[str, Any] = {
        "id": digest.pk,
        "sector": digest.sector,
        "sector_label": str(Sector(digest.sector).label),
        "week_start": digest.week_start.isoformat(),
        "week_end": digest.week_end.isoformat(),
        "version": digest.version,
        "status": digest.status,
        "published_at": digest.published_at.isoformat() if digest.published_at else None,
        "is_correction": digest.is_correction,
        "correction_note": digest.correction_note,
        "corrects": digest.previous_id,
        "superseded_by": correction.pk if correction else None,
    }
    if for_analyst:
        meta["published_by"] = digest.published_by.email if digest.published_by else None
    return meta


def digest_view(
    *,
    digest: Digest,
    clearance: str,
    language: str = "en",
    for_analyst: bool = False,
    max_items: int = core.READER_ITEMS,
    items: Iterable[Mapping[str, Any]] | None = None,
    correction: Digest | None = _LOOK_UP,
) -> dict[str, Any]:
    """`digest` as a reader cleared to `clearance` may see it, in `language` (plain data).

    A list of digests passes each one's `items` (rows of `DIGEST_ITEM_FIELDS`) and
    published `correction` fetched for all at once, so it costs no query per digest.
    """
    language = digest_text.supported_language(language)
    if items is None:
        items = digest.items.values(*DIGEST_ITEM_FIELDS)
    with translation.override(language):
        return core.compose_view(
            meta=digest_meta(digest, for_analyst=for_analyst, correction=correction),
            snapshot=digest.snapshot,
            items=list(items),
            summary=digest.summary,
            summary_tlp=digest.summary_tlp,
            clearance=clearance,
            labels=labels(language),
            sentences=lambda view: digest_text.what_changed(view, language=language),
            max_items=max_items,
        )


# --- Assessments ---------------------------------------------------------------------------


def assessments_of(*, sector: str) -> QuerySet[SectorAssessment]:
    """The sector's assessment history, newest first (the first is current)."""
    return (
        SectorAssessment.objects.filter(sector=sector)
        .select_related("assessed_by")
        .order_by("-created_at", "-pk")
    )


def current_assessments() -> dict[str, SectorAssessment]:
    from intel.digests.queries import assessments_as_of

    return assessments_as_of(timezone.now() + datetime.timedelta(seconds=1), Sector.values)


# --- Sector dashboard -------------------------------------------------------------------------


@dataclass
class SectorDashboard:
    sector: str
    weeks: list[datetime.date]
    totals: list[int]
    top_signals: list[tuple[str, list[int]]]
    signal_mix: list[tuple[str, int]]
    countries: list[tuple[str, int]]
    open_requirements: Sequence[IntelligenceRequirement] = field(default_factory=list)
    latest_published: Digest | None = None
    open_digest: Digest | None = None
    assessments: list[SectorAssessment] = field(default_factory=list)


def sector_dashboard(
    *, sector: str, clearance: str, today: datetime.date | None = None
) -> SectorDashboard:
    """Twelve weeks of one sector up to the current week, from the per-week counts."""
    if sector not in Sector.values:
        raise Http404
    today = today or timezone.now().astimezone(core.TOKYO).date()
    current = core.week_start_of(today)
    weeks = [current - core.WEEK * index for index in reversed(range(DASHBOARD_WEEKS))]
    levels = set(core.allowed_levels(clearance))
    position = {week: index for index, week in enumerate(weeks)}

    totals = [0] * len(weeks)
    per_signal: dict[str, list[int]] = defaultdict(lambda: [0] * len(weeks))
    per_country: dict[str, int] = defaultdict(int)
    with aggregation_session():
        counted = rollups.week_rows(weeks, sector=sector)
    for week, rows in counted.items():
        index = position[week]
        for row in rows:
            if row.tlp not in levels:
                continue
            if row.dimension == "total":
                totals[index] += row.contributions
            elif row.dimension == "signal":
                per_signal[row.slug][index] += row.contributions
            else:
                per_country[row.slug] += row.contributions
    mix = sorted(
        ((slug, sum(series)) for slug, series in per_signal.items()),
        key=lambda pair: (-pair[1], pair[0]),
    )
    countries = sorted(per_country.items(), key=lambda pair: (-pair[1], pair[0]))
    requirements = list(
        requirements_with_counts(status=IntelligenceRequirement.Status.OPEN).filter(sector=sector)
    )
    return SectorDashboard(
        sector=sector,
        weeks=weeks,
        totals=totals,
        top_signals=[(slug, per_signal[slug]) for slug, _count in mix[:TOP_SIGNALS]],
        signal_mix=mix,
        countries=countries,
        open_requirements=requirements,
        # Links only: the snapshot (the whole week's figures) stays in the database.
        latest_published=published_digests(sector=sector).defer("snapshot").first(),
        open_digest=open_digests(sector=sector).defer("snapshot").order_by("-week_start").first(),
        assessments=list(assessments_of(sector=sector)),
    )


def sector_overview() -> list[dict[str, Any]]:
    """Every sector with its current class and latest published digest (two queries)."""
    assessments = current_assessments()
    newest_first = [F("week_start").desc(), F("version").desc()]
    latest = {
        digest.sector: digest
        for digest in published_digests()
        .annotate(row=Window(RowNumber(), partition_by=[F("sector")], order_by=newest_first))
        .filter(row=1)
    }
    return [
        {
            "sector": sector,
            "label": str(Sector(sector).label),
            "assessment": assessments.get(sector),
            "latest": latest.get(sector),
        }
        for sector in Sector.values
    ]
