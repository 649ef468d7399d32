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


def test_a_plan_keeps_state_with_or_without_the_other_cluster_members():
    kept = changed = 0
    for seed in range(12):
        rng = random.Random(seed)
        texts = _family_texts(rng, families=6, size=rng.randrange(3, 9))
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
            involved = {row[0] for row in shared} | {item.contribution_id for item in batch}
            full = _plan(batch, shared, signatures, clusters)
            few = _plan(batch, shared, signatures, {pk: clusters[pk] for pk in involved})
            batch_ids = [item.contribution_id for item in batch]
            keeps = _plan_keeps_state(full, batch_ids, states)
            assert _plan_keeps_state(few, batch_ids, states) == keeps, seed
            if keeps:
                assert (few.cluster, few.similarity) == (full.cluster, full.similarity), seed
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
    for seed in range(12):
        rng = random.Random(100 + seed)
        texts = _family_texts(rng, families=5, size=rng.randrange(6, 12))
        items = [_item(pk, text) for pk, text in enumerate(texts, start=1)]
        clusters = _settle(items)
        for pk in rng.sample(sorted(clusters), k=len(clusters) // 10):
            clusters[pk] = (None, None)
        bands = [(i.contribution_id, band, key) for i in items for band, key in i.keys or ()]
        signatures = {i.contribution_id: i.signature for i in items}
        states = {pk: (pk, *clusters.get(pk, (None, None))) for pk in signatures}
        for _batch in range(20):
            batch = rng.sample(items, k=rng.randrange(1, 6))
            batch_ids = [item.contribution_id for item in batch]
            keys = {pair for item in batch for pair in item.keys or ()}
            shared = [row for row in bands if (row[1], row[2]) in keys]
            every = {row[0] for row in shared} | set(batch_ids)
            chosen = dedup.choosable(batch, shared, bound) | set(batch_ids)
            bounded += len(chosen) < len(every)
            full = _plan(batch, shared, signatures, {pk: clusters[pk] for pk in every}, bound)
            few = _plan(
                batch,
                [row for row in shared if row[0] in chosen],
                {pk: signatures[pk] for pk in chosen},
                {pk: clusters[pk] for pk in chosen},
                bound,
            )
            keeps = _plan_keeps_state(full, batch_ids, states)
            assert _plan_keeps_state(few, batch_ids, states) == keeps, seed
            if keeps:
                assert (few.cluster, few.similarity) == (full.cluster, full.similarity), seed
                kept += 1
            else:
                changed += 1
    # Both kinds of batch occur, and the bound drops candidates in many of them.
    assert kept >= 20 and changed >= 20 and bounded >= 40, (kept, changed, bounded)
