"""The board brief as plain data: class, pillars and their trend, three developments, questions.

No database here. The input is the digest view of one reader
(`intel.digests.selectors.digest_view`, already redacted to their clearance),
the assessment that preceded the one in force (assessments are written for
every reader) and the analyst's questions. Nothing is counted here: a board
brief never says how much was withheld, so what a reader sees is the same
whether or not items above their level exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

DEVELOPMENTS = 3
PILLARS = ("autonomy", "indispensability")
UP, DOWN, STEADY = "up", "down", "steady"


def pillar_trend(current: int, previous: int | None) -> dict[str, Any]:
    """One pillar's score against the previous assessment (None: there was none)."""
    if previous is None:
        return {"score": current, "previous": None, "change": 0, "magnitude": 0, "direction": ""}
    change = current - previous
    return {
        "score": current,
        "previous": previous,
        "change": change,
        "magnitude": abs(change),
        "direction": UP if change > 0 else DOWN if change < 0 else STEADY,
    }


def assessment_trend(
    current: Mapping[str, Any] | None, previous: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The class and both pillars in force, compared with the assessment before them."""
    if not current:
        return None
    return {
        "sector_class": current["sector_class"],
        "class_label": current.get("class_label", ""),
        "assessed_at": current.get("assessed_at", ""),
        "rationale": current.get("rationale", ""),
        "class_changed": bool(previous and previous["sector_class"] != current["sector_class"]),
        "previous_class": previous["sector_class"] if previous else "",
        "previous_class_label": previous.get("class_label", "") if previous else "",
        "previous_assessed_at": previous.get("assessed_at", "") if previous else "",
        **{
            pillar: pillar_trend(int(current[pillar]), int(previous[pillar]) if previous else None)
            for pillar in PILLARS
        },
    }


def developments(items: Sequence[Mapping[str, Any]], count: int = DEVELOPMENTS) -> list[dict]:
    """The first `count` items of the reader's view: the digest's ranking with the analyst's
    order and drops applied, items above the reader's level already left out."""
    return [
        {
            "number": number,
            "key": item["key"],
            "title": " ".join(str(item.get("title", "")).split()),
            "tlp": item["tlp"],
            "tlp_label": item.get("tlp_label", ""),
            "kind_label": item.get("kind_label", ""),
            "signals": [signal["label"] for signal in item.get("signals", [])],
            "countries": [country["name"] for country in item.get("countries", [])],
            "corroboration": int(item.get("corroboration", 1)),
            "note": " ".join(str(item.get("note", "")).split()),
        }
        for number, item in enumerate(list(items)[:count], start=1)
    ]


def brief_view(
    *,
    view: Mapping[str, Any],
    previous_assessment: Mapping[str, Any] | None,
    questions: Sequence[str],
) -> dict[str, Any]:
    """One reader's board brief of one published digest."""
    current = (view.get("assessment") or {}).get("current")
    return {
        "digest_id": view["id"],
        "sector": view["sector"],
        "sector_label": view["sector_label"],
        "week_start": view["week_start"],
        "week_end": view["week_end"],
        "version": view.get("version", 1),
        "clearance": view["clearance"],
        "clearance_label": view["clearance_label"],
        "assessment": assessment_trend(current, previous_assessment),
        "developments": developments(view.get("items", [])),
        "questions": list(questions),
    }
