"""Interop fixtures: a published week with content at every handling level, and tokens."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from intel.digests import services as digest_services
from intel.models import Contribution, Digest, SectorAssessment
from tests.helpers import api_token_for
from tests.intel.digests.data import SECTOR, WEEK, accepted, jst, member

DAY = WEEK + datetime.timedelta(days=2)


@dataclass
class Published:
    digest: Digest
    clear: Contribution
    green: Contribution
    amber: Contribution
    red: Contribution
    anonymous: Contribution
    other_sector: Contribution


def publish_week(contributor: Any, analyst: Any) -> Published:
    """Critical minerals, week of 5 October 2026: one accepted contribution per level
    (the amber one anonymous from a unique organisation), an assessment, a published digest."""
    clear = accepted(contributor, at=jst(DAY, 9), tlp="clear", title="CLEAR tariff notice")
    green = accepted(contributor, at=jst(DAY, 10), tlp="green", title="GREEN licence delays")
    amber = accepted(member("Org Amber KK"), at=jst(DAY, 11), tlp="amber",
                     title="AMBER-ONLY smuggling route")  # fmt: skip
    red = accepted(member("Org Red KK"), at=jst(DAY, 12), tlp="red", title="RED-ONLY source")
    anonymous = accepted(member("Lonely Unique Foundry"), at=jst(DAY, 13), tlp="green",
                         title="Anonymous licence story")  # fmt: skip
    Contribution.objects.filter(pk=anonymous.pk).update(attribution="anonymous")
    other_sector = accepted(contributor, at=jst(DAY, 14), tlp="clear",
                            sectors=("semiconductors",), title="Neon prices")  # fmt: skip
    assessment = SectorAssessment.objects.create(
        sector=SECTOR, sector_class="green", autonomy=2, indispensability=3,
        rationale="Refining is concentrated.", assessed_by=analyst,
    )  # fmt: skip
    SectorAssessment.objects.filter(pk=assessment.pk).update(created_at=jst(WEEK))
    digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR])
    digest = Digest.objects.get(sector=SECTOR, week_start=WEEK)
    digest_services.digest_edit(
        digest=digest, analyst=analyst, summary="AMBER-SUMMARY analysts think",
        summary_tlp="amber", notes="INTERNAL-NOTE", item_notes={},
    )  # fmt: skip
    digest_services.digest_publish(digest=digest, analyst=analyst)
    digest.refresh_from_db()
    return Published(digest, clear, green, amber, red, anonymous, other_sector)


@pytest.fixture
def published(contributor: Any, analyst: Any) -> Published:
    return publish_week(contributor, analyst)


@pytest.fixture
def token_for() -> Any:
    return api_token_for
