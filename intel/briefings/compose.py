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
from django.utils.translation import gettext as _

from community.mail import render_plain_text
from intel.digests.text import withheld_sentence
from intel.text import markdown_to_text, render_markdown

PREFERENCES_PLACEHOLDER = "https://briefing.invalid/preferences-link"
UNSUBSCRIBE_PLACEHOLDER = "https://briefing.invalid/unsubscribe-link"

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


def compose(
    briefing: Briefing,
    *,
    preferences_url: str = PREFERENCES_PLACEHOLDER,
    unsubscribe_url: str = UNSUBSCRIBE_PLACEHOLDER,
) -> ComposedBriefing:
    """The briefing email in the reader's language: subject, plain text and inlined HTML."""
    context = {
        **briefing_context(briefing),
        "preferences_url": preferences_url,
        "unsubscribe_url": unsubscribe_url,
    }
    subject = subject_for(briefing)
    context["subject"] = subject
    context["title"] = subject.removeprefix(briefing.subject_prefix)
    with translation.override(briefing.language):
        text = render_to_string("emails/briefing_body.txt", context)
        html = render_to_string("emails/briefing_body.html", context)
    return ComposedBriefing(subject=subject, text=_tidy_text(text), html=_inliner.inline(html))


def _tidy_text(text: str) -> str:
    """The plain-text part without template whitespace: no trailing spaces, single blank lines."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and tidy and not tidy[-1]:
            continue
        tidy.append(line)
    return "\n".join(tidy) + "\n"
