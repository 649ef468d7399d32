"""Tagging quality on the shipped labelled reports (``intel/tagging/data``).

The labelled set's shape and split are checked here; the quality floors score
the test split only, through the ``tagtext`` line function, and sit a little
under the figures recorded in docs/tagging.md so a regression fails. Run with
``-s`` to see the figures.
"""

from __future__ import annotations

from collections import Counter

import pytest

from intel.tagging import default_tagger, tag_jsonl_line
from intel.tagging.evaluation import FAMILIES, LabelledSetError, load_labelled, score
from intel.vocabulary import Sector, Signal

F1_FLOORS = {"sectors": 0.88, "signals": 0.83, "countries": 0.96}


def test_labelled_set_is_big_bilingual_with_a_sizeable_fixed_test_split():
    reports = load_labelled()
    assert len(reports) >= 300
    assert sum(report["lang"] == "ja" for report in reports) >= 0.4 * len(reports)
    assert len({report["id"] for report in reports}) == len(reports)
    test = load_labelled(split="test")
    # The test reports were written before any tuning and cannot grow without
    # new unseen text, while the train side grows with every round: a floor on
    # both the count and the share, not a fixed 70/30.
    assert len(test) >= 95
    assert 0.2 <= len(test) / len(reports) <= 0.35
    # Stratified by language: each language is about as present in test as overall.
    for lang in ("en", "ja"):
        share = sum(r["lang"] == lang for r in test) / len(test)
        overall = sum(r["lang"] == lang for r in reports) / len(reports)
        assert abs(share - overall) < 0.1, lang


def test_every_label_is_a_contract_slug_and_appears_in_both_splits():
    reports = load_labelled()
    for family, slugs in (("sectors", set(Sector.values)), ("signals", set(Signal.values))):
        assert {label for report in reports for label in report[family]} <= slugs
        for split in ("train", "test"):
            counts = Counter(
                label for report in reports if report["split"] == split for label in report[family]
            )
            assert all(counts[slug] >= 3 for slug in slugs), (family, split, counts)
    assert all(
        len(code) == 2 and code.isupper() for report in reports for code in report["countries"]
    )


def test_unknown_split_is_refused():
    with pytest.raises(LabelledSetError):
        load_labelled(split="validation")  # type: ignore[arg-type]


# The floors were measured on the first test reports (`qt-*`, 2026-12-01), so
# they are held on those reports; test reports added later by other authors
# (`qh-*`) are harder, and the whole split is held to the overall floors below.
FLOOR_COHORT = "qt-"


@pytest.mark.parametrize("lang", ["all", "en", "ja"])
def test_test_split_f1_stays_above_the_floors(lang):
    tagger = default_tagger()
    cohort = [r for r in load_labelled(split="test") if r["id"].startswith(FLOOR_COHORT)]
    assert len(cohort) == 95
    table = score(cohort, lambda obj: tag_jsonl_line(tagger, obj))
    for family in FAMILIES:
        counts = table[lang][family]
        print(f"{lang} {family}: P {counts.precision:.3f} R {counts.recall:.3f} F1 {counts.f1:.3f}")
    # Per-language subsets are small, so they get a little more slack.
    slack = 0.0 if lang == "all" else 0.05
    for family in FAMILIES:
        assert table[lang][family].f1 >= F1_FLOORS[family] - slack, (family, table[lang][family])


def test_the_whole_test_split_stays_above_the_overall_floors():
    tagger = default_tagger()
    table = score(load_labelled(split="test"), lambda obj: tag_jsonl_line(tagger, obj))
    for family in FAMILIES:
        assert table["all"][family].f1 >= F1_FLOORS[family], (family, table["all"][family])
