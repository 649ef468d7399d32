"""Board brief fixtures: a published week with assessments before it, and every reader persona."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from accounts.services import readers as reader_services
from intel.digests.queries import assessment_row
from tests.accounts.factories import UserFactory
from tests.intel.briefings.factories import SubscriptionFactory
from tests.intel.digests.factories import (
    LEVEL_TOTALS,
    DigestFactory,
    DigestItemFactory,
    SectorAssessmentFactory,
)

SECTOR = "semiconductors"
# Positions 1-5 in the digest; the top three a GREEN reader gets are the first three here.
ITEMS = [
    ("clear", "Clear one: gallium licences delayed", "report"),
    ("green", "Green two: members-only supplier list", "report"),
    ("green", "Green three: wafer capacity shifts", "report"),
    ("clear", "Clear four: dual-sourcing neon", "case-study"),
    ("green", "Green five: a fab's power contract", "report"),
]
AMBER_TITLE = "AMBER-ONLY named fab under pressure"


def snapshot_with(current: Any, previous: Any) -> dict[str, Any]:
    return {
        "totals": LEVEL_TOTALS,
        "assessment": {"current": assessment_row(current), "previous": assessment_row(previous)},
    }


@pytest.fixture
def assessments(analyst: Any) -> dict[str, Any]:
    """Blue 3/4 a month ago, then green 2/5 this week: class changed, autonomy down, indisp. up."""
    now = timezone.now()
    older = SectorAssessmentFactory(
        sector=SECTOR, sector_class="blue", autonomy=3, indispensability=4,
        assessed_by=analyst, at=now - datetime.timedelta(days=30),
    )  # fmt: skip
    newer = SectorAssessmentFactory(
        sector=SECTOR, sector_class="green", autonomy=2, indispensability=5,
        rationale="Supply of high-purity gallium now depends on one country.",
        assessed_by=analyst, at=now - datetime.timedelta(days=1),
    )  # fmt: skip
    return {"older": older, "newer": newer}


@pytest.fixture
def published(analyst: Any, assessments: Any) -> Any:
    return DigestFactory(
        sector=SECTOR, published_by=analyst, items=ITEMS,
        snapshot=snapshot_with(assessments["newer"], assessments["older"]),
    )  # fmt: skip


@pytest.fixture
def draft(analyst: Any, assessments: Any) -> Any:
    return DigestFactory(
        sector="energy", published=False, items=ITEMS,
        snapshot=snapshot_with(assessments["newer"], assessments["older"]),
    )  # fmt: skip


@pytest.fixture
def add_amber_item() -> Any:
    """Put an AMBER item at the top of a digest (position 0, above every other)."""

    def add(digest: Any) -> Any:
        return DigestItemFactory(
            digest=digest, position=0, key="r-amber", tlp="amber", title=AMBER_TITLE
        )

    return add


@pytest.fixture
def account_subscriber(db: None) -> Any:
    """An account that is neither a member nor a reader, with an active briefing subscription."""
    user = UserFactory(email="board-subscriber@test.example")
    SubscriptionFactory(email=user.email, user=user)
    return user


@pytest.fixture
def reader(contributor: Any) -> Any:
    """A colleague the contributor invited as a reader (TLP:GREEN, cannot contribute)."""
    colleague = UserFactory(email="colleague@test.example")
    _invitation, code = reader_services.reader_invite(member=contributor, email=colleague.email)
    reader_services.reader_accept(code=code, user=colleague)
    colleague.refresh_from_db()
    return colleague
