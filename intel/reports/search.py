"""Search over submitted contributions: one analyser, one query language, both databases.

`search_contributions(user=…, query=…, sort=…, **filters)` is the one entry
point (the search page, the review API's `?q=` and exports of search results
call it); `highlight` and `snippet` mark the hits of the page being shown.

- **Analysis**, the same at index and query time: the tagger's normaliser
  (`intel.tagging.normalise`: NFKC, so half-width ｶﾞﾘｳﾑ is ガリウム and
  full-width ＧａＮ is gan; case folding; dashes read as spaces), then Latin
  words as they are and CJK runs as overlapping character bigrams (as
  Lucene's CJK analyzer does), so Japanese without spaces is found inside any
  longer run.
- **Query language**: every word must match (AND); "quoted words" must stand
  together, in order; a CJK run is a phrase of its bigrams; a lone CJK
  character matches the bigrams it starts.
- **PostgreSQL**: a weighted `tsvector` per contribution (title A, summary B,
  tags B, body C; English stemming for Latin text, bigram literals for CJK;
  see `intel.reports.services.search_index`), GIN-indexed, ranked by `ts_rank`.
- **SQLite** (the embedded default): an FTS5 table `intel_contribution_fts`
  (`porter unicode61` tokenizer over the analysed text, one row per
  contribution, rowid = contribution id), kept in step by the same service,
  ranked by `bm25` with the same column weights.
- **Highlighting** is done here, in Python, for both databases: PostgreSQL's
  `ts_headline` re-parses each document with a text-search parser that cannot
  see CJK bigrams, so it would mark nothing in Japanese. Only the page shown
  is highlighted, a bounded amount of work whatever the number of hits.
- **Visibility**: analysts only (callers check `has_analyst_access`); results
  are limited to the reader's clearance (`reader_clearance`). Neither an
  author's name, e-mail nor organisation is indexed, so nobody can find an
  anonymous report by who wrote it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import snowballstemmer
from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from intel.digests.selectors import reader_clearance
from intel.models import (
    Contribution,
    ContributionCountry,
    ContributionSector,
    ContributionSignal,
    ContributionTag,
)
from intel.reports.selectors import (
    filter_contributions,
    row_exists,
    submitted_contributions,
    with_rows,
)
from intel.tagging.normalise import normalise
from intel.text import CJK_CLASS, cjk_bigrams, quote_lexeme
from intel.vocabulary import TLP_ORDER, tlp_allows

FTS_TABLE = "intel_contribution_fts"
# Column weights of bm25 on SQLite, in the FTS5 table's column order; the same
# order of importance as PostgreSQL's A/B/C (title, summary, body, tags).
FTS_WEIGHTS = (10.0, 4.0, 1.0, 4.0)

# A token: a CJK run, or a run of other letters and digits.
_TOKEN = re.compile(f"(?P<cjk>[{CJK_CLASS}]+)|(?P<word>(?:(?![{CJK_CLASS}])[^\\W_])+)")
_QUOTED = re.compile(r'"([^"]*)"?')


@cache
def _stemmer() -> Any:
    return snowballstemmer.stemmer("english")


def stem(word: str) -> str:
    """The English stem of a (normalised) Latin word, as PostgreSQL's `english` reads it."""
    return str(_stemmer().stemWord(word))


@dataclass(frozen=True)
class Clause:
    """One thing every hit must contain: a word, a quoted phrase or a CJK run.

    `segments` are ("word" | "cjk", text) in the order typed.
    """

    segments: tuple[tuple[str, str], ...]

    @property
    def tokens(self) -> list[str]:
        """The analysed tokens in order (Latin words, CJK bigrams)."""
        tokens: list[str] = []
        for kind, value in self.segments:
            tokens.extend(cjk_bigrams(value) if kind == "cjk" else [value])
        return tokens

    @property
    def words(self) -> list[str]:
        return [value for kind, value in self.segments if kind == "word"]

    @property
    def runs(self) -> list[str]:
        return [value for kind, value in self.segments if kind == "cjk"]

    @property
    def prefix(self) -> bool:
        """A lone CJK character: it matches the bigrams it starts."""
        return len(self.segments) == 1 and self.segments[0][0] == "cjk" and len(self.runs[0]) == 1


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.clauses)


def _segments(text: str) -> list[tuple[str, str]]:
    """("cjk" | "word", text) of the normalised `text`, in order."""
    return [(match.lastgroup or "", match.group()) for match in _TOKEN.finditer(text)]


def analyse(text: str) -> list[str]:
    """The tokens of `text` in order: Latin words and the bigrams of each CJK run."""
    tokens: list[str] = []
    for kind, value in _segments(normalise(text or "").text):
        tokens.extend(cjk_bigrams(value) if kind == "cjk" else [value])
    return tokens


def index_text(text: str) -> str:
    """`text` as the SQLite FTS5 table stores it (its tokenizer splits on the spaces)."""
    return " ".join(analyse(text))


def _clause(text: str) -> Clause | None:
    segments = _segments(text)
    return Clause(tuple(segments)) if segments else None


def parse_query(query: str) -> ParsedQuery:
    """Quoted phrases, then every other whitespace-separated word, each a clause (ANDed)."""
    text = normalise(query or "").text
    clauses: list[Clause] = []
    for phrase in _QUOTED.findall(text):
        clause = _clause(phrase)
        if clause:
            clauses.append(clause)
    for word in _QUOTED.sub(" ", text).split():
        # "end-user" is read as "end user" by the normaliser; a word that is
        # several tokens must still keep them together.
        clause = _clause(word)
        if clause:
            clauses.append(clause)
    return ParsedQuery(tuple(clauses))


def fts5_query(parsed: ParsedQuery) -> str:
    """The FTS5 MATCH expression: each clause a quoted phrase, implicitly ANDed."""
    parts = []
    for clause in parsed.clauses:
        phrase = '"' + " ".join(clause.tokens).replace('"', '""') + '"'
        parts.append(phrase + ("*" if clause.prefix else ""))
    return " ".join(parts)


def _postgres_condition(parsed: ParsedQuery) -> tuple[str, list[str]]:
    """A tsquery expression for `parsed`, clauses ANDed.

    A clause's Latin words are a phrase through `english` stemming
    (`phraseto_tsquery` keeps the gap of a stop word) and each of its CJK runs
    a phrase of bigram literals: the index stores the two scripts as separate
    position ranges, so a phrase never spans from one script into the other.
    """
    parts: list[str] = []
    params: list[str] = []
    for clause in parsed.clauses:
        pieces: list[str] = []
        if clause.words:
            pieces.append("phraseto_tsquery('english', %s)")
            params.append(" ".join(clause.words))
        for run in clause.runs:
            pieces.append("%s::tsquery")
            if clause.prefix:
                params.append(f"{quote_lexeme(run)}:*")
            else:
                params.append(" <-> ".join(quote_lexeme(token) for token in cjk_bigrams(run)))
        parts.append("(" + " && ".join(pieces) + ")")
    return "(" + " && ".join(parts) + ")", params


def _postgres_search(queryset: QuerySet[Contribution], parsed: ParsedQuery) -> QuerySet[Any]:
    table = Contribution._meta.db_table
    tsquery, params = _postgres_condition(parsed)
    # Only constant SQL is interpolated; the user's text travels as parameters.
    matches = RawSQL(  # noqa: S611
        f'"{table}"."search_vector" @@ {tsquery}', params, output_field=BooleanField()
    )
    rank = RawSQL(f'ts_rank("{table}"."search_vector", {tsquery})', params)  # noqa: S611
    return queryset.filter(matches).annotate(rank=rank)


def _sqlite_search(queryset: QuerySet[Contribution], parsed: ParsedQuery) -> QuerySet[Any]:
    table = Contribution._meta.db_table
    weights = ", ".join(str(weight) for weight in FTS_WEIGHTS)
    # A join, not `pk IN (…)` plus a correlated bm25 subquery: the subquery runs
    # the full-text query again for every hit (about 45 times slower at 50,000
    # rows with 2,000 hits). The ORM cannot join a virtual table, hence extra();
    # only constant SQL is interpolated, the query travels as a parameter.
    return queryset.extra(  # noqa: S610
        tables=[FTS_TABLE],
        where=[f'{FTS_TABLE}.rowid = "{table}"."id"', f"{FTS_TABLE} MATCH %s"],
        params=[fts5_query(parsed)],
        # bm25 is lower for better hits; negated so "-rank" orders the best first.
        select={"rank": f"-bm25({FTS_TABLE}, {weights})"},
    )


SEARCH_SORTS: dict[str, tuple[str, ...] | None] = {
    "relevance": None,
    "newest": ("-submitted_at", "-pk"),
    "oldest": ("submitted_at", "pk"),
    "observed": ("-date_observed", "-pk"),
    "credibility": ("information_credibility", "-submitted_at"),
}


def tag_exists(slug: str) -> Q:
    """Any tag of that slug: a sector, signal or country of the report, or a kept
    automatic or analyst tag (a commodity, a stage)."""
    slug = slug.strip().lower()
    kept = ContributionTag.objects.filter(contribution=OuterRef("pk"), slug=slug, removed=False)
    return (
        Q(row_exists(ContributionSector, "sector", slug))
        | Q(row_exists(ContributionSignal, "signal", slug))
        | Q(row_exists(ContributionCountry, "country", slug.upper()))
        | Q(Exists(kept))
    )


def search_contributions(
    *,
    user: Any,
    query: str = "",
    sort: str = "",
    tag: str = "",
    attribution: str = "",
    submitted_from: datetime.date | None = None,
    submitted_to: datetime.date | None = None,
    **filters: Any,
) -> QuerySet[Contribution]:
    """Submitted contributions `user` may read that match `query` and the filters.

    `filters` are those of `intel.reports.selectors.filter_contributions`
    (sector, signal, country, statuses, tlp, source_grade, kind, language);
    `tag` is any tag slug, `attribution` the author type (named, organisation,
    anonymous), `submitted_from`/`submitted_to` inclusive days. `sort` is a
    key of `SEARCH_SORTS`; relevance (the default) falls back to newest first
    without a query. The rows come with their text, tags and author joined, so
    a page of results costs the same number of queries whatever its size.
    Callers check that `user` may search (`has_analyst_access`).
    """
    clearance = reader_clearance(user)
    levels = [level for level in TLP_ORDER if tlp_allows(clearance, level)]
    queryset = filter_contributions(submitted_contributions(), **filters).filter(tlp__in=levels)
    if tag:
        queryset = queryset.filter(tag_exists(tag))
    if attribution:
        queryset = queryset.filter(attribution=attribution)
    if submitted_from:
        queryset = queryset.filter(submitted_at__date__gte=submitted_from)
    if submitted_to:
        queryset = queryset.filter(submitted_at__date__lte=submitted_to)
    parsed = parse_query(query)
    ranked = False
    if query.strip():
        if not parsed:
            return queryset.none()
        if connection.vendor == "postgresql":
            queryset = _postgres_search(queryset, parsed)
        else:
            queryset = _sqlite_search(queryset, parsed)
        ranked = True
    order = SEARCH_SORTS.get(sort or "relevance")
    if order is None:
        order = ("-rank", "-submitted_at", "-pk") if ranked else ("-submitted_at", "-pk")
    return (
        with_rows(queryset)
        .select_related("fieldreport", "casestudy", "author")
        .defer("search_vector")  # the index's own column: kilobytes a row, never shown
        .order_by(*order)
    )


# --- Highlighting ------------------------------------------------------------------


@dataclass(frozen=True)
class Highlighter:
    """What to mark for one query: Latin words by stem, CJK runs as substrings."""

    stems: frozenset[str]
    runs: tuple[str, ...]

    @classmethod
    def for_query(cls, query: str) -> Highlighter:
        parsed = parse_query(query)
        words = [word for clause in parsed.clauses for word in clause.words]
        runs = [run for clause in parsed.clauses for run in clause.runs]
        return cls(stems=frozenset(stem(word) for word in words), runs=tuple(runs))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The hits in `text` as merged (start, end) spans of the original string."""
        folded = normalise(text or "")
        found: list[tuple[int, int]] = []
        for match in _TOKEN.finditer(folded.text):
            if match.lastgroup == "word" and stem(match.group()) in self.stems:
                found.append(match.span())
        for run in self.runs:
            start = folded.text.find(run)
            while start != -1:
                found.append((start, start + len(run)))
                start = folded.text.find(run, start + 1)
        merged: list[tuple[int, int]] = []
        for start, end in sorted(folded.original_span(*span) for span in found):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def mark(self, text: str, spans: Iterable[tuple[int, int]] | None = None) -> SafeString:
        """`text`, HTML-escaped, with each hit in `<mark>`."""
        out: list[str] = []
        position = 0
        for start, end in self.spans(text) if spans is None else spans:
            out.append(escape(text[position:start]))
            out.append(f"<mark>{escape(text[start:end])}</mark>")
            position = end
        out.append(escape(text[position:]))
        return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above

    def snippet(self, texts: Iterable[str], *, length: int = 240) -> SafeString:
        """About `length` characters around the first hit of the first text that has
        one (else the start of the first text), with the hits marked."""
        candidates = [text for text in texts if text]
        for text in candidates:
            spans = self.spans(text)
            if spans:
                begin = max(0, spans[0][0] - length // 3)
                # Start at a word boundary when there is one close by.
                space = text.rfind(" ", 0, begin)
                if begin and space != -1 and begin - space < 20:
                    begin = space + 1
                end = min(len(text), begin + length)
                window = [(max(s, begin) - begin, min(e, end) - begin) for s, e in spans
                          if s < end and e > begin]  # fmt: skip
                marked = self.mark(text[begin:end], window)
                return mark_safe(  # noqa: S308 - `marked` is escaped, the dots are constant
                    ("…" if begin else "") + marked + ("…" if end < len(text) else "")
                )
        if not candidates:
            return mark_safe("")
        first = candidates[0]
        cut = first[:length] + ("…" if len(first) > length else "")
        return mark_safe(escape(cut))  # noqa: S308 - escaped


def contribution_texts(contribution: Contribution) -> list[str]:
    """The texts a snippet may come from, most telling first."""
    if contribution.is_report:
        report = contribution.fieldreport
        return [report.summary, report.body]
    study = contribution.casestudy
    return [study.context, study.challenge, study.actions_taken, study.outcome,
            study.lessons_learned]  # fmt: skip


def highlight_page(contributions: Iterable[Contribution], query: str) -> None:
    """Set `title_html` and `snippet_html` on each contribution of the page shown."""
    highlighter = Highlighter.for_query(query)
    for contribution in contributions:
        contribution.title_html = highlighter.mark(contribution.title)  # type: ignore[attr-defined]
        contribution.snippet_html = highlighter.snippet(contribution_texts(contribution))  # type: ignore[attr-defined]
