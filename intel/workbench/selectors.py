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
from django.utils import timezone

from accounts.models import Application, User
from intel.digests.core import last_full_week
from intel.models import (
    BriefingWeek,
    Contribution,
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
from intel.vocabulary import Tlp

LIST_LENGTH = 5
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
class Workbench:
    applications: Queue
    reviews: Queue
    second_approvals: Queue
    answers: Queue
    digests: Queue
    briefing: BriefingStatus


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
    )


def briefing_status(*, now: datetime.datetime | None = None) -> BriefingStatus:
    """The last full week's briefing: started or not, and its deliveries by status."""
    week_start = last_full_week(now or timezone.now())
    started = BriefingWeek.objects.filter(week_start=week_start).exists()
    totals = Delivery.objects.filter(week_start=week_start).aggregate(
        **{status.value: Count("pk", filter=Q(status=status.value)) for status in DeliveryStatus}
    )
    return BriefingStatus(week_start=week_start, started=started, counts=totals)
