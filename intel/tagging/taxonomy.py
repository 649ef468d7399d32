"""The taxonomy the tagger matches against, as plain data.

Owns the shape of a taxonomy (sectors, signals, commodities, supply-chain
stages, countries, supranational blocs, terms to ignore, scoring knobs), its
JSON form (``from_dict``/``load``/``to_dict``), validation, and derived copies
with per-term weight overrides for the feedback layer. It knows nothing about
matching; ``engine.py`` compiles a taxonomy into an automaton.

In JSON a term is either a plain string (weight 1, case-insensitive) or an
object ``{"term": ..., "weight": ..., "case_sensitive": true}``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from intel.tagging.normalise import normalise_term

Kind = Literal["sectors", "signals", "commodities", "stages", "countries", "blocs"]
LANGUAGES = ("en", "ja")
KINDS: tuple[Kind, ...] = ("sectors", "signals", "commodities", "stages", "countries", "blocs")
DEFAULT_PATH = Path(__file__).with_name("default_taxonomy.json")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ALPHA_2 = re.compile(r"^[A-Z]{2}$")


class TaxonomyError(ValueError):
    """The taxonomy data is malformed or inconsistent."""


@dataclass(frozen=True, slots=True)
class Term:
    """One way of writing a label. ``weight`` scales each match's contribution."""

    text: str
    lang: str
    weight: float = 1.0
    case_sensitive: bool = False

    @classmethod
    def from_json(cls, raw: str | Mapping[str, Any], lang: str) -> Term:
        if isinstance(raw, str):
            return cls(raw, lang)
        return cls(
            str(raw["term"]),
            lang,
            float(raw.get("weight", 1.0)),
            bool(raw.get("case_sensitive", False)),
        )

    def to_json(self) -> str | dict[str, Any]:
        if self.weight == 1.0 and not self.case_sensitive:
            return self.text
        data: dict[str, Any] = {"term": self.text}
        if self.weight != 1.0:
            data["weight"] = self.weight
        if self.case_sensitive:
            data["case_sensitive"] = True
        return data


def _terms_from_json(raw: Mapping[str, Iterable[Any]] | None) -> tuple[Term, ...]:
    raw = raw or {}
    unknown = set(raw) - set(LANGUAGES)
    if unknown:
        raise TaxonomyError(f"unknown term languages: {sorted(unknown)}")
    return tuple(Term.from_json(item, lang) for lang in LANGUAGES for item in raw.get(lang, ()))


def _terms_to_json(terms: Iterable[Term]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {lang: [] for lang in LANGUAGES}
    for term in terms:
        grouped[term.lang].append(term.to_json())
    return grouped


@dataclass(frozen=True, slots=True)
class Label:
    """A sector, signal, stage, country or bloc, with the terms that evoke it.

    ``sectors`` is only used by commodities: the sector slugs a mention of the
    commodity counts towards (gallium -> critical-minerals, semiconductors).
    """

    slug: str
    label_en: str
    label_ja: str
    terms: tuple[Term, ...]
    sectors: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Label:
        return cls(
            slug=str(raw["slug"]),
            label_en=str(raw.get("en", "")),
            label_ja=str(raw.get("ja", "")),
            terms=_terms_from_json(raw.get("terms")),
            sectors=tuple(raw.get("sectors", ())),
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"slug": self.slug, "en": self.label_en, "ja": self.label_ja}
        if self.sectors:
            data["sectors"] = list(self.sectors)
        data["terms"] = _terms_to_json(self.terms)
        return data


@dataclass(frozen=True, slots=True)
class Scoring:
    """How matches become scores, and which scores become tags.

    A match contributes ``term weight x field weight``; the n-th repeat of the
    same term for the same label contributes ``repeat_decay ** (n - 1)`` of
    that, so one word said ten times does not outweigh five different ones. A
    label is emitted when its score reaches ``thresholds[kind]`` and, where
    ``relative_floors[kind]`` is set, that fraction of the family's best score.
    A commodity mention also counts towards the commodity's sectors: the n-th
    listed sector gets ``commodity_sector_weights[n]`` of it (the last value
    repeats), so gallium is first a critical mineral and semiconductors follow
    only when gallium is more than a passing mention.
    """

    field_weights: Mapping[str, float] = field(default_factory=lambda: {"title": 2.0, "body": 1.0})
    repeat_decay: float = 0.5
    thresholds: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(KINDS, 1.0))
    relative_floors: Mapping[str, float] = field(default_factory=dict)
    commodity_sector_weights: tuple[float, ...] = (1.0, 0.7)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> Scoring:
        default = cls()
        raw = raw or {}
        return cls(
            field_weights={**default.field_weights, **raw.get("field_weights", {})},
            repeat_decay=float(raw.get("repeat_decay", default.repeat_decay)),
            thresholds={**default.thresholds, **raw.get("thresholds", {})},
            relative_floors=dict(raw.get("relative_floors", {})),
            commodity_sector_weights=tuple(
                float(weight)
                for weight in raw.get("commodity_sector_weights", default.commodity_sector_weights)
            ),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "field_weights": dict(self.field_weights),
            "repeat_decay": self.repeat_decay,
            "thresholds": dict(self.thresholds),
            "relative_floors": dict(self.relative_floors),
            "commodity_sector_weights": list(self.commodity_sector_weights),
        }


WeightOverrides = Mapping[tuple[str, str, str], float]


@dataclass(frozen=True)
class Taxonomy:
    """Everything the tagger knows. Immutable; derive copies instead of editing.

    ``ignore`` holds phrases that win over the shorter terms inside them and
    tag nothing ("china clay", "guinea pig", "New Mexico", 「中国電力」).
    """

    version: str
    sectors: tuple[Label, ...]
    signals: tuple[Label, ...]
    commodities: tuple[Label, ...] = ()
    stages: tuple[Label, ...] = ()
    countries: tuple[Label, ...] = ()
    blocs: tuple[Label, ...] = ()
    ignore: tuple[Term, ...] = ()
    scoring: Scoring = field(default_factory=Scoring)

    def __post_init__(self) -> None:
        self._validate()

    def _validate(self) -> None:
        for kind in KINDS:
            slugs = [label.slug for label in self.labels(kind)]
            duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
            if duplicates:
                raise TaxonomyError(f"duplicate {kind} slugs: {duplicates}")
            pattern = _ALPHA_2 if kind == "countries" else _SLUG
            bad = [slug for slug in slugs if not pattern.match(slug)]
            if bad:
                raise TaxonomyError(f"malformed {kind} slugs: {bad}")
        sector_slugs = {label.slug for label in self.sectors}
        for commodity in self.commodities:
            unknown = set(commodity.sectors) - sector_slugs
            if unknown:
                raise TaxonomyError(f"commodity {commodity.slug!r} maps to {sorted(unknown)}")

    def labels(self, kind: Kind) -> tuple[Label, ...]:
        labels: tuple[Label, ...] = getattr(self, kind)
        return labels

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        def labels(kind: str) -> tuple[Label, ...]:
            return tuple(Label.from_json(item) for item in data.get(kind, ()))

        try:
            return cls(
                version=str(data["version"]),
                sectors=labels("sectors"),
                signals=labels("signals"),
                commodities=labels("commodities"),
                stages=labels("stages"),
                countries=labels("countries"),
                blocs=labels("blocs"),
                ignore=_terms_from_json(data.get("ignore")),
                scoring=Scoring.from_json(data.get("scoring")),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise TaxonomyError(f"malformed taxonomy: {error!r}") from error

    @classmethod
    def load(cls, path: str | Path = DEFAULT_PATH) -> Taxonomy:
        with Path(path).open(encoding="utf-8") as handle:
            return cls.from_dict(json.load(handle))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": self.version, "scoring": self.scoring.to_json()}
        for kind in KINDS:
            data[kind] = [label.to_json() for label in self.labels(kind)]
        data["ignore"] = _terms_to_json(self.ignore)
        return data

    @cached_property
    def fingerprint(self) -> str:
        """A digest of the content, so caches never confuse two taxonomies."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def with_weight_overrides(self, overrides: WeightOverrides) -> Taxonomy:
        """A copy where ``{(kind, slug, term): weight}`` replaces term weights.

        Terms are compared after normalisation, so "Export Controls" names the
        term "export controls". A weight of 0 silences the term for that label
        only. The copy gets a derived version so compiled automata never mix.
        """
        pending = {
            (kind, slug, normalise_term(term)): float(weight)
            for (kind, slug, term), weight in overrides.items()
        }
        digest = hashlib.sha256(json.dumps(sorted(pending.items())).encode()).hexdigest()[:8]

        def reweighed(kind: Kind, label: Label) -> Label:
            terms = []
            for term in label.terms:
                key = (kind, label.slug, normalise_term(term.text))
                terms.append(replace(term, weight=pending.pop(key)) if key in pending else term)
            return replace(label, terms=tuple(terms))

        touched = {kind for kind, _, _ in pending}
        labels = {
            kind: tuple(reweighed(kind, label) for label in self.labels(kind))
            if kind in touched
            else self.labels(kind)
            for kind in KINDS
        }
        if pending:
            raise TaxonomyError(f"no such terms: {sorted(pending)}")
        return Taxonomy(
            version=f"{self.version}+w{digest}",
            sectors=labels["sectors"],
            signals=labels["signals"],
            commodities=labels["commodities"],
            stages=labels["stages"],
            countries=labels["countries"],
            blocs=labels["blocs"],
            ignore=self.ignore,
            scoring=self.scoring,
        )
