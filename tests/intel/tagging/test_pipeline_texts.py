"""The pipeline benchmark's reports: near-duplicates where meant, else as unrelated as real ones.

Re-tagging compares each report with the stored reports sharing one of its
band keys, so a generator whose unrelated reports share keys more often than
real ones measures a store we do not have.
"""

from __future__ import annotations

import itertools
import json

from django.conf import settings

from intel.benchmarks.tagging import _pipeline_texts
from intel.tagging import dedup


def _pairs_sharing_a_key(texts: list[str]) -> set[tuple[int, int]]:
    holders: dict[tuple[int, int], list[int]] = {}
    for index, text in enumerate(texts):
        for band_key in enumerate(dedup.band_keys(dedup.signature(text))):
            holders.setdefault(band_key, []).append(index)
    return {pair for ids in holders.values() for pair in itertools.combinations(ids, 2)}


def test_every_twentieth_report_is_a_near_duplicate_of_the_one_before():
    texts = [f"{title}\n{body}" for title, body in _pipeline_texts(200)]
    assert len(set(texts)) == 200
    for index in range(19, 200, 20):
        score = dedup.similarity(dedup.signature(texts[index - 1]), dedup.signature(texts[index]))
        assert score >= dedup.DUPLICATE_THRESHOLD, index


def test_unrelated_reports_share_band_keys_about_as_rarely_as_the_labelled_reports():
    count = 2000
    texts = [f"{title}\n{body}" for title, body in _pipeline_texts(count)]
    meant = {(index - 1, index) for index in range(19, count, 20)}
    unrelated = _pairs_sharing_a_key(texts) - meant
    share = len(unrelated) / (count * (count - 1) / 2)

    path = settings.BASE_DIR / "intel" / "tagging" / "data" / "labelled_reports.jsonl"
    with path.open(encoding="utf-8") as lines:
        reports = [json.loads(line) for line in lines]
    labelled = [f"{report['title']}\n{report['body']}" for report in reports]
    labelled_share = len(_pairs_sharing_a_key(labelled)) / (len(labelled) ** 2 / 2)
    # The engine benchmark's fixed filler put 0.4 % of all pairs together.
    assert share < 0.001
    assert share < 50 * max(labelled_share, 1e-5)
