"""The learned layer: a linear model per sector and signal, beside the lexicon.

Owns the features (one definition for training and inference), the model file
format, scoring, the rule that combines lexicon evidence with the model's
probability, and `LearnedTagger`, which has the lexicon `Tagger`'s `tag()`.
Pure Python with no Django import and no numpy, so workers and `tagtext` pay
no heavy import. Training (scikit-learn) lives in `learned_training.py`.

Features are read from the lexicon's own two views of the normalised text
(`matching.py`), so `LearnedTagger` finds them in the lexicon's automaton
scan, at no pass of its own; a match in the text *is* the feature and its
span is the evidence:

- words of the word view (runs of ASCII letters, digits and "_", any other
  Latin letter read as "_") as `" word "`, pairs of words with exactly one
  other character between them as `" word word "`, and the first five
  characters of a word as `" stem"` (licence, licences, licensing);
- character 2- and 3-grams holding a non-ASCII character, within runs of text
  without spaces or punctuation (Japanese needs no tokenizer).

A report is the set of selected features found in its title or body
(binary), scaled to unit length. Each label's score is
`bias + sum(weights of features present) / sqrt(features present)` and its
probability the logistic of that.

The file format is gzip-compressed JSON, never pickle: loading a model from
the database or the repository can only yield numbers and strings.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import ahocorasick

from intel.tagging.engine import Evidence, Span, Tag, Tagger, TagResult, _SpanResolver
from intel.tagging.matching import feature_key, word_view
from intel.tagging.normalise import NormalisedText, normalise
from intel.tagging.places import Gazetteer
from intel.tagging.taxonomy import Taxonomy

FORMAT = "cip-learned-tagger"
# The model shipped in the repository (`manage.py train_tagger --ship`).
SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "model.json.gz"
FORMAT_VERSION = 1
# The feature definition a model was trained with (`info["features"]`): 2 is
# the lexicon's views; 1 (unrecorded) was a pass of the layer's own.
FEATURES_VERSION = 2
Family = Literal["sectors", "signals"]
FAMILIES: tuple[Family, ...] = ("sectors", "signals")
STEM = 5
# Weights are stored to six decimals: scores add them as integer millionths.
_FIXED = 1_000_000
# How many features a model hit shows as its evidence.
TOP_FEATURES = 5

# NFKC has already turned full-width punctuation into ASCII; these are the
# marks it leaves. Each becomes one space, so offsets do not move.
_SEPARATORS = (
    "!\"#$%&'()*+,./:;<=>?@[\\]^_`{|}~"
    "、。，．・「」『』【】〈〉《》〔〕〖〗〘〙〚〛‥…〜～“”‘’«»‹›¡¿§¶†‡•"
)
_SEPARATOR = re.compile("[" + re.escape(_SEPARATORS) + "]")
_MARK = word_view(" ")
_BYTE_VIEW = "utf-16-be"  # the lexicon's byte view (`matching.py`)


class ModelError(ValueError):
    """A model file that is not a learned-tagger model of a known format."""


def text_features(normalised: str) -> set[str]:
    """Every feature of one normalised field (the training side of the definition).

    A matcher built with these strings (`matching.feature_key`) finds exactly
    the ones listed here in the same text, which is what inference does.
    """
    found: set[str] = set()
    previous = ""
    # Neighbours in the split are words with exactly one mark between them.
    for word in word_view(normalised).split(_MARK):
        if word:
            found.add(f" {word} ")
            if len(word) >= STEM:
                found.add(" " + word[:STEM])
            if previous:
                found.add(f" {previous} {word} ")
        previous = word
    if normalised.isascii():
        return found
    for token in _SEPARATOR.sub(" ", normalised).split():
        if token.isascii():
            continue
        for size in (2, 3):
            for start in range(len(token) - size + 1):
                gram = token[start : start + size]
                if not gram.isascii():
                    found.add(gram)
    return found


def report_features(title: str, body: str) -> set[str]:
    """Features of a report: those of its title and of its body together."""
    return text_features(normalise(title or "").text) | text_features(normalise(body or "").text)


@dataclass(frozen=True)
class Thresholds:
    """When a family's label is given (chosen by cross-validation on training data).

    A label is given when the lexicon gives it, when the model's probability
    is at least `model`, or when the lexicon found some evidence below its own
    threshold and the probability is at least `weak`.
    """

    model: float = 0.9
    weak: float = 0.5

    def to_json(self) -> dict[str, float]:
        return {"model": self.model, "weak": self.weak}


@dataclass
class LearnedModel:
    """One trained model: labels, weights per feature, thresholds and its record."""

    labels: dict[str, list[str]]  # family -> slugs, in weight-column order
    features: list[str]
    bias: list[float]
    # feature index -> [(column, weight), ...]; features without weights still count
    # towards a report's length.
    weights: list[list[tuple[int, float]]]
    thresholds: dict[str, Thresholds]
    info: dict[str, Any] = field(default_factory=dict)
    _automaton: Any = field(default=None, init=False, repr=False, compare=False)
    _rows: tuple[list[int], list[int], int, int] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _columns: list[tuple[str, str]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self._columns = [(family, slug) for family in FAMILIES for slug in self.labels[family]]
        if len(self.bias) != len(self._columns) or len(self.weights) != len(self.features):
            raise ModelError("the model's weights do not match its labels and features")

    @property
    def columns(self) -> list[tuple[str, str]]:
        """(family, slug) of each weight column."""
        return self._columns

    # -- file format -----------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The model as gzip-compressed JSON (deterministic for the same model)."""
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "info": self.info,
            "labels": self.labels,
            "thresholds": {family: t.to_json() for family, t in self.thresholds.items()},
            "bias": [round(value, 6) for value in self.bias],
            "features": self.features,
            "weights": [[[col, round(w, 6)] for col, w in row] for row in self.weights],
        }
        raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return gzip.compress(raw.encode(), compresslevel=6, mtime=0)

    @classmethod
    def from_bytes(cls, blob: bytes) -> LearnedModel:
        """Read `to_bytes` output; anything else raises `ModelError`."""
        try:
            data = json.loads(gzip.decompress(blob))
        except (OSError, EOFError, ValueError) as exc:
            raise ModelError(f"not a learned-tagger model: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelError("not a learned-tagger model")
        if data.get("format_version") != FORMAT_VERSION:
            raise ModelError(f"unsupported model format version {data.get('format_version')!r}")
        try:
            labels: dict[str, list[str]] = {
                family: [str(slug) for slug in data["labels"][family]] for family in FAMILIES
            }
            width = sum(len(slugs) for slugs in labels.values())
            weights = [
                [(int(col), float(w)) for col, w in row if 0 <= int(col) < width]
                for row in data["weights"]
            ]
            return cls(
                labels=labels,
                features=[str(feature) for feature in data["features"]],
                bias=[float(value) for value in data["bias"]],
                weights=weights,
                thresholds={
                    family: Thresholds(
                        model=float(data["thresholds"][family]["model"]),
                        weak=float(data["thresholds"][family]["weak"]),
                    )
                    for family in FAMILIES
                },
                info=dict(data.get("info") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"malformed learned-tagger model: {exc}") from exc

    # -- inference -------------------------------------------------------------

    def _search(self) -> Any:
        """A search for the features alone (`find`); `LearnedTagger` uses the lexicon's."""
        if self._automaton is None:
            automaton = ahocorasick.Automaton()
            for index, feature in enumerate(self.features):
                located = feature_key(feature)
                if located is not None:
                    automaton.add_word(located[0], (index, located[1]))
            automaton.make_automaton()
            self._automaton = automaton
        return self._automaton

    def find(self, texts: Mapping[str, NormalisedText]) -> set[int]:
        """Indices of the features found in any of `texts` (normalised fields).

        The same views as `Matcher.find` with features, in a search of their own.
        """
        search = self._search()
        found: set[int] = set()
        if not len(search):
            return found
        for normalised in texts.values():
            text = normalised.text
            view = _MARK + word_view(text) + _MARK
            found.update(index for _, (index, in_words) in search.iter(view) if in_words)
            if not text.isascii():
                # Byte-view keys count only where they end on a character boundary.
                encoded = text.encode(_BYTE_VIEW).decode("latin-1")
                found.update(
                    index
                    for last, (index, in_words) in search.iter(encoded)
                    if not in_words and last & 1
                )
        return found

    def locate(self, texts: Mapping[str, NormalisedText], wanted: set[int]) -> dict[int, Evidence]:
        """Where each wanted feature first occurs: (field, start, end), normalised offsets."""
        where: dict[int, Evidence] = {}
        views = {name: _MARK + word_view(n.text) + _MARK for name, n in texts.items()}
        for index in sorted(wanted):
            located = feature_key(self.features[index])
            if located is None:
                continue
            key, in_words = located
            for field_name, normalised in texts.items():
                if in_words:
                    # View offset i is text offset i - 1; the key's marks are not evidence.
                    start = views[field_name].find(key)
                    end = start + len(key.strip(_MARK))
                else:
                    start = normalised.text.find(self.features[index])
                    end = start + len(self.features[index])
                if start >= 0:
                    where[index] = (field_name, start, end)
                    break
        return where

    def _packed(self) -> tuple[list[int], list[int], int, int]:
        """Each feature's weights as one integer, a fixed-width field per column.

        Weights are stored to six decimals, so in millionths they are exact
        integers; with `offset` added to each field no field goes negative, and
        fields are wide enough that the sum over every feature cannot carry
        into the next one. Summing a report's rows is then one C-level `sum`
        of integers, not a Python loop over weights. Returns (rows, shifts,
        field mask, offset).
        """
        if self._rows is None:
            fixed = [[(col, round(w * _FIXED)) for col, w in row] for row in self.weights]
            offset = max((abs(w) for row in fixed for _, w in row), default=0) + 1
            bits = (2 * offset * (len(self.features) + 1)).bit_length()
            shifts = [column * bits for column in range(len(self.bias))]
            base = sum(offset << shift for shift in shifts)
            rows = []
            for row in fixed:
                rows.append(base + sum(w << shifts[col] for col, w in row))
            self._rows = (rows, shifts, (1 << bits) - 1, offset)
        return self._rows

    def scores(self, present: Iterable[int]) -> list[float]:
        """Each column's linear score for a report with these features."""
        rows, shifts, mask, offset = self._packed()
        picked = list(map(rows.__getitem__, present))
        if not picked:
            return list(self.bias)
        total = sum(picked)
        base = offset * len(picked)
        scale = 1.0 / (math.sqrt(len(picked)) * _FIXED)
        return [
            bias + ((total >> shift & mask) - base) * scale
            for bias, shift in zip(self.bias, shifts, strict=True)
        ]

    def probabilities(self, title: str, body: str) -> dict[tuple[str, str], float]:
        """(family, slug) -> probability, for a report's raw text."""
        texts = {"title": normalise(title or ""), "body": normalise(body or "")}
        values = self.scores(self.find(texts))
        return {
            column: _sigmoid(value) for column, value in zip(self._columns, values, strict=True)
        }

    def top_features(
        self, column: int, found: Iterable[int], limit: int = TOP_FEATURES
    ) -> list[tuple[int, float]]:
        """The features present that pushed `column` up most: (feature index, weight)."""
        weighted = []
        for index in found:
            for col, weight in self.weights[index]:
                if col == column and weight > 0:
                    weighted.append((index, weight))
        weighted.sort(key=lambda item: (-item[1], self.features[item[0]]))
        return weighted[:limit]


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


@dataclass(frozen=True)
class Feature:
    """A model feature found in the report: its text, weight for the label, and span."""

    text: str
    weight: float
    span: Span

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "weight": self.weight, **self.span._asdict()}


class LearnedTag(Tag):
    """A sector or signal tag with the model's view of it beside the lexicon's.

    `probability` is the model's; `features` the n-grams that raised it most
    (resolved on first access, like spans); `source` says which rule gave it:
    ``lexicon``, ``model`` or ``both`` (weak lexicon evidence and the model).
    """

    __slots__ = ("_feature_args", "_features", "probability", "source")

    def __init__(
        self,
        slug: str,
        score: float,
        evidence: list[Evidence],
        resolver: _SpanResolver,
        *,
        probability: float,
        source: str,
        feature_args: tuple[LearnedModel, int, set[int], Mapping[str, NormalisedText]],
    ) -> None:
        super().__init__(slug, score, evidence, resolver)
        self.probability = probability
        self.source = source
        self._feature_args = feature_args
        self._features: tuple[Feature, ...] | None = None

    @property
    def features(self) -> tuple[Feature, ...]:
        if self._features is None:
            model, column, found, texts = self._feature_args
            top = model.top_features(column, found)
            where = model.locate(texts, {index for index, _ in top})
            features = []
            for index, weight in top:
                (span,) = self._resolver([where[index]])
                features.append(Feature(model.features[index].strip(), round(weight, 3), span))
            self._features = tuple(features)
        return self._features

    def model_evidence(self) -> dict[str, Any]:
        """What the review page shows of the model: probability, rule, top features."""
        return {
            "probability": round(self.probability, 3),
            "source": self.source,
            "features": [feature.to_dict() for feature in self.features],
        }

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "model": self.model_evidence()}


class LearnedTagger(Tagger):
    """The lexicon `Tagger` with the learned layer beside it; the same `tag()`.

    Countries, commodities and stages stay the lexicon's; sectors and signals
    follow `Thresholds`. The model never removes a label the lexicon gives.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        model: LearnedModel,
        gazetteer: Gazetteer | None = None,
        *,
        cache_dir: Path | None = None,
    ) -> None:
        # The lexicon's automaton with the model's features in it: one scan finds both.
        super().__init__(taxonomy, gazetteer, cache_dir=cache_dir, features=model.features)
        self.model = model
        self._logits = {
            family: (_logit(t.model), _logit(t.weak)) for family, t in model.thresholds.items()
        }
        self._floor = min(min(pair) for pair in self._logits.values())
        self._column = {column: index for index, column in enumerate(model.columns)}

    @property
    def model_version(self) -> str:
        return str(self.model.info.get("version", ""))

    def tag(self, title: str, body: str) -> TagResult:
        found: set[int] = set()
        totals, texts = self.score(title, body, found)
        found.discard(-1)
        lexical = self._result(totals, texts)
        model = self.model
        values = model.scores(found)
        # Compared as logits, and only the columns above the lowest threshold
        # are looked at: most of a report's labels are far below it.
        floor = self._floor
        above = [column for column, value in enumerate(values) if value >= floor]
        if not above:
            return lexical
        columns = model.columns
        resolver = _SpanResolver(texts)
        added: dict[str, list[Tag]] = {}
        for column in above:
            family, slug = columns[column]
            given = getattr(lexical, family)
            if any(tag.slug == slug for tag in given):
                continue
            model_logit, weak_logit = self._logits[family]
            value = values[column]
            raw = totals.get((family, slug))
            if value >= model_logit:
                source = "model"
            elif raw is not None and value >= weak_logit:
                source = "both"
            else:
                continue
            added.setdefault(family, []).append(
                LearnedTag(
                    slug,
                    round(raw[0], 3) if raw else 0.0,
                    raw[1] if raw else [],
                    resolver,
                    probability=_sigmoid(value),
                    source=source,
                    feature_args=(model, column, found, texts),
                )
            )
        if not added:
            return lexical
        families = {
            family: tuple(sorted((*getattr(lexical, family), *tags), key=_learned_order))
            for family, tags in added.items()
        }
        return lexical._replace(**families)  # type: ignore[arg-type]


def _learned_order(tag: Tag) -> tuple[float, float, str]:
    return -tag.score, -getattr(tag, "probability", 0.0), tag.slug


def _logit(probability: float) -> float:
    probability = min(max(probability, 1e-9), 1 - 1e-9)
    return math.log(probability / (1 - probability))


def tagger_with(lexicon: Tagger, model: LearnedModel | None) -> Tagger:
    """The lexicon alone when there is no model, else both."""
    if model is None:
        return lexicon
    return LearnedTagger(lexicon.taxonomy, model, lexicon.gazetteer, cache_dir=lexicon.cache_dir)
