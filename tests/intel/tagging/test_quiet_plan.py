"""A quiet batch plans without the other members of its candidates' clusters,
and without the candidates its plan cannot choose.

`services._snapshot` reads a quiet batch's fingerprints and its candidates',
not the rest of their clusters, and keeps only the candidates the plan can
choose (`dedup.choosable`). That is right if, planned with everything or with
those reports only, a batch keeps state (`_plan_keeps_state`) in both cases
or in neither, with the same plan when it does. Checked here on random stores
of near-duplicate families, settled and then disturbed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any, NamedTuple

from intel.tagging import dedup
from intel.tagging.services import MAX_CANDIDATES, _plan_keeps_state

WORDS = [f"w{index}" for index in range(400)]


def _family_texts(rng: random.Random, families: int, size: int) -> list[str]:
    """Texts in families of near-duplicates: a base text with a few words changed."""
    texts = []
    for _family in range(families):
        base = [rng.choice(WORDS) for _word in range(120)]
        for _member in range(size):
            text = list(base)
            for _edit in range(rng.randrange(0, 12)):
                text[rng.randrange(len(text))] = rng.choice(WORDS)
            texts.append(" ".join(text))
    rng.shuffle(texts)
    return texts


def _item(pk: int, text: str) -> dedup.BatchItem:
    values = dedup.signature(text)
    return dedup.BatchItem(pk, values, list(enumerate(dedup.band_keys(values))))


def _settle(items: list[dedup.BatchItem]) -> dict[int, tuple[int | None, float | None]]:
    """Clusters after tagging every report once, then re-tagging all of them once."""
    bands = [(i.contribution_id, band, key) for i in items for band, key in i.keys or ()]
    signatures = {i.contribution_id: i.signature for i in items}
    clusters: dict[int, tuple[int | None, float | None]] = {}
    next_id = 1
    for stored in ([], bands):
        plan = _plan(items, stored, signatures, clusters)
        # Clusters a plan creates get ids as the database would hand them out.
        ids = {}
        for placeholder in plan.new_clusters:
            ids[placeholder], next_id = next_id, next_id + 1
        for pk, cluster in plan.cluster.items():
            clusters[pk] = (ids.get(cluster, cluster), plan.similarity[pk])
    return clusters


def _plan(batch, bands, signatures, clusters, max_candidates=MAX_CANDIDATES):
    return dedup.plan_clusters(
        batch,
        stored_bands=bands,
        stored_signatures=signatures,
        stored_clusters=clusters,
        max_candidates=max_candidates,
    )


class _Case(NamedTuple):
    """One random batch over a random store, settled and then disturbed."""

    seed: int
    batch: list[dedup.BatchItem]
    batch_ids: list[int]
    shared: list[tuple[int, int, int]]  # stored band rows sharing a key with the batch
    signatures: dict[int, Any]
    clusters: dict[int, tuple[int | None, float | None]]
    states: dict[int, tuple[int, int | None, float | None]]


def _cases(first_seed: int, families: int, sizes: tuple[int, int]) -> Iterator[_Case]:
    """20 batches over each of 12 stores of near-duplicate families."""
    for seed in range(first_seed, first_seed + 12):
        rng = random.Random(seed)
        texts = _family_texts(rng, families=families, size=rng.randrange(*sizes))
        items = [_item(pk, text) for pk, text in enumerate(texts, start=1)]
        clusters = _settle(items)
        # Some stored states disturbed, so that some batches do not keep state.
        for pk in rng.sample(sorted(clusters), k=len(clusters) // 10):
            clusters[pk] = (None, None)
        bands = [(i.contribution_id, band, key) for i in items for band, key in i.keys or ()]
        signatures = {i.contribution_id: i.signature for i in items}
        states = {pk: (pk, *clusters.get(pk, (None, None))) for pk in signatures}
        for _batch in range(20):
            batch = rng.sample(items, k=rng.randrange(1, 6))
            keys = {pair for item in batch for pair in item.keys or ()}
            shared = [row for row in bands if (row[1], row[2]) in keys]
            batch_ids = [item.contribution_id for item in batch]
            yield _Case(seed, batch, batch_ids, shared, signatures, clusters, states)


def _keeps_state_alike(case: _Case, full: dedup.ClusterPlan, few: dedup.ClusterPlan) -> bool:
    """Both plans keep state or neither does, and alike when they do; whether they do."""
    keeps = _plan_keeps_state(full, case.batch_ids, case.states)
    assert _plan_keeps_state(few, case.batch_ids, case.states) == keeps, case.seed
    if keeps:
        assert (few.cluster, few.similarity) == (full.cluster, full.similarity), case.seed
    return keeps


def test_a_plan_keeps_state_with_or_without_the_other_cluster_members():
    kept = changed = 0
    for case in _cases(0, families=6, sizes=(3, 9)):
        involved = {row[0] for row in case.shared} | set(case.batch_ids)
        full = _plan(case.batch, case.shared, case.signatures, case.clusters)
        few = _plan(
            case.batch, case.shared, case.signatures, {pk: case.clusters[pk] for pk in involved}
        )
        if _keeps_state_alike(case, full, few):
            kept += 1
        else:
            changed += 1
    # Both kinds of batch occur, or the check says nothing.
    assert kept >= 20 and changed >= 20, (kept, changed)


def test_a_plan_keeps_state_with_or_without_the_candidates_it_cannot_choose():
    # A bound far below the families' sizes, so that most reports have more
    # candidates than the plan compares.
    bound = 3
    kept = changed = bounded = 0
    for case in _cases(100, families=5, sizes=(6, 12)):
        every = {row[0] for row in case.shared} | set(case.batch_ids)
        chosen = dedup.choosable(case.batch, case.shared, bound) | set(case.batch_ids)
        bounded += len(chosen) < len(every)
        clusters = case.clusters
        full = _plan(
            case.batch, case.shared, case.signatures, {pk: clusters[pk] for pk in every}, bound
        )
        few = _plan(
            case.batch,
            [row for row in case.shared if row[0] in chosen],
            {pk: case.signatures[pk] for pk in chosen},
            {pk: clusters[pk] for pk in chosen},
            bound,
        )
        if _keeps_state_alike(case, full, few):
            kept += 1
        else:
            changed += 1
    # Both kinds of batch occur, and the bound drops candidates in many of them.
    assert kept >= 20 and changed >= 20 and bounded >= 40, (kept, changed, bounded)
