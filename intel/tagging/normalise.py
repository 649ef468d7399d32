"""Text normalisation for matching, with a map back to the caller's offsets.

Owns the one definition of "the same text" shared by taxonomy terms and reports:
NFKC (full/half width unification), case folding, dashes read as spaces, curly
quotes read as straight ones, and every run of whitespace read as one space. It
also owns the offset map that turns a span of the normalised text back into a
span of the original, so the UI highlights exactly what the author wrote.

Most reports never pay for the map: ASCII text, and any text NFKC leaves alone,
keep their length, so offsets are the identity and the work is a few C-level
string calls. Texts with compatibility characters (full-width letters, "…",
half-width katakana) or with runs of whitespace get a piecewise map.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

# One-for-one replacements, so they never move an offset. Dashes join words in
# "rare-earth" or "U.S.-China"; reading them as spaces lets the term "rare earth"
# match every spelling. The Japanese long vowel mark (ー) is not a dash. The
# whitespace characters are those NFKC leaves as they are.
_ONE_FOR_ONE = (
    ("-", " "),
    ("\u2010", " "),
    ("\u2012", " "),
    ("\u2013", " "),
    ("\u2014", " "),
    ("\u2015", " "),
    ("\u2212", " "),
    ("\u2018", "'"),
    ("\u2019", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
    *((space, " ") for space in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u1680\u2028\u2029"),
)

# Hangul vowel and trailing-consonant jamo are starters yet compose with the
# syllable before them, so they must stay glued to it.
_JAMO_JOINERS = ((0x1161, 0x1175), (0x11A8, 0x11C2))


@dataclass(frozen=True, slots=True)
class _PieceMap:
    """Piecewise map from one string's offsets to its source string's offsets.

    Piece ``k`` starts at ``starts[k]`` in the target and covers
    ``[source_starts[k], source_ends[k])`` in the source. A one-for-one piece
    maps offset by offset; any other piece maps as a whole.
    """

    starts: list[int]
    source_starts: list[int]
    source_ends: list[int]
    one_for_one: list[bool]

    def span(self, start: int, end: int) -> tuple[int, int]:
        first = bisect_right(self.starts, start) - 1
        last = bisect_right(self.starts, end - 1) - 1
        if self.one_for_one[first]:
            source_start = self.source_starts[first] + start - self.starts[first]
        else:
            source_start = self.source_starts[first]
        if self.one_for_one[last]:
            source_end = self.source_starts[last] + end - self.starts[last]
        else:
            source_end = self.source_ends[last]
        return source_start, source_end


class _PieceMapBuilder:
    """Collects (text, source_start, source_end) pieces, then builds text and map."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.source_starts: list[int] = []
        self.source_ends: list[int] = []

    def add(self, text: str, source_start: int, source_end: int) -> None:
        if text:
            self.pieces.append(text)
            self.source_starts.append(source_start)
            self.source_ends.append(source_end)

    def build(self) -> tuple[str, _PieceMap]:
        lengths = [len(piece) for piece in self.pieces]
        starts = [0, *accumulate(lengths)][:-1]
        one_for_one = [
            length == end - start
            for length, start, end in zip(
                lengths, self.source_starts, self.source_ends, strict=True
            )
        ]
        return "".join(self.pieces), _PieceMap(
            starts, self.source_starts, self.source_ends, one_for_one
        )


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A normalised string and the maps that lead back to the original."""

    original: str
    text: str
    maps: tuple[_PieceMap, ...] = ()

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open normalised span ``[start, end)`` to the original."""
        # Maps are stored from the last transformation to the first.
        for piece_map in self.maps:
            start, end = piece_map.span(start, end)
        return start, end


def _fold_piece(piece: str) -> str:
    # NFKC again after casefold because folding can produce decomposable text.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", piece).casefold())


def _scan_unstable_chars() -> tuple[str, frozenset[str]]:
    """Characters folding changes beyond a 1:1 case map, and those that join.

    "Unstable" characters change under NFKC (full-width forms, ligatures, "…")
    or fold to several characters ("ß"). "Joiners" combine with the character
    before them (accents, dakuten, jamo, the second half of every canonical
    composition). Built once per process by scanning the Basic Multilingual
    Plane (~0.1 s); astral characters all count as unstable, which is always
    correct, merely slower.
    """
    unstable: set[str] = set()
    joiners: set[str] = set()
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        char = chr(cp)
        decomposition = unicodedata.decomposition(char)
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                joiners.add(chr(int(parts[1], 16)))
        folded = char.casefold()
        if len(folded) != 1 or _fold_piece(char) != folded:
            unstable.add(char)
        first = unicodedata.normalize("NFKD", char)[:1]
        if first and unicodedata.combining(first):
            joiners.add(char)
    for low, high in _JAMO_JOINERS:
        joiners.update(chr(cp) for cp in range(low, high + 1))
    char_class = "".join(re.escape(c) for c in sorted(unstable | joiners))
    return f"[{char_class}\U00010000-{chr(sys.maxunicode)}]+", frozenset(joiners)


UnicodeTables = tuple[str, frozenset[str]]  # (pattern source, joiners): picklable
_tables: tuple[UnicodeTables, re.Pattern[str]] | None = None


def unicode_tables() -> UnicodeTables:
    """The scanned tables, for a cache to store beside a compiled matcher."""
    return _unstable_chars_and_tables()[1]


def prime_unicode_tables(tables: UnicodeTables) -> None:
    """Use tables scanned earlier by this Python (same Unicode version), skipping the scan."""
    global _tables
    _tables = (tables, re.compile(tables[0]))


def _unstable_chars_and_tables() -> tuple[tuple[re.Pattern[str], frozenset[str]], UnicodeTables]:
    global _tables
    if _tables is None:
        tables = _scan_unstable_chars()
        _tables = (tables, re.compile(tables[0]))
    tables, pattern = _tables
    return (pattern, tables[1]), tables


def _unstable_chars() -> tuple[re.Pattern[str], frozenset[str]]:
    return _unstable_chars_and_tables()[0]


def _is_joiner(char: str, joiners: frozenset[str]) -> bool:
    return char in joiners or (char > "\uffff" and unicodedata.combining(char) != 0)


def _fold(text: str) -> tuple[str, _PieceMap | None]:
    """NFKC + casefold ``text``; the map is ``None`` when offsets do not move."""
    if text.isascii():
        return text.lower(), None
    folded = text.casefold()
    if (
        len(folded) == len(text)
        and unicodedata.is_normalized("NFKC", text)
        and unicodedata.is_normalized("NFKC", folded)
    ):
        return folded, None

    pattern, joiners = _unstable_chars()
    builder = _PieceMapBuilder()

    def unit(begin: int, stop: int) -> None:
        builder.add(_fold_piece(text[begin:stop]), begin, stop)

    position = 0
    for match in pattern.finditer(text):
        run_start, run_end = match.span()
        # A run opening with a joiner composes with the stable char before it.
        unit_start = run_start
        if run_start > position and _is_joiner(text[run_start], joiners):
            unit_start -= 1
        builder.add(text[position:unit_start].casefold(), position, unit_start)
        if joiners.isdisjoint(text[run_start + 1 : run_end]):
            # Without joiners each char folds on its own, so an unchanged
            # length means every char folded to exactly one char.
            folded = _fold_piece(text[unit_start:run_end])
            if len(folded) == run_end - unit_start:
                builder.add(folded, unit_start, run_end)
                position = run_end
                continue
        for index in range(run_start + 1, run_end):
            if not _is_joiner(text[index], joiners):
                unit(unit_start, index)
                unit_start = index
        unit(unit_start, run_end)
        position = run_end
    builder.add(text[position:].casefold(), position, len(text))
    return builder.build()


def _collapse_spaces(text: str) -> tuple[str, _PieceMap]:
    builder = _PieceMapBuilder()
    position = 0
    run_start = text.find("  ")
    while run_start != -1:
        run_end = run_start + 2
        while run_end < len(text) and text[run_end] == " ":
            run_end += 1
        builder.add(text[position:run_start], position, run_start)
        builder.add(" ", run_start, run_end)
        position = run_end
        run_start = text.find("  ", position)
    builder.add(text[position:], position, len(text))
    return builder.build()


def normalise(text: str) -> NormalisedText:
    """Normalise ``text`` for matching and keep the way back to its offsets."""
    folded, fold_map = _fold(text)
    for old, new in _ONE_FOR_ONE:
        if old in folded:
            folded = folded.replace(old, new)
    maps: tuple[_PieceMap, ...] = () if fold_map is None else (fold_map,)
    if "  " in folded:
        folded, collapse_map = _collapse_spaces(folded)
        maps = (collapse_map, *maps)
    return NormalisedText(text, folded, maps)


def normalise_term(term: str) -> str:
    """The matching key of a taxonomy term: normalised, outer spaces trimmed."""
    return normalise(term).text.strip()
