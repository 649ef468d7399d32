"""Reads of contributor impact: a member's own impact page, the track record analysts grade by.

Two audiences, two rules:
- the member's own view (`impact_of`, `track_record(include_anonymous=True)`)
  covers everything they wrote, anonymous work included;
- what analysts read (`track_record()`, `grade_suggestion`) leaves every
  anonymous contribution out, so no figure they see moves when an anonymous
  report is submitted, accepted, corroborated or contradicted.

Corroboration follows the rule of `intel.tagging.selectors`: accepted
attributed members of the same near-duplicate cluster, keyed by organisation
(case-insensitive; a member with none counts as its author). A contribution
is corroborated by the independent sources of its cluster other than its
own author and the author's organisations; anonymous members never count.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.models import Membership, User
from intel.impact.grading import Suggestion, suggest_grade
from intel.models import (
    Acknowledgement,
    Attribution,
    BriefingWeek,
    Contradiction,
    Contribution,
    ContributionFingerprint,
    Digest,
    DigestItem,
    DigestStatus,
    IntelligenceRequirement,
    RequirementAnswer,
    Status,
)
from intel.reports.selectors import author_track_record
from intel.tagging.selectors import CORROBORATION_COUNTED, CORROBORATION_SOURCE_KEY


def _own_organisations(user: User) -> set[str]:
    """The organisations `user` has written as (membership and report snapshots), casefolded."""
    names = set(
        Contribution.objects.filter(author=user).values_list("organisation", flat=True).distinct()
    )
    membership = getattr(user, "membership", None)
    if membership is not None:
        names.add(membership.organisation)
    return {name.strip().lower() for name in names if name and name.strip()}


def independent_sources(*, user: User, cluster_ids: Iterable[int]) -> dict[int, int]:
    """Per cluster, the independent sources among accepted attributed members not `user`'s own."""
    ids = list(cluster_ids)
    if not ids:
        return {}
    rows = (
        ContributionFingerprint.objects.filter(cluster_id__in=ids)
        .filter(CORROBORATION_COUNTED)
        .exclude(contribution__author=user)
        .annotate(source=CORROBORATION_SOURCE_KEY)
        .exclude(source__in=sorted(_own_organisations(user)))
        .values_list("cluster_id", "source")
        .distinct()
    )
    sources: dict[int, set[str]] = defaultdict(set)
    for cluster_id, source in rows:
        sources[cluster_id].add(source)
    return {cluster_id: len(found) for cluster_id, found in sources.items()}


def _visible(user: User, include_anonymous: bool) -> QuerySet[Contribution]:
    contributions = Contribution.objects.filter(author=user)
    if not include_anonymous:
        contributions = contributions.exclude(attribution=Attribution.ANONYMOUS)
    return contributions


def track_record(*, user: User, include_anonymous: bool = False) -> dict[str, int]:
    """Submitted, accepted, rejected, corroborated and later contradicted contributions.

    Analysts read it without `include_anonymous`; only the member's own
    views pass it.
    """
    counts = author_track_record(user=user, include_anonymous=include_anonymous)
    accepted = _visible(user, include_anonymous).filter(status=Status.ACCEPTED)
    clusters = dict(
        accepted.filter(fingerprint__cluster__isnull=False).values_list(
            "pk", "fingerprint__cluster_id"
        )
    )
    corroborating = independent_sources(user=user, cluster_ids=set(clusters.values()))
    return {
        **counts,
        "corroborated": sum(1 for cluster in clusters.values() if corroborating.get(cluster)),
        "contradicted": Contradiction.objects.filter(contribution__in=accepted).count(),
    }


def grade_suggestion(*, user: User) -> Suggestion:
    """The suggested source grade, from the record analysts see (anonymous work left out)."""
    record = track_record(user=user)
    return suggest_grade(
        accepted=record["accepted"],
        rejected=record["rejected"],
        corroborated=record["corroborated"],
        contradicted=record["contradicted"],
    )


# --- The member's own impact page -------------------------------------------------


@dataclass
class DigestCitation:
    digest: Digest
    position: int
    briefed: bool


@dataclass
class ContributionImpact:
    contribution: Contribution
    citations: list[DigestCitation] = field(default_factory=list)
    requirements: list[IntelligenceRequirement] = field(default_factory=list)
    corroborated_by: int = 0
    acknowledgements: list[Acknowledgement] = field(default_factory=list)
    contradiction: Contradiction | None = None

    @property
    def briefings(self) -> list[datetime.date]:
        return sorted({c.digest.week_start for c in self.citations if c.briefed})


def _citations(
    contributions: list[Contribution], clusters: dict[int, int]
) -> dict[int, list[DigestCitation]]:
    """Published digest items standing for each contribution (latest version of each week)."""
    keys: dict[str, list[int]] = defaultdict(list)
    for contribution in contributions:
        keys[f"r{contribution.pk}"].append(contribution.pk)
        if contribution.pk in clusters:
            keys[f"c{clusters[contribution.pk]}"].append(contribution.pk)
    items = (
        DigestItem.objects.filter(
            key__in=list(keys), digest__status=DigestStatus.PUBLISHED, dropped=False, stale=False
        )
        .select_related("digest")
        .order_by("digest__week_start", "digest__sector", "-digest__version")
    )
    latest: dict[tuple[int, str, datetime.date], DigestItem] = {}
    for item in items:
        for pk in keys[item.key]:
            # A cluster item holds the members it was built from; a later member is not cited.
            if pk not in item.contribution_ids:
                continue
            latest.setdefault((pk, item.digest.sector, item.digest.week_start), item)
    weeks = {item.digest.week_start for item in latest.values()}
    briefed = set(
        BriefingWeek.objects.filter(week_start__in=weeks).values_list("week_start", flat=True)
    )
    found: dict[int, list[DigestCitation]] = defaultdict(list)
    for (pk, _sector, week), item in latest.items():
        found[pk].append(
            DigestCitation(digest=item.digest, position=item.position, briefed=week in briefed)
        )
    return found


def impact_of(*, user: User) -> list[ContributionImpact]:
    """Every contribution `user` sent (anonymous ones too), newest first, with what it changed.

    A fixed number of queries whatever the number of contributions.
    """
    contributions = list(
        Contribution.objects.filter(author=user, submitted_at__isnull=False)
        .exclude(status=Status.WITHDRAWN)
        .select_related("contradiction")
        .prefetch_related(
            Prefetch(
                "answer_rows",
                queryset=RequirementAnswer.objects.select_related("requirement").order_by("pk"),
            ),
            Prefetch(
                "acknowledgements", queryset=Acknowledgement.objects.order_by("created_at", "pk")
            ),
        )
        .order_by("-submitted_at", "-pk")
    )
    clusters = dict(
        ContributionFingerprint.objects.filter(
            contribution__in=[c.pk for c in contributions], cluster__isnull=False
        ).values_list("contribution_id", "cluster_id")
    )
    corroborating = independent_sources(user=user, cluster_ids=set(clusters.values()))
    citations = _citations(contributions, clusters)
    result = []
    for contribution in contributions:
        accepted = contribution.status == Status.ACCEPTED
        cluster = clusters.get(contribution.pk)
        result.append(
            ContributionImpact(
                contribution=contribution,
                citations=citations.get(contribution.pk, []),
                requirements=[row.requirement for row in contribution.answer_rows.all()],
                corroborated_by=corroborating.get(cluster, 0) if accepted and cluster else 0,
                acknowledgements=list(contribution.acknowledgements.all()),
                contradiction=getattr(contribution, "contradiction", None),
            )
        )
    return result


def impact_totals(impacts: list[ContributionImpact]) -> dict[str, Any]:
    """The headline figures of the member's own page."""
    return {
        "sent": len(impacts),
        "accepted": sum(1 for i in impacts if i.contribution.status == Status.ACCEPTED),
        "cited": sum(1 for i in impacts if i.citations),
        "corroborated": sum(1 for i in impacts if i.corroborated_by),
        "thanked": sum(1 for i in impacts if i.acknowledgements),
    }


# --- The monthly summary ----------------------------------------------------------


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month starting on `month` as an aware [start, end) in the site's time zone."""
    from django.utils import timezone

    start = datetime.datetime(month.year, month.month, 1)
    following = datetime.datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
    zone = timezone.get_default_timezone()
    return start.replace(tzinfo=zone), following.replace(tzinfo=zone)


def month_activity(*, user: User, month: datetime.date) -> dict[str, list[Any]]:
    """What changed for `user`'s contributions in `month`: decisions, citations, notes."""
    start, end = month_bounds(month)
    impacts = impact_of(user=user)
    decided = [
        i.contribution
        for i in impacts
        if i.contribution.decided_at is not None
        and start <= i.contribution.decided_at < end
        and i.contribution.status in (Status.ACCEPTED, Status.REJECTED)
    ]
    cited = [
        (i.contribution, c.digest)
        for i in impacts
        for c in i.citations
        if c.digest.published_at is not None and start <= c.digest.published_at < end
    ]
    notes = [
        (i.contribution, a)
        for i in impacts
        for a in i.acknowledgements
        if start <= a.created_at < end
    ]
    return {"decided": decided, "cited": cited, "notes": notes}


def members_active_in(*, month: datetime.date) -> list[int]:
    """Ids of active members with a decision, a note or a digest citation in `month`."""
    start, end = month_bounds(month)
    decided = Contribution.objects.filter(
        author__isnull=False,
        decided_at__gte=start,
        decided_at__lt=end,
        status__in=[Status.ACCEPTED, Status.REJECTED],
    ).values_list("author_id", flat=True)
    noted = Acknowledgement.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "contribution__author_id", flat=True
    )
    cited_ids: set[int] = set()
    for item in DigestItem.objects.filter(
        digest__status=DigestStatus.PUBLISHED,
        digest__published_at__gte=start,
        digest__published_at__lt=end,
        dropped=False,
        stale=False,
    ).only("data"):
        cited_ids.update(item.contribution_ids)
    cited = Contribution.objects.filter(pk__in=cited_ids, author__isnull=False).values_list(
        "author_id", flat=True
    )
    ids = {*decided, *noted, *cited}
    return sorted(
        User.objects.filter(
            pk__in=ids, is_active=True, membership__status=Membership.Status.ACTIVE
        ).values_list("pk", flat=True)
    )


def contribution_for_acknowledgement(*, pk: int) -> Contribution:
    """A submitted contribution an analyst may thank, mark or send feedback on (404 otherwise)."""
    from intel.reports.selectors import contribution_for_reviewer

    return contribution_for_reviewer(pk=pk)
