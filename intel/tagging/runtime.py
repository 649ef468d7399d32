"""The Django side of tagging: which taxonomy the workers use, and analysts' feedback.

`current_tagger()` builds the pure engine's `Tagger` from the taxonomy tables
(seeded from the shipped file, edited in the admin) with term weights adjusted
by analysts' corrections, and caches it per process until either changes. The
`tagtext` command and the workers both call it; with no database (or an
unmigrated one) it falls back to the shipped taxonomy file.

Feedback rule (documented in the README): when analysts have struck out an
automatic tag at least `FEEDBACK_MIN_REMOVALS` times where a term was the
evidence, that term's weight *for that label* is multiplied by
(kept + 1) / (kept + removed + 1), where `kept` counts automatic tags with the
same evidence that analysts let stand on accepted reports. So a keyword that
analysts keep removing fades for that label only, and one they mostly keep
barely moves. Each change of taxonomy or corrections yields a new taxonomy
version, recorded on every contribution tagged with it (`retag` uses that).
"""

from __future__ import annotations

import gc
import hashlib
import json
import operator
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max, Q

from community.memory import freeze_long_lived
from intel.tagging.engine import Tagger, default_taxonomy
from intel.tagging.feedback import matching_terms
from intel.tagging.paraphrases import RULES_FINGERPRINT
from intel.tagging.taxonomy import Kind, Taxonomy

FEEDBACK_MIN_REMOVALS = 3

# ContributionTag.kind (`TagKind`, singular, stored) ↔ engine label family (plural):
# the one mapping, used by tagging, feedback, tag labels and tag corrections.
ENGINE_KIND: dict[str, Kind] = {
    "sector": "sectors",
    "signal": "signals",
    "country": "countries",
    "commodity": "commodities",
    "stage": "stages",
}
TAG_KIND = {engine: stored for stored, engine in ENGINE_KIND.items()}


@dataclass(frozen=True)
class _Cached:
    revision: str
    tagger: Tagger
    checked_at: float


_cache: dict[str, _Cached] = {}
_lock = threading.Lock()
# Whether new taggers are frozen (`freeze_taggers`), and the one frozen last.
_freezing: list[bool] = []
_frozen: list[Tagger] = []


def taxonomy_revision() -> str:
    """A cheap digest that changes whenever the taxonomy or the corrections change."""
    from intel.models import ContributionTag, TaxonomyLabel, TaxonomyTerm

    parts: list[Any] = []
    for queryset, stamp in (
        (TaxonomyLabel.objects.all(), "updated_at"),
        (TaxonomyTerm.objects.all(), "updated_at"),
        (ContributionTag.objects.filter(source="analyst"), "created_at"),
    ):
        figures = queryset.aggregate(n=Count("pk"), last=Max(stamp), top=Max("pk"))
        parts.append([figures["n"], str(figures["last"]), figures["top"]])
    # The scoring and the paraphrase rules come from the code and the shipped
    # file, not the tables: a change there is a new version too.
    parts.append([default_taxonomy().version, RULES_FINGERPRINT])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:12]


def db_taxonomy(revision: str) -> Taxonomy | None:
    """The taxonomy tables as an engine `Taxonomy`, or None when they are empty."""
    from intel.models import TaxonomyLabel

    labels = list(TaxonomyLabel.objects.filter(active=True).prefetch_related("terms"))
    if not labels:
        return None
    data: dict[str, Any] = {
        "version": f"db-{revision}",
        "scoring": default_taxonomy().scoring.to_json(),
        "ignore": {"en": [], "ja": []},
    }
    for label in labels:
        terms: dict[str, list[Any]] = {"en": [], "ja": []}
        for term in label.terms.all():
            terms[term.lang].append(
                {"term": term.text, "weight": term.weight, "case_sensitive": term.case_sensitive}
            )
        if label.kind == "ignore":
            for lang, items in terms.items():
                data["ignore"][lang].extend(items)
            continue
        entry = {"slug": label.slug, "en": label.label_en, "ja": label.label_ja, "terms": terms}
        if label.sectors:
            entry["sectors"] = label.sectors
        data.setdefault(label.kind, []).append(entry)
    return Taxonomy.from_dict(data)


def _evidence_terms(spans: Iterable[Any]) -> set[str]:
    return {str(span["text"]) for span in spans if isinstance(span, dict) and span.get("text")}


def feedback_overrides(taxonomy: Taxonomy) -> dict[tuple[str, str, str], float]:
    """Term weights adjusted by analysts' corrections (see the module docstring)."""
    from intel.models import ContributionTag, Status

    removed_keys = set(
        ContributionTag.objects.filter(source="analyst", removed=True).values_list(
            "contribution_id", "kind", "slug"
        )
    )
    if not removed_keys:
        return {}
    removed: Counter[tuple[str, str, str]] = Counter()
    kept: Counter[tuple[str, str, str]] = Counter()
    # Only labels analysts have struck out can change weight, so only their
    # automatic tags are read, not every tag ever given.
    corrected_labels = reduce(
        operator.or_,
        (Q(kind=kind, slug=slug) for kind, slug in {key[1:] for key in removed_keys}),
    )
    auto_rows = (
        ContributionTag.objects.filter(source="auto", kind__in=list(ENGINE_KIND))
        .filter(corrected_labels)
        .values_list("contribution_id", "kind", "slug", "spans", "contribution__status")
    )
    for contribution_id, kind, slug, spans, status in auto_rows.iterator(chunk_size=2000):
        engine_kind = ENGINE_KIND[kind]
        terms = matching_terms(taxonomy, engine_kind, slug, _evidence_terms(spans))
        if (contribution_id, kind, slug) in removed_keys:
            removed.update((engine_kind, slug, term) for term in terms)
        elif status == Status.ACCEPTED:
            kept.update((engine_kind, slug, term) for term in terms)
    weights = {
        (kind, label.slug, term.text): term.weight
        for kind in ENGINE_KIND.values()
        for label in taxonomy.labels(kind)
        for term in label.terms
    }
    overrides: dict[tuple[str, str, str], float] = {}
    for key, count in removed.items():
        if count < FEEDBACK_MIN_REMOVALS or key not in weights:
            continue
        factor = (kept[key] + 1) / (kept[key] + count + 1)
        overrides[key] = round(weights[key] * factor, 4)
    return overrides


def _cache_dir() -> Path | None:
    """Where compiled automata are kept between processes (``TAGGING_CACHE_DIR``)."""
    return Path(settings.TAGGING_CACHE_DIR) if settings.TAGGING_CACHE_DIR else None


def shipped_tagger() -> Tagger:
    """The shipped taxonomy's tagger, its automaton cached on disk when configured."""
    return Tagger(default_taxonomy(), cache_dir=_cache_dir())


def freeze_taggers(enabled: bool = True) -> None:
    """Whether each new tagger is warmed and frozen with all else alive.

    For processes that tag for long (workers, `retag`): a tagger builds its
    tables (some 120,000 objects besides the taxonomy's) on first use, so a
    new one tags a word before `freeze_long_lived`. Off by default: in short
    runs and the test suite a full collection per new tagger costs more than
    it saves. Turning it off unfreezes what was frozen.
    """
    if enabled:
        _freezing[:] = [True]
    elif _freezing:
        _freezing.clear()
        _frozen.clear()
        gc.unfreeze()


def current_tagger(*, max_age: float | None = None) -> Tagger:
    """The tagger the workers use: the lexicon with the learned layer beside it."""
    if not _freezing:
        return _combined_tagger(max_age)
    # A new tagger is some 250,000 objects that all live on: collections while
    # they are made would only walk them again and again (0.3 s of a 0.8 s build).
    collecting = gc.isenabled()
    gc.disable()
    try:
        tagger = _combined_tagger(max_age)
        with _lock:
            if not _frozen or _frozen[0] is not tagger:
                tagger.tag("warm-up", "")
                freeze_long_lived()
                _frozen[:] = [tagger]
    finally:
        if collecting:
            gc.enable()
    return tagger


def _combined_tagger(max_age: float | None) -> Tagger:
    from intel.tagging.learned_runtime import current_model, with_learned_layer

    return with_learned_layer(
        current_lexicon_tagger(max_age=max_age), current_model(max_age=max_age)
    )


def current_lexicon_tagger(*, max_age: float | None = None) -> Tagger:
    """The lexicon tagger the workers use right now (cached per process until data change).

    A worker trusts its tagger for `TAGGING_REVISION_CHECK_SECONDS` before it
    asks whether the taxonomy or the corrections changed, so a busy worker
    does not pay three aggregate queries per report; `max_age=0` asks now.
    """
    if max_age is None:
        max_age = settings.TAGGING_REVISION_CHECK_SECONDS
    cached = _cache.get("tagger")
    now = time.monotonic()
    if cached is not None and now - cached.checked_at < max_age:
        return cached.tagger
    try:
        revision = taxonomy_revision()
    except DatabaseError:
        # No database, or not migrated: the shipped taxonomy is the seed data.
        return shipped_tagger()
    if cached is not None and cached.revision == revision:
        _cache["tagger"] = _Cached(revision, cached.tagger, now)
        return cached.tagger
    with _lock:
        taxonomy = db_taxonomy(revision) or default_taxonomy()
        overrides = feedback_overrides(taxonomy)
        if overrides:
            taxonomy = taxonomy.with_weight_overrides(overrides)
        tagger = Tagger(taxonomy, cache_dir=_cache_dir())
        _cache["tagger"] = _Cached(revision, tagger, now)
    return tagger
