"""Near-duplicate detection core: MinHash signatures and LSH band keys (pure Python).

A report's text becomes a set of character shingles (which works the same for
English and Japanese, with no tokenizer), then a MinHash signature
(datasketch). The signature is cut into bands; two reports that share any
band key are candidates, so the database finds candidates with an index
lookup on (band, key) instead of comparing all pairs. Candidates are then
confirmed by their estimated Jaccard similarity.

With 16 bands of 4 rows, pairs at Jaccard 0.5 become candidates about half
the time and pairs at 0.8 almost always (1 - (1 - s^4)^16).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from datasketch import MinHash

NUM_PERM = 64
BANDS = 16
ROWS_PER_BAND = NUM_PERM // BANDS
SHINGLE_SIZE = 5
# Fixed so signatures stored today compare with signatures computed tomorrow.
SEED = 20261123
DUPLICATE_THRESHOLD = 0.6

_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)


def normalise_for_shingles(text: str) -> str:
    """NFKC, case-folded, punctuation and spacing collapsed to single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _PUNCTUATION.sub(" ", folded).strip()


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[bytes]:
    normalised = normalise_for_shingles(text)
    if len(normalised) <= size:
        return {normalised.encode()} if normalised else set()
    return {normalised[i : i + size].encode() for i in range(len(normalised) - size + 1)}


def signature(text: str) -> np.ndarray:
    """The MinHash signature of `text` (NUM_PERM unsigned 64-bit values)."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    items = list(shingles(text))
    if items:
        minhash.update_batch(items)
    return minhash.hashvalues.astype(np.uint64)


def signature_to_bytes(values: np.ndarray) -> bytes:
    return values.astype("<u8").tobytes()


def signature_from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<u8")


def band_keys(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (fits a BigIntegerField)."""
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND]
        digest = hashlib.blake2b(chunk.astype("<u8").tobytes(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts behind the signatures."""
    if len(a) != len(b):
        raise ValueError("signatures of different lengths")
    return float(np.count_nonzero(a == b)) / len(a)


def most_similar(
    target: np.ndarray, candidates: Sequence[tuple[int, np.ndarray]]
) -> list[tuple[int, float]]:
    """Candidates at or above DUPLICATE_THRESHOLD, most similar first."""
    scored = [(pk, similarity(target, values)) for pk, values in candidates]
    return sorted(
        ((pk, score) for pk, score in scored if score >= DUPLICATE_THRESHOLD),
        key=lambda item: (-item[1], item[0]),
    )
