"""The digest's pure core: weeks, the ranking formula, rising signals and per-reader redaction.

No database here (the build's SQL in `intel.digests.queries` uses the same
constants), so the rules can be read and tested on plain data:

- **Week**: Monday 00:00 to the next Monday 00:00, Asia/Tokyo, whatever the
  server's time zone.
- **Ranking** of an item (a near-duplicate cluster, or one contribution on its
  own) — a score from 0 to 100:

      score = 100 × ( 0.30 × credibility + 0.20 × grade + 0.25 × corroboration
                      + 0.10 × recency + 0.15 × requirement )

  each component between 0 and 1, over the item's accepted members:
  *credibility* (best information credibility; 1 → 1.0 … 6 or none → 0.0),
  *grade* (best source grade; A → 1.0 … F or none → 0.0), *corroboration*
  (independent sources n = min(distinct organisations, distinct authors) over
  the named and organisation-only members, a member without an organisation
  counting as its author, anonymous members never counting, and n at least 1;
  1 → 0.0, 5 or more → 1.0), *recency* (latest date observed, or acceptance for a case study: in
  the digest's week 1.0, one week earlier 0.75, two 0.5, three 0.25, older 0)
  and *requirement* (highest priority of a requirement a member answers:
  none 0, low 0.25, medium 0.5, high 0.75, critical 1.0). Ties: the most
  recently accepted first.
- **Handling**: an item carries the highest handling level of the reports
  behind it (a product is as restricted as its most restricted source). Every
  count is stored per handling level; a reader's figures are the sums over
  the levels they are cleared for, so no figure, sentence or item reveals
  anything above their clearance.
- **Withheld**: what a reader may not see is counted, never shown as zero:
  `withheld.accepted` is this week's accepted contributions above their
  clearance (the stored per-level totals minus theirs) and
  `withheld.summary` says an analyst summary exists above it, so every
  surface can say "3 reports above your handling level are not shown"
  instead of "No reports were accepted" (see docs/security.md).
- **Rising signal**: at least 2 reports this week and at least 1.5 times the
  average of the previous four weeks (a signal absent from those weeks is new).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from intel.vocabulary import TLP_ORDER, Tlp, tlp_allows

TOKYO = ZoneInfo("Asia/Tokyo")
WEEK = datetime.timedelta(days=7)
HISTORY_WEEKS = 4  # "rising" compares with the average of this many previous weeks

# --- Ranking -----------------------------------------------------------------

CREDIBILITY_WEIGHT = 0.30
GRADE_WEIGHT = 0.20
CORROBORATION_WEIGHT = 0.25
RECENCY_WEIGHT = 0.10
REQUIREMENT_WEIGHT = 0.15
GRADES = "ABCDEF"
CORROBORATION_FULL = 5  # independent sources at which corroboration counts in full
RECENCY_STEPS = 4  # weeks: this week 4/4, one week earlier 3/4, … four or more 0
MAX_PRIORITY = 4  # IntelligenceRequirement.priority: 1 low … 4 critical

# Items kept per (sector, handling level): whatever a reader's clearance, the
# best items they may see are among those stored.
ITEMS_PER_LEVEL = 10
# Items a reader is shown (after the analyst's order and drops).
READER_ITEMS = 10

RISING_MIN_COUNT = 2
RISING_RATIO = 1.5


@dataclass(frozen=True)
class ScoreParts:
    credibility: float
    grade: float
    corroboration: float
    recency: float
    requirement: float

    @property
    def score(self) -> float:
        return round(
            100
            * (
                CREDIBILITY_WEIGHT * self.credibility
                + GRADE_WEIGHT * self.grade
                + CORROBORATION_WEIGHT * self.corroboration
                + RECENCY_WEIGHT * self.recency
                + REQUIREMENT_WEIGHT * self.requirement
            ),
            4,
        )


def score_parts(
    *,
    credibility: int | None,
    grade: str | None,
    sources: int,
    recency_step: int,
    priority: int | None,
) -> ScoreParts:
    """The components of the score from an item's aggregated facts (see the module docstring)."""
    best_credibility = credibility if credibility else 6
    grade_index = GRADES.index(grade) if grade and grade in GRADES else len(GRADES) - 1
    sources = max(1, sources)
    return ScoreParts(
        credibility=(6 - best_credibility) / 5,
        grade=(len(GRADES) - 1 - grade_index) / (len(GRADES) - 1),
        corroboration=min(sources - 1, CORROBORATION_FULL - 1) / (CORROBORATION_FULL - 1),
        recency=max(0, min(recency_step, RECENCY_STEPS)) / RECENCY_STEPS,
        requirement=(priority or 0) / MAX_PRIORITY,
    )


def recency_step(*, observed: datetime.date, week_start: datetime.date) -> int:
    """4 when observed in the digest's week (or later), 3 a week earlier, … 0 after four weeks."""
    if observed >= week_start:
        return RECENCY_STEPS
    weeks_before = ((week_start - observed).days + 6) // 7  # 1 … 7 days earlier: one week
    return max(0, RECENCY_STEPS - weeks_before)


# --- Weeks -------------------------------------------------------------------


def week_start_of(day: datetime.date) -> datetime.date:
    """The Monday of the ISO week holding `day`."""
    return day - datetime.timedelta(days=day.weekday())


def week_bounds(week_start: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[Monday 00:00, next Monday 00:00) in Asia/Tokyo, as aware datetimes."""
    start = datetime.datetime.combine(week_start, datetime.time.min, tzinfo=TOKYO)
    return start, start + WEEK


def last_full_week(now: datetime.datetime) -> datetime.date:
    """The Monday of the week that ended most recently, as seen in Tokyo at `now`."""
    return week_start_of(now.astimezone(TOKYO).date()) - WEEK


# --- Per-level figures ---------------------------------------------------------

Levels = Mapping[str, Any]  # {tlp: count} or {tlp: [count per week]}


def allowed_levels(clearance: str) -> list[str]:
    return [level for level in TLP_ORDER if tlp_allows(clearance, level)]


def level_sum(by_level: Levels | None, clearance: str) -> int:
    """A count stored per handling level, summed over the levels the reader may see."""
    if not by_level:
        return 0
    return sum(int(by_level.get(level, 0)) for level in allowed_levels(clearance))


def level_series(by_level: Levels | None, clearance: str, length: int) -> list[int]:
    """Per-week counts ([this week, a week earlier, …]) summed over the reader's levels."""
    totals = [0] * length
    for level in allowed_levels(clearance):
        for index, value in enumerate((by_level or {}).get(level, [])[:length]):
            totals[index] += int(value)
    return totals


def is_rising(count: int, previous: Iterable[int]) -> bool:
    previous = list(previous)
    average = sum(previous) / len(previous) if previous else 0
    return count >= RISING_MIN_COUNT and count >= RISING_RATIO * average


# --- The reader's view -----------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    """How slugs are named in the reader's language (supplied by the Django layer)."""

    sector: Callable[[str], str]
    signal: Callable[[str], str]
    country: Callable[[str], str]
    stage: Callable[[str], str]
    kind: Callable[[str], str]
    tlp: Callable[[str], str]
    sector_class: Callable[[str], str]


def _ranked(
    entries: Mapping[str, Levels], clearance: str, label: Callable[[str], str]
) -> list[dict[str, Any]]:
    rows = []
    for slug, by_level in entries.items():
        count = level_sum(by_level, clearance)
        if count:
            rows.append({"slug": slug, "label": label(slug), "count": count})
    return sorted(rows, key=lambda row: (-row["count"], row["label"]))


def _signals(
    signals: Mapping[str, Levels], clearance: str, label: Callable[[str], str]
) -> list[dict[str, Any]]:
    rows = []
    for slug, by_level in signals.items():
        series = level_series(by_level, clearance, HISTORY_WEEKS + 1)
        count, previous = series[0], series[1:]
        if not any(series):
            continue
        average = sum(previous) / HISTORY_WEEKS
        rows.append(
            {
                "slug": slug,
                "label": label(slug),
                "count": count,
                "last_week": previous[0],
                "previous_average": round(average, 2),
                "rising": is_rising(count, previous),
                "new": count > 0 and not any(previous),
            }
        )
    return sorted(rows, key=lambda row: (-row["count"], -row["previous_average"], row["label"]))


def visible_items(
    items: Iterable[Mapping[str, Any]], clearance: str, limit: int = READER_ITEMS
) -> list[Mapping[str, Any]]:
    """Items in the analyst's order, minus dropped, stale and above-clearance ones."""
    shown = [
        item
        for item in sorted(items, key=lambda item: (item["position"], item["key"]))
        if not item.get("dropped") and not item.get("stale") and tlp_allows(clearance, item["tlp"])
    ]
    return shown[:limit]


def _item_view(item: Mapping[str, Any], number: int, labels: Labels) -> dict[str, Any]:
    data = item.get("data", {})
    return {
        "number": number,
        "key": item["key"],
        "title": data.get("title", ""),
        "kind": data.get("kind", ""),
        "kind_label": labels.kind(data.get("kind", "")) if data.get("kind") else "",
        "language": data.get("language", ""),
        "tlp": item["tlp"],
        "tlp_label": labels.tlp(item["tlp"]),
        "score": round(float(item["score"]), 1),
        "corroboration": int(data.get("corroboration", 1)),
        "credibility": data.get("credibility"),
        "source_grade": data.get("source_grade", ""),
        "requirement_priority": data.get("requirement_priority") or None,
        "signals": [
            {"slug": slug, "label": labels.signal(slug)} for slug in data.get("signals", [])
        ],
        "countries": [
            {"code": code, "name": labels.country(code)} for code in data.get("countries", [])
        ],
        "note": item.get("note", ""),
        "contributions": [
            {"id": member["id"], "tlp": member["tlp"], "kind": member.get("kind", "")}
            for member in data.get("members", [])
        ],
        "contribution_count": int(data.get("member_count", len(data.get("members", [])))),
    }


def _assessment_view(assessment: Mapping[str, Any] | None, labels: Labels) -> dict[str, Any] | None:
    if not assessment:
        return None
    return {**assessment, "class_label": labels.sector_class(assessment["sector_class"])}


def compose_view(
    *,
    meta: Mapping[str, Any],
    snapshot: Mapping[str, Any],
    items: Iterable[Mapping[str, Any]],
    summary: str,
    summary_tlp: str,
    clearance: str,
    labels: Labels,
    sentences: Callable[[Mapping[str, Any]], list[str]],
    max_items: int = READER_ITEMS,
) -> dict[str, Any]:
    """A digest as one reader may see it: plain, JSON-ready data.

    Web pages, exports, the API and briefings all render this, so redaction
    happens in exactly one place. `sentences` drafts "what changed" from the
    redacted figures (`intel.digests.text.what_changed`).
    """
    weeks = HISTORY_WEEKS + 1
    totals = level_series(snapshot.get("totals"), clearance, weeks)
    everything = level_series(snapshot.get("totals"), Tlp.RED, weeks)
    kinds = snapshot.get("kinds", {})
    signals = _signals(snapshot.get("signals", {}), clearance, labels.signal)
    shown = [
        _item_view(item, number, labels)
        for number, item in enumerate(visible_items(items, clearance, max_items), start=1)
    ]
    assessment = snapshot.get("assessment", {})
    current = _assessment_view(assessment.get("current"), labels)
    previous = _assessment_view(assessment.get("previous"), labels)
    requirements = None
    if tlp_allows(clearance, Tlp.GREEN):
        # Requirements are the community's questions: shared with members, not the public.
        requirements = snapshot.get("requirements", {"new": [], "closed": [], "open": 0})
    show_summary = bool(summary.strip()) and tlp_allows(clearance, summary_tlp)
    view: dict[str, Any] = {
        **meta,
        "clearance": clearance,
        "clearance_label": labels.tlp(clearance),
        "summary": summary if show_summary else "",
        "summary_tlp": summary_tlp if show_summary else "",
        "summary_tlp_label": labels.tlp(summary_tlp) if show_summary else "",
        "totals": {
            "accepted": totals[0],
            "reports": level_sum(kinds.get("report"), clearance),
            "case_studies": level_sum(kinds.get("case-study"), clearance),
            "last_week": totals[1],
            "previous_average": round(sum(totals[1:]) / HISTORY_WEEKS, 2),
            "weekly": totals,
        },
        "withheld": {
            "accepted": everything[0] - totals[0],
            "summary": bool(summary.strip()) and not show_summary,
        },
        "signals": signals,
        "rising_signals": [row for row in signals if row["rising"]],
        "countries": [
            {"code": row["slug"], "name": row["label"], "count": row["count"]}
            for row in _ranked(snapshot.get("countries", {}), clearance, labels.country)
        ],
        "stages": _ranked(snapshot.get("stages", {}), clearance, labels.stage),
        "requirements": requirements,
        "assessment": {
            "current": current,
            "previous": previous,
            "changed": bool(
                current
                and previous
                and any(
                    current[field] != previous[field]
                    for field in ("sector_class", "autonomy", "indispensability")
                )
            ),
        },
        "items": shown,
    }
    view["what_changed"] = sentences(view)
    return view
