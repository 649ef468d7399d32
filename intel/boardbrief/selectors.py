"""Reads for board briefs: who may open one, and one reader's brief of a published digest.

Redaction is `intel.digests.selectors.digest_view`'s, at the reader's
`reader_clearance` on the site or the subscription's clearance in email; the
brief takes its developments from that view, so it shows nothing the reader's
digest would not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q
from django.utils import translation

from accounts.permissions import has_analyst_access
from intel.boardbrief import core
from intel.digests import text as digest_text
from intel.digests.selectors import digest_view
from intel.models import (
    BoardBrief,
    Digest,
    SectorAssessment,
    SectorClass,
    Subscription,
    SubscriptionStatus,
)
from intel.vocabulary import choice_label


def may_read_board_briefs(user: Any) -> bool:
    """Subscribers with an account, vetted members, readers and analysts."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_analyst or user.is_vetted_contributor or user.is_reader:
        return True
    return Subscription.objects.filter(
        Q(user=user) | Q(email__iexact=user.email), status=SubscriptionStatus.ACTIVE
    ).exists()


def may_edit_questions(user: Any) -> bool:
    return has_analyst_access(user)


def board_brief_of(digest: Digest) -> BoardBrief | None:
    return BoardBrief.objects.filter(sector=digest.sector, week_start=digest.week_start).first()


def board_briefs_of_views(
    views: Iterable[Mapping[str, Any]],
) -> dict[tuple[str, str], BoardBrief]:
    """The analysts' questions of several digest views in one query, by (sector, ISO week)."""
    wanted = Q(pk__in=[])
    for view in views:
        wanted |= Q(sector=view["sector"], week_start=view["week_start"])
    return {
        (brief.sector, brief.week_start.isoformat()): brief
        for brief in BoardBrief.objects.filter(wanted)
    }


def assessment_before(current: dict[str, Any] | None, *, sector: str) -> dict[str, Any] | None:
    """The assessment that was in force before `current` (an assessment row of a digest view)."""
    if not current:
        return None
    anchor = SectorAssessment.objects.filter(pk=current["id"]).only("created_at").first()
    if anchor is None:
        return None
    previous = (
        SectorAssessment.objects.filter(sector=sector)
        .filter(
            Q(created_at__lt=anchor.created_at) | Q(created_at=anchor.created_at, pk__lt=anchor.pk)
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if previous is None:
        return None
    return {
        "sector_class": previous.sector_class,
        "class_label": str(choice_label(SectorClass, previous.sector_class)),
        "autonomy": previous.autonomy,
        "indispensability": previous.indispensability,
        "assessed_at": previous.created_at.isoformat(),
    }


def brief_from_view(view: Mapping[str, Any], *, brief: BoardBrief | None, language: str) -> dict:
    """The board brief of a digest view (already at the reader's clearance) in `language`."""
    language = digest_text.supported_language(language)
    current = (view.get("assessment") or {}).get("current")
    with translation.override(language):
        previous = assessment_before(current, sector=view["sector"])
    return core.brief_view(
        view=view,
        previous_assessment=previous,
        questions=brief.questions(language) if brief else [],
    )


def board_brief_view(*, digest: Digest, clearance: str, language: str) -> dict[str, Any]:
    """One reader's board brief of `digest`, in `language`."""
    view = digest_view(
        digest=digest, clearance=clearance, language=language, max_items=core.DEVELOPMENTS
    )
    return brief_from_view(view, brief=board_brief_of(digest), language=language)
