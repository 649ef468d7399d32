"""Tagging quality on the hand-labelled reports in ``labelled_reports.jsonl``.

Micro precision and recall per contract family. The floors sit a little under
the figures recorded in ``intel/tagging/QUALITY.md``; run with ``-s`` to see
the figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intel.tagging import default_tagger, tag_jsonl_line

LABELLED = Path(__file__).with_name("labelled_reports.jsonl")
FAMILIES = ("sectors", "signals", "countries")
FLOORS = {  # (precision, recall)
    "sectors": (0.90, 0.95),
    "signals": (0.88, 0.83),
    "countries": (0.97, 0.97),
}
SECTORS = {
    "critical-minerals", "semiconductors", "batteries", "energy", "food-security", "defense",
    "ai", "quantum", "robotics", "telecommunications", "pharmaceuticals", "shipbuilding",
    "space", "advanced-materials",
}  # fmt: skip
SIGNALS = {
    "export-control", "sanctions", "tariff", "supply-disruption", "price-shock",
    "capacity-expansion", "investment", "acquisition", "technology-breakthrough", "regulation",
    "stockpiling", "talent-movement", "cyber-incident",
}  # fmt: skip


def _reports() -> list[dict]:
    with LABELLED.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _scores(reports: list[dict]) -> dict[str, tuple[float, float]]:
    tagger = default_tagger()
    counts = {family: [0, 0, 0] for family in FAMILIES}  # tp, fp, fn
    for report in reports:
        predicted = tag_jsonl_line(tagger, report)
        for family in FAMILIES:
            gold, got = set(report[family]), set(predicted[family])
            counts[family][0] += len(gold & got)
            counts[family][1] += len(got - gold)
            counts[family][2] += len(gold - got)
    return {
        family: (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)
        for family, (tp, fp, fn) in counts.items()
    }


def test_labelled_set_is_big_bilingual_and_covers_every_label():
    reports = _reports()
    assert len(reports) >= 70
    assert sum(report["lang"] == "ja" for report in reports) >= 25
    for labels, family in ((SECTORS, "sectors"), (SIGNALS, "signals")):
        for label in labels:
            assert sum(label in report[family] for report in reports) >= 2, label
        assert {label for report in reports for label in report[family]} <= labels


@pytest.mark.parametrize("lang", [None, "en", "ja"])
def test_precision_and_recall_stay_above_the_floors(lang):
    reports = [r for r in _reports() if lang is None or r["lang"] == lang]
    scores = _scores(reports)
    for family, (precision, recall) in scores.items():
        print(f"{lang or 'all'} {family}: precision {precision:.3f} recall {recall:.3f}")
    # Per-language subsets are small, so they get a little more slack.
    slack = 0.0 if lang is None else 0.05
    for family, (precision, recall) in scores.items():
        floor_precision, floor_recall = FLOORS[family]
        assert precision >= floor_precision - slack, (family, precision)
        assert recall >= floor_recall - slack, (family, recall)
