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


# Each later cohort of test reports is held to floors measured on it when it
# was added (a little below the figure then), so a harder cohort added later
# does not loosen the floors of the earlier ones.
COHORT_FLOORS = {
    # Up to the sixth round (2026-12-03): the overall floors.
    ("qt-", "qh-", "ql-"): F1_FLOORS,
    # Seventh round (2026-12-04), two more writers: 0.925 / 0.786 / 0.980 when added.
    ("qp-", "qq-"): {"sectors": 0.90, "signals": 0.76, "countries": 0.95},
}


def test_every_test_report_belongs_to_a_cohort_with_floors():
    prefixes = tuple(prefix for cohort in COHORT_FLOORS for prefix in cohort)
    assert all(report["id"].startswith(prefixes) for report in load_labelled(split="test"))


@pytest.mark.parametrize("cohort", list(COHORT_FLOORS), ids="+".join)
def test_each_cohort_of_the_test_split_stays_above_its_floors(cohort):
    tagger = default_tagger()
    reports = [r for r in load_labelled(split="test") if r["id"].startswith(cohort)]
    table = score(reports, lambda obj: tag_jsonl_line(tagger, obj))
    for family, floor in COHORT_FLOORS[cohort].items():
        assert table["all"][family].f1 >= floor, (family, table["all"][family])
