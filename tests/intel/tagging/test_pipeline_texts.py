"""The pipeline benchmark's reports: near-duplicates where meant, else as unrelated as real ones.

Re-tagging compares each report with the stored reports sharing one of its
band keys, so a generator whose unrelated reports share keys more often than
real ones measures a store we do not have.
"""

from __future__ import annotations

import itertools
import json

from django.conf import settings

from intel.benchmarks.tagging import _near_duplicate_pairs, _pipeline_texts
from intel.tagging import dedup


def _pairs_sharing_a_key(texts: list[str]) -> set[tuple[int, int]]:
    holders: dict[tuple[int, int], list[int]] = {}
    for index, text in enumerate(texts):
        for band_key in enumerate(dedup.band_keys(dedup.signature(text))):
            holders.setdefault(band_key, []).append(index)
    return {pair for ids in holders.values() for pair in itertools.combinations(ids, 2)}


def _share_of_pairs(pairs: set[tuple[int, int]], count: int) -> float:
    return len(pairs) / (count * (count - 1) / 2)


def test_near_duplicates_come_in_both_languages_each_copying_its_own():
    count = 200
    reports = _pipeline_texts(count)
    pairs = _near_duplicate_pairs(count)
    assert len(pairs) == count // 20
    assert len(set(reports)) == count
    languages = set()
    for original, copy in pairs:
        texts = [f"{title}\n{body}" for title, body in (reports[original], reports[copy])]
        score = dedup.similarity(*map(dedup.signature, texts))
        assert score >= dedup.DUPLICATE_THRESHOLD, copy
        # `_seed_reports` stores even positions as English, odd ones as Japanese.
        japanese = copy % 2 == 1
        assert reports[copy][1].isascii() is not japanese, copy
        assert original % 2 == copy % 2
        languages.add(japanese)
    assert languages == {True, False}


def test_unrelated_reports_share_band_keys_about_as_rarely_as_the_labelled_reports():
    count = 2000
    texts = [f"{title}\n{body}" for title, body in _pipeline_texts(count)]
    meant = set(_near_duplicate_pairs(count))
    share = _share_of_pairs(_pairs_sharing_a_key(texts) - meant, count)

    path = settings.BASE_DIR / "intel" / "tagging" / "data" / "labelled_reports.jsonl"
    with path.open(encoding="utf-8") as lines:
        reports = [json.loads(line) for line in lines]
    labelled = [f"{report['title']}\n{report['body']}" for report in reports]
    labelled_share = _share_of_pairs(_pairs_sharing_a_key(labelled), len(labelled))
    # The engine benchmark's fixed filler put 0.4 % of all pairs together.
    assert share < 0.001
    assert share < 50 * max(labelled_share, 1e-5)
