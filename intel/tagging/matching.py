"""Compiling a taxonomy into one Aho-Corasick automaton, and finding matches.

Owns which strings a term matches (its normalised lemma, English inflections
and spelling variants), the boundary rules, overlap resolution, and the
automaton layout. Scoring lives in ``engine.py``.

Matching rules, and why:

- Latin-script terms need word boundaries ("ai" must not fire inside "said",
  "Niger" not inside "Nigeria"); CJK has no spaces, so Japanese terms match
  as substrings. Short katakana terms, and katakana country names, must not
  touch other katakana (「タイ」 is not in 「タイヤ」, 「インド」 not in
  「インドネシア」).
- Where one match lies inside a longer one, the longer wins: "North Korea"
  hides "Korea", "export ban" hides "ban", "guinea pig" (an ignore phrase)
  hides "Guinea". Partial overlaps both count (「日米」 and 「米韓」 in
  「日米韓」). Places, topics and supply-chain stages are resolved apart, so
  "Taiwan Semiconductor" is still Taiwan and 「米軍」 is still defence.
- One-kanji country prefixes (「米インテル」「蘭ASML」) count only when no
  other kanji precedes them: 「南米チリ」 is not about the US.
- Short codes that are also words ("US", "UK") are matched case-sensitively
  against the original text.
- English terms also match simple inflections (plurals; -ed and -ing for
  signal terms) and British/American spellings, so the taxonomy lists lemmas
  and irregular forms only.

How one automaton serves both scripts quickly: it scans two views of the
normalised text. The "word view" keeps ASCII letters and digits and turns
every other character into a boundary mark; ASCII terms are stored between two
marks, so they match whole words only with no per-match check. The "byte view"
(only for non-ASCII text) is the text in UTF-16-BE read as Latin-1, where the
other terms are stored the same way: pyahocorasick scans a node's children
linearly, so a byte alphabet keeps every node small where thousands of kanji
would not, and with two bytes per character offsets divide by two.

The learned layer's features (``learned.py``) are defined on the same two
views, so a matcher built with a model's features finds them in the same
scan: words, word pairs and stems as word-view keys, character n-grams as
byte-view keys (`feature_key`). They take no part in scoring or overlaps.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Sequence
from operator import itemgetter
from typing import Any, NamedTuple

import ahocorasick

from intel.tagging.normalise import NormalisedText, normalise_term
from intel.tagging.paraphrases import HINTS, HintHits
from intel.tagging.places import Gazetteer
from intel.tagging.taxonomy import KINDS, Kind, Taxonomy, Term

# Checks a non-ASCII key needs after it matched.
_LATIN_LEFT = 1
_LATIN_RIGHT = 2
_KANA = 4
_NO_KANJI_LEFT = 8
# Marks a word-view key, so a chance match in the other view is ignored.
_WORD_KEY = 16
# A paraphrase hint: reported to the caller, never scored nor resolved.
_HINT = 32
# A learned-layer feature and nothing else: never scored, resolved or hinted.
_FEATURE_ONLY = 64
_BYTE_VIEW = "utf-16-be"

# Overlaps are resolved within a partition only (see the module docstring).
PARTITIONS: dict[str, int] = {
    "countries": 0,
    "blocs": 0,
    "sectors": 1,
    "signals": 1,
    "commodities": 1,
    "stages": 2,
}
_ALL_PARTITIONS = tuple(sorted(set(PARTITIONS.values())))

# Katakana letters plus the long vowel mark; the middle dot (・) separates words.
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc]+$")
_SHORT_KANA = 3
_VOWELS = frozenset("aeiou")

# The word view keeps ASCII letters and digits, writes "_" for any other
# Latin-script letter (so "résumé" stays one word) and _MARK for the rest.
_MARK = "\x01"
_WORD_TABLE = (
    bytes(
        byte if chr(byte).isalnum() or chr(byte) == "_" else ord(_MARK) for byte in range(128)
    ).lower()
    + _MARK.encode() * 128
)
_BELOW_CJK = re.compile("[\x80-\u2e7f]")
_WORD_ERRORS = "intel-tagging-word-view"


def _is_latin_word_char(char: str) -> bool:
    # Kana and CJK are letters too, but a Latin term may touch them: 「AI半導体」.
    return char.isalnum() and char < "\u2e80"


def _is_katakana(char: str) -> bool:
    return "\u30a1" <= char <= "\u30fa" or char == "\u30fc"


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _word_view_errors(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler for a run of non-ASCII chars: marks, "_" for letters."""
    assert isinstance(error, UnicodeEncodeError)  # noqa: S101 - registered for encoding only
    run = error.object[error.start : error.end]
    letters = [m.start() for m in _BELOW_CJK.finditer(run) if _is_latin_word_char(m.group())]
    if not letters:
        return _MARK * len(run), error.end
    chars = [_MARK] * len(run)
    for index in letters:
        chars[index] = "_"
    return "".join(chars), error.end


codecs.register_error(_WORD_ERRORS, _word_view_errors)


def word_view(text: str) -> str:
    """``text`` at the same length, reduced to ASCII words between marks."""
    return text.encode("ascii", _WORD_ERRORS).translate(_WORD_TABLE).decode("ascii")


def feature_key(feature: str) -> tuple[str, bool] | None:
    """Where a learned-layer feature is stored: (automaton key, in the word view?).

    ``" word "`` and ``" word word "`` are whole words of the word view (one
    mark between a pair), ``" stem"`` the start of one, and any other string
    holding a non-ASCII character a substring of the byte view. A string of
    none of these shapes is never found (None).
    """
    if feature.startswith(" "):
        words = feature[1:].split(" ")
        if (
            not words[0]
            or not all(words[:-1])
            or not feature.isascii()
            or word_view(feature) != feature.replace(" ", _MARK)
        ):
            return None
        if words[-1] == "" and len(words) in (2, 3):
            return _MARK + feature[1:-1].replace(" ", _MARK) + _MARK, True
        if len(words) == 1:
            return _MARK + words[0], True
        return None
    if feature and not feature.isascii() and " " not in feature:
        return feature.encode(_BYTE_VIEW).decode("latin-1"), False
    return None


def _automaton_key(key: str) -> str:
    """How a normalised term is stored: marked ASCII words, or the byte view."""
    if key.isascii():
        return _MARK + word_view(key) + _MARK
    return key.encode(_BYTE_VIEW).decode("latin-1")


# --- which strings a term matches --------------------------------------------


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if len(word) > 2 and word.endswith("y") and word[-2] not in _VOWELS:
        return word[:-1] + "ies"
    return word + "s"


def _verb_forms(word: str) -> set[str]:
    if word.endswith("e"):
        return {word + "d", word[:-1] + "ing"}
    if len(word) > 2 and word.endswith("y") and word[-2] not in _VOWELS:
        return {word[:-1] + "ied", word + "ing"}
    forms = {word + "ed", word + "ing"}
    # Short consonant-vowel-consonant verbs double: ban -> banned, cut -> cutting.
    if (
        len(word) <= 4
        and word[-1] not in _VOWELS | {"w", "x", "y"}
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    ):
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return forms


def _word_forms(word: str, *, verb: bool) -> set[str]:
    if not word.isascii() or not word.isalpha() or len(word) < 3:
        return {word}
    forms = {word, _plural(word)}
    if verb:
        forms |= _verb_forms(word)
    return forms


_SPELLINGS = (
    (re.compile(r"is(e|ed|es|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"([^aeiou])tre(s?)$"), r"\1ter\2"),
    (re.compile(r"(.{3,})our(s?)$"), r"\1or\2"),
)


def english_variants(lemma: str, *, verb: bool) -> set[str]:
    """Inflections of a normalised English lemma.

    Nouns get a plural of the last word. Signal terms often start or end with
    a verb ("impose sanctions", "prices surge"), so both ends get verb forms.
    British spellings also match their American twins.
    """
    words = lemma.split(" ")
    variants = {lemma}
    for form in _word_forms(words[-1], verb=verb):
        variants.add(" ".join([*words[:-1], form]))
    if verb and len(words) > 1:
        for form in _word_forms(words[0], verb=True):
            variants.add(" ".join([form, *words[1:]]))
    for variant in list(variants):
        words = variant.split(" ")
        for pattern, replacement in _SPELLINGS:
            respelled = pattern.sub(replacement, words[-1])
            if respelled != words[-1]:
                variants.add(" ".join([*words[:-1], respelled]))
    return variants


def term_keys(lemma: str, term: Term, kind: Kind) -> set[str]:
    """The normalised strings a term matches as (also used by the feedback layer)."""
    # Names are not inflected, and case-sensitive codes are exact by design.
    if term.case_sensitive or kind in ("countries", "blocs") or not lemma.isascii():
        return {lemma}
    return english_variants(lemma, verb=kind == "signals")


def _flags(key: str, kind: Kind | None) -> int:
    """Checks a non-ASCII key needs (ASCII keys are bounded by their marks)."""
    if key.isascii():
        return _WORD_KEY
    if (
        kind == "countries"
        and len(key) == 2
        and _is_kanji(key[0])
        and (_is_katakana(key[1]) or key[1].isascii())
    ):
        # A one-kanji prefix such as 「米」 before 「インテル」 or 「AMD」.
        return _NO_KANJI_LEFT
    flags = 0
    if _is_latin_word_char(key[0]):
        flags |= _LATIN_LEFT
    if _is_latin_word_char(key[-1]):
        flags |= _LATIN_RIGHT
    if _KATAKANA.match(key) and (len(key) <= _SHORT_KANA or kind == "countries"):
        flags |= _KANA
    return flags


# --- the automaton ------------------------------------------------------------


Credit = tuple[tuple[str, str], tuple[str, str, str], float]


class Payload(NamedTuple):
    """One (label, term) a key stands for, and what a match of it is worth."""

    kind: Kind
    slug: str
    weight: float
    lemma: str  # shared by the lemma's inflections, for repeat decay
    case_form: str | None  # NFKC text the original must show, if case-sensitive
    # ((kind, slug), repeat key, points per match before the field weight):
    # the label itself and, for a commodity, each of its sectors.
    credits: tuple[Credit, ...]


# A match the caller scores: start, end (normalised offsets) and its payloads.
Match = tuple[int, int, tuple[Payload, ...]]
Parts = tuple[tuple[int, tuple[Payload, ...]], ...]
# What a key means: (length in chars, check flags, case-sensitive?, payloads,
# payloads by partition, paraphrase rules it is a hint of, the learned feature
# it is in the word view and in the byte view or -1). Plain tuples: the hot
# loop unpacks them by position.
_Entry = tuple[int, int, bool, tuple[Payload, ...], Parts, tuple[int, ...], int, int]
_WORD_FEATURE = itemgetter(6)
_third = itemgetter(2)


def _parts(payloads: tuple[Payload, ...]) -> Parts:
    """Payloads grouped by partition; an ignore phrase blocks every partition."""
    if not payloads:
        return tuple((partition, ()) for partition in _ALL_PARTITIONS)
    return tuple(
        (partition, grouped)
        for partition in _ALL_PARTITIONS
        if (grouped := tuple(p for p in payloads if PARTITIONS[p.kind] == partition))
    )


class Matcher:
    """The compiled automaton of one taxonomy (and gazetteer) and the search over it.

    With ``features`` (a learned model's, see `feature_key`) the same scan
    also reports which of them a text holds; the lexicon's matches do not change.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        gazetteer: Gazetteer | None = None,
        features: Sequence[str] = (),
    ) -> None:
        # stored key -> (kind, slug, case form) -> payload. A label reaches a
        # key once: its own spelling of the key beats an inflection of another
        # of its terms (so a weight override on "sanctions" is not undone by
        # "sanction" + s), otherwise the heavier term wins.
        buckets: dict[str, dict[tuple[str, str, str | None], Payload]] = {}
        flags: dict[str, int] = {}
        lengths: dict[str, int] = {}

        def add(key: str, kind: Kind | None, payload: Payload | None) -> None:
            stored = _automaton_key(key)
            flags[stored] = flags.get(stored, 0) | _flags(key, kind)
            lengths[stored] = len(key)
            bucket = buckets.setdefault(stored, {})
            if payload is None:
                return
            identity = (payload.kind, payload.slug, payload.case_form)
            current = bucket.get(identity)
            if current is None or (payload.lemma == key, payload.weight) > (
                current.lemma == key,
                current.weight,
            ):
                bucket[identity] = payload

        shares = taxonomy.scoring.commodity_sector_weights or (1.0,)
        for kind in KINDS:
            for label in taxonomy.labels(kind):
                for term in label.terms:
                    lemma = normalise_term(term.text)
                    if not lemma:
                        continue
                    case_form = (
                        unicodedata.normalize("NFKC", term.text) if term.case_sensitive else None
                    )
                    credits: tuple[Credit, ...] = ()
                    if term.weight > 0:
                        credits = (((kind, label.slug), (kind, label.slug, lemma), term.weight),)
                        # A commodity counts towards its sectors, each commodity
                        # decaying on its own: gallium twice is not two minerals.
                        credits += tuple(
                            (
                                ("sectors", sector),
                                ("sectors", sector, "commodity:" + label.slug),
                                term.weight * shares[min(rank, len(shares) - 1)],
                            )
                            for rank, sector in enumerate(label.sectors)
                        )
                    payload = Payload(kind, label.slug, term.weight, lemma, case_form, credits)
                    for key in term_keys(lemma, term, kind):
                        add(key, kind, payload)
        for term in taxonomy.ignore:
            lemma = normalise_term(term.text)
            # Ignore phrases are noun phrases: plural forms, no verb forms.
            for key in term_keys(lemma, term, "stages") if lemma else ():
                add(key, None, None)
        # Places come last and only where the taxonomy has no place or bloc
        # term and no ignore phrase for the same key: the taxonomy's meaning of
        # a name (or its refusal to read one, as with "Georgia") stands.
        for place in gazetteer.places if gazetteer else ():
            lemma = normalise_term(place.text)
            stored = _automaton_key(lemma) if lemma else ""
            bucket = buckets.get(stored)
            if not lemma or (
                bucket is not None
                and (not bucket or any(PARTITIONS[p.kind] == 0 for p in bucket.values()))
            ):
                continue
            case_form = unicodedata.normalize("NFKC", place.text) if place.case_sensitive else None
            credits = (
                (("countries", place.country), ("countries", place.country, lemma), place.weight),
            )
            add(
                lemma,
                "countries",
                Payload("countries", place.country, place.weight, lemma, case_form, credits),
            )

        # Paraphrase hints are substrings, not words: stored without marks in
        # the word view ("licen" inside "licences"), like any other key in the
        # byte view. A hint that is also a term's key shares its entry.
        hints: dict[str, tuple[int, ...]] = {}
        for hint, rules in HINTS.items():
            stored = word_view(hint) if hint.isascii() else _automaton_key(hint)
            hints[stored] = (*hints.get(stored, ()), *rules)
            flags[stored] = flags.get(stored, 0) | _HINT | (_WORD_KEY if hint.isascii() else 0)
            lengths.setdefault(stored, len(hint))

        # A feature that is also a term's or a hint's key shares its entry.
        word_features: dict[str, int] = {}
        byte_features: dict[str, int] = {}
        for index, feature in enumerate(features):
            located = feature_key(feature)
            if located is not None:
                stored, in_word_view = located
                (word_features if in_word_view else byte_features)[stored] = index
        self.has_features = bool(word_features or byte_features)

        self.automaton: Any = ahocorasick.Automaton()
        for stored in {**buckets, **hints, **word_features, **byte_features}:
            features_of = (word_features.get(stored, -1), byte_features.get(stored, -1))
            bucket = buckets.get(stored)
            entry: _Entry
            if bucket is None and stored not in hints:
                entry = (0, _FEATURE_ONLY, False, (), (), (), *features_of)
                self.automaton.add_word(stored, entry)
                continue
            payloads = tuple(bucket.values()) if bucket is not None else ()
            case_sensitive = any(p.case_form for p in payloads)
            # A hint alone takes no part in overlaps; an ignore phrase blocks all.
            parts = _parts(payloads) if bucket is not None else ()
            entry = (
                lengths[stored],
                flags[stored],
                case_sensitive,
                payloads,
                parts,
                tuple(sorted(hints.get(stored, ()))),
                *features_of,
            )
            self.automaton.add_word(stored, entry)
        self.automaton.make_automaton()

    def find(
        self,
        normalised: NormalisedText,
        hints: HintHits | None = None,
        features: set[int] | None = None,
    ) -> list[Match]:
        """Accepted matches in ``normalised``, nested ones dropped per partition.

        With ``hints``, the paraphrase hints found are appended to it as
        (offset past the hint, rules) in text order. With ``features``, the
        indices of the model features found are added to it (-1 may be too).
        """
        text = normalised.text
        view = _MARK + word_view(text) + _MARK
        if features is None or not self.has_features:
            # The key's closing mark sits on the char after the term; the view
            # starts with a mark, so that char's offset in the text is last - 1.
            found = [
                (last - 1 - entry[0], 1 - last, entry)
                for last, entry in self.automaton.iter(view)
                if entry[1] & _WORD_KEY
            ]
        else:
            # A key that is a feature only is added to ``features`` (the add is
            # falsy, so it is not kept); those kept are read for features after.
            add = features.add
            found = [
                (last - 1 - entry[0], 1 - last, entry)
                for last, entry in self.automaton.iter(view)
                if entry[1] & _WORD_KEY or add(entry[6])
            ]
            features.update(map(_WORD_FEATURE, map(_third, found)))
        if not text.isascii():
            found += self._byte_view_matches(text, features)

        # Sorted by start, longest first ((start, -end) is unique per match), a
        # match survives in a partition only if it reaches past every match
        # kept there before it.
        found.sort()
        reach = [-1] * (max(_ALL_PARTITIONS) + 1)
        accepted: list[Match] = []
        for start, negative_end, (_, flags, case_sensitive, payloads, parts, rules, _, _) in found:
            end = -negative_end
            if rules and hints is not None:
                # A word-view hint has no closing mark: it ends one char later.
                hints.append((end + 1 if flags & _WORD_KEY else end, rules))
            if case_sensitive:
                parts = self._case_checked(normalised, start, end, payloads)
            for partition, grouped in parts:
                if end > reach[partition]:
                    reach[partition] = end
                    if grouped:
                        accepted.append((start, end, grouped))
        return accepted

    def _byte_view_matches(
        self, text: str, features: set[int] | None = None
    ) -> list[tuple[int, int, _Entry]]:
        """(start, -end, entry) for the non-ASCII keys, boundaries checked.

        Features found are added to ``features`` before any boundary check:
        an n-gram counts wherever it stands.
        """
        encoded = text.encode(_BYTE_VIEW)
        # Astral characters take four bytes; only then do offsets need decoding.
        astral = len(encoded) != 2 * len(text)
        length = len(text)
        found = []
        for last, entry in self.automaton.iter(encoded.decode("latin-1")):
            key_length, flags = entry[0], entry[1]
            # UTF-16 does not resynchronise: a match must end on a char boundary.
            if flags & _WORD_KEY or not last & 1:
                continue
            if features is not None and entry[7] >= 0:
                features.add(entry[7])
            if flags & _FEATURE_ONLY:
                continue
            end = (last + 1) // 2
            if astral:
                end = len(encoded[: last + 1].decode(_BYTE_VIEW, "surrogatepass"))
            if flags:
                start = end - key_length
                before = text[start - 1] if start else ""
                after = text[end] if end < length else ""
                if (
                    (flags & _LATIN_LEFT and before and _is_latin_word_char(before))
                    or (flags & _LATIN_RIGHT and after and _is_latin_word_char(after))
                    or (flags & _KANA and (_is_katakana(before) or _is_katakana(after)))
                    or (flags & _NO_KANJI_LEFT and before and _is_kanji(before))
                ):
                    continue
            found.append((end - key_length, -end, entry))
        return found

    @staticmethod
    def _case_checked(
        normalised: NormalisedText, start: int, end: int, payloads: tuple[Payload, ...]
    ) -> Parts:
        original_start, original_end = normalised.original_span(start, end)
        written = unicodedata.normalize("NFKC", normalised.original[original_start:original_end])
        # "US$", "NZ$": a currency, not a reference to the country.
        currency = normalised.original[original_end : original_end + 1] == "$"
        kept = tuple(
            p
            for p in payloads
            if p.case_form in (None, written) and not (currency and p.kind == "countries")
        )
        return _parts(kept) if kept else ()
