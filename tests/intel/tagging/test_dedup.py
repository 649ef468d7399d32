"""MinHash/LSH core: near-duplicates share band keys, unrelated texts do not."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from intel.tagging import dedup

BASE = (
    "Chinese authorities announced new export licence requirements for gallium and "
    "germanium products, effective from next month. Traders in Rotterdam report that "
    "spot prices rose sharply and several Japanese buyers are drawing down stockpiles."
)
NEAR = BASE.replace("next month", "the first of next month").replace("sharply", "steeply")
OTHER = (
    "A shipyard in Ulsan won an order for twelve LNG carriers from a Qatari buyer, and "
    "the yard is hiring welders from Vietnam to meet the delivery schedule."
)
JA = "中国商務部はガリウムとゲルマニウムの輸出許可制を来月から導入すると発表した。"
JA_NEAR = "中国商務部は、ガリウムとゲルマニウムの輸出許可制を来月から導入すると発表した。"


def test_signature_equals_datasketch_minhash():
    for text in (BASE, NEAR, OTHER, JA, JA_NEAR, "", "abc", "abcde", "ＡＢＣ　ガリウム"):
        minhash = MinHash(num_perm=dedup.NUM_PERM, seed=dedup.SEED)
        items = list(dedup.shingles(text))
        if items:
            minhash.update_batch(items)
        assert (dedup.signature(text) == minhash.hashvalues.astype(np.uint64)).all(), text


def test_signature_is_deterministic():
    assert (dedup.signature(BASE) == dedup.signature(BASE)).all()


def test_near_duplicate_is_similar_and_shares_a_band():
    a, b = dedup.signature(BASE), dedup.signature(NEAR)
    assert dedup.similarity(a, b) >= dedup.DUPLICATE_THRESHOLD
    assert set(dedup.band_keys(a)) & set(dedup.band_keys(b))


def test_unrelated_texts_are_not_similar_and_share_no_band():
    a, b = dedup.signature(BASE), dedup.signature(OTHER)
    assert dedup.similarity(a, b) < 0.2
    assert not set(dedup.band_keys(a)) & set(dedup.band_keys(b))


def test_japanese_near_duplicates_are_found_without_a_tokenizer():
    a, b = dedup.signature(JA), dedup.signature(JA_NEAR)
    assert dedup.similarity(a, b) >= dedup.DUPLICATE_THRESHOLD


def test_formatting_differences_do_not_matter():
    shouting = BASE.upper().replace(" ", "  ")
    assert dedup.similarity(dedup.signature(BASE), dedup.signature(shouting)) == 1.0


def test_signature_round_trips_through_bytes():
    values = dedup.signature(JA)
    raw = dedup.signature_to_bytes(values)
    assert len(raw) == dedup.NUM_PERM * 8
    assert (dedup.signature_from_bytes(raw) == values).all()


def test_most_similar_filters_and_orders():
    target = dedup.signature(BASE)
    candidates = [(1, dedup.signature(OTHER)), (2, dedup.signature(NEAR)), (3, target)]
    ranked = dedup.most_similar(target, candidates)
    assert [pk for pk, _score in ranked] == [3, 2]


def test_empty_text_has_a_signature():
    assert len(dedup.band_keys(dedup.signature(""))) == dedup.BANDS
