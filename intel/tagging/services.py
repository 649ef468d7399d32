"""Automatic tags, analysts' tag corrections and near-duplicate clusters.

`contributions_tag` tags a batch of contributions with set-based statements
(one DELETE and one multi-row INSERT per table, whatever the batch size) and
assigns their clusters by `intel.tagging.dedup.plan_clusters`, which decides
exactly what tagging them one after the other would. `contribution_tag` (the
per-submission task) is the same path for a batch of one. Both are
idempotent: running them twice leaves the same rows; a report whose text and
tagger's result are unchanged (`_tags_digest`) has its tag rows neither read
nor written. Only `auto` tags are rewritten; rows an analyst wrote are never
touched, and their effect on later tagging comes through
`intel.tagging.runtime.feedback_overrides`.

Concurrency (PostgreSQL; SQLite serialises writers): workers tagging at once
must not split a cluster. Two reports can only be matched if they share an
LSH band key, so each batch takes a transaction-scoped advisory lock per band
key of its reports (old and new), all in one statement in ascending order, so
two batches wait for each other only when they share a key and cannot
deadlock. It then locks the clusters its candidates belong to (rows, in id
order) and the fingerprints it reads; if a concurrent batch moved one of them
to another cluster in the meantime, the transaction is rolled back and tried
again. A quiet batch (one that changes no band, signature, event anchors,
cluster or similarity: most of a re-tagging) takes none of these locks: it
plans from one snapshot (its candidates' signatures found by their text
digests, `_candidate_signatures`) and writes nothing any plan reads, so it is
ordered before whatever commits after its snapshot; see `_is_quiet`.
See docs/tagging.md.
"""

from __future__ import annotations

import hashlib
import json
import operator
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, reduce
from typing import Any, NamedTuple

import numpy as np
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from community.sources import module_files, source_digest
from intel.models import (
    Contribution,
    ContributionBand,
    ContributionCountry,
    ContributionFingerprint,
    ContributionSector,
    ContributionSignal,
    ContributionTag,
    DuplicateCluster,
    TagKind,
    TagSource,
    TaxonomyLabel,
)
from intel.reports.services._common import require_reviewer
from intel.reports.services.search_index import (
    WEIGHTED_FIELDS,
    search_index_update,
    search_index_update_many,
    weighted_parts,
    weighted_values,
)
from intel.tagging import dedup, events
from intel.tagging.engine import TagResult
from intel.tagging.learned import LearnedTag
from intel.tagging.runtime import ENGINE_KIND, TAG_KIND, current_tagger
from intel.tagging.selectors import UNTAGGED_STATUSES
from intel.vocabulary import Sector, Signal

# A contribution is compared with at most this many LSH candidates.
MAX_CANDIDATES = 200
# Texts shorter than this (after normalisation) are too thin to call duplicates.
MIN_TEXT_FOR_CLUSTERING = 80
# Contributions per transaction: each takes an advisory lock per band key (16
# MinHash bands and up to 64 event keys, old and new), and PostgreSQL's shared
# lock table holds about 64 locks per connection by default.
MAX_BATCH = 64
# A batch whose clusters a concurrent batch changed under it is tried again.
MAX_ATTEMPTS = 5
_DEADLOCK = "40P01"
# Mixed into band keys so the advisory locks of band 3 and band 7 never collide.
_LOCK_SALT = 0x9E3779B97F4A7C15


class ClusterStateChanged(Exception):
    """A concurrent batch moved a fingerprint this batch read; try again."""


def contribution_text(contribution: Contribution) -> tuple[str, str]:
    """(title, body) as the tagger sees a field report or case study."""
    return _tagged_text(weighted_parts(contribution))


def _tagged_text(parts: list[tuple[str, str]]) -> tuple[str, str]:
    texts = [text for text, _weight in parts]
    return texts[0], "\n\n".join(text for text in texts[1:] if text)


# What a batch reads of its contributions: the id, the language and
# `contribution_text`'s fields, as rows (about 25 µs a report less than
# loading them as model instances with their detail rows).
_TAGGED_VALUES = ("pk", "language", *WEIGHTED_FIELDS)


def contribution_tag(*, contribution_id: int) -> bool:
    """Tag one contribution and place it in its near-duplicate cluster.

    Returns False (and changes nothing) for a draft, a withdrawn or a missing
    contribution. The row lock makes two runs for the same contribution queue
    up instead of interleaving.
    """
    return bool(contributions_tag(contribution_ids=[contribution_id]))


def contributions_tag(*, contribution_ids: Sequence[int], durable: bool = True) -> list[int]:
    """Tag a batch of contributions in id order; returns the ids tagged.

    Drafts, withdrawn and missing contributions are skipped. Every
    `MAX_BATCH` contributions commit together. `durable=False` (re-tagging,
    the backlog drain: contributions that stay due for tagging until their
    batch commits) lets each commit return before its WAL is flushed.
    """
    ids = sorted(set(contribution_ids))
    tagged: list[int] = []
    for start in range(0, len(ids), MAX_BATCH):
        tagged.extend(_tag_batch_with_retries(ids[start : start + MAX_BATCH], durable=durable))
    return tagged


def _tag_batch_with_retries(ids: list[int], *, durable: bool) -> list[int]:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                _batch_settings(durable=durable)
                return _tag_batch(ids)
        except ClusterStateChanged:
            if attempt == MAX_ATTEMPTS:
                raise
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != _DEADLOCK or attempt == MAX_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _batch_settings(*, durable: bool) -> None:
    """PostgreSQL: settings of the batch's transaction, in one statement.

    No JIT: the batch's statements touch a few hundred rows by index, but
    the planner's estimates for them (`= ANY` of an array, joins to `unnest`)
    can exceed the JIT threshold, and compiling then costs more (~10 ms)
    than the statement.

    `durable=False`: the commit does not wait for its WAL flush. Only for
    batches of contributions that are due for tagging until the batch
    commits (older taxonomy version or none) or were already tagged durably
    from the same text: a batch lost in a crash leaves them stale, and `retag`
    or the backlog drain tags them again. Everything it writes is derived
    from stored text. A submission's own tagging stays durable: a lost one
    would leave the tags of the text before an edit.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('synchronous_commit', %s, true)",
                ["on" if durable else "off"],
            )


def _tag_batch(ids: list[int]) -> list[int]:
    rows = list(
        Contribution.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .exclude(status__in=UNTAGGED_STATUSES)
        .order_by("pk")
        .values_list(*_TAGGED_VALUES)
    )
    if not rows:
        return []
    tagger = current_tagger()
    # Only this batch writes its contributions' tagging state (their rows are
    # locked above), so reading it before the band locks is safe.
    previous = _previous_state([row[0] for row in rows])
    batch: list[dedup.BatchItem] = []
    new_tags: dict[int, list[_TagRow]] = {}
    digests: dict[int, _Digests] = {}
    for pk, language, *values in rows:
        stored = previous.get(pk)
        title, body = _tagged_text(weighted_values(*values))
        result = tagger.tag(title, body)
        tags_digest = _tags_digest(title, body, result)
        # The same digest as the rows stored: they are what these would be.
        if stored is None or tags_digest != stored.tags_digest:
            new_tags[pk] = _tag_rows(pk, result)
        item, text_digest = _batch_item(pk, language, f"{title}\n{body}", result, stored)
        digests[pk] = _Digests(text_digest, tags_digest)
        batch.append(item)
    batch_ids = [item.contribution_id for item in batch]
    now = timezone.now()

    # Tags and search entries belong to the batch's own (locked) contributions:
    # written before the band-key locks, so batches sharing a key wait for each
    # other only while they place reports in clusters.
    changed, renamed = _changed_tags(new_tags)
    if changed:
        retagged = [row for pk in sorted(changed) for row in new_tags[pk]]
        _delete_rows(ContributionTag, sorted(changed), source=TagSource.AUTO.value)
        _insert_auto_tags(retagged, now)
    # A search entry follows its set of tags, and a contribution tagged for the
    # first time is indexed with them.
    first_time = {pk for pk in batch_ids if not previous.get(pk, _NO_STATE).fingerprinted}
    reindex = sorted(renamed | first_time)
    if reindex:
        search_index_update_many(contribution_ids=reindex)

    version = tagger.taxonomy.version
    # A quiet batch changes nothing another batch's plan reads (see `_is_quiet`),
    # so it plans from one snapshot without locks. One whose plan turns out to
    # change something, or whose snapshot cannot be completed, is placed again
    # under exclusive locks (its tagging is not repeated).
    if connection.vendor == "postgresql" and _is_quiet(batch, previous):
        snapshot = _snapshot(batch)
        if snapshot is not None:
            stored_bands, states = snapshot
            plan = _plan(batch, stored_bands, states)
            if _plan_keeps_state(plan, batch_ids, states):
                touched = [(states[pk][0], digests[pk]) for pk in batch_ids]
                _touch_fingerprints(touched, version, now)
                return batch_ids
    _place_in_clusters(batch, previous, digests, version, now)
    return batch_ids


def _place_in_clusters(
    batch: list[dedup.BatchItem],
    previous: dict[int, _Previous],
    digests: dict[int, _Digests],
    taxonomy_version: str,
    now: Any,
) -> None:
    """Lock the batch's band keys and candidates, plan its clusters and write them."""
    batch_ids = [item.contribution_id for item in batch]
    old_bands = {pk: state.bands for pk, state in previous.items() if state.bands}
    new_keys = {pair for item in batch for pair in item.keys or ()}
    _lock_band_keys(new_keys | {pair for pairs in old_bands.values() for pair in pairs})
    stored_bands = _stored_bands(new_keys)
    involved = sorted({pk for pk, _band, _key in stored_bands} | set(batch_ids))
    states = _lock_fingerprints(involved)
    plan = _plan(batch, stored_bands, states)
    _write_clusters(batch, digests, old_bands, states, plan, taxonomy_version, now)


def _plan(
    batch: list[dedup.BatchItem],
    stored_bands: list[tuple[int, int, int]],
    states: dict[int, _State],
) -> dedup.ClusterPlan:
    return dedup.plan_clusters(
        batch,
        stored_bands=stored_bands,
        stored_signatures={pk: state[3] for pk, state in states.items() if state[3] is not None},
        stored_clusters={pk: (state[1], state[2]) for pk, state in states.items()},
        max_candidates=MAX_CANDIDATES,
        stored_events={pk: state[4] for pk, state in states.items() if state[4] is not None},
    )


def _is_quiet(batch: list[dedup.BatchItem], previous: dict[int, _Previous]) -> bool:
    """Whether re-tagging the batch leaves every input of a cluster plan as it was.

    Plans read the band rows, signatures and event anchors of a batch's
    candidates and the cluster and similarity of every report involved. When
    every report keeps its bands, signature and anchors (the usual re-tagging
    of unchanged texts), and the plan then keeps every cluster and similarity
    (`_plan_keeps_state`), the batch writes nothing another batch reads: any
    number of such batches give the same state in any order. Such a batch
    needs no locks: its plan, read from one snapshot (`_snapshot`), is what a
    serial run placing it at that snapshot's moment would plan, and batches
    that change state after it read nothing it writes.
    """
    for item in batch:
        state = previous.get(item.contribution_id)
        if (
            state is None
            or not state.fingerprinted
            or state.bands != frozenset(item.keys or ())
            or state.event != item.event
            or state.signature != dedup.signature_to_bytes(item.signature)
        ):
            return False
    return True


def _plan_keeps_state(
    plan: dedup.ClusterPlan, batch_ids: list[int], states: dict[int, _State]
) -> bool:
    """The plan creates, deletes and moves nothing (for `_is_quiet`)."""
    if plan.new_clusters or plan.deleted_clusters or len(plan.cluster) != len(batch_ids):
        return False
    return all(
        pk in states and (plan.cluster[pk], plan.similarity[pk]) == states[pk][1:3]
        for pk in batch_ids
    )


@dataclass(frozen=True)
class _Previous:
    """What an earlier tagging stored for a contribution of the batch."""

    fingerprinted: bool = False
    digest: bytes = b""
    tags_digest: bytes = b""
    signature: bytes = b""
    event: events.EventAnchors | None = None
    bands: frozenset[tuple[int, int]] = frozenset()


_NO_STATE = _Previous()


class _Digests(NamedTuple):
    """What a fingerprint row records of one tagging's input and output."""

    text: bytes  # `dedup.text_digest`: what the signature and anchors were derived from
    tags: bytes  # `_tags_digest`: the automatic tag rows written


# What re-tagging reuses for an unchanged text (its signature and the specifics
# of its event anchors) was derived by the code of `dedup` and `events` and the
# clustering threshold: any change to them makes every stored derivation stale
# once, and the next tagging computes it again.
@cache
def _derivation_key() -> bytes:
    return source_digest(module_files(dedup, events), salt=str(MIN_TEXT_FOR_CLUSTERING).encode())


# What the automatic tag rows of a tagger's result are made of, beside the
# result itself: the code resolving spans and turning tags into rows.
_ROW_MODULES = (
    "intel.tagging.engine", "intel.tagging.normalise", "intel.tagging.learned", __name__,
)  # fmt: skip


@cache
def _tags_key() -> bytes:
    return source_digest(module_files(*(sys.modules[name] for name in _ROW_MODULES)))


def _tags_digest(title: str, body: str, result: TagResult) -> bytes:
    """16 bytes that change whenever the automatic tag rows of `result` would.

    A row's spans are resolved from the text and the tag's evidence (offsets
    in the normalised text), so the digest covers those two instead of the
    spans: not resolving them is much of what an unchanged re-tagging saves.
    Tags the learned layer added (few) bring their model evidence in full.
    """
    tags = [
        [TAG_KIND[family], tag.slug, tag.score, tag.evidence,
         tag.model_evidence() if isinstance(tag, LearnedTag) else None]
        for family in TAG_KIND
        for tag in getattr(result, family)
    ]  # fmt: skip
    digest = hashlib.blake2b(digest_size=16, key=_tags_key())
    # The texts as they are, each after its length (JSON-escaping 2 KB of text
    # per report cost more than the rest of the digest).
    for text in (title, body):
        encoded = text.encode()
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    digest.update(json.dumps(tags, ensure_ascii=False).encode())
    return digest.digest()


def _batch_item(
    pk: int, language: str, text: str, result: TagResult, previous: _Previous | None
) -> tuple[dedup.BatchItem, bytes]:
    """The batch item of one tagged contribution, and the digest of its text.

    When the text is the one tagged last time, its signature and the specifics
    of its event anchors are taken from then (the costliest part of a
    re-tagging after the engine); only the engine's labels are new.
    """
    digest = dedup.text_digest(text, key=_derivation_key())
    labels = [f"commodity:{tag.slug}" for tag in result.commodities] + [
        f"signal:{tag.slug}" for tag in result.signals
    ]
    countries = [tag.slug for tag in result.countries]
    if previous is not None and previous.digest == digest:
        values = dedup.signature_from_bytes(previous.signature)
        if previous.event is None:  # too short to cluster, as it was then
            return dedup.BatchItem(pk, values, None), digest
        event = events.relabelled(
            previous.event, language=language, labels=labels, countries=countries
        )
    else:
        values, length = dedup.fingerprint(text)
        if length < MIN_TEXT_FOR_CLUSTERING:
            return dedup.BatchItem(pk, values, None), digest
        event = events.anchors(text, language=language, labels=labels, countries=countries)
    keys = [*enumerate(dedup.band_keys(values)), *events.event_keys(event)]
    return dedup.BatchItem(pk, values, keys, event), digest


def _previous_state(contribution_ids: list[int]) -> dict[int, _Previous]:
    """Fingerprint and band rows of the batch from its last tagging, in one query."""
    rows: list[tuple[Any, ...]]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.id, f.id IS NOT NULL, f.text_digest, f.tags_digest, "  # noqa: S608 - table names only
                "f.signature, f.event::text, "
                f"ARRAY(SELECT b.band FROM {ContributionBand._meta.db_table} AS b "
                "WHERE b.contribution_id = c.id ORDER BY b.band, b.key), "
                f"ARRAY(SELECT b.key FROM {ContributionBand._meta.db_table} AS b "
                "WHERE b.contribution_id = c.id ORDER BY b.band, b.key) "
                "FROM unnest(%s::bigint[]) AS c(id) "
                f"LEFT JOIN {ContributionFingerprint._meta.db_table} AS f "
                "ON f.contribution_id = c.id",
                [_array_literal(contribution_ids)],
            )
            rows = cursor.fetchall()
    else:
        bands: dict[int, list[tuple[int, int]]] = {}
        for pk, band, key in ContributionBand.objects.filter(
            contribution_id__in=contribution_ids
        ).values_list("contribution_id", "band", "key"):
            bands.setdefault(pk, []).append((band, key))
        fingerprints = {
            pk: (digest, tags_digest, raw, event)
            for pk, digest, tags_digest, raw, event in ContributionFingerprint.objects.filter(
                contribution_id__in=contribution_ids
            ).values_list("contribution_id", "text_digest", "tags_digest", "signature", "event")
        }
        rows = []
        for pk in contribution_ids:
            digest, tags_digest, raw, event = fingerprints.get(pk, (None, None, None, None))
            pairs = bands.get(pk, [])
            rows.append(
                (pk, pk in fingerprints, digest, tags_digest, raw,
                 json.dumps(event) if event else None,
                 [band for band, _key in pairs], [key for _band, key in pairs])
            )  # fmt: skip
    previous: dict[int, _Previous] = {}
    for pk, fingerprinted, digest, tags_digest, raw, event, band_list, key_list in rows:
        previous[pk] = _Previous(
            fingerprinted=bool(fingerprinted),
            digest=bytes(digest or b""),
            tags_digest=bytes(tags_digest or b""),
            signature=bytes(raw or b""),
            event=events.from_stored(event) if event else None,
            bands=frozenset(zip(band_list, key_list, strict=True)),
        )
    return previous


# (contribution id, kind, slug, score, spans, model evidence) of one automatic tag.
_TagRow = tuple[int, str, str, float, list[Any], dict[str, Any]]


def _tag_rows(pk: int, result: TagResult) -> list[_TagRow]:
    return [
        (pk, TAG_KIND[family], tag.slug, tag.score, _spans(tag), _evidence(tag))
        for family in TAG_KIND
        for tag in getattr(result, family)
    ]


def _changed_tags(new_tags: dict[int, list[_TagRow]]) -> tuple[set[int], set[int]]:
    """Contributions whose automatic tag rows would change, and those among
    them whose set of (kind, slug) changes (what search indexes)."""
    if not new_tags:
        return set(), set()
    ids = list(new_tags)
    stored: dict[int, dict[tuple[str, str], tuple[Any, ...]]] = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Compared here, not by the server: a batch whose tags did not change
            # (most of a re-tagging) then sends no rows at all. JSON values
            # compare as jsonb would: by value, whatever the key order.
            cursor.execute(
                "SELECT contribution_id, kind, slug, score, spans::text, model_evidence::text "  # noqa: S608 - table name only
                f"FROM {ContributionTag._meta.db_table} "
                "WHERE contribution_id = ANY(%s::bigint[]) AND source = %s",
                [_array_literal(ids), TagSource.AUTO.value],
            )
            for pk, kind, slug, score, spans, evidence in cursor.fetchall():
                # Lexicon tags (most of them) have no model evidence.
                evidence = {} if evidence == "{}" else json.loads(evidence)
                stored.setdefault(pk, {})[(kind, slug)] = (score, json.loads(spans), evidence)
    else:
        for pk, kind, slug, score, spans, evidence in ContributionTag.objects.filter(
            contribution_id__in=ids, source=TagSource.AUTO
        ).values_list("contribution_id", "kind", "slug", "score", "spans", "model_evidence"):
            stored.setdefault(pk, {})[(kind, slug)] = (score, spans, evidence)
    changed, renamed = set(), set()
    for pk, rows in new_tags.items():
        new = {(kind, slug): (score, spans, e) for _pk, kind, slug, score, spans, e in rows}
        old = stored.get(pk, {})
        if new != old:
            changed.add(pk)
        if new.keys() != old.keys():
            renamed.add(pk)
    return changed, renamed


def _delete_rows(model: Any, contribution_ids: list[int], **equal: str) -> None:
    """One DELETE by array of contribution ids (no per-row collection: nothing refers to these)."""
    conditions = "".join(f" AND {column} = %s" for column in equal)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} "  # noqa: S608 - table and column names only
                f"WHERE contribution_id = ANY(%s){conditions}",
                [contribution_ids, *equal.values()],
            )
        else:
            marks = ", ".join(["%s"] * len(contribution_ids))
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} "  # noqa: S608 - table and column names only
                f"WHERE contribution_id IN ({marks}){conditions}",
                [*contribution_ids, *equal.values()],
            )


def _lock_band_keys(pairs: set[tuple[int, int]]) -> None:
    if connection.vendor != "postgresql" or not pairs:
        return
    mask = (1 << 64) - 1
    keys = sorted(
        {_signed(((key & mask) ^ ((band + 1) * _LOCK_SALT)) & mask) for band, key in pairs}
    )
    with connection.cursor() as cursor:
        # The ordered subquery makes every batch take its locks in ascending order.
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) "
            "FROM (SELECT k FROM unnest(%s::bigint[]) AS k ORDER BY k) AS ordered",
            [keys],
        )


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


# PostgreSQL: the stored band rows sharing one of the (band, key) pairs that
# `_band_key_arrays` sends, one index probe per key.
_BANDS_SHARING_KEYS = (
    "SELECT b.contribution_id, b.band, b.key "  # noqa: S608 - table name only
    f"FROM {ContributionBand._meta.db_table} AS b "
    "JOIN unnest(%s::smallint[], %s::bigint[]) AS k(band, key) "
    "ON b.band = k.band AND b.key = k.key"
)


def _band_key_arrays(pairs: set[tuple[int, int]]) -> list[str]:
    """The parameters of `_BANDS_SHARING_KEYS`: the bands and the keys as two arrays."""
    bands, keys = zip(*sorted(pairs), strict=True) if pairs else ((), ())
    return [_array_literal(bands), _array_literal(keys)]


def _stored_bands(pairs: set[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Stored band rows sharing a key with the batch: one query, one index probe per key."""
    if not pairs:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_BANDS_SHARING_KEYS, _band_key_arrays(pairs))
            return cursor.fetchall()
    by_band: dict[int, list[int]] = {}
    for band, key in pairs:
        by_band.setdefault(band, []).append(key)
    matching = reduce(
        operator.or_, (Q(band=band, key__in=sorted(keys)) for band, keys in by_band.items())
    )
    return list(
        ContributionBand.objects.filter(matching).values_list("contribution_id", "band", "key")
    )


# contribution id → (fingerprint id, cluster id, similarity, signature, event anchors)
_State = tuple[int, int | None, float | None, Any, events.EventAnchors | None]


def _lock_fingerprints(contribution_ids: list[int]) -> dict[int, _State]:
    """Fingerprints of the batch and its candidates and every other member of their clusters.

    Locks their clusters first (rows, in id order), then the fingerprints
    themselves, and checks that none moved to a cluster it did not lock.
    """
    rows: Sequence[tuple[Any, ...]]
    if connection.vendor == "postgresql":
        locked, rows = _lock_fingerprint_rows(contribution_ids)
    else:
        clusters = ContributionFingerprint.objects.filter(
            contribution_id__in=contribution_ids, cluster__isnull=False
        ).values("cluster_id")
        locked = set(
            DuplicateCluster.objects.select_for_update()
            .filter(pk__in=clusters)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rows = list(
            ContributionFingerprint.objects.select_for_update()
            .filter(Q(contribution_id__in=contribution_ids) | Q(cluster_id__in=locked))
            .order_by("contribution_id")
            .values_list("contribution_id", "pk", "cluster_id", "similarity", "signature", "event")
        )
    if any(row[2] is not None and row[2] not in locked for row in rows):
        raise ClusterStateChanged
    return _states(rows, set(contribution_ids))


def _states(
    rows: Sequence[tuple[Any, ...]],
    involved: set[int],
    signatures: dict[int, np.ndarray] | None = None,
) -> dict[int, _State]:
    """(contribution id, fingerprint id, cluster id, similarity, signature, event) rows
    as states; signatures and anchors are read for the `involved` ones only.

    With `signatures` (contribution id → signature), the rows' signature
    column is not read: the signatures are taken from there.
    """
    states: dict[int, _State] = {}
    for contribution_id, pk, cluster_id, similarity, raw, event in rows:
        if contribution_id in involved:
            if isinstance(event, str):
                anchors = events.from_stored(event)
            else:
                anchors = events.EventAnchors.from_json(event)
            if signatures is None:
                values = dedup.signature_from_bytes(bytes(raw))
            else:
                values = signatures[contribution_id]
        else:
            anchors = values = None
        states[contribution_id] = (pk, cluster_id, similarity, values, anchors)
    return states


def _lock_fingerprint_rows(contribution_ids: list[int]) -> tuple[set[int], list[tuple[Any, ...]]]:
    """PostgreSQL: the same two locking reads as raw statements, ids sent as one array."""
    table = ContributionFingerprint._meta.db_table
    ids = _array_literal(contribution_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {DuplicateCluster._meta.db_table} WHERE id IN "  # noqa: S608 - table names only
            f"(SELECT cluster_id FROM {table} WHERE contribution_id = ANY(%s::bigint[])) "
            "ORDER BY id FOR UPDATE",
            [ids],
        )
        locked = {row[0] for row in cursor.fetchall()}
        clusters = _array_literal(sorted(locked))
        # Signatures and anchors are read only for the batch and its candidates.
        cursor.execute(
            "SELECT contribution_id, id, cluster_id, similarity, "  # noqa: S608 - table name only
            "CASE WHEN contribution_id = ANY(%s::bigint[]) THEN signature END, "
            "CASE WHEN contribution_id = ANY(%s::bigint[]) THEN event::text END "
            f"FROM {table} "
            "WHERE contribution_id = ANY(%s::bigint[]) OR cluster_id = ANY(%s::bigint[]) "
            "ORDER BY contribution_id FOR UPDATE",
            [ids, ids, ids, clusters],
        )
        return locked, cursor.fetchall()


def _snapshot(
    batch: list[dedup.BatchItem],
) -> tuple[list[tuple[int, int, int]], dict[int, _State]] | None:
    """PostgreSQL, a quiet batch: what `_place_in_clusters` reads, as of one
    snapshot, without locks; None if that snapshot cannot be completed.

    One statement reads the band rows sharing a key with the batch, then the
    fingerprints of the batch and its candidates (with text digests and
    anchors). The batch's signatures are its own (`_is_quiet`: unchanged);
    the candidates' are those of their text digests (`_candidate_signatures`).

    Of the candidates, only those the plan can choose are kept
    (`dedup.choosable`): with its reports' keys unchanged, a quiet batch's plan
    compares each report with the `MAX_CANDIDATES` lowest ids sharing a key,
    so the others' rows, signatures and anchors cannot change it, and their
    signatures are not fetched.

    The other members of their clusters are not read. A plan counts or moves
    them only when a report leaves its cluster, joins another or merges two,
    and each of those changes a cluster or similarity the snapshot holds, so
    such a plan never keeps state (`_plan_keeps_state`) and is placed again
    under the locks, which read every member. A plan that keeps state makes
    the same decisions with or without them.
    """
    pairs = {pair for item in batch for pair in item.keys or ()}
    own = {item.contribution_id: item.signature for item in batch}
    batch_ids = list(own)
    fingerprints = ContributionFingerprint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH b AS ({_BANDS_SHARING_KEYS}), "  # noqa: S608 - table names only
            "involved AS (SELECT contribution_id FROM b "
            "UNION SELECT unnest(%s::bigint[])), "
            "f AS (SELECT f.* FROM involved JOIN "
            f"{fingerprints} AS f USING (contribution_id)) "
            "SELECT true, contribution_id, band::bigint, key, NULL::float8, NULL::bytea, "
            "NULL::text FROM b UNION ALL "
            "SELECT false, contribution_id, id, cluster_id, similarity, text_digest, event::text "
            "FROM f",
            [*_band_key_arrays(pairs), _array_literal(batch_ids)],
        )
        rows = cursor.fetchall()
    stored_bands = [(pk, band, key) for is_band, pk, band, key, *_rest in rows if is_band]
    # Only the candidates the plan can choose are kept: in a large store a hot
    # band key is shared by many more reports than a plan compares.
    involved = dedup.choosable(batch, stored_bands, MAX_CANDIDATES) | set(batch_ids)
    stored_bands = [row for row in stored_bands if row[0] in involved]
    fingerprint_rows = sorted(
        (row[1:] for row in rows if not row[0] and row[1] in involved), key=operator.itemgetter(0)
    )
    candidates = {row[0]: row[4] for row in fingerprint_rows if row[0] not in own}
    signatures = _candidate_signatures(candidates)
    if signatures is None:
        return None
    return stored_bands, _states(fingerprint_rows, involved, signatures | own)


# Stored signatures by the text digest stored beside them. A signature is a
# function of its text and of the code deriving it, both of which the digest
# is keyed by (`_derivation_key`; `_batch_item` relies on the same), so the
# signature once read beside a digest is the signature of every fingerprint
# with that digest, in any snapshot. A quiet batch reads its candidates'
# digests and fetches only signatures it has not seen: re-tagging meets each
# report as a candidate of about thirty others.
_SIGNATURES: dict[bytes, np.ndarray] = {}
_MAX_SIGNATURES = 100_000  # about 70 MB


def _candidate_signatures(digests: dict[int, bytes | None]) -> dict[int, np.ndarray] | None:
    """The signatures of candidates (contribution id → text digest in the snapshot).

    None when one has no digest, or was rewritten or deleted between the
    snapshot and the read of its signature.
    """
    known = {pk: digest for pk, digest in digests.items() if digest is not None}
    if len(known) != len(digests):
        return None
    missing = [pk for pk, digest in known.items() if digest not in _SIGNATURES]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT contribution_id, text_digest, signature "  # noqa: S608 - table name only
                f"FROM {ContributionFingerprint._meta.db_table} "
                "WHERE contribution_id = ANY(%s::bigint[])",
                [_array_literal(missing)],
            )
            fetched = cursor.fetchall()
        if len(fetched) != len(missing) or any(digest != known[pk] for pk, digest, _raw in fetched):
            return None
        if len(_SIGNATURES) + len(fetched) > _MAX_SIGNATURES:
            _SIGNATURES.clear()
        for _pk, digest, raw in fetched:
            _SIGNATURES[digest] = dedup.signature_from_bytes(raw)
    return {pk: _SIGNATURES[digest] for pk, digest in known.items()}


def _write_clusters(
    batch: list[dedup.BatchItem],
    digests: dict[int, _Digests],
    old_bands: dict[int, frozenset[tuple[int, int]]],
    states: dict[int, _State],
    plan: dedup.ClusterPlan,
    taxonomy_version: str,
    now: Any,
) -> None:
    created = DuplicateCluster.objects.bulk_create(DuplicateCluster() for _ in plan.new_clusters)
    real = dict(zip(plan.new_clusters, (cluster.pk for cluster in created), strict=True))

    def cluster_id(pk: int) -> int | None:
        value = plan.cluster[pk]
        return real.get(value, value) if value is not None else None

    changed = [
        item
        for item in batch
        if old_bands.get(item.contribution_id, frozenset()) != set(item.keys or ())
    ]
    if changed:
        _delete_rows(ContributionBand, [item.contribution_id for item in changed])
        _insert_bands(
            [(item.contribution_id, band, key) for item in changed for band, key in item.keys or ()]
        )
    _upsert_fingerprints(
        [
            (
                item.contribution_id,
                dedup.signature_to_bytes(item.signature),
                digests[item.contribution_id],
                cluster_id(item.contribution_id),
                plan.similarity[item.contribution_id],
                item.event.to_json() if item.event else {},
            )
            for item in batch
        ],
        taxonomy_version,
        now,
    )
    in_batch = {item.contribution_id for item in batch}
    others = [
        ContributionFingerprint(
            pk=states[pk][0], cluster_id=cluster_id(pk), similarity=plan.similarity[pk]
        )
        for pk in plan.cluster
        if pk not in in_batch
    ]
    if others:
        ContributionFingerprint.objects.bulk_update(others, ["cluster", "similarity"])
    if plan.deleted_clusters:
        DuplicateCluster.objects.filter(pk__in=plan.deleted_clusters).delete()


def _evidence(tag: Any) -> dict[str, Any]:
    """The learned layer's reasons for a tag it added (top n-grams); empty for lexicon tags."""
    return tag.model_evidence() if isinstance(tag, LearnedTag) else {}


def _spans(tag: Any) -> list[dict[str, Any]]:
    return [
        {"field": span.field, "start": span.start, "end": span.end, "text": span.text}
        for span in tag.spans
    ]


# On PostgreSQL each write below is one statement whose rows travel as a single
# JSON document or array literal: Django's client-side parameter quoting would
# otherwise cost more per row than tagging the report. Elsewhere, bulk_create.


def _insert_auto_tags(rows: list[_TagRow], now: Any) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        ContributionTag.objects.bulk_create(
            ContributionTag(contribution_id=pk, kind=kind, slug=slug, source=TagSource.AUTO,
                            score=score, spans=spans, model_evidence=evidence)
            for pk, kind, slug, score, spans, evidence in rows
        )  # fmt: skip
        return
    document = _tags_document(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ContributionTag._meta.db_table} "  # noqa: S608 - table name only
            "(contribution_id, kind, slug, source, removed, score, spans, model_evidence, "
            "created_at) "
            "SELECT t.c, t.k, t.s, %s, false, t.score, t.spans, t.e, %s "
            "FROM jsonb_to_recordset(%s::jsonb) "
            "AS t(c bigint, k text, s text, score double precision, spans jsonb, e jsonb)",
            [TagSource.AUTO.value, now, document],
        )


def _tags_document(rows: list[_TagRow]) -> str:
    return json.dumps(
        [
            {"c": pk, "k": kind, "s": slug, "score": score, "spans": spans, "e": evidence}
            for pk, kind, slug, score, spans, evidence in rows
        ]
    )


def _insert_bands(rows: list[tuple[int, int, int]]) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        ContributionBand.objects.bulk_create(
            ContributionBand(contribution_id=pk, band=band, key=key) for pk, band, key in rows
        )
        return
    columns = list(zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ContributionBand._meta.db_table} (contribution_id, band, key) "  # noqa: S608 - table name only
            "SELECT * FROM unnest(%s::bigint[], %s::smallint[], %s::bigint[])",
            [_array_literal(column) for column in columns],
        )


def _array_literal(values: Sequence[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def _upsert_fingerprints(
    rows: list[tuple[int, bytes, _Digests, int | None, float | None, dict[str, Any]]],
    taxonomy_version: str,
    now: Any,
) -> None:
    if connection.vendor != "postgresql":
        ContributionFingerprint.objects.bulk_create(
            [
                ContributionFingerprint(contribution_id=pk, signature=signature,
                                        text_digest=digests.text, tags_digest=digests.tags,
                                        cluster_id=cluster, similarity=similarity,
                                        taxonomy_version=taxonomy_version, tagged_at=now,
                                        event=event)
                for pk, signature, digests, cluster, similarity, event in rows
            ],
            update_conflicts=True,
            unique_fields=["contribution"],
            update_fields=["signature", "text_digest", "tags_digest", "taxonomy_version",
                           "tagged_at", "cluster", "similarity", "event"],
        )  # fmt: skip
        return
    document = json.dumps(
        [{"c": pk, "sig": signature.hex(), "d": digests.text.hex(), "t": digests.tags.hex(),
          "cl": cluster, "sim": similarity, "ev": event}
         for pk, signature, digests, cluster, similarity, event in rows]
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ContributionFingerprint._meta.db_table} "  # noqa: S608 - table name only
            "(contribution_id, signature, text_digest, tags_digest, taxonomy_version, tagged_at, "
            "cluster_id, similarity, event) "
            "SELECT t.c, decode(t.sig, 'hex'), decode(t.d, 'hex'), decode(t.t, 'hex'), %s, %s, "
            "t.cl, t.sim, t.ev "
            "FROM jsonb_to_recordset(%s::jsonb) "
            "AS t(c bigint, sig text, d text, t text, cl bigint, sim double precision, ev jsonb) "
            "ON CONFLICT (contribution_id) DO UPDATE SET signature = EXCLUDED.signature, "
            "text_digest = EXCLUDED.text_digest, tags_digest = EXCLUDED.tags_digest, "
            "taxonomy_version = EXCLUDED.taxonomy_version, tagged_at = EXCLUDED.tagged_at, "
            "cluster_id = EXCLUDED.cluster_id, similarity = EXCLUDED.similarity, "
            "event = EXCLUDED.event",
            [taxonomy_version, now, document],
        )


def _touch_fingerprints(rows: list[tuple[int, _Digests]], taxonomy_version: str, now: Any) -> None:
    """A quiet batch's only cluster-side write: (fingerprint id, digests) and its version.

    No column a cluster plan reads is written. A changing batch that locked
    one of these rows (as a candidate) makes the update wait for its commit;
    the update then keeps that batch's cluster and similarity.
    """
    if connection.vendor != "postgresql":
        ContributionFingerprint.objects.bulk_update(
            [
                ContributionFingerprint(
                    pk=pk, text_digest=digests.text, tags_digest=digests.tags,
                    taxonomy_version=taxonomy_version, tagged_at=now,
                )
                for pk, digests in rows
            ],
            ["text_digest", "tags_digest", "taxonomy_version", "tagged_at"],
        )  # fmt: skip
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ContributionFingerprint._meta.db_table} AS f "  # noqa: S608 - table name only
            "SET text_digest = decode(t.d, 'hex'), tags_digest = decode(t.t, 'hex'), "
            "taxonomy_version = %s, tagged_at = %s "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(id, d, t) WHERE f.id = t.id",
            [taxonomy_version, now, [pk for pk, _d in rows], [d.text.hex() for _pk, d in rows],
             [d.tags.hex() for _pk, d in rows]],
        )  # fmt: skip


def _validate_tag(kind: str, slug: str) -> str:
    if kind == TagKind.SECTOR and slug in Sector.values:
        return slug
    if kind == TagKind.SIGNAL and slug in Signal.values:
        return slug
    if kind in (TagKind.COUNTRY, TagKind.COMMODITY, TagKind.STAGE):
        slug = slug.upper() if kind == TagKind.COUNTRY else slug
        if TaxonomyLabel.objects.filter(kind=ENGINE_KIND[kind], slug=slug).exists():
            return slug
    raise ValidationError({"slug": _("Unknown tag “%(slug)s” for this kind.") % {"slug": slug}})


# The classification rows digests and filters use, per tag kind.
CLASSIFICATION = {
    TagKind.SECTOR: (ContributionSector, "sector"),
    TagKind.SIGNAL: (ContributionSignal, "signal"),
    TagKind.COUNTRY: (ContributionCountry, "country"),
}
MAX_SECTORS = 3


def _classification_rows(contribution: Contribution, kind: str, slug: str) -> QuerySet[Any]:
    model, field = CLASSIFICATION[TagKind(kind)]
    return model._default_manager.filter(contribution=contribution, **{field: slug})


def _sync_classification(contribution: Contribution, kind: str, slug: str, present: bool) -> None:
    """An analyst's correction also corrects the report's classification rows."""
    if kind not in CLASSIFICATION:
        return
    model, field = CLASSIFICATION[TagKind(kind)]
    rows = model._default_manager.filter(contribution=contribution)
    if present:
        adds_sector = kind == TagKind.SECTOR and not rows.filter(sector=slug).exists()
        if adds_sector and rows.count() >= MAX_SECTORS:
            raise ValidationError(
                {"slug": _("A report has at most three sectors; remove one first.")}
            )
        if not rows.filter(**{field: slug}).exists():
            model._default_manager.create(contribution=contribution, **{field: slug})
    else:
        if kind == TagKind.SECTOR and set(rows.values_list("sector", flat=True)) == {slug}:
            raise ValidationError({"slug": _("A report keeps at least one sector.")})
        rows.filter(**{field: slug}).delete()


@transaction.atomic
def tag_correct(
    *, contribution: Contribution, analyst: User, kind: str, slug: str, present: bool
) -> None:
    """An analyst adds a tag (`present=True`) or strikes one out (`present=False`).

    Striking out an automatic tag is recorded (`removed=True`) so re-tagging
    cannot bring it back and the feedback layer learns from it; striking out
    a tag the analyst had added simply withdraws that addition. Sectors,
    signals and countries are also added to or removed from the report's
    classification, which review filters and weekly digests read.
    """
    require_reviewer(contribution, analyst)
    if kind not in TagKind.values:
        raise ValidationError({"kind": _("Choose a tag kind.")})
    slug = _validate_tag(kind, slug.strip())
    key = {"contribution": contribution, "kind": kind, "slug": slug}
    auto_exists = ContributionTag.objects.filter(**key, source=TagSource.AUTO).exists()
    classified = kind in CLASSIFICATION and _classification_rows(contribution, kind, slug).exists()
    analyst_rows = ContributionTag.objects.filter(**key, source=TagSource.ANALYST)
    if present:
        analyst_rows.delete()
        if not auto_exists:
            ContributionTag.objects.create(**key, source=TagSource.ANALYST, created_by=analyst)
    elif auto_exists or classified:
        analyst_rows.delete()
        ContributionTag.objects.create(
            **key, source=TagSource.ANALYST, removed=True, created_by=analyst
        )
    elif analyst_rows.exists():
        analyst_rows.delete()
    else:
        raise ValidationError({"slug": _("This report has no such tag.")})
    _sync_classification(contribution, kind, slug, present)
    search_index_update(contribution=contribution)
    audit_record(
        actor=analyst,
        action="tags.add" if present else "tags.remove",
        target=contribution,
        data={"kind": kind, "slug": slug},
    )
