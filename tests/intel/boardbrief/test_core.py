"""The pure board brief: pillar trends, class changes and the three developments."""

from __future__ import annotations

from intel.boardbrief import core


def assessment(sector_class: str, autonomy: int, indispensability: int) -> dict:
    return {
        "sector_class": sector_class,
        "class_label": sector_class.title(),
        "autonomy": autonomy,
        "indispensability": indispensability,
        "rationale": "Why.",
        "assessed_at": "2026-11-20T00:00:00+00:00",
    }


def test_pillar_trend_directions():
    assert core.pillar_trend(3, 2)["direction"] == "up"
    assert core.pillar_trend(2, 4) == {
        "score": 2, "previous": 4, "change": -2, "magnitude": 2, "direction": "down",
    }  # fmt: skip
    assert core.pillar_trend(3, 3)["direction"] == "steady"
    assert core.pillar_trend(3, None)["direction"] == ""


def test_class_change_is_against_the_previous_assessment():
    trend = core.assessment_trend(assessment("green", 2, 5), assessment("blue", 3, 4))
    assert trend is not None
    assert trend["class_changed"] and trend["previous_class_label"] == "Blue"
    assert trend["autonomy"]["direction"] == "down"
    assert trend["indispensability"]["direction"] == "up"
    same = core.assessment_trend(assessment("green", 2, 5), assessment("green", 2, 5))
    assert same is not None and not same["class_changed"]
    assert same["autonomy"]["direction"] == "steady"


def test_no_assessment_no_trend_and_a_first_one_has_no_previous():
    assert core.assessment_trend(None, None) is None
    first = core.assessment_trend(assessment("red", 1, 1), None)
    assert first is not None and not first["class_changed"] and first["previous_class"] == ""


def test_developments_are_the_first_three_of_the_view_in_its_order():
    items = [
        {"key": f"r{n}", "title": f"  Item\n{n} ", "tlp": "clear", "signals": [], "countries": []}
        for n in range(1, 6)
    ]
    chosen = core.developments(items)
    assert [item["key"] for item in chosen] == ["r1", "r2", "r3"]
    assert chosen[0]["title"] == "Item 1" and chosen[2]["number"] == 3
