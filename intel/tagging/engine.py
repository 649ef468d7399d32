"""The tagging engine: report text in, tags with evidence out.

Owns the result types, scoring (term weight x field weight, with diminishing
returns for repeats; commodities also count towards their sectors), the
thresholds that decide what is emitted, the per-taxonomy automaton cache, and
the ``tagtext`` line contract. Pure Python with no Django import, so workers,
management commands and benchmarks share it. Matching rules live in
``matching.py``.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from threading import Lock
from typing import Any, NamedTuple

from intel.tagging.context import discount as discount_by_context
from intel.tagging.matching import Matcher
from intel.tagging.normalise import (
    NormalisedText,
    normalise,
    prime_unicode_tables,
    unicode_tables,
)
from intel.tagging.paraphrases import (
    PARAPHRASED_SIGNALS,
    RULES_FINGERPRINT,
    HintHits,
    paraphrase_matches,
)
from intel.tagging.places import Gazetteer, default_gazetteer
from intel.tagging.taxonomy import KINDS, Taxonomy


class Span(NamedTuple):
    """Why a tag was given: the field and the original offsets of the words."""

    field: str  # "title" or "body"
    start: int
    end: int
    text: str


Evidence = tuple[str, int, int]  # (field, start, end) in normalised offsets


class _SpanResolver:
    """Turns a report's evidence into spans of the original text, once per match."""

    __slots__ = ("_spans", "_texts")

    def __init__(self, texts: Mapping[str, NormalisedText]) -> None:
        self._texts = texts
        self._spans: dict[Evidence, Span] = {}

    def __call__(self, evidence: list[Evidence]) -> tuple[Span, ...]:
        spans = []
        # Evidence arrives title first, then in reading order; keep that order.
        for key in dict.fromkeys(evidence):
            span = self._spans.get(key)
            if span is None:
                field_name, start, end = key
                normalised = self._texts[field_name]
                if normalised.maps:
                    start, end = normalised.original_span(start, end)
                span = Span(field_name, start, end, normalised.original[start:end])
                self._spans[key] = span
            spans.append(span)
        return tuple(spans)


class Tag:
    """A label given to a report, its score, and the spans that earned it.

    Spans are resolved on first access, so callers that only need slugs (the
    ``tagtext`` contract, filters) never pay for mapping offsets back.
    """

    __slots__ = ("_evidence", "_resolver", "_spans", "score", "slug")

    def __init__(
        self, slug: str, score: float, evidence: list[Evidence], resolver: _SpanResolver
    ) -> None:
        self.slug = slug
        self.score = score
        self._evidence = evidence
        self._resolver = resolver
        self._spans: tuple[Span, ...] | None = None

    @property
    def evidence(self) -> list[Evidence]:
        """The (field, start, end) offsets in the normalised text the spans come from."""
        return self._evidence

    @property
    def spans(self) -> tuple[Span, ...]:
        if self._spans is None:
            self._spans = self._resolver(self._evidence)
        return self._spans

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tag):
            return NotImplemented
        return (self.slug, self.score, self.spans) == (other.slug, other.score, other.spans)

    def __hash__(self) -> int:
        return hash((self.slug, self.score))

    def __repr__(self) -> str:
        return f"Tag(slug={self.slug!r}, score={self.score!r}, spans={self.spans!r})"

    def to_dict(self) -> dict[str, Any]:
        """``{"slug", "score", "spans": [{"field", "start", "end", "text"}, ...]}``."""
        return {
            "slug": self.slug,
            "score": self.score,
            "spans": [span._asdict() for span in self.spans],
        }


class TagResult(NamedTuple):
    """Tags per family, each sorted by score (highest first), then slug."""

    taxonomy_version: str
    sectors: tuple[Tag, ...] = ()
    signals: tuple[Tag, ...] = ()
    countries: tuple[Tag, ...] = ()
    commodities: tuple[Tag, ...] = ()
    stages: tuple[Tag, ...] = ()
    blocs: tuple[Tag, ...] = ()

    def as_contract(self) -> dict[str, list[str]]:
        """The fixed shape other tools read: slug lists for three families."""
        return {
            "sectors": [tag.slug for tag in self.sectors],
            "signals": [tag.slug for tag in self.signals],
            "countries": [tag.slug for tag in self.countries],
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready, for storing next to a report."""
        data: dict[str, Any] = {"taxonomy_version": self.taxonomy_version}
        for kind in KINDS:
            data[kind] = [tag.to_dict() for tag in getattr(self, kind)]
        return data


# A price move stated as a number ("prices rose 25%", "quotes jumped about 40
# per cent", 「価格は3割上昇」「相場が40%下落」) is price-shock evidence on its own
# when a price word comes shortly before it and the move is at least
# PRICE_MOVE_MIN percent: the gold rule says a single-digit move is ordinary
# news, and "output rose 25%" is no price at all.
PRICE_MOVE_SIGNAL = "price-shock"
PRICE_MOVE_MIN = 15.0
PRICE_MOVE_WEIGHT = 1.0
_PRICE_MOVE = re.compile(
    r"\b(?:prices?|quotes|quotations|futures|rates|premiums?|costs?|benchmarks?"
    # "spot is up 23%"; in "spot prices rose" the move is the prices'.
    r"|assessments|offers|indices|index|spot(?! prices?\b))\b[^.;:!?]{0,50}?"
    r"\b(?:rose|rise|rises|risen|rising|jumped|jump|jumps|climbed|climb|surged|soared|gained"
    r"|up|increased|fell|fall|dropped|plunged|slumped|down|tumbled|slid)"
    r"(?: by)?(?: about| around| roughly| nearly| almost| more than| over| some| another"
    r"| approximately)?"
    # "by some 25 to 30 per cent", "up 25-30%" (normalised to "25 30%"): the lower bound counts.
    r" (\d+(?:\.\d+)?)(?:(?: ?(?:to|-) ?| )\d+(?:\.\d+)?)? ?(?:%|percent\b|per cent\b)"
    # "the landed price came in around 23 percent above the February round"
    r"|\b(?:prices?|quotes?|quoted|offers|bids|costs?)\b[^.;:!?]{0,40}?"
    r"(?:about |around |roughly |nearly |almost |some |more than )?"
    r"(\d+(?:\.\d+)?) ?(?:%|percent|per cent) (?:above|higher than|over|up on)\b"
    r"|(?:価格|相場|値段|単価|運賃|価|値)[^。、]{0,20}?(\d+(?:\.\d+)?)(%|割)"
    r"(?:近く|以上|超|程度|ほど|余り|強)?の?"
    r"(?:上昇|高騰|急騰|値上がり|上が|下落|急落|値下がり|下が|高(?!値|水準))"
    # A multiple: 「輸入価格は2か月で1.6倍」, 「見積もりは昨年のほぼ倍」 (twice); requests
    # for quotes (「見積もり依頼が2倍に」) are demand, not price.
    r"|(?:価格|相場|値段|単価|運賃|見積(?!(?:もり|り)?の?依頼)(?:もり|り)?)[^。、]{0,20}?"
    r"(?:ほぼ|約|およそ)?"
    r"(\d+(?:\.\d+)?)?(倍)"
)
_PRICE_MOVE_HINTS = ("%", "percent", "per cent", "割", "倍")


def _price_moves(text: str) -> list[tuple[int, int]]:
    """Spans of numeric price moves of at least PRICE_MOVE_MIN percent in ``text``."""
    if not any(hint in text for hint in _PRICE_MOVE_HINTS):
        return []
    spans = []
    for match in _PRICE_MOVE.finditer(text):
        english = match.group(1) or match.group(2)
        japanese, unit = match.group(3), match.group(4)
        if match.group(6):  # a multiple; 倍 alone is twice
            percent = (float(match.group(5) or 2) - 1) * 100
        elif english:
            percent = float(english)
        else:
            percent = float(japanese) * (10 if unit == "割" else 1)
        if percent >= PRICE_MOVE_MIN:
            spans.append(match.span())
    return spans


_CACHE_SIZE = 8
_cache: dict[tuple[str, str, str, str], Matcher] = {}
_cache_lock = Lock()


# Bump when Matcher's layout changes, so no process loads an older pickle.
MATCHER_FORMAT = 3
# Feedback keeps making taxonomy versions; only the newest files are kept.
DISK_CACHE_FILES = 8


def features_fingerprint(features: Sequence[str]) -> str:
    """A digest of a learned model's features: part of its compiled automaton's identity."""
    if not features:
        return ""
    return hashlib.sha256("\n".join(features).encode()).hexdigest()[:24]


def _disk_path(
    taxonomy: Taxonomy, gazetteer: Gazetteer, cache_dir: Path, features: Sequence[str] = ()
) -> Path:
    parts = (
        str(MATCHER_FORMAT),
        RULES_FINGERPRINT,
        taxonomy.fingerprint,
        gazetteer.fingerprint,
        features_fingerprint(features),
        metadata.version("pyahocorasick"),
        sys.version,
        unicodedata.unidata_version,
    )
    key = hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]
    return cache_dir / f"matcher-{key}.pickle"


def _load_or_build(
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    cache_dir: Path | None,
    features: Sequence[str] = (),
) -> Matcher:
    """The compiled matcher from ``cache_dir`` if an identical one was stored, else built.

    Building compiles ~30,000 keys (about a second); loading the pickle takes
    a fraction of that, which is what a short-lived process such as
    ``tagtext`` pays at start-up. The file name digests everything the result
    depends on; a missing, unreadable or unwritable cache only costs the build.
    """
    if cache_dir is None:
        return Matcher(taxonomy, gazetteer, features)
    path = _disk_path(taxonomy, gazetteer, cache_dir, features)
    try:
        with path.open("rb") as handle:
            matcher, tables = pickle.load(handle)  # noqa: S301 - our own file, see above
        if isinstance(matcher, Matcher):
            prime_unicode_tables(tables)
            return matcher
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
        pass
    matcher = Matcher(taxonomy, gazetteer, features)
    try:
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written aside and renamed, so a reader never sees half a file.
        with tempfile.NamedTemporaryFile("wb", dir=cache_dir, delete=False) as written:
            pickle.dump((matcher, unicode_tables()), written, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(written.name, path)
        _prune(cache_dir)
    except OSError:
        pass
    return matcher


def _prune(cache_dir: Path) -> None:
    """Delete all but the DISK_CACHE_FILES most recently written automata."""
    files = sorted(cache_dir.glob("matcher-*.pickle"), key=lambda f: f.stat().st_mtime)
    for stale in files[:-DISK_CACHE_FILES]:
        stale.unlink(missing_ok=True)


def _matcher_for(
    taxonomy: Taxonomy, gazetteer: Gazetteer, features: Sequence[str], cache_dir: Path | None
) -> Matcher:
    """One automaton per taxonomy (version and content), gazetteer and model features.

    Built once per process (or loaded from ``cache_dir``).
    """
    cache_key = (
        taxonomy.version,
        taxonomy.fingerprint,
        gazetteer.fingerprint,
        features_fingerprint(features),
    )
    with _cache_lock:
        matcher = _cache.get(cache_key)
        if matcher is None:
            matcher = _load_or_build(taxonomy, gazetteer, cache_dir, features)
            if len(_cache) >= _CACHE_SIZE:
                # Feedback keeps making versions; the oldest is the least likely reused.
                del _cache[next(iter(_cache))]
            _cache[cache_key] = matcher
        return matcher


class Tagger:
    """Tags report texts against one taxonomy and the gazetteer. Cheap to create, safe to share.

    ``gazetteer`` defaults to the shipped one; ``Gazetteer.empty()`` tags with
    the taxonomy's own place names only. With ``cache_dir`` the compiled
    automaton is also kept on disk between processes. With ``features`` (a
    learned model's) the automaton also finds them, for the learned layer;
    the lexicon's results are the same. The automaton is compiled or loaded
    on first use, so a lexicon tagger only ever wrapped by the learned layer
    costs nothing.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        gazetteer: Gazetteer | None = None,
        *,
        cache_dir: Path | None = None,
        features: Sequence[str] = (),
    ) -> None:
        self.taxonomy = taxonomy
        self.gazetteer = default_gazetteer() if gazetteer is None else gazetteer
        self.cache_dir = cache_dir
        self._features = features
        signals = {label.slug for label in taxonomy.signals}
        self._price_moves = PRICE_MOVE_SIGNAL in signals
        self._paraphrases = frozenset(PARAPHRASED_SIGNALS & signals)

    @cached_property
    def _matcher(self) -> Matcher:
        return _matcher_for(self.taxonomy, self.gazetteer, self._features, self.cache_dir)

    def tag(self, title: str, body: str) -> TagResult:
        return self._result(*self.score(title, body))

    def score(
        self, title: str, body: str, features: set[int] | None = None
    ) -> tuple[dict[tuple[str, str], list[Any]], dict[str, NormalisedText]]:
        """Every label's raw score and evidence, below the thresholds too, and the texts.

        The learned layer reads the sub-threshold scores as weak evidence, and
        passes ``features`` to collect the indices of its features found in the
        same scan (see `Matcher.find`).
        """
        scoring = self.taxonomy.scoring
        decay = scoring.repeat_decay
        find = self._matcher.find
        # label -> [score, evidence]; repeat key -> times credited so far
        totals: dict[tuple[str, str], list[Any]] = {}
        repeats: dict[tuple[str, str, str], int] = {}
        texts: dict[str, NormalisedText] = {}
        # Paraphrase hints per field, found in the same automaton pass as terms.
        hints: dict[str, HintHits] = {}
        for field_name, raw in (("title", title), ("body", body)):
            normalised = texts[field_name] = normalise(raw or "")
            field_weight = scoring.field_weights.get(field_name, 1.0)
            field_hints: HintHits | None = None
            if self._paraphrases:
                field_hints = hints[field_name] = []
            for start, end, payloads in find(normalised, field_hints, features):
                evidence = (field_name, start, end)
                for payload in payloads:
                    for label, repeat, points in payload.credits:
                        seen = repeats.get(repeat, 0)
                        repeats[repeat] = seen + 1
                        value = points * field_weight * decay**seen
                        total = totals.get(label)
                        if total is None:
                            totals[label] = [value, [evidence]]
                        else:
                            total[0] += value
                            total[1].append(evidence)
            if self._price_moves:
                label = ("signals", PRICE_MOVE_SIGNAL)
                for start, end in _price_moves(normalised.text):
                    repeat = ("signals", PRICE_MOVE_SIGNAL, "number:")
                    seen = repeats.get(repeat, 0)
                    repeats[repeat] = seen + 1
                    value = PRICE_MOVE_WEIGHT * field_weight * decay**seen
                    total = totals.setdefault(label, [0.0, []])
                    total[0] += value
                    total[1].append((field_name, start, end))
        if self._paraphrases:
            self._add_paraphrases(totals, repeats, texts, hints)
        discount_by_context(totals, texts, scoring.thresholds.get("signals", 1.0))
        return totals, texts

    def _add_paraphrases(
        self,
        totals: dict[tuple[str, str], list[Any]],
        repeats: dict[tuple[str, str, str], int],
        texts: Mapping[str, NormalisedText],
        hints: Mapping[str, HintHits],
    ) -> None:
        """Credit signals described rather than named (`paraphrases.RULES`).

        Only signals still below their threshold are looked for: a paraphrase
        adds nothing to a signal the lexicon already gives but time.
        """
        scoring = self.taxonomy.scoring
        decay = scoring.repeat_decay
        threshold = scoring.thresholds.get("signals", 1.0)
        wanted = {
            slug
            for slug in self._paraphrases
            if (total := totals.get(("signals", slug))) is None or total[0] < threshold
        }
        if not wanted:
            return
        for field_name, normalised in texts.items():
            if not hints.get(field_name):
                continue
            field_weight = scoring.field_weights.get(field_name, 1.0)
            found = paraphrase_matches(normalised.text, wanted, hints[field_name])
            for slug, weight, start, end in found:
                repeat = ("signals", slug, "paraphrase:")
                seen = repeats.get(repeat, 0)
                repeats[repeat] = seen + 1
                total = totals.setdefault(("signals", slug), [0.0, []])
                total[0] += weight * field_weight * decay**seen
                total[1].append((field_name, start, end))

    def _result(
        self, totals: Mapping[tuple[str, str], list[Any]], texts: Mapping[str, NormalisedText]
    ) -> TagResult:
        scoring = self.taxonomy.scoring
        best: dict[str, float] = {}
        for (kind, _), (score, _) in totals.items():
            if score > best.get(kind, 0.0):
                best[kind] = score
        floors = {
            kind: max(
                scoring.thresholds.get(kind, 1.0), scoring.relative_floors.get(kind, 0.0) * top
            )
            - 1e-9
            for kind, top in best.items()
        }
        resolver = _SpanResolver(texts)
        families: dict[str, list[Tag]] = {kind: [] for kind in best}
        for (kind, slug), (score, evidence) in totals.items():
            if score >= floors[kind]:
                families[kind].append(Tag(slug, round(score, 3), evidence, resolver))
        for tags in families.values():
            tags.sort(key=_tag_order)
        return TagResult(self.taxonomy.version, **{k: tuple(v) for k, v in families.items()})


def _tag_order(tag: Tag) -> tuple[float, str]:
    return -tag.score, tag.slug


@cache
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded once per process."""
    return Taxonomy.load()


@cache
def default_tagger() -> Tagger:
    """A tagger over the shipped taxonomy, built once per process."""
    return Tagger(default_taxonomy())


def tag_jsonl_line(tagger: Tagger, obj: Mapping[str, Any]) -> dict[str, Any]:
    """One ``tagtext`` line: ``{"id", "title", "body"}`` in, contract tags out.

    A missing or null title or body counts as empty text.
    """
    result = tagger.tag(str(obj.get("title") or ""), str(obj.get("body") or ""))
    return {"id": obj.get("id"), **result.as_contract()}
