"""Composition of the weekly briefing: plain data in, subject / text / HTML out.

No database here. The Django layer (`intel.briefings.selectors`) hands in the
week's digest views, each already redacted to the subscriber's clearance by
`intel.digests.selectors.digest_view` — the one place redaction happens — so
nothing composed here can show an item, a figure or a summary above it.

The briefing reads top-down, for boards first and operational teams next:

1. corrections to digests the reader received earlier, if any;
2. the board summary: a few lines per subscribed sector (its class, the top
   developments); a sector with nothing published that week says so;
3. operational detail per sector: the analyst summary (when cleared), the top
   items and highlighted case studies, each linking to the site.

The HTML part is a table layout with every style inlined (css-inline), which
is what common mail clients render; the plain-text part carries the same
content. Links that differ per subscriber (preferences, unsubscribe) are
placeholders, so one rendering serves every subscriber who shares sectors,
clearance, language and corrections; `ComposedBriefing.personalise` fills
them in.

A week's send reuses one rendering for every reader of the same clearance,
language and corrections: `fragments` renders the briefing of every sector
once, marked between sectors, inlines its CSS once, and cuts it into the
frame and one board and one detail fragment per sector; `Fragments.assemble`
joins a reader's sectors by string joining. The result is exactly what
`compose` renders for those sectors (the styles are per-element class
rules, so inlining a fragment in the whole document gives what it gives in
a shorter one), which a test checks against `compose` itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import css_inline
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from community.mail import render_plain_text
from intel.digests.text import withheld_sentence
from intel.text import markdown_to_text, render_markdown

PLACEHOLDER_HOST = "briefing.invalid"
PREFERENCES_PLACEHOLDER = f"https://{PLACEHOLDER_HOST}/preferences-link"
UNSUBSCRIBE_PLACEHOLDER = f"https://{PLACEHOLDER_HOST}/unsubscribe-link"
PLACEHOLDERS = (PREFERENCES_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER)

# How much of each sector the briefing carries.
BOARD_SENTENCES = 2  # "what changed" sentences per sector in the board summary
BOARD_ITEMS = 2  # top item titles per sector in the board summary
DETAIL_ITEMS = 5  # top reports per sector in the detail
CASE_STUDIES = 3  # highlighted case studies per sector
SUBJECT_SECTORS = 3  # sector names in the subject before "+N"

CASE_STUDY = "case-study"

_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


@dataclass(frozen=True)
class Section:
    """One subscribed sector: its digest view for the reader, or None when nothing was published."""

    sector: str
    label: str
    url: str  # the week's briefing page on the site; items link to anchors on it
    view: Mapping[str, Any] | None = None
    digest_url: str = ""  # the full digest on the site


@dataclass(frozen=True)
class Correction:
    """A published correction to a digest this reader received in an earlier briefing."""

    sector_label: str
    week_start: datetime.date
    version: int
    note: str
    url: str


@dataclass(frozen=True)
class Briefing:
    week_start: datetime.date
    language: str
    clearance_label: str
    sections: Sequence[Section]
    corrections: Sequence[Correction] = ()
    archive_url: str = ""
    subject_prefix: str = ""


@dataclass(frozen=True)
class ComposedBriefing:
    subject: str
    text: str
    html: str

    def personalise(self, *, preferences_url: str, unsubscribe_url: str) -> ComposedBriefing:
        """This rendering with one subscriber's links in place of the placeholders."""

        def fill(body: str) -> str:
            return body.replace(PREFERENCES_PLACEHOLDER, preferences_url).replace(
                UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url
            )

        return replace(self, text=fill(self.text), html=fill(self.html))


def item_anchor(sector: str, key: str) -> str:
    return f"item-{sector}-{key}"


def sector_anchor(sector: str) -> str:
    return f"sector-{sector}"


def _item(item: Mapping[str, Any], sector: str, url: str) -> dict[str, Any]:
    return {
        "number": item["number"],
        "title": " ".join(str(item.get("title", "")).split()),
        "tlp": item["tlp"],
        "tlp_label": item["tlp_label"],
        "kind": item.get("kind", ""),
        "kind_label": item.get("kind_label", ""),
        "signals": ", ".join(signal["label"] for signal in item.get("signals", [])),
        "countries": ", ".join(country["name"] for country in item.get("countries", [])),
        "corroboration": int(item.get("corroboration", 1)),
        "note": " ".join(str(item.get("note", "")).split()),
        "anchor": item_anchor(sector, item["key"]),
        "url": f"{url}#{item_anchor(sector, item['key'])}",
    }


def _board(section: Section) -> dict[str, Any]:
    view = section.view
    if view is None:
        return {
            "sector": section.sector,
            "label": section.label,
            "published": False,
            "class_label": "",
            "lines": [],
            "anchor": sector_anchor(section.sector),
        }
    current = (view.get("assessment") or {}).get("current")
    lines = list(view.get("what_changed", []))[:BOARD_SENTENCES]
    for item in list(view.get("items", []))[:BOARD_ITEMS]:
        lines.append(_("Top item: %(title)s") % {"title": " ".join(str(item["title"]).split())})
    return {
        "sector": section.sector,
        "label": section.label,
        "published": True,
        "class_label": str(current["class_label"]) if current else "",
        "lines": lines,
        "anchor": sector_anchor(section.sector),
    }


def _detail(section: Section) -> dict[str, Any]:
    view = section.view
    anchor = sector_anchor(section.sector)
    base = {
        "sector": section.sector,
        "label": section.label,
        "url": section.digest_url or f"{section.url}#{anchor}",
        "anchor": anchor,
        "published": view is not None,
    }
    if view is None:
        return base
    items = [_item(item, section.sector, section.url) for item in view.get("items", [])]
    summary = str(view.get("summary") or "").strip()
    totals = view.get("totals") or {}
    return {
        **base,
        "version": int(view.get("version", 1)),
        # The text part reads the summary as text, the HTML part as sanitised HTML.
        "summary": _text(summary) if summary else "",
        "summary_html": _markdown(summary) if summary else "",
        "summary_tlp_label": view.get("summary_tlp_label", ""),
        "accepted": int(totals.get("accepted", 0)),
        # What the reader may not see is counted, never left to read as zero.
        "withheld": withheld_sentence(view),
        "summary_withheld": bool((view.get("withheld") or {}).get("summary")),
        "what_changed": list(view.get("what_changed", [])),
        "items": [
            {**item, "number": number}
            for number, item in enumerate(
                [item for item in items if item["kind"] != CASE_STUDY][:DETAIL_ITEMS], start=1
            )
        ],
        "case_studies": [item for item in items if item["kind"] == CASE_STUDY][:CASE_STUDIES],
    }


@lru_cache(maxsize=512)
def _markdown(source: str) -> str:
    """The same summary appears in many renderings of a week: convert it once."""
    return render_markdown(source)


@lru_cache(maxsize=512)
def _text(source: str) -> str:
    return markdown_to_text(source)


def week_label(week_start: datetime.date) -> str:
    """The week's first day in the active language's date format."""
    return formats.date_format(week_start, "DATE_FORMAT")


def subject_sectors(labels: Sequence[str]) -> str:
    """The sector names of the subject: the first few, then how many more."""
    names = _(", ").join(labels[:SUBJECT_SECTORS])
    hidden = len(labels) - SUBJECT_SECTORS
    if hidden > 0:
        names = _("%(names)s and %(number)s more") % {"names": names, "number": hidden}
    return names


def subject_for(briefing: Briefing) -> str:
    """One line naming the week and the sectors, in the briefing's language."""
    with translation.override(briefing.language):
        rendered = render_plain_text(
            "emails/briefing_subject.txt",
            {
                "week_label": week_label(briefing.week_start),
                "subject_sectors": subject_sectors([s.label for s in briefing.sections]),
            },
        )
    # A header is one line, whatever the template's whitespace.
    return briefing.subject_prefix + " ".join(rendered.split())


def briefing_context(briefing: Briefing) -> dict[str, Any]:
    """What every rendering of the briefing shows (email parts and the web archive)."""
    with translation.override(briefing.language):
        return {
            "language": briefing.language,
            "week_start": briefing.week_start,
            "week_end": briefing.week_start + datetime.timedelta(days=6),
            "week_label": week_label(briefing.week_start),
            "clearance_label": briefing.clearance_label,
            "corrections": [
                {
                    "sector_label": correction.sector_label,
                    "week_label": week_label(correction.week_start),
                    "version": correction.version,
                    "note": " ".join(correction.note.split()),
                    "url": correction.url,
                }
                for correction in briefing.corrections
            ],
            "board": [_board(section) for section in briefing.sections],
            "sections": [_detail(section) for section in briefing.sections],
            "archive_url": briefing.archive_url,
        }


def _render(
    briefing: Briefing,
    *,
    subject: str,
    title: str,
    preferences_url: str,
    unsubscribe_url: str,
    marks: tuple[str, str] = ("", ""),
) -> tuple[str, str]:
    """The text and HTML templates rendered (text not yet tidied, HTML not yet inlined)."""
    context = {
        **briefing_context(briefing),
        "preferences_url": preferences_url,
        "unsubscribe_url": unsubscribe_url,
        "subject": subject,
        "title": title,
    }
    with translation.override(briefing.language):
        text = render_to_string("emails/briefing_body.txt", {**context, "fragment_mark": marks[0]})
        html = render_to_string("emails/briefing_body.html", {**context, "fragment_mark": marks[1]})
    return text, html


def compose(
    briefing: Briefing,
    *,
    preferences_url: str = PREFERENCES_PLACEHOLDER,
    unsubscribe_url: str = UNSUBSCRIBE_PLACEHOLDER,
) -> ComposedBriefing:
    """The briefing email in the reader's language: subject, plain text and inlined HTML."""
    subject = subject_for(briefing)
    text, html = _render(
        briefing,
        subject=subject,
        title=subject.removeprefix(briefing.subject_prefix),
        preferences_url=preferences_url,
        unsubscribe_url=unsubscribe_url,
    )
    return ComposedBriefing(subject=subject, text=_tidy_text(text), html=_inliner.inline(html))


# --- Fragments: one rendering per clearance, language and corrections -----------------------

# Where the templates' loops start and end a sector; nothing a reader's data can contain.
TEXT_MARK = "\x1ebriefing-fragment\x1e"
HTML_MARK = mark_safe("<!--briefing-fragment-->")  # a comment survives CSS inlining
TITLE_PLACEHOLDER = "briefing-title-placeholder"


@dataclass(frozen=True)
class _Pieces:
    """One rendered part cut at the marks: frame head, board per sector, middle, detail, tail."""

    head: str
    board: Mapping[str, str]
    middle: str
    detail: Mapping[str, str]
    tail: str

    @classmethod
    def cut(cls, rendered: str, mark: str, sectors: Sequence[str]) -> _Pieces:
        pieces = rendered.split(mark)
        count = len(sectors)
        if len(pieces) != 2 * count + 3:
            raise ValueError("the briefing template lost a fragment mark")
        return cls(
            head=pieces[0],
            board=dict(zip(sectors, pieces[1 : count + 1], strict=True)),
            middle=pieces[count + 1],
            detail=dict(zip(sectors, pieces[count + 2 : 2 * count + 2], strict=True)),
            tail=pieces[-1],
        )

    def join(self, sectors: Sequence[str]) -> str:
        return "".join(
            [
                self.head,
                *(self.board[sector] for sector in sectors),
                self.middle,
                *(self.detail[sector] for sector in sectors),
                self.tail,
            ]
        )


def _html_text(value: str) -> str:
    """`value` as the CSS inliner's serialiser writes text (it decodes and re-escapes)."""
    return (
        value.replace("&", "&amp;")
        .replace("\xa0", "&nbsp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


@dataclass(frozen=True)
class Fragments:
    """A briefing of many sectors, rendered once, from which any subset is assembled."""

    briefing: Briefing
    text: _Pieces
    html: _Pieces

    @property
    def sectors(self) -> list[str]:
        return [section.sector for section in self.briefing.sections]

    def assemble(self, sectors: Sequence[str]) -> ComposedBriefing:
        """The briefing of `sectors` (in the rendering's order): what `compose` gives for them."""
        by_sector = {section.sector: section for section in self.briefing.sections}
        subject = subject_for(replace(self.briefing, sections=[by_sector[s] for s in sectors]))
        title = subject.removeprefix(self.briefing.subject_prefix)
        text = self.text.join(sectors).replace(TITLE_PLACEHOLDER, title)
        html = self.html.join(sectors).replace(TITLE_PLACEHOLDER, _html_text(title))
        return ComposedBriefing(subject=subject, text=_tidy_text(text), html=html)


def fragments(briefing: Briefing) -> Fragments:
    """Render `briefing` (every sector a reader may choose) once and cut it per sector."""
    text, html = _render(
        briefing,
        subject=briefing.subject_prefix + TITLE_PLACEHOLDER,
        title=TITLE_PLACEHOLDER,
        preferences_url=PREFERENCES_PLACEHOLDER,
        unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER,
        marks=(TEXT_MARK, HTML_MARK),
    )
    sectors = [section.sector for section in briefing.sections]
    return Fragments(
        briefing=briefing,
        text=_Pieces.cut(text, TEXT_MARK, sectors),
        html=_Pieces.cut(_inliner.inline(html), HTML_MARK, sectors),
    )


def _tidy_text(text: str) -> str:
    """The plain-text part without template whitespace: no trailing spaces, single blank lines."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and tidy and not tidy[-1]:
            continue
        tidy.append(line)
    return "\n".join(tidy) + "\n"
