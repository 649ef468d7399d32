"""Automatic tags, analysts' tag corrections and near-duplicate clusters.

`contribution_tag` is what the worker runs after each (re)submission; it is
idempotent: running it twice leaves the same rows. It rewrites only the
`auto` tags; rows an analyst wrote are never touched, and their effect on
later tagging comes through `intel.tagging.runtime.feedback_overrides`.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from intel.models import (
    Contribution,
    ContributionBand,
    ContributionCountry,
    ContributionFingerprint,
    ContributionSector,
    ContributionSignal,
    ContributionTag,
    DuplicateCluster,
    Status,
    TagKind,
    TagSource,
    TaxonomyLabel,
)
from intel.reports.services._common import require_reviewer
from intel.reports.services.search_index import weighted_parts
from intel.tagging import dedup
from intel.tagging.engine import TagResult
from intel.tagging.learned import LearnedTag
from intel.tagging.runtime import ENGINE_KIND, TAG_KIND, current_tagger
from intel.vocabulary import Sector, Signal

# A contribution is compared with at most this many LSH candidates.
MAX_CANDIDATES = 200
# Texts shorter than this (after normalisation) are too thin to call duplicates.
MIN_TEXT_FOR_CLUSTERING = 80
# Serialises cluster assignment across workers on PostgreSQL (SQLite already
# serialises writers), so two near-duplicates tagged at once share one cluster.
_CLUSTER_LOCK_KEY = 0x4349505F434C55  # "CIP_CLU"

UNTAGGED_STATUSES = (Status.DRAFT, Status.WITHDRAWN)


def contribution_text(contribution: Contribution) -> tuple[str, str]:
    """(title, body) as the tagger sees a field report or case study."""
    parts = [text for text, _weight in weighted_parts(contribution)]
    return parts[0], "\n\n".join(part for part in parts[1:] if part)


@transaction.atomic
def contribution_tag(*, contribution_id: int) -> bool:
    """Tag one contribution and place it in its near-duplicate cluster.

    Returns False (and changes nothing) for a draft, a withdrawn or a missing
    contribution. The row lock makes two runs for the same contribution queue
    up instead of interleaving.
    """
    contribution = (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("fieldreport", "casestudy")
        .filter(pk=contribution_id)
        .first()
    )
    if contribution is None or contribution.status in UNTAGGED_STATUSES:
        return False
    tagger = current_tagger()
    title, body = contribution_text(contribution)
    result = tagger.tag(title, body)
    _store_auto_tags(contribution, result)
    _assign_cluster(contribution, f"{title}\n{body}", taxonomy_version=result.taxonomy_version)
    return True


def _store_auto_tags(contribution: Contribution, result: TagResult) -> None:
    ContributionTag.objects.filter(contribution=contribution, source=TagSource.AUTO).delete()
    rows = [
        ContributionTag(
            contribution=contribution,
            kind=TAG_KIND[family],
            slug=tag.slug,
            source=TagSource.AUTO,
            score=tag.score,
            spans=[
                {"field": span.field, "start": span.start, "end": span.end, "text": span.text}
                for span in tag.spans
            ],
            model_evidence=tag.model_evidence() if isinstance(tag, LearnedTag) else {},
        )
        for family in TAG_KIND
        for tag in getattr(result, family)
    ]
    ContributionTag.objects.bulk_create(rows)


def _assign_cluster(contribution: Contribution, text: str, *, taxonomy_version: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CLUSTER_LOCK_KEY])
    values = dedup.signature(text)
    fingerprint, _created = ContributionFingerprint.objects.update_or_create(
        contribution=contribution,
        defaults={
            "signature": dedup.signature_to_bytes(values),
            "taxonomy_version": taxonomy_version,
            "tagged_at": timezone.now(),
        },
    )
    ContributionBand.objects.filter(contribution=contribution).delete()
    previous_cluster_id = fingerprint.cluster_id
    if len(dedup.normalise_for_shingles(text)) < MIN_TEXT_FOR_CLUSTERING:
        _leave_cluster(fingerprint, previous_cluster_id)
        return
    keys = dedup.band_keys(values)
    ContributionBand.objects.bulk_create(
        ContributionBand(contribution=contribution, band=band, key=key)
        for band, key in enumerate(keys)
    )
    matches = _similar_contributions(contribution.pk, values, keys)
    if not matches:
        _leave_cluster(fingerprint, previous_cluster_id)
        return
    matched = dict(matches)
    member_clusters = set(
        ContributionFingerprint.objects.filter(
            contribution_id__in=matched, cluster__isnull=False
        ).values_list("cluster_id", flat=True)
    )
    if previous_cluster_id in member_clusters or not member_clusters:
        target_id = previous_cluster_id or DuplicateCluster.objects.create().pk
    else:
        target_id = min(member_clusters)
    # Everything the new text links together becomes one cluster.
    ContributionFingerprint.objects.filter(
        Q(contribution_id__in=[contribution.pk, *matched])
        | Q(cluster_id__in=member_clusters - {target_id})
    ).update(cluster_id=target_id)
    DuplicateCluster.objects.filter(pk__in=member_clusters - {target_id}).delete()
    ContributionFingerprint.objects.filter(pk=fingerprint.pk).update(
        similarity=max(matched.values())
    )
    if previous_cluster_id and previous_cluster_id != target_id:
        _dissolve_if_single(previous_cluster_id)


def _similar_contributions(
    contribution_id: int, values: object, keys: list[int]
) -> list[tuple[int, float]]:
    band_match = reduce(operator.or_, (Q(band=band, key=key) for band, key in enumerate(keys)))
    candidate_ids = list(
        ContributionBand.objects.filter(band_match)
        .exclude(contribution_id=contribution_id)
        .values_list("contribution_id", flat=True)
        .distinct()[:MAX_CANDIDATES]
    )
    candidates = [
        (pk, dedup.signature_from_bytes(bytes(raw)))
        for pk, raw in ContributionFingerprint.objects.filter(
            contribution_id__in=candidate_ids
        ).values_list("contribution_id", "signature")
    ]
    return dedup.most_similar(values, candidates)  # type: ignore[arg-type]


def _leave_cluster(fingerprint: ContributionFingerprint, cluster_id: int | None) -> None:
    if cluster_id is None:
        return
    ContributionFingerprint.objects.filter(pk=fingerprint.pk).update(cluster=None, similarity=None)
    _dissolve_if_single(cluster_id)


def _dissolve_if_single(cluster_id: int) -> None:
    """A cluster of one is no cluster: free its last member and delete it."""
    members = ContributionFingerprint.objects.filter(cluster_id=cluster_id)
    if members.count() < 2:
        members.update(cluster=None, similarity=None)
        DuplicateCluster.objects.filter(pk=cluster_id).delete()


def _validate_tag(kind: str, slug: str) -> str:
    if kind == TagKind.SECTOR and slug in Sector.values:
        return slug
    if kind == TagKind.SIGNAL and slug in Signal.values:
        return slug
    if kind in (TagKind.COUNTRY, TagKind.COMMODITY, TagKind.STAGE):
        slug = slug.upper() if kind == TagKind.COUNTRY else slug
        if TaxonomyLabel.objects.filter(kind=ENGINE_KIND[kind], slug=slug).exists():
            return slug
    raise ValidationError({"slug": _("Unknown tag “%(slug)s” for this kind.") % {"slug": slug}})


# The classification rows digests and filters use, per tag kind.
CLASSIFICATION = {
    TagKind.SECTOR: (ContributionSector, "sector"),
    TagKind.SIGNAL: (ContributionSignal, "signal"),
    TagKind.COUNTRY: (ContributionCountry, "country"),
}
MAX_SECTORS = 3


def _classification_rows(contribution: Contribution, kind: str, slug: str) -> QuerySet[Any]:
    model, field = CLASSIFICATION[TagKind(kind)]
    return model._default_manager.filter(contribution=contribution, **{field: slug})


def _sync_classification(contribution: Contribution, kind: str, slug: str, present: bool) -> None:
    """An analyst's correction also corrects the report's classification rows."""
    if kind not in CLASSIFICATION:
        return
    model, field = CLASSIFICATION[TagKind(kind)]
    rows = model._default_manager.filter(contribution=contribution)
    if present:
        adds_sector = kind == TagKind.SECTOR and not rows.filter(sector=slug).exists()
        if adds_sector and rows.count() >= MAX_SECTORS:
            raise ValidationError(
                {"slug": _("A report has at most three sectors; remove one first.")}
            )
        if not rows.filter(**{field: slug}).exists():
            model._default_manager.create(contribution=contribution, **{field: slug})
    else:
        if kind == TagKind.SECTOR and set(rows.values_list("sector", flat=True)) == {slug}:
            raise ValidationError({"slug": _("A report keeps at least one sector.")})
        rows.filter(**{field: slug}).delete()


@transaction.atomic
def tag_correct(
    *, contribution: Contribution, analyst: User, kind: str, slug: str, present: bool
) -> None:
    """An analyst adds a tag (`present=True`) or strikes one out (`present=False`).

    Striking out an automatic tag is recorded (`removed=True`) so re-tagging
    cannot bring it back and the feedback layer learns from it; striking out
    a tag the analyst had added simply withdraws that addition. Sectors,
    signals and countries are also added to or removed from the report's
    classification, which review filters and weekly digests read.
    """
    require_reviewer(contribution, analyst)
    if kind not in TagKind.values:
        raise ValidationError({"kind": _("Choose a tag kind.")})
    slug = _validate_tag(kind, slug.strip())
    key = {"contribution": contribution, "kind": kind, "slug": slug}
    auto_exists = ContributionTag.objects.filter(**key, source=TagSource.AUTO).exists()
    classified = kind in CLASSIFICATION and _classification_rows(contribution, kind, slug).exists()
    analyst_rows = ContributionTag.objects.filter(**key, source=TagSource.ANALYST)
    if present:
        analyst_rows.delete()
        if not auto_exists:
            ContributionTag.objects.create(**key, source=TagSource.ANALYST, created_by=analyst)
    elif auto_exists or classified:
        analyst_rows.delete()
        ContributionTag.objects.create(
            **key, source=TagSource.ANALYST, removed=True, created_by=analyst
        )
    elif analyst_rows.exists():
        analyst_rows.delete()
    else:
        raise ValidationError({"slug": _("This report has no such tag.")})
    _sync_classification(contribution, kind, slug, present)
    audit_record(
        actor=analyst,
        action="tags.add" if present else "tags.remove",
        target=contribution,
        data={"kind": kind, "slug": slug},
    )
