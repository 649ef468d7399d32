"""What waits for an analyst, read in a fixed number of queries whatever the backlog.

Each queue gives a count and its oldest few items, so the page shows how much
waits and where to start. Nothing here names the author of a contribution:
the workbench lists titles, states and handling levels only, and the counts
are of queues every analyst sees in full (no count moves with who wrote what).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accounts.models import Application, User
from intel.digests.core import TOKYO, last_full_week, week_start_of
from intel.models import (
    BriefingWeek,
    Contribution,
    ContributionSector,
    Delivery,
    Digest,
    IntelligenceRequirement,
    RequirementAnswer,
    ReviewApproval,
    Status,
)
from intel.models.briefings import DeliveryStatus
from intel.models.contributions import QUEUE_STATUSES
from intel.models.digests import OPEN_DIGEST_STATUSES
from intel.vocabulary import Sector, Tlp

LIST_LENGTH = 5
TREND_WEEKS = 12
FOUR_EYES_LEVELS = (Tlp.AMBER_STRICT.value, Tlp.RED.value)


@dataclass(frozen=True)
class Queue:
    count: int
    items: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class BriefingStatus:
    week_start: datetime.date
    started: bool
    counts: dict[str, int]


@dataclass(frozen=True)
class SectorTrend:
    sector: str
    weekly: list[int]  # accepted contributions per week, oldest first, this week last

    @property
    def total(self) -> int:
        return sum(self.weekly)


@dataclass(frozen=True)
class Workbench:
    applications: Queue
    reviews: Queue
    second_approvals: Queue
    answers: Queue
    digests: Queue
    briefing: BriefingStatus
    sectors: list[SectorTrend] = field(default_factory=list)


def _queue(queryset: Any, *, length: int = LIST_LENGTH) -> Queue:
    return Queue(count=queryset.count(), items=list(queryset[:length]))


def _awaiting_second_approval() -> Any:
    """In review at a four-eyes level, with one approval of the current revision recorded."""
    approved = ReviewApproval.objects.filter(
        contribution=OuterRef("pk"), revision=OuterRef("revision")
    )
    return Contribution.objects.filter(status=Status.IN_REVIEW, tlp__in=FOUR_EYES_LEVELS).filter(
        Exists(approved)
    )


def workbench_for(*, analyst: User) -> Workbench:
    """Every queue of the workbench for `analyst` (13 queries, whatever the sizes)."""
    applications = (
        Application.objects.filter(status=Application.Status.SUBMITTED)
        .select_related("user")
        .order_by("submitted_at", "pk")
    )
    reviews = (
        Contribution.objects.filter(status__in=QUEUE_STATUSES)
        .select_related("reviewer")
        .order_by("submitted_at", "pk")
    )
    second = (
        _awaiting_second_approval()
        .prefetch_related("approvals__analyst")
        .order_by("submitted_at", "pk")
    )
    answers = (
        RequirementAnswer.objects.filter(
            requirement__created_by=analyst,
            requirement__status=IntelligenceRequirement.Status.OPEN,
            contribution__submitted_at__isnull=False,
        )
        .select_related("requirement", "contribution")
        .order_by("-created_at", "-pk")
    )
    digests = Digest.objects.filter(status__in=OPEN_DIGEST_STATUSES).order_by(
        "week_start", "sector"
    )
    return Workbench(
        applications=_queue(applications),
        reviews=_queue(reviews),
        second_approvals=_queue(second),
        answers=_queue(answers),
        digests=_queue(digests),
        briefing=briefing_status(),
        sectors=sector_trends(),
    )


def sector_trends(*, today: datetime.date | None = None) -> list[SectorTrend]:
    """Accepted contributions per sector and week, the last `TREND_WEEKS` weeks (one query).

    Analysts read every level, so these are the full counts; a contribution of
    several sectors counts in each.
    """
    today = today or timezone.now().astimezone(TOKYO).date()
    weeks = [
        week_start_of(today) - datetime.timedelta(weeks=back)
        for back in range(TREND_WEEKS - 1, -1, -1)
    ]
    start = datetime.datetime.combine(weeks[0], datetime.time.min, tzinfo=TOKYO)
    rows = (
        ContributionSector.objects.filter(
            contribution__status=Status.ACCEPTED, contribution__accepted_at__gte=start
        )
        .annotate(week=TruncWeek("contribution__accepted_at", tzinfo=TOKYO))
        .values("sector", "week")
        .annotate(n=Count("contribution_id"))
    )
    counts: dict[tuple[str, datetime.date], int] = {}
    for row in rows:
        week = row["week"]
        day = week.astimezone(TOKYO).date() if isinstance(week, datetime.datetime) else week
        counts[(row["sector"], day)] = row["n"]
    return [
        SectorTrend(sector, [counts.get((sector, week), 0) for week in weeks])
        for sector in Sector.values
    ]


def briefing_status(*, now: datetime.datetime | None = None) -> BriefingStatus:
    """The last full week's briefing: started or not, and its deliveries by status."""
    week_start = last_full_week(now or timezone.now())
    started = BriefingWeek.objects.filter(week_start=week_start).exists()
    totals = Delivery.objects.filter(week_start=week_start).aggregate(
        **{status.value: Count("pk", filter=Q(status=status.value)) for status in DeliveryStatus}
    )
    return BriefingStatus(week_start=week_start, started=started, counts=totals)
