"""The weekly build over a hand-made week: exact counts, rising signals, ranking, idempotence."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEvent
from intel.digests import core as digest_core
from intel.digests import queries as digest_queries
from intel.digests import selectors as selectors_digests
from intel.digests import services as digest_services
from intel.digests.tasks import build_weekly_digests
from intel.models import Digest, DigestItem
from intel.vocabulary import Sector
from tests.intel.digests.data import SECTOR, WEEK, hand_made_week, jst

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(contributor, other_contributor, analyst):
    return hand_made_week(contributor=contributor, other_contributor=other_contributor,
                          analyst=analyst)  # fmt: skip


def _build(**kwargs):
    return digest_services.digests_build_week(week_start=WEEK, **kwargs)


def _digest(sector=SECTOR):
    return Digest.objects.get(sector=sector, week_start=WEEK)


def _view(clearance, sector=SECTOR, language="en"):
    return selectors_digests.digest_view(
        digest=_digest(sector), clearance=clearance, language=language
    )


def test_week_bounds_are_monday_to_monday_in_tokyo():
    start, end = digest_core.week_bounds(WEEK)
    assert start.isoformat() == "2026-10-05T00:00:00+09:00"
    assert end - start == datetime.timedelta(days=7)
    assert digest_core.week_start_of(datetime.date(2026, 10, 11)) == WEEK
    # Monday 06:00 JST on the 12th is Sunday 21:00 UTC on the 11th: the week just ended is WEEK.
    assert digest_core.last_full_week(jst(datetime.date(2026, 10, 12), 6)) == WEEK


def test_hand_made_week_counts_exactly(week):
    results = _build()
    assert len(results) == len(Sector.values)
    view = _view("red")
    assert view["totals"] == {
        "accepted": 9, "reports": 8, "case_studies": 1, "last_week": 3,
        "previous_average": 2.25, "weekly": [9, 3, 3, 2, 1],
    }  # fmt: skip
    signals = {row["slug"]: row for row in view["signals"]}
    assert {slug: row["count"] for slug, row in signals.items() if row["count"]} == {
        "export-control": 5, "sanctions": 2, "tariff": 2,
    }  # fmt: skip
    assert signals["export-control"]["previous_average"] == 0.5
    assert signals["sanctions"]["previous_average"] == 1.5
    assert signals["stockpiling"]["count"] == 0  # only two weeks earlier
    assert {row["code"]: row["count"] for row in view["countries"]} == {
        "CN": 5, "JP": 2, "RU": 1, "UA": 1, "KR": 1,
    }  # fmt: skip
    assert view["countries"][0]["name"] == "China"
    assert [(row["slug"], row["count"]) for row in view["stages"]] == [("raw-materials", 8)]
    # The semiconductors digest has A (two sectors) and Z only.
    assert _view("red", sector="semiconductors")["totals"]["accepted"] == 2


def test_rising_signals_against_the_previous_four_weeks(week):
    _build()
    rising = {row["slug"]: row for row in _view("red")["rising_signals"]}
    assert set(rising) == {"export-control", "tariff"}  # sanctions: 2 < 1.5 × 1.5
    assert rising["tariff"]["new"] and not rising["export-control"]["new"]


def test_ranking_scores_and_cluster_appears_once_with_its_corroboration(week):
    _build()
    items = list(_digest().items.order_by("position"))
    titles = [item.title for item in items]
    assert titles == [
        "A: gallium licences stall",  # 75.0
        "B3: germanium shipments still held",  # cluster X, 62.5 (B1's equal, but newer)
        "E: RED licence blacklist",  # 60.0
        "C: AMBER sanctions evasion route",  # 54.0
        "N: tariff rumour",  # 46.0, accepted later than M
        "M: tariff notice",  # 46.0
        "D: neon dual sourcing",  # 22.0
    ]
    assert [item.score for item in items] == [75.0, 62.5, 60.0, 54.0, 46.0, 46.0, 22.0]
    assert [item.tlp for item in items] == ["green", "green", "red", "amber", "green", "clear",
                                            "clear"]  # fmt: skip
    cluster = items[1]
    assert cluster.key == f"c{week.cluster.pk}"
    # B0 (earlier week), B1, B2, B3; B4 (next week) is not yet a member.
    assert sorted(cluster.contribution_ids) == sorted(
        week.items[name].pk for name in ("B0", "B1", "B2", "B3")
    )
    # Org B twice (B1 and B3 by the same author) counts once: Org B, Org C, Org D.
    assert cluster.data["corroboration"] == 3
    assert cluster.data["components"]["corroboration"] == 0.5
    assert items[0].data["requirement_priority"] == 4
    assert not any(item.key == f"r{week.items['B1'].pk}" for item in items)


def test_sql_score_matches_the_documented_formula(week):
    _build()
    for item in DigestItem.objects.filter(digest=_digest()):
        data = item.data
        parts = digest_core.score_parts(
            credibility=data["credibility"], grade=data["source_grade"],
            sources=data["corroboration"], recency_step=data["recency"],
            priority=data["requirement_priority"],
        )  # fmt: skip
        assert parts.score == pytest.approx(item.score)
    # And the SQL's own ordering agrees with the Python scores.
    week_ids = digest_queries._week_ids(WEEK)
    rows = digest_queries._ranked_items(WEEK, [SECTOR], week_ids=week_ids)
    assert [round(row[2], 4) for row in rows] == [75.0, 62.5, 60.0, 54.0, 46.0, 46.0, 22.0]


def test_requirements_and_assessment_change(week):
    _build()
    view = _view("red")
    assert [row["id"] for row in view["requirements"]["new"]] == [week.requirement.pk]
    assert [row["id"] for row in view["requirements"]["closed"]] == [week.closed_requirement.pk]
    assert view["requirements"]["open"] == 1
    assessment = view["assessment"]
    assert assessment["current"]["sector_class"] == "red"
    assert assessment["previous"]["sector_class"] == "blue"
    assert assessment["changed"] is True


def test_what_changed_is_drafted_in_english_and_japanese(week):
    _build()
    english = _view("red")["what_changed"]
    assert english[0] == "9 reports were accepted this week, up from 3 last week."
    assert "Tariff appears for the first time in five weeks (2 reports)." in english
    assert (
        "Export control is rising: 5 reports this week against an average of 0.5 over the "
        "previous four weeks." in english
    )
    assert "China is the most reported country (5 reports)." in english
    assert "The sector's class changed from blue to red." in english
    assert "The strategic indispensability score moved from 4 to 5." in english
    assert "1 new intelligence requirement was published and 1 closed this week." in english
    japanese = _view("red", language="ja")["what_changed"]
    assert japanese[0] == "今週は9件の報告が受理され、先週の3件から増加しました。"
    assert "セクターの分類がブルーからレッドに変わりました。" in japanese


def test_green_reader_sees_only_green_and_below(week):
    _build()
    view = _view("green")
    assert view["totals"]["accepted"] == 7  # without C (amber) and E (red)
    assert [item["title"][:2] for item in view["items"]] == ["A:", "B3", "N:", "M:", "D:"]
    assert {item["tlp"] for item in view["items"]} <= {"clear", "green"}
    assert {row["slug"]: row["count"] for row in view["signals"] if row["count"]} == {
        "export-control": 4, "sanctions": 1, "tariff": 2,
    }  # fmt: skip
    assert "RU" not in {row["code"] for row in view["countries"]}
    assert "AMBER" not in json.dumps(view) and "RED licence" not in json.dumps(view)


def test_clear_reader_sees_public_items_and_no_requirements(week):
    _build()
    view = _view("clear")
    assert view["totals"]["accepted"] == 2
    assert [item["title"][:2] for item in view["items"]] == ["M:", "D:"]
    assert view["requirements"] is None


def test_rebuilding_twice_keeps_one_draft_and_the_analysts_edits(week, analyst):
    _build()
    digest = _digest()
    items = list(digest.items.order_by("position"))
    order = [item.pk for item in reversed(items)]
    digest_services.digest_edit(
        digest=digest, analyst=analyst, summary="My **summary**", summary_tlp="green",
        notes="check E", order=order, dropped=[items[0].pk], item_notes={items[1].pk: "Watch"},
    )  # fmt: skip
    before = {item.pk: (item.position, item.dropped, item.note) for item in digest.items.all()}
    _build()
    _build()
    assert Digest.objects.filter(sector=SECTOR, week_start=WEEK).count() == 1
    digest.refresh_from_db()
    assert (digest.status, digest.summary, digest.summary_tlp, digest.notes) == (
        "edited", "My **summary**", "green", "check E",
    )  # fmt: skip
    after = {item.pk: (item.position, item.dropped, item.note) for item in digest.items.all()}
    assert after == before


def test_rebuild_refreshes_computed_parts_and_keeps_vanished_items_stale(week, analyst):
    _build()
    digest = _digest()
    digest_services.digest_edit(digest=digest, analyst=analyst, summary="Edited.")
    # A late acceptance inside the week adds an item; C is withdrawn from the data.
    from tests.intel.digests.data import accepted

    accepted(week.items["A"].author, at=jst(WEEK + datetime.timedelta(days=6), 8),
             credibility=1, grade="A", title="Late: confirmed by customs")  # fmt: skip
    week.items["C"].sector_rows.all().delete()
    _build()
    items = {item.title: item for item in digest.items.all()}
    assert items["Late: confirmed by customs"].position == 8  # appended after the analyst's 7
    assert items["C: AMBER sanctions evasion route"].stale is True
    view = _view("red")
    assert "C: AMBER sanctions evasion route" not in [item["title"] for item in view["items"]]
    assert view["totals"]["accepted"] == 9  # 9 - C + Late


def test_untouched_draft_is_simply_recomputed(week):
    _build()
    week.items["C"].sector_rows.all().delete()
    _build()
    titles = [item.title for item in _digest().items.order_by("position")]
    assert "C: AMBER sanctions evasion route" not in titles
    assert [item.position for item in _digest().items.order_by("position")] == list(range(1, 7))


def test_published_digest_never_changes_on_rebuild(week, analyst):
    _build()
    digest = _digest()
    digest_services.digest_publish(digest=digest, analyst=analyst)
    snapshot = json.dumps(_digest().snapshot, sort_keys=True)
    items = list(DigestItem.objects.filter(digest=digest).values())
    from tests.intel.digests.data import accepted

    accepted(week.items["A"].author, at=jst(WEEK + datetime.timedelta(days=6), 8),
             title="After publication")  # fmt: skip
    results = _build(sectors=[SECTOR])
    assert results[0].outcome == "published"
    assert json.dumps(_digest().snapshot, sort_keys=True) == snapshot
    assert list(DigestItem.objects.filter(digest=digest).values()) == items


def test_build_rejects_a_week_that_does_not_start_on_monday():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        digest_services.digests_build_week(week_start=WEEK + datetime.timedelta(days=1))


def test_build_is_audited_when_it_creates(week):
    _build(sectors=[SECTOR])
    _build(sectors=[SECTOR])
    assert AuditEvent.objects.filter(action="digest.build").count() == 1


def test_weekly_task_builds_the_week_just_ended_and_is_idempotent(week, settings):
    first = build_weekly_digests.delay(WEEK.isoformat()).get()
    second = build_weekly_digests.delay("2026-10-07").get()  # any day of the week
    with_material = set(Digest.objects.filter(week_start=WEEK).values_list("sector", flat=True))
    # Only sectors with material are drafted; the others are listed as empty.
    assert first == {"week_start": "2026-10-05", "created": 2, "empty": 12}
    assert second == {"week_start": "2026-10-05", "refreshed": 2, "empty": 12}
    assert len(with_material) == 2 and Digest.objects.filter(week_start=WEEK).count() == 2


def test_an_empty_sector_is_listed_not_drafted_until_material_arrives(week):
    results = {r.sector: r for r in digest_services.digests_build_week(week_start=WEEK)}
    empty = [
        sector for sector, r in results.items() if r.outcome == digest_services.BuildOutcome.EMPTY
    ]
    assert "space" in empty and results["space"].digest_id is None
    assert not Digest.objects.filter(week_start=WEEK, sector="space").exists()
    # Named on its own, an empty sector is drafted: the analyst asked for it.
    [named] = digest_services.digests_build_week(week_start=WEEK, sectors=["space"])
    assert named.outcome == digest_services.BuildOutcome.CREATED and named.items == 0
    # From then on the all-sector build refreshes it rather than skipping it.
    again = {r.sector: r for r in digest_services.digests_build_week(week_start=WEEK)}
    assert again["space"].outcome == digest_services.BuildOutcome.REFRESHED


def test_beat_runs_the_build_on_monday_at_six_in_tokyo():
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-digests"]
    assert entry["task"] == "intel.build_weekly_digests"
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute, schedule.day_of_week) == ({6}, {0}, {1})
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"
    assert "intel.digests.tasks" in settings.CELERY_IMPORTS


def test_build_digests_command_reports_progress(week):
    out = StringIO()
    call_command("build_digests", "--week", "2026-10-08", "--sector", SECTOR, stdout=out)
    text = out.getvalue()
    assert "2026-10-08 is in the week starting Monday 2026-10-05." in text
    assert f"[1/1] {SECTOR}: created" in text and "7 items" in text
    out = StringIO()
    call_command("build_digests", "--week", "2026-10-05", stdout=out)
    assert "[14/14]" in out.getvalue() and "1 refreshed" in out.getvalue()
    assert "1 created" in out.getvalue() and "12 empty" in out.getvalue()


def test_build_digests_command_rejects_bad_input():
    with pytest.raises(CommandError):
        call_command("build_digests", "--week", "last week", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("build_digests", "--sector", "tulips", stdout=StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_build_reads_one_snapshot_with_memory_for_its_aggregates(week, monkeypatch):
    from django.db import connection

    seen = {}
    figures = digest_queries._figures

    def spy(*args, **kwargs):
        with connection.cursor() as cursor:
            for name in ("transaction_isolation", "work_mem", "jit"):
                cursor.execute(f"SHOW {name}")
                seen[name] = cursor.fetchone()[0]
        return figures(*args, **kwargs)

    monkeypatch.setattr(digest_queries, "_figures", spy)
    _build(sectors=[SECTOR])
    assert seen == {"transaction_isolation": "repeatable read", "work_mem": "64MB", "jit": "off"}
    with connection.cursor() as cursor:  # SET LOCAL: nothing leaks past the build
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] != "64MB"
