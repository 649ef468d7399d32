"""Pure text helpers for reports: language detection, search tokens, Markdown, invisible text.

Markdown leaves the site three ways: as sanitised HTML (`render_markdown`),
as plain text for emails and JSON (`markdown_to_text`) and as Markdown with no
raw HTML for `export.md` (`markdown_without_html`, `markdown_escape` for plain
fields placed inside Markdown).

No database here. `search_document` and `search_query` turn text into the
lexemes the PostgreSQL index stores, so the index and the query are built the
same way:

- Latin-script (and other space-separated) text goes to PostgreSQL's
  `english` configuration for stemming ("controls" finds "control").
- CJK text has no spaces and PostgreSQL has no Japanese parser, so runs of
  Han, Hiragana, Katakana and Hangul characters become overlapping character
  bigrams (「輸出規制」 → 輸出 出規 規制), as Lucene's CJK analyzer does. The
  bigrams are written as a tsvector *literal* with positions and weights, so
  neither PostgreSQL's parser nor the database locale is involved: the same
  tokens come out whatever `lc_ctype` the cluster was created with (pg_trgm,
  by contrast, drops multibyte characters under some locales).
- A query's CJK run becomes a phrase of its bigrams (`'輸出' <-> '出規' <->
  '規制'`, built in `intel.reports.search`), so it matches only where those
  characters stand together.
"""

from __future__ import annotations

import html
import re
import unicodedata

import markdown as markdown_lib
import nh3

# Han (incl. extension A and compatibility ideographs), Hiragana, Katakana
# (incl. phonetic extensions and the prolonged sound mark), Hangul syllables.
CJK_CLASS = (
    "\u3005\u3006\u3007"  # 々 〆 〇
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uac00-\ud7af"  # Hangul syllables
)
_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_CJK_CHAR = re.compile(f"[{CJK_CLASS}]")

# The highest position a tsvector stores; PostgreSQL clamps larger ones anyway.
_MAX_POSITION = 16383


def normalise(text: str) -> str:
    """NFKC: full-width Latin becomes ASCII, half-width katakana becomes full width."""
    return unicodedata.normalize("NFKC", text or "")


def detect_language(*texts: str) -> str:
    """'ja' or 'en': an honest heuristic on the share of kana and kanji.

    Japanese prose is mostly kana and kanji even when it quotes English names,
    so text whose letters are at least 30 % CJK, or that has any kana in a
    CJK share of at least 10 %, is Japanese; everything else is English. Text
    with no letters at all counts as English.
    """
    text = normalise(" ".join(texts))
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    cjk = sum(1 for ch in letters if _CJK_CHAR.match(ch))
    share = cjk / len(letters)
    if share >= 0.3 or (share >= 0.1 and _KANA.search(text)):
        return "ja"
    return "en"


def cjk_bigrams(run: str) -> list[str]:
    """Overlapping bigrams of one CJK run; a lone character stands for itself."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def split_scripts(text: str) -> tuple[str, list[str]]:
    """(the text with CJK runs blanked out, the CJK runs in order)."""
    text = normalise(text).lower()
    runs = _CJK_RUN.findall(text)
    return _CJK_RUN.sub(" ", text), runs


def quote_lexeme(lexeme: str) -> str:
    """`lexeme` as a quoted tsvector / tsquery literal."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def cjk_tsvector_literal(text: str, weight: str) -> str:
    """A tsvector literal of `text`'s CJK bigrams with positions and `weight`.

    Positions run on across runs with a gap of one, so a phrase query never
    matches across two separate runs. Empty string when there is no CJK text.
    """
    if weight not in {"A", "B", "C", "D"}:
        raise ValueError(f"unknown tsvector weight {weight!r}")
    _latin, runs = split_scripts(text)
    positions: dict[str, list[int]] = {}
    position = 0
    for run in runs:
        for token in cjk_bigrams(run):
            position += 1
            positions.setdefault(token, []).append(min(position, _MAX_POSITION))
        position += 1
    return " ".join(
        f"{quote_lexeme(token)}:{','.join(f'{p}{weight}' for p in sorted(set(places))[:256])}"
        for token, places in positions.items()
    )


def latin_text(text: str) -> str:
    """The part of `text` that PostgreSQL's `english` configuration should parse."""
    return split_scripts(text)[0]


# --- Markdown ------------------------------------------------------------------

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def render_markdown(source: str) -> str:
    """Markdown to HTML, then sanitised with nh3: no scripts, styles, images or raw HTML.

    Links keep only http(s) and mailto URLs and get rel="noopener noreferrer
    nofollow", so a report can never run code or track its reader.
    """
    html = markdown_lib.markdown(source or "", extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


_LIST_ITEM = re.compile(r"<li>")
_BLANK_LINES = re.compile(r"\n{3,}")
# Inside a line, what Markdown could read as emphasis, code or a link; every
# flavour (Python-Markdown, CommonMark) takes these backslash escapes.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]])")


def _encode_markup(text: str) -> str:
    """ "<" and "&" as entities: no Markdown flavour reads those as a tag or an entity
    again (Python-Markdown has no backslash escape for "<")."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _strip_tags(markup: str) -> str:
    """The text of `markup`: every tag dropped (scripts and styles with their content),
    entities decoded once, so "&amp;lt;" reads "&lt;" as the page shows it."""
    return html.unescape(nh3.clean(markup, tags=set()))


def markdown_to_text(source: str) -> str:
    """Markdown as the plain text a reader of the rendered page sees: no tags, no entities.

    Rendered and sanitised first (so raw HTML is gone exactly as on the page),
    then reduced to text; list items keep a "- " so a list still reads as one.
    """
    rendered = _LIST_ITEM.sub("<li>- ", render_markdown(source))
    text = _strip_tags(rendered)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines))


def markdown_without_html(source: str) -> str:
    """Markdown `source` with its raw HTML reduced to text, for a Markdown export.

    The Markdown structure (headings, lists, emphasis) stays; what was a tag is
    gone, and a "<" or "&" left in the text (typed, or decoded from an entity)
    is written as an entity so no Markdown renderer reads it as HTML again.
    """
    return _encode_markup(_strip_tags(source or "")).strip()


def markdown_escape(text: str) -> str:
    """Plain `text` (a title, a note) that reads as itself when placed inside Markdown."""
    return _MARKDOWN_INLINE.sub(r"\\\1", _encode_markup(text))


# --- Invisible text -------------------------------------------------------------

# Bidirectional embeddings, overrides and isolates reorder how the text around
# them is shown ("Trojan Source"): a title could read differently in a list
# than it was written. One-line fields have no use for them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Unicode calls these letters or symbols, but they print as nothing.
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Controls and format characters (zero-width space, joiners, marks, BOM),
# separators and combining marks with no base character.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def strip_bidi_controls(text: str) -> str:
    return _BIDI_CONTROLS.sub("", text)


def has_visible_text(text: str) -> bool:
    """Whether `text` shows anything: not only spaces, zero-width or bidi characters."""
    return any(
        unicodedata.category(char) not in _INVISIBLE_CATEGORIES and char not in _BLANK_GLYPHS
        for char in text
    )
