"""Storing a build: every sector of the week in one transaction, with set-based statements.

The build writes all sectors' digests together (one locking read, one insert
of the new drafts, one read of the items, at most one delete, update and insert
of items), so these tests check that sectors in different states never mix
their items, that a build of all sectors stores exactly what building each
sector on its own stores, that a concurrent build's draft is refreshed rather
than duplicated, and that the statements do not grow with the sectors.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intel.digests import services as digest_services
from intel.models import Digest, DigestItem
from intel.vocabulary import Sector
from tests.intel.digests.data import SECTOR, WEEK, hand_made_week

pytestmark = pytest.mark.django_db
OTHER = "semiconductors"  # A and Z are also in semiconductors
Outcome = digest_services.BuildOutcome


@pytest.fixture
def week(contributor, other_contributor, analyst):
    return hand_made_week(contributor=contributor, other_contributor=other_contributor,
                          analyst=analyst)  # fmt: skip


def _stored() -> dict[str, list[tuple[object, ...]]]:
    """Each sector's items as the build stored them, in their order."""
    return {
        digest.sector: [
            (item.key, item.position, item.rank, item.score, item.tlp, item.stale, item.data)
            for item in digest.items.order_by("position", "pk")
        ]
        for digest in Digest.objects.filter(week_start=WEEK)
    }


def test_building_all_sectors_stores_what_building_each_alone_stores(week):
    together = {r.sector: r for r in digest_services.digests_build_week(week_start=WEEK)}
    stored_together = _stored()
    snapshots = dict(Digest.objects.filter(week_start=WEEK).values_list("sector", "snapshot"))
    assert set(stored_together) == {SECTOR, OTHER}
    Digest.objects.filter(week_start=WEEK).delete()
    for sector in (SECTOR, OTHER):
        [alone] = digest_services.digests_build_week(week_start=WEEK, sectors=[sector])
        assert alone.outcome == together[sector].outcome == Outcome.CREATED
        assert alone.items == together[sector].items == len(stored_together[sector])
    assert _stored() == stored_together
    assert dict(Digest.objects.filter(week_start=WEEK).values_list("sector", "snapshot")) == (
        snapshots
    )


def test_one_build_handles_published_edited_new_and_empty_sectors_apart(week, analyst):
    digest_services.digests_build_week(week_start=WEEK)
    published = Digest.objects.get(week_start=WEEK, sector=SECTOR)
    digest_services.digest_publish(digest=published, analyst=analyst)
    published_items = list(DigestItem.objects.filter(digest=published).values())
    edited = Digest.objects.get(week_start=WEEK, sector=OTHER)
    [first, *rest] = list(edited.items.order_by("position"))
    digest_services.digest_edit(
        digest=edited, analyst=analyst, order=[item.pk for item in [*rest, first]],
        dropped=[first.pk], item_notes={first.pk: "Check with customs"},
    )  # fmt: skip
    edited_items = {
        item.pk: (item.position, item.dropped, item.note) for item in edited.items.all()
    }

    results = digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR, OTHER, "space"])

    outcomes = {r.sector: (r.outcome, r.items) for r in results}
    assert outcomes == {
        SECTOR: (Outcome.PUBLISHED, len(published_items)),
        OTHER: (Outcome.REFRESHED, len(edited_items)),
        "space": (Outcome.CREATED, 0),
    }
    assert [r.sector for r in results] == [SECTOR, OTHER, "space"]
    assert list(DigestItem.objects.filter(digest=published).values()) == published_items
    assert {
        item.pk: (item.position, item.dropped, item.note) for item in edited.items.all()
    } == edited_items
    assert not Digest.objects.get(week_start=WEEK, sector="space").items.exists()


def test_a_draft_created_by_a_concurrent_build_is_refreshed_not_duplicated(week, monkeypatch):
    digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR])
    stored = _stored()
    locked = digest_services._latest_locked
    calls = []

    def not_yet_there(week_start, sectors):
        # The first read misses the draft, as if the other build committed it just after.
        calls.append(list(sectors))
        return {} if len(calls) == 1 else locked(week_start, sectors)

    monkeypatch.setattr(digest_services, "_latest_locked", not_yet_there)
    [result] = digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR])
    assert result.outcome == Outcome.REFRESHED and len(calls) == 2
    assert Digest.objects.filter(week_start=WEEK, sector=SECTOR).count() == 1
    assert _stored() == stored


def test_refreshing_all_sectors_takes_as_many_statements_as_one(week):
    digest_services.digests_build_week(week_start=WEEK)
    digest_services.digests_build_week(week_start=WEEK, sectors=list(Sector.values))
    with CaptureQueriesContext(connection) as one:
        digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR])
    with CaptureQueriesContext(connection) as every:
        digest_services.digests_build_week(week_start=WEEK, sectors=list(Sector.values))
    assert len(every.captured_queries) == len(one.captured_queries)


def test_items_inserted_in_one_statement_equal_those_of_bulk_create(week):
    digest_services.digests_build_week(week_start=WEEK, sectors=[SECTOR])
    built = Digest.objects.get(week_start=WEEK, sector=SECTOR)
    items = list(built.items.order_by("position"))
    assert items and any(item.data["members"] for item in items)
    fields = ("key", "position", "rank", "score", "tlp", "dropped", "stale", "note", "data")
    copies = {}
    for insert in (digest_services._insert_items, DigestItem.objects.bulk_create):
        copy = Digest.objects.create(sector=OTHER, week_start=WEEK, status="draft")
        insert([DigestItem(digest=copy, **{name: getattr(i, name) for name in fields})
                for i in items])  # fmt: skip
        copies[insert] = list(copy.items.order_by("position").values_list(*fields))
        copy.delete()
    assert copies[digest_services._insert_items] == copies[DigestItem.objects.bulk_create]
    assert copies[digest_services._insert_items] == [
        tuple(getattr(item, name) for name in fields) for item in items
    ]
