"""Same event across languages: the anchors of a report that do not depend on its script (pure).

MinHash cannot see that an English and a Japanese report describe the same
event: they share no characters. What they share are anchors: the labels the
engine gives (commodities and signals, the same slugs in both languages),
countries (ISO codes), and specifics — percentages and amounts (45% / ４５％ /
45パーセント), dates (2026-03-01 / 2026年3月1日 / March 1, 2026) and named
organisations (MOFCOM / 商務部), normalised to one spelling.

Two reports in different languages are the same event when they share a
label, a country and at least `MIN_SHARED_SPECIFICS` specifics, and do not
contradict each other on dates (both dated, no date in common). Labels alone
never link: two gallium export-control reports from China a month apart are
different events.

Candidates come from the same (band, key) index as near-duplicates: each
pair of specifics gives one key, in a band above the MinHash bands chosen by
the key itself, so two reports sharing two specifics share a band row. A
single specific would not do: "MOFCOM" or "gallium, 45 %" recur across many
events, and every report sharing a key is a candidate to confirm.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from itertools import combinations
from typing import Any

# MinHash uses bands 0-15; event keys use these.
FIRST_EVENT_BAND = 16
EVENT_BANDS = 64
MIN_SHARED_SPECIFICS = 2
# Amounts below this are too common to identify an event ("2 buyers"); years
# on their own ("in 2026") say nothing about which event either.
MIN_AMOUNT = 10
YEARS = range(1900, 2101)
# Specifics used for candidate keys (their pairs), so a long report stays cheap.
MAX_KEYED_SPECIFICS = 8

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY, _YEAR, _ORDINAL = r"(\d{1,2})", r"(\d{4})", r"(?:st|nd|rd|th)?"
_DATE_PATTERNS = (
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), ("y", "m", "d")),
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), ("y", "m", "d")),
    (
        re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"),
        ("M", "d", "y"),
    ),
    (
        re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?,?\s+(\d{{4}})\b"),
        ("d", "M", "y"),
    ),
)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b|パーセント)")
_AMOUNT = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d.])")

# Organisations named in either script, by one canonical name.
ORGANISATIONS: dict[str, tuple[str, ...]] = {
    "MOFCOM": ("mofcom", "ministry of commerce", "commerce ministry", "商務部"),
    "METI": ("meti", "ministry of economy, trade and industry", "経済産業省", "経産省"),
    "BIS": ("bureau of industry and security", "産業安全保障局"),
    "USTR": ("ustr", "us trade representative", "通商代表部"),
    "European Commission": ("european commission", "欧州委員会"),
    "JOGMEC": ("jogmec", "エネルギー・金属鉱物資源機構"),
    "KOTRA": ("kotra", "大韓貿易投資振興公社"),
    "WTO": ("wto", "world trade organization", "世界貿易機関"),
    "TSMC": ("tsmc", "台湾積体電路製造"),
    "Samsung": ("samsung", "サムスン"),
    "Toyota": ("toyota", "トヨタ"),
    "Rare Earths Group": ("china rare earth group", "中国稀土集団"),
}
_ORGANISATION_TERMS = sorted(
    ((term, name) for name, terms in ORGANISATIONS.items() for term in terms),
    key=lambda item: -len(item[0]),
)
_LATIN_TERM = re.compile(r"[a-z]")
_LATIN_NAMES = {term: name for term, name in _ORGANISATION_TERMS if _LATIN_TERM.search(term)}
_SCRIPT_NAMES = [(term, name) for term, name in _ORGANISATION_TERMS if term not in _LATIN_NAMES]
# One pass for every Latin name, longest first, whole words only.
_LATIN_ORGANISATIONS = re.compile(
    r"(?<![a-z0-9])(" + "|".join(re.escape(term) for term in _LATIN_NAMES) + r")(?![a-z0-9])"
)


@dataclass(frozen=True)
class EventAnchors:
    """What an event report asserts, independent of its language."""

    language: str
    labels: frozenset[str]
    countries: frozenset[str]
    percentages: frozenset[str] = frozenset()
    amounts: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()
    organisations: frozenset[str] = frozenset()

    @cached_property
    def specifics(self) -> frozenset[str]:
        # Cached: a report's anchors are compared with up to `MAX_CANDIDATES`
        # candidates' in one cluster plan. (Not a field: equality ignores it.)
        return self.percentages | self.amounts | self.dates | self.organisations

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            **{
                name: sorted(getattr(self, name))
                for name in ("labels", "countries", "percentages", "amounts", "dates",
                             "organisations")
            },
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EventAnchors | None:
        if not data:
            return None
        return cls(
            language=str(data.get("language", "")),
            **{
                name: frozenset(data.get(name, ()))
                for name in ("labels", "countries", "percentages", "amounts", "dates",
                             "organisations")
            },
        )  # fmt: skip


@lru_cache(maxsize=16_384)
def from_stored(raw: str) -> EventAnchors | None:
    """`EventAnchors.from_json` of a stored JSON text, remembered per process.

    The anchors of a report's candidates are read again by every batch that
    shares a band key with it; they are immutable, so parsing each once is enough.
    """
    return EventAnchors.from_json(json.loads(raw))


def relabelled(
    event: EventAnchors, *, language: str, labels: Iterable[str], countries: Iterable[str]
) -> EventAnchors:
    """`event` with the engine's labels and countries of a new tagging of the same text.

    The specifics depend on the text alone, so re-tagging an unchanged text
    gives what `anchors` would without reading the text again.
    """
    return replace(
        event, language=language, labels=frozenset(labels), countries=frozenset(countries)
    )


def anchors(
    text: str, *, language: str, labels: Iterable[str], countries: Iterable[str]
) -> EventAnchors:
    """The anchors of `text`; `labels` and `countries` are the engine's slugs for it."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    dates: set[str] = set()
    remaining = folded
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(folded):
            parts = dict(zip(order, match.groups(), strict=True))
            month = int(parts["m"]) if "m" in parts else _MONTHS[parts["M"].lower()]
            year, day = int(parts["y"]), int(parts["d"])
            if 1 <= month <= 12 and 1 <= day <= 31:
                dates.add(f"{year:04d}-{month:02d}-{day:02d}")
        remaining = pattern.sub(" ", remaining)
    percentages = {_number(value) + " %" for value in _PERCENT.findall(remaining)}
    remaining = _PERCENT.sub(" ", remaining)
    amounts = {
        value
        for value in (_number(match) for match in _AMOUNT.findall(remaining))
        if float(value) >= MIN_AMOUNT and not (value.isdigit() and int(value) in YEARS)
    }
    organisations = {_LATIN_NAMES[term] for term in _LATIN_ORGANISATIONS.findall(folded)}
    organisations |= {name for term, name in _SCRIPT_NAMES if term in folded}
    return EventAnchors(
        language=language,
        labels=frozenset(labels),
        countries=frozenset(countries),
        percentages=frozenset(percentages),
        amounts=frozenset(amounts),
        dates=frozenset(dates),
        organisations=frozenset(organisations),
    )


def _number(value: str) -> str:
    number = float(value.replace(",", ""))
    return str(int(number)) if number.is_integer() else f"{number:g}"


def event_keys(event: EventAnchors) -> list[tuple[int, int]]:
    """(band, key) rows: one per pair of specifics, at most one per band.

    None without a label and a country, which `same_event` needs anyway.
    """
    if not event.labels or not event.countries:
        return []
    specifics = sorted(event.specifics)[:MAX_KEYED_SPECIFICS]
    rows: dict[int, int] = {}
    for first, second in combinations(specifics, 2):
        digest = hashlib.blake2b(f"{first}|{second}".encode(), digest_size=8).digest()
        key = int.from_bytes(digest, "big", signed=True)
        rows.setdefault(FIRST_EVENT_BAND + key % EVENT_BANDS, key)
    return sorted(rows.items())


def same_event(a: EventAnchors, b: EventAnchors) -> list[str] | None:
    """What two reports in different languages share if they are the same event, else None."""
    if not a.language or not b.language or a.language == b.language:
        return None
    labels, countries = a.labels & b.labels, a.countries & b.countries
    specifics = a.specifics & b.specifics
    if not labels or not countries or len(specifics) < MIN_SHARED_SPECIFICS:
        return None
    if a.dates and b.dates and not a.dates & b.dates:
        return None
    return [
        *sorted(label.split(":", 1)[-1] for label in labels),
        *sorted(countries),
        *sorted(a.organisations & b.organisations),
        *sorted(a.percentages & b.percentages),
        *sorted(a.amounts & b.amounts, key=float),
        *sorted(a.dates & b.dates),
    ]


def event_score(a: EventAnchors, b: EventAnchors) -> float:
    """Share of the two reports' specifics they have in common (0-1)."""
    union = a.specifics | b.specifics
    return round(len(a.specifics & b.specifics) / len(union), 4) if union else 0.0
