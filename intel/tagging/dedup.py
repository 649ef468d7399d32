"""Near-duplicate detection core: MinHash signatures and LSH band keys (pure Python).

A report's text becomes a set of character shingles (which works the same for
English and Japanese, with no tokenizer), then a MinHash signature
(datasketch). The signature is cut into bands; two reports that share any
band key are candidates, so the database finds candidates with an index
lookup on (band, key) instead of comparing all pairs. Candidates are then
confirmed by their estimated Jaccard similarity.

With 16 bands of 4 rows, pairs at Jaccard 0.5 become candidates about half
the time and pairs at 0.8 almost always (1 - (1 - s^4)^16).

`signature` computes exactly datasketch's MinHash (its default `affine32`
scheme with `sha1_hash32`; a test pins the equality) but vectorised, with the
SHA-1 of frequent shingles remembered per process: the library's per-shingle
Python loop cost more than the tagging engine itself on bulk re-tagging.

`plan_clusters` is the cluster rule as a pure function over plain data: given
a batch in order and what the database holds about its candidates, it decides
every cluster change exactly as tagging the batch one report after the other
would, so the bulk path and the per-report path cannot disagree.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from datasketch import MinHash

from intel.tagging.events import EventAnchors, event_score, same_event

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


_PROTOTYPE = MinHash(num_perm=NUM_PERM, seed=SEED)
_PERM_A, _PERM_B = _PROTOTYPE.permutations
_EMPTY = _PROTOTYPE.hashvalues.astype(np.uint64)
# MurmurHash3's 32-bit finaliser, which datasketch's affine32 scheme applies
# before its permutations.
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
# Shingle → first four bytes of its SHA-1. Bounded: emptied when full, so a
# long run keeps the shingles of the current text mix.
_HASH_CACHE: dict[str, bytes] = {}
_HASH_CACHE_LIMIT = 1_000_000


def _shingle_hashes(normalised: str) -> bytes:
    size = SHINGLE_SIZE
    if len(normalised) <= size:
        items = {normalised} if normalised else set()
    else:
        items = {normalised[i : i + size] for i in range(len(normalised) - size + 1)}
    if len(_HASH_CACHE) > _HASH_CACHE_LIMIT:
        _HASH_CACHE.clear()
    cache = _HASH_CACHE
    # Set and map operations keep the per-shingle loops in C; only shingles
    # never seen before are hashed one by one.
    for item in items.difference(cache):
        cache[item] = hashlib.sha1(item.encode()).digest()[:4]  # noqa: S324 - datasketch's hash, not security
    return b"".join(map(cache.__getitem__, items))


def signature(text: str) -> np.ndarray:
    """The MinHash signature of `text` (NUM_PERM unsigned 64-bit values)."""
    return fingerprint(text)[0]


def fingerprint(text: str) -> tuple[np.ndarray, int]:
    """The signature of `text` and the length of its normalised form."""
    normalised = normalise_for_shingles(text)
    return _signature(normalised), len(normalised)


def text_digest(text: str, *, key: bytes) -> bytes:
    """16 bytes that change whenever `text` or `key` does: BLAKE2b of the text itself.

    Re-tagging reuses what it derived from a text (signature, band keys, event
    anchors) while this digest is unchanged, so `key` must change with every
    rule those depend on.
    """
    return hashlib.blake2b(text.encode(), digest_size=16, key=key).digest()


def _signature(normalised: str) -> np.ndarray:
    raw = _shingle_hashes(normalised)
    if not raw:
        return _EMPTY.copy()
    s1, m1, s2, m2, s3 = _FMIX
    hv = np.frombuffer(raw, dtype="<u4").astype(np.uint32).reshape(-1, 1)
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = hv ^ (hv >> s3)
    return (hv * _PERM_A + _PERM_B).min(axis=0).astype(np.uint64)


def signature_to_bytes(values: np.ndarray) -> bytes:
    return values.astype("<u8").tobytes()


def signature_from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<u8")


def band_keys(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (fits a BigIntegerField)."""
    raw = values.astype("<u8").tobytes()
    step = ROWS_PER_BAND * 8
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    # The BLAKE2b of each band's bytes: one conversion of the whole signature,
    # then slices, instead of a NumPy slice and conversion per band.
    return [
        from_bytes(blake2b(raw[start : start + step], digest_size=8).digest(), "big", signed=True)
        for start in range(0, BANDS * step, step)
    ]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts behind the signatures."""
    if len(a) != len(b):
        raise ValueError("signatures of different lengths")
    return float(np.count_nonzero(a == b)) / len(a)


def most_similar(
    target: np.ndarray, candidates: Sequence[tuple[int, np.ndarray]]
) -> list[tuple[int, float]]:
    """Candidates at or above DUPLICATE_THRESHOLD, most similar first."""
    if not candidates:
        return []
    if any(len(values) != len(target) for _pk, values in candidates):
        raise ValueError("signatures of different lengths")
    # One comparison of every candidate's signature at once: what `similarity`
    # gives each of them, without a NumPy call per candidate.
    equal = np.count_nonzero(np.stack([values for _pk, values in candidates]) == target, axis=1)
    scored = [
        (pk, float(count) / len(target))
        for (pk, _values), count in zip(candidates, equal.tolist(), strict=True)
    ]
    return sorted(
        ((pk, score) for pk, score in scored if score >= DUPLICATE_THRESHOLD),
        key=lambda item: (-item[1], item[0]),
    )


# Ids given to clusters a plan creates, above any id the database hands out, so
# "the oldest cluster wins a merge" orders them as their creation order would.
NEW_CLUSTER_BASE = 1 << 62


@dataclass(frozen=True)
class BatchItem:
    """One report of a batch: its new signature, (band, key) rows and event anchors.

    `keys` is None when the text is too short to cluster; it holds the MinHash
    bands and the event keys of `intel.tagging.events`.
    """

    contribution_id: int
    signature: np.ndarray
    keys: list[tuple[int, int]] | None
    event: EventAnchors | None = None


@dataclass
class ClusterPlan:
    """What tagging a batch changes: final cluster and similarity per touched report."""

    cluster: dict[int, int | None] = field(default_factory=dict)
    similarity: dict[int, float | None] = field(default_factory=dict)
    # Placeholders (>= NEW_CLUSTER_BASE) of clusters to create, in creation order.
    new_clusters: list[int] = field(default_factory=list)
    # Clusters that existed before the batch and are merged away or dissolved.
    deleted_clusters: set[int] = field(default_factory=set)


def choosable(
    batch: Sequence[BatchItem], stored_bands: Iterable[tuple[int, int, int]], max_candidates: int
) -> set[int]:
    """The stored reports `plan_clusters` can compare with a batch whose reports
    keep their band keys: for each report, the `max_candidates` lowest ids
    among the others sharing one of its keys.

    With the reports' keys unchanged, the plan's index is the stored one
    throughout, so these are the candidates it chooses; band rows, signatures
    and anchors of any other report cannot change its decisions.
    """
    index: dict[tuple[int, int], list[int]] = {}
    for contribution_id, band, key in stored_bands:
        index.setdefault((band, key), []).append(contribution_id)
    chosen: set[int] = set()
    for item in batch:
        candidates: set[int] = set()
        for band_key in item.keys or ():
            candidates.update(index.get(band_key, ()))
        candidates.discard(item.contribution_id)
        chosen.update(sorted(candidates)[:max_candidates])
    return chosen


def plan_clusters(
    batch: Sequence[BatchItem],
    *,
    stored_bands: Iterable[tuple[int, int, int]],
    stored_signatures: Mapping[int, np.ndarray],
    stored_clusters: Mapping[int, tuple[int | None, float | None]],
    max_candidates: int,
    stored_events: Mapping[int, EventAnchors] | None = None,
) -> ClusterPlan:
    """Cluster changes of tagging `batch` in order, one report after the other.

    `stored_bands` holds the stored (contribution, band, key) rows for every
    key of the batch (the batch's own old rows included); `stored_signatures`
    the stored signature of every contribution in those rows;
    `stored_clusters` the (cluster, similarity) of every batch member, every
    contribution in `stored_bands` and every other member of their clusters.

    For each report in turn: its old bands are replaced by the new ones; its
    candidates are the other reports sharing a band key (the `max_candidates`
    lowest ids); those at or above DUPLICATE_THRESHOLD are its matches, and so
    are those in another language that `events.same_event` calls the same
    event (`stored_events` holds their anchors; the score is then the share
    of specifics they have in common). With
    no match (or too short a text) it leaves its cluster. Otherwise it, its
    matches and their clusters become one cluster: its own if one of them is
    already in it, else the oldest of theirs, else a new one. A cluster left
    with one member is dissolved.
    """
    index: dict[tuple[int, int], set[int]] = {}
    bands_of: dict[int, list[tuple[int, int]]] = {}
    for contribution_id, band, key in stored_bands:
        index.setdefault((band, key), set()).add(contribution_id)
        bands_of.setdefault(contribution_id, []).append((band, key))
    signatures = dict(stored_signatures)
    events = dict(stored_events or {})
    cluster = {pk: state[0] for pk, state in stored_clusters.items()}
    similarity = {pk: state[1] for pk, state in stored_clusters.items()}
    members: dict[int, set[int]] = {}
    for pk, cluster_id in cluster.items():
        if cluster_id is not None:
            members.setdefault(cluster_id, set()).add(pk)
    plan = ClusterPlan()
    existing = set(members)

    def move(pk: int, target: int | None) -> None:
        current = cluster.get(pk)
        if current is not None:
            members[current].discard(pk)
        cluster[pk] = target
        if target is not None:
            members.setdefault(target, set()).add(pk)

    def drop(cluster_id: int) -> None:
        for pk in list(members.pop(cluster_id, ())):
            cluster[pk] = None
            similarity[pk] = None
        if cluster_id in existing:
            plan.deleted_clusters.add(cluster_id)
        else:
            plan.new_clusters.remove(cluster_id)

    def dissolve_if_single(cluster_id: int) -> None:
        if len(members.get(cluster_id, ())) < 2:
            drop(cluster_id)

    def leave(pk: int) -> None:
        previous = cluster.get(pk)
        if previous is None:
            return
        move(pk, None)
        similarity[pk] = None
        dissolve_if_single(previous)

    next_new = NEW_CLUSTER_BASE
    for item in batch:
        pk = item.contribution_id
        for band_key in bands_of.pop(pk, []):
            index[band_key].discard(pk)
        signatures[pk] = item.signature
        if item.event is not None:
            events[pk] = item.event
        else:
            events.pop(pk, None)
        cluster.setdefault(pk, None)
        similarity.setdefault(pk, None)
        if item.keys is None:
            leave(pk)
            continue
        candidates: set[int] = set()
        for band_key in item.keys:
            ids = index.setdefault(band_key, set())
            candidates |= ids
            ids.add(pk)
        bands_of[pk] = list(item.keys)
        candidates.discard(pk)
        chosen = sorted(candidates)[:max_candidates]
        scored = [(c, signatures[c]) for c in chosen if c in signatures]
        matches = dict(most_similar(item.signature, scored))
        if item.event is not None:
            for other in chosen:
                event = events.get(other)
                if other not in matches and event and same_event(item.event, event):
                    matches[other] = event_score(item.event, event)
        if not matches:
            leave(pk)
            continue
        previous = cluster[pk]
        member_clusters = {cluster[m] for m in matches if cluster.get(m) is not None}
        target: int
        if previous is not None and (previous in member_clusters or not member_clusters):
            target = previous
        elif not member_clusters:
            target = next_new
            next_new += 1
            plan.new_clusters.append(target)
            members[target] = set()
        else:
            target = min(c for c in member_clusters if c is not None)
        for merged in member_clusters - {target}:
            if merged is None:
                continue
            for other in list(members.get(merged, ())):
                move(other, target)
            members.pop(merged, None)
            if merged in existing:
                plan.deleted_clusters.add(merged)
            else:
                plan.new_clusters.remove(merged)
        for other in [pk, *matches]:
            move(other, target)
        similarity[pk] = max(matches.values())
        if previous is not None and previous != target:
            dissolve_if_single(previous)

    batch_ids = {item.contribution_id for item in batch}
    for pk in cluster:
        before = stored_clusters.get(pk, (None, None))
        if pk in batch_ids or (cluster[pk], similarity[pk]) != before:
            plan.cluster[pk] = cluster[pk]
            plan.similarity[pk] = similarity[pk]
    return plan
