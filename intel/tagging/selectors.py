"""Reads for tags and near-duplicate clusters: the review page and the digests.

Corroboration rule: a cluster's corroboration is the number of independent
sources among its *accepted attributed* members (named or organisation only):
distinct organisations (a member with none counts as its author), capped by
distinct authors. An attributed member whose author or organisation already
appears earlier in the cluster is a repeat: it is shown flagged and adds
nothing, since near-duplicates from one source are not independent
confirmation.

Anonymous members take no part: they never raise or lower the figure, never
carry a same-source flag and never cause one on a sibling. Comparing them
with their siblings would tell analysts whether the hidden author is one of
the named ones (even in a cluster of two), so what the page shows must not
depend on who wrote them. The weekly digests rank by the same rule
(`intel.digests.queries`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat, Lower, NullIf, Trim
from django.utils.translation import get_language

from intel.countries import country_name
from intel.models import (
    Attribution,
    Contribution,
    ContributionFingerprint,
    ContributionTag,
    Status,
    TagKind,
    TagSource,
    TaxonomyLabel,
)
from intel.tagging.events import EventAnchors, same_event
from intel.tagging.runtime import ENGINE_KIND
from intel.vocabulary import Sector, Signal, choice_label


@dataclass
class TagRow:
    kind: str
    slug: str
    label: str
    score: float | None = None
    evidence: list[str] = field(default_factory=list)
    # The learned layer's view: its probability, the rule that gave the tag
    # ("lexicon", "model" or "both") and the n-grams that raised it most.
    model_probability: float | None = None
    model_source: str = ""
    model_features: list[str] = field(default_factory=list)
    automatic: bool = False
    classified: bool = False
    added_by_analyst: bool = False
    removed_by_analyst: bool = False


@dataclass
class TagGroup:
    kind: str
    label: str
    rows: list[TagRow]


def _labels(kind: str, slugs: Iterable[str]) -> dict[str, str]:
    slugs = set(slugs)
    if kind == TagKind.SECTOR:
        return {slug: choice_label(Sector, slug) for slug in slugs}
    if kind == TagKind.SIGNAL:
        return {slug: choice_label(Signal, slug) for slug in slugs}
    if kind == TagKind.COUNTRY:
        return {slug: country_name(slug) for slug in slugs}
    japanese = (get_language() or "en").startswith("ja")
    return {
        label.slug: (label.label_ja if japanese and label.label_ja else label.label_en)
        for label in TaxonomyLabel.objects.filter(kind=ENGINE_KIND[kind], slug__in=slugs)
    }


def tags_for_review(*, contribution: Contribution) -> list[TagGroup]:
    """Every tag of `contribution` by kind: automatic (with evidence), classified, corrected."""
    rows: dict[tuple[str, str], TagRow] = {}

    def row(kind: str, slug: str) -> TagRow:
        return rows.setdefault((kind, slug), TagRow(kind=kind, slug=slug, label=slug))

    for tag in ContributionTag.objects.filter(contribution=contribution):
        entry = row(tag.kind, tag.slug)
        if tag.source == TagSource.AUTO:
            entry.automatic = True
            entry.score = tag.score
            entry.evidence = sorted({str(span.get("text", "")) for span in tag.spans})
            model = tag.model_evidence or {}
            if model.get("probability") is not None:
                entry.model_probability = float(model["probability"])
                entry.model_source = str(model.get("source", ""))
                entry.model_features = [
                    str(feature.get("text", ""))
                    for feature in model.get("features", [])
                    if isinstance(feature, dict)
                ]
        elif tag.removed:
            entry.removed_by_analyst = True
        else:
            entry.added_by_analyst = True
    for kind, related, attribute in (
        (TagKind.SECTOR, "sector_rows", "sector"),
        (TagKind.SIGNAL, "signal_rows", "signal"),
        (TagKind.COUNTRY, "country_rows", "country"),
    ):
        for slug in getattr(contribution, related).values_list(attribute, flat=True):
            row(kind, slug).classified = True
    groups = []
    for kind in TagKind:
        members = [entry for (entry_kind, _slug), entry in rows.items() if entry_kind == kind]
        names = _labels(kind, (entry.slug for entry in members))
        for entry in members:
            entry.label = names.get(entry.slug, entry.slug)
        members.sort(key=lambda entry: (-(entry.score or 0.0), entry.label))
        groups.append(TagGroup(kind=kind.value, label=str(kind.label), rows=members))
    return groups


@dataclass
class ClusterMember:
    contribution: Contribution
    similarity: float | None
    is_repeat: bool
    is_current: bool
    # Set for a report in another language linked as the same event: what it
    # shares with the current report (labels, countries, organisations, figures, dates).
    same_event: list[str] | None = None


@dataclass
class ClusterView:
    cluster_id: int
    corroboration: int
    members: list[ClusterMember]


def _source_id(author_id: int | None, partner_source_id: int | None) -> int:
    """Who stands behind a contribution: its author, or (negated, so the two never
    meet) the partner source it was imported from. `cluster_corroboration` and
    `intel.digests.queries` key sources the same way."""
    return author_id if author_id is not None else -(partner_source_id or 0)


# Drafts and withdrawn contributions carry no automatic tags.
UNTAGGED_STATUSES = (Status.DRAFT, Status.WITHDRAWN)


def stale_contribution_ids(*, version: str, limit: int) -> list[int]:
    """Contributions due for tagging: never tagged, or with another taxonomy version."""
    return list(
        Contribution.objects.exclude(status__in=UNTAGGED_STATUSES)
        .exclude(fingerprint__taxonomy_version=version)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def cluster_for_review(*, contribution: Contribution) -> ClusterView | None:
    """The near-duplicate cluster of `contribution`, oldest submission first."""
    cluster_id = (
        ContributionFingerprint.objects.filter(contribution=contribution)
        .values_list("cluster_id", flat=True)
        .first()
    )
    if cluster_id is None:
        return None
    fingerprints = list(
        ContributionFingerprint.objects.filter(cluster_id=cluster_id)
        .select_related("contribution__author")
        .order_by("contribution__submitted_at", "contribution_id")
    )
    current_event = next(
        (
            EventAnchors.from_json(fingerprint.event)
            for fingerprint in fingerprints
            if fingerprint.contribution_id == contribution.pk
        ),
        None,
    )
    seen_authors: set[int] = set()
    seen_organisations: set[str] = set()
    members = []
    for fingerprint in fingerprints:
        member = fingerprint.contribution
        is_repeat = False
        if not member.is_anonymous:
            organisation = member.organisation.strip().casefold()
            source = _source_id(member.author_id, member.partner_source_id)
            is_repeat = source in seen_authors or (
                bool(organisation) and organisation in seen_organisations
            )
            seen_authors.add(source)
            if organisation:
                seen_organisations.add(organisation)
        event = EventAnchors.from_json(fingerprint.event)
        members.append(
            ClusterMember(
                contribution=member,
                similarity=fingerprint.similarity,
                is_repeat=is_repeat,
                is_current=member.pk == contribution.pk,
                same_event=same_event(current_event, event) if current_event and event else None,
            )
        )
    corroboration = cluster_corroboration(cluster_ids=[cluster_id]).get(cluster_id, 0)
    return ClusterView(cluster_id=cluster_id, corroboration=corroboration, members=members)


# The corroboration rule's parts, for every count of independent sources (the cluster
# view here, a contributor's impact page): accepted attributed members only, each
# keyed by its author (a partner source by its negated id) and by its organisation,
# case-insensitive, or its author when it names none.
CORROBORATION_COUNTED = Q(contribution__status=Status.ACCEPTED) & ~Q(
    contribution__attribution=Attribution.ANONYMOUS
)
CORROBORATION_AUTHOR_KEY = Coalesce(
    "contribution__author_id", -F("contribution__partner_source_id")
)
CORROBORATION_SOURCE_KEY = Coalesce(
    NullIf(Lower(Trim("contribution__organisation")), Value("")),
    Concat(Value("author:"), Cast(CORROBORATION_AUTHOR_KEY, CharField())),
)


def cluster_corroboration(*, cluster_ids: Iterable[int]) -> dict[int, int]:
    """Independent sources among accepted attributed members, per cluster (one GROUP BY).

    Sources are organisations (case-insensitive; a member with none counts as
    its author), capped by the number of distinct authors; anonymous members
    are not counted (see the module docstring). The weekly digests rank by the
    same rule (`intel.digests.queries`), where an item counts at least one source.
    """
    rows = (
        ContributionFingerprint.objects.filter(cluster_id__in=list(cluster_ids))
        .values("cluster_id")
        .annotate(
            organisations=Count(
                CORROBORATION_SOURCE_KEY, distinct=True, filter=CORROBORATION_COUNTED
            ),
            authors=Count(CORROBORATION_AUTHOR_KEY, distinct=True, filter=CORROBORATION_COUNTED),
        )
    )
    return {row["cluster_id"]: min(row["organisations"], row["authors"]) for row in rows}
