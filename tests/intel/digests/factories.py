"""factory_boy factories for digests: digests written as rows, their items, assessments.

A digest made here is not built from reports, so a test says exactly which
items exist at which handling level; tests of the build itself accepted
reports and call `digests_build_week` instead (`tests/intel/digests/data.py`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import factory
from django.utils import timezone

from accounts import roles
from intel.digests.demo import item_facts
from intel.models import Digest, DigestItem, DigestStatus, SectorAssessment
from tests.accounts.factories import UserFactory

WEEK = datetime.date(2026, 11, 16)  # a Monday

# One item per level, with titles that say their level so a leak is easy to spot.
LEVEL_ITEMS = [
    ("clear", "Clear item: gallium licences delayed", "report"),
    ("green", "Green item: members-only supplier list", "report"),
    ("amber", "Amber item: named company under pressure", "report"),
    ("clear", "Clear case: dual-sourcing neon", "case-study"),
    ("amber", "Amber case: a confidential rescue", "case-study"),
]
# Weekly totals per level (this week first): a clear reader must see 1, never 1+2+4.
LEVEL_TOTALS = {"clear": [1, 0, 0, 0, 0], "green": [2, 0, 0, 0, 0], "amber": [4, 0, 0, 0, 0]}


class DigestFactory(factory.django.DjangoModelFactory):
    """A published semiconductors digest of `WEEK` holding `LEVEL_ITEMS`.

    `published=False` leaves it a draft; `items=[(tlp, title, kind), …]` chooses
    its items (`[]` for none); a correction passes `version=2, previous=…`.
    """

    class Meta:
        model = Digest
        skip_postgeneration_save = True

    class Params:
        published = True

    sector = "semiconductors"
    week_start = WEEK
    version = 1
    status = factory.Maybe("published", DigestStatus.PUBLISHED, DigestStatus.DRAFT)
    published_at = factory.Maybe("published", factory.LazyFunction(timezone.now), None)
    published_by = factory.Maybe(
        "published", factory.SubFactory(UserFactory, roles=[roles.ANALYSTS]), None
    )
    summary = ""
    summary_tlp = "clear"
    correction_pending_briefing = factory.LazyAttribute(
        lambda digest: digest.published and digest.version > 1
    )
    snapshot = factory.LazyFunction(lambda: {"totals": LEVEL_TOTALS})

    @factory.post_generation
    def items(
        self, create: bool, extracted: Iterable[tuple[str, str, str]] | None, **_: Any
    ) -> None:
        if not create:
            return
        for position, (tlp, title, kind) in enumerate(
            LEVEL_ITEMS if extracted is None else extracted, start=1
        ):
            DigestItemFactory(digest=self, position=position, tlp=tlp, title=title, kind=kind)


class DigestItemFactory(factory.django.DjangoModelFactory):
    """An item standing for one contribution; `title=` and `kind=` shape its facts."""

    class Meta:
        model = DigestItem

    class Params:
        title = factory.Sequence(lambda n: f"Item {n}: gallium licences delayed")
        kind = "report"

    digest = factory.SubFactory(DigestFactory, items=[])
    position = factory.Sequence(lambda n: n + 1)
    key = factory.Sequence(lambda n: f"r{n + 1}")  # unique within any digest
    rank = factory.SelfAttribute("position")
    score = factory.LazyAttribute(lambda item: 90.0 - item.position)
    tlp = "clear"
    data = factory.LazyAttribute(
        lambda item: item_facts(
            title=item.title, tlp=item.tlp, member_id=item.position, kind=item.kind
        )
    )


class SectorAssessmentFactory(factory.django.DjangoModelFactory):
    """One analyst's assessment; `at=` (aware) backdates it, as history needs."""

    class Meta:
        model = SectorAssessment
        skip_postgeneration_save = True

    sector = "critical-minerals"
    sector_class = "green"
    autonomy = 2
    indispensability = 3
    rationale = "Refining concentrated abroad."
    assessed_by = factory.SubFactory(UserFactory, roles=[roles.ANALYSTS])

    @factory.post_generation
    def at(self, create: bool, extracted: datetime.datetime | None, **_: Any) -> None:
        # `created_at` is auto_now_add: the database row is changed after the insert.
        if create and extracted is not None:
            SectorAssessment.objects.filter(pk=self.pk).update(created_at=extracted)
            self.created_at = extracted
