"""The digest's pure core, text and charts: no database."""

from __future__ import annotations

import datetime

import pytest

from intel.digests import core as digest_core
from intel.digests import svg
from intel.digests import text as digest_text
from intel.digests.core import Labels

LABELS = Labels(
    sector=str.title, signal=lambda slug: slug.replace("-", " ").capitalize(),
    country=lambda code: {"CN": "China", "JP": "Japan"}.get(code, code), stage=str,
    kind=str, tlp=lambda level: f"TLP:{level.upper()}", sector_class=str.title,
)  # fmt: skip


def test_score_parts_follow_the_documented_weights():
    best = digest_core.score_parts(credibility=1, grade="A", sources=5, recency_step=4, priority=4)
    assert best.score == 100.0
    worst = digest_core.score_parts(
        credibility=None, grade="", sources=1, recency_step=0, priority=None
    )
    assert worst.score == 0.0
    middle = digest_core.score_parts(credibility=3, grade="C", sources=3, recency_step=2,
                                     priority=2)  # fmt: skip
    # 100 × (0.30 × 0.6 + 0.20 × 0.6 + 0.25 × 0.5 + 0.10 × 0.5 + 0.15 × 0.5)
    assert middle.score == pytest.approx(55.0)
    assert digest_core.score_parts(credibility=1, grade="A", sources=9, recency_step=9,
                                   priority=4).corroboration == 1.0  # fmt: skip


@pytest.mark.parametrize(
    ("days_before", "step"), [(-2, 4), (0, 4), (1, 3), (7, 3), (8, 2), (14, 2), (21, 1), (22, 0)]
)
def test_recency_steps_by_week(days_before, step):
    monday = datetime.date(2026, 10, 5)
    observed = monday - datetime.timedelta(days=days_before)
    assert digest_core.recency_step(observed=observed, week_start=monday) == step


def test_level_sums_only_count_cleared_levels():
    by_level = {"clear": 1, "green": 2, "amber": 4, "red": 8}
    assert digest_core.level_sum(by_level, "clear") == 1
    assert digest_core.level_sum(by_level, "green") == 3
    assert digest_core.level_sum(by_level, "amber+strict") == 7
    assert digest_core.level_sum(by_level, "red") == 15
    series = {"green": [1, 2], "amber": [10, 20]}
    assert digest_core.level_series(series, "green", 3) == [1, 2, 0]


def test_rising_rule():
    assert digest_core.is_rising(2, [0, 0, 0, 0])
    assert not digest_core.is_rising(1, [0, 0, 0, 0])
    assert digest_core.is_rising(3, [2, 2, 2, 2])
    assert not digest_core.is_rising(2, [2, 2, 1, 1])


def _snapshot():
    return {
        "totals": {"green": [3, 1, 0, 0, 0], "amber": [2, 0, 0, 0, 0]},
        "kinds": {"report": {"green": 3, "amber": 2}},
        "signals": {"export-control": {"green": [3, 0, 0, 0, 0], "amber": [2, 0, 0, 0, 0]}},
        "countries": {"CN": {"green": 3, "amber": 2}, "KP": {"amber": 2}},
        "stages": {"processing": {"amber": 2}},
        "requirements": {"new": [], "closed": [], "open": 2},
        "assessment": {"current": None, "previous": None},
    }


def _items():
    def item(key, position, tlp, **extra):
        data = {"title": f"{tlp} item {key}", "kind": "report", "members": [{"id": 1, "tlp": tlp}]}
        return {"key": key, "position": position, "tlp": tlp, "score": 50.0, "note": "",
                "data": data, **extra}  # fmt: skip

    return [
        item("r1", 2, "green"),
        item("r2", 1, "amber"),
        item("r3", 3, "green", dropped=True),
        item("r4", 4, "clear", stale=True),
        item("r5", 5, "clear"),
    ]


def _compose(clearance, summary_tlp="amber"):
    return digest_core.compose_view(
        meta={"id": 1, "version": 1}, snapshot=_snapshot(), items=_items(),
        summary="Summary text", summary_tlp=summary_tlp, clearance=clearance, labels=LABELS,
        sentences=lambda view: digest_text.what_changed(view, language="en"),
    )  # fmt: skip


def test_compose_view_redacts_everything_to_the_clearance():
    green = _compose("green")
    assert [item["key"] for item in green["items"]] == ["r1", "r5"]  # no amber, dropped, stale
    assert green["totals"]["accepted"] == 3
    assert [row["code"] for row in green["countries"]] == ["CN"]
    assert green["stages"] == []
    assert green["summary"] == "" and green["summary_tlp"] == ""
    assert green["requirements"] == {"new": [], "closed": [], "open": 2}
    assert "5" not in " ".join(green["what_changed"])
    amber = _compose("amber")
    assert [item["key"] for item in amber["items"]] == ["r2", "r1", "r5"]
    assert amber["summary"] == "Summary text"
    assert amber["totals"]["accepted"] == 5
    clear = _compose("clear")
    assert [item["key"] for item in clear["items"]] == ["r5"]
    assert clear["requirements"] is None


def test_visible_items_stop_at_the_reader_limit():
    items = [{"key": f"r{i}", "position": i, "tlp": "clear"} for i in range(15)]
    assert len(digest_core.visible_items(items, "clear")) == digest_core.READER_ITEMS


def test_markdown_export_lists_only_the_view_and_links_when_asked():
    view = {**_compose("green"), "sector_label": "Critical minerals", "week_start": "2026-10-05"}
    text = digest_text.to_markdown(view, language="en")
    assert text.startswith("# Critical minerals digest, week of 2026-10-05")
    assert "amber item" not in text and "green item r1" in text
    assert "Behind it: #1" in text
    linked = digest_text.to_markdown(
        view, language="ja", contribution_url=lambda pk: f"https://x/{pk}"
    )
    assert "根拠：[#1](https://x/1)" in linked and "週次ダイジェスト" in linked


def test_what_changed_handles_an_empty_week_in_both_languages():
    view = {
        "totals": {"accepted": 0, "last_week": 2}, "rising_signals": [], "signals": [
            {"label": "Tariff", "count": 0, "last_week": 2, "new": False, "rising": False}],
        "countries": [], "assessment": {"current": None}, "items": [], "requirements": None,
    }  # fmt: skip
    assert digest_text.what_changed(view, language="en") == [
        "No reports were accepted this week (last week: 2).",
        "No Tariff reports this week, after 2 last week.",
    ]
    assert digest_text.what_changed(view, language="ja")[0] == (
        "今週受理された報告はありません（先週：2件）。"
    )
    assert digest_text.what_changed(view, language="fr")[0].startswith("No reports")


def test_svg_charts_escape_labels_and_describe_themselves():
    chart = svg.line_chart(
        series=[svg.Series("<script>", [0, 3, 7])], x_labels=["a", "b", "c"],
        title="Trend & more", description="desc",
    )  # fmt: skip
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    assert '<title id="chart-title">Trend &amp; more</title>' in chart
    assert chart.count("<circle") == 3
    bars = svg.bar_chart(bars=[("Export control", 4), ("Tariff", 2)], title="Mix",
                         description="d")  # fmt: skip
    assert bars.count("<rect") == 2 and 'role="img"' in bars
    assert svg.line_chart(series=[], x_labels=[], title="t", description="d").endswith("</svg>")
