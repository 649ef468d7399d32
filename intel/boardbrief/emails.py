"""The weekly email of a "board summary only" subscriber: each sector's board brief, then links.

The sending code hands in the same `intel.briefings.compose.Briefing` as for
the full briefing (its digest views already redacted to the subscriber's
clearance); this module swaps the body for the board briefs of those views
and keeps compose's placeholders for the personal links, so one rendering
serves every subscriber with the same sectors, clearance and language.
"""

from __future__ import annotations

from typing import Any

import css_inline
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from community.links import absolute_url
from community.mail import render_plain_text
from intel.boardbrief import selectors
from intel.briefings import compose

_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def _sections(briefing: compose.Briefing) -> list[dict[str, Any]]:
    digests = [section.view for section in briefing.sections if section.view is not None]
    questions = selectors.board_briefs_of_views(digests)
    sections = []
    for section in briefing.sections:
        entry: dict[str, Any] = {"label": section.label, "digest_url": section.digest_url}
        if section.view is not None:
            entry["brief"] = selectors.brief_from_view(
                dict(section.view),
                brief=questions.get((section.sector, section.view["week_start"])),
                language=briefing.language,
            )
            entry["brief_url"] = absolute_url(
                reverse("intel:board_brief", args=[section.view["id"]])
            )
        sections.append(entry)
    return sections


def compose_board_briefing(briefing: compose.Briefing) -> compose.ComposedBriefing:
    """Subject, plain text and inlined HTML of the board summary email."""
    with translation.override(briefing.language):
        context = {
            "language": briefing.language,
            "week_label": compose.week_label(briefing.week_start),
            "clearance_label": briefing.clearance_label,
            "corrections": [
                {
                    "sector_label": correction.sector_label,
                    "week_label": compose.week_label(correction.week_start),
                    "version": correction.version,
                    "note": " ".join(correction.note.split()),
                    "url": correction.url,
                }
                for correction in briefing.corrections
            ],
            "sections": _sections(briefing),
            "archive_url": briefing.archive_url,
            "preferences_url": compose.PREFERENCES_PLACEHOLDER,
            "unsubscribe_url": compose.UNSUBSCRIBE_PLACEHOLDER,
        }
        subject_line = render_plain_text(
            "emails/board_briefing_subject.txt",
            {
                "week_label": context["week_label"],
                "subject_sectors": compose.subject_sectors(
                    [section.label for section in briefing.sections]
                ),
            },
        )
        # A header is one line, whatever the template's whitespace.
        title = " ".join(subject_line.split())
        context["title"] = title
        text = render_to_string("emails/board_briefing_body.txt", context)
        html = render_to_string("emails/board_briefing_body.html", context)
    return compose.ComposedBriefing(
        subject=briefing.subject_prefix + title,
        text=_tidy(text),
        html=_inliner.inline(html),
    )


def _tidy(text: str) -> str:
    """No trailing spaces and no runs of blank lines left by the template."""
    lines: list[str] = []
    for line in (raw.rstrip() for raw in text.strip().splitlines()):
        if not line and lines and not lines[-1]:
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"
