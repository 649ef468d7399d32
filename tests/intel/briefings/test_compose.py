"""The briefing's pure composition: plain data in, subject / text / HTML out (no database)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import translation

from intel.briefings import compose
from intel.briefings.compose import Briefing, Correction, Section
from intel.digests import core as digest_core
from intel.digests import text as digest_text

WEEK = datetime.date(2026, 11, 16)
PAGE = "https://intel.example.org/briefings/2026-11-16/"


def _labels() -> digest_core.Labels:
    same = str
    return digest_core.Labels(
        sector=same,
        signal=lambda slug: slug.replace("-", " ").capitalize(),
        country=lambda code: {"JP": "Japan", "CN": "China"}.get(code, code),
        stage=same,
        kind=lambda kind: {"report": "Field report", "case-study": "Case study"}[kind],
        tlp=lambda level: f"TLP:{level.upper()}",
        sector_class=lambda value: {"green": "Green: diversify"}.get(value, value),
    )


def _item(position: int, tlp: str, title: str, kind: str = "report") -> dict[str, Any]:
    return {
        "key": f"r{position}",
        "position": position,
        "tlp": tlp,
        "score": 80 - position,
        "dropped": False,
        "stale": False,
        "note": "",
        "data": {
            "title": title,
            "kind": kind,
            "signals": ["export-control"],
            "countries": ["JP", "CN"],
            "corroboration": 2,
            "members": [{"id": position, "tlp": tlp, "kind": kind}],
        },
    }


ITEMS = [
    _item(1, "amber", "Amber: a named supplier"),
    _item(2, "clear", "Clear: licences delayed"),
    _item(3, "green", "Green: members' supplier list"),
    _item(4, "clear", "Clear case: dual sourcing", kind="case-study"),
    _item(5, "red", "Red case: rescue talks", kind="case-study"),
]
SNAPSHOT = {
    "totals": {"clear": [2, 1, 0, 0, 0], "green": [3, 0, 0, 0, 0], "amber": [5, 0, 0, 0, 0]},
    "assessment": {
        "current": {
            "sector_class": "green",
            "autonomy": 2,
            "indispensability": 3,
            "rationale": "Single-country dependence.",
            "assessed_at": "2026-11-10T00:00:00+09:00",
        }
    },
}


def view(clearance: str, *, summary: str = "", summary_tlp: str = "clear") -> dict[str, Any]:
    """A digest redacted to `clearance` by the digests' own pure core."""
    return digest_core.compose_view(
        meta={"sector": "semiconductors", "sector_label": "Semiconductors", "version": 1},
        snapshot=SNAPSHOT,
        items=ITEMS,
        summary=summary,
        summary_tlp=summary_tlp,
        clearance=clearance,
        labels=_labels(),
        sentences=lambda v: digest_text.what_changed(v, language="en"),
    )


def briefing(
    clearance: str = "clear",
    *,
    sections: list[Section] | None = None,
    corrections: list[Correction] | None = None,
    language: str = "en",
    summary: str = "",
    summary_tlp: str = "clear",
) -> Briefing:
    return Briefing(
        week_start=WEEK,
        language=language,
        clearance_label=f"TLP:{clearance.upper()}",
        sections=sections
        if sections is not None
        else [
            Section(
                "semiconductors",
                "Semiconductors",
                PAGE,
                view(clearance, summary=summary, summary_tlp=summary_tlp),
            )
        ],
        corrections=corrections or [],
        archive_url="https://intel.example.org/briefings/",
        subject_prefix="[CIP] ",
    )


def test_items_above_clearance_leave_no_trace():
    composed = compose.compose(briefing("clear"))
    for body in (composed.text, composed.html):
        assert "Clear: licences delayed" in body and "Clear case: dual sourcing" in body
        assert "Amber" not in body and "Green: members" not in body and "Red case" not in body
        assert "TLP:AMBER" not in body and "TLP:GREEN" not in body and "TLP:RED" not in body
        # Counts are of what the reader may see: 2 clear reports, not 10.
        assert "2 reports were accepted this week, up from 1 last week." in body
        assert not re.search(r"\b(5|10) reports\b", body)


def test_green_reader_sees_green_but_not_amber():
    composed = compose.compose(briefing("green"))
    assert "Green: members' supplier list" in composed.text
    assert "Amber" not in composed.text and "Red case" not in composed.text


def test_a_summary_above_clearance_is_left_out():
    hidden = compose.compose(briefing("green", summary="Amber view", summary_tlp="amber"))
    assert "Amber view" not in hidden.text and "Analyst summary" not in hidden.text
    shown = compose.compose(briefing("amber", summary="Amber view", summary_tlp="amber"))
    assert "Analyst summary (TLP:AMBER):" in shown.text and "Amber view" in shown.text


def test_board_summary_first_then_operational_detail():
    text = compose.compose(briefing("clear")).text
    board, detail = text.index("== Board summary =="), text.index("== Operational detail ==")
    assert board < detail
    board_part = text[board:detail]
    assert "Semiconductors — Green: diversify" in board_part
    assert "Top item: Clear: licences delayed" in board_part
    assert "Case studies:" in text[detail:]


def test_items_link_to_their_anchor_on_the_site():
    composed = compose.compose(briefing("clear"))
    assert f"{PAGE}#item-semiconductors-r2" in composed.text
    assert f'href="{PAGE}#item-semiconductors-r4"' in composed.html
    # Reports are numbered among themselves; case studies are listed apart.
    assert "1. Clear: licences delayed [TLP:CLEAR]" in composed.text


def test_a_sector_with_nothing_published_says_so():
    sections = [
        Section("semiconductors", "Semiconductors", PAGE, view("clear")),
        Section("quantum", "Quantum", PAGE, None),
    ]
    composed = compose.compose(briefing(sections=sections))
    assert composed.text.count("Nothing was published for this sector this week.") == 2
    assert composed.html.count("Nothing was published for this sector this week.") == 2


def test_subject_names_the_week_and_the_sectors():
    labels = ["Batteries", "Energy", "Quantum", "Space", "Robotics"]
    sections = [Section(label.lower(), label, PAGE, None) for label in labels]
    subject = compose.compose(briefing(sections=sections)).subject
    assert subject == (
        "[CIP] Weekly briefing, week of 2026-11-16: Batteries, Energy, Quantum and 2 more"
    )


def test_corrections_lead_the_briefing():
    correction = Correction(
        sector_label="Semiconductors",
        week_start=WEEK - datetime.timedelta(days=7),
        version=2,
        note="The count was 3, not 30.",
        url="https://intel.example.org/intel/digests/9/",
    )
    composed = compose.compose(briefing(corrections=[correction]))
    text = composed.text
    assert text.index("== Corrections ==") < text.index("== Board summary ==")
    assert "Semiconductors, week of 2026-11-09 (corrected in version 2): The count was 3" in text
    assert composed.html.index("The count was 3") < composed.html.index("Board summary")


def test_personalise_fills_both_links_in_both_parts():
    composed = compose.compose(briefing()).personalise(
        preferences_url="https://x.example/p/abc", unsubscribe_url="https://x.example/u/def"
    )
    for body in (composed.text, composed.html):
        assert "https://x.example/p/abc" in body and "https://x.example/u/def" in body
        assert compose.PREFERENCES_PLACEHOLDER not in body
        assert compose.UNSUBSCRIBE_PLACEHOLDER not in body


def test_html_has_inlined_css_in_a_table_layout():
    html = compose.compose(briefing()).html
    assert "<style" not in html
    assert re.search(r'<table[^>]*role="presentation"[^>]*style="[^"]*border-collapse', html)
    assert re.search(r'<td class="masthead" style="[^"]*background: #10263d', html)


def test_summary_markdown_is_sanitised():
    composed = compose.compose(
        briefing(summary="**Bold** <script>alert(1)</script>", summary_tlp="clear")
    )
    assert "<strong>Bold</strong>" in composed.html and "<script" not in composed.html


def test_japanese_briefing():
    with translation.override("ja"):
        sections = [Section("semiconductors", "半導体", PAGE, None)]
    composed = compose.compose(briefing(sections=sections, language="ja"))
    assert composed.subject.startswith("[CIP] 週次ブリーフィング")
    assert "2026年11月16日" in composed.subject and "半導体" in composed.subject
    assert "取締役会向け要約" in composed.text
    assert "この週、このセクターについて公開されたものはありません。" in composed.text


def test_subject_and_text_are_not_html_escaped_but_html_is():
    sections = [Section("space", "Space & <orbit>", PAGE, None)]
    composed = compose.compose(briefing(sections=sections))
    assert composed.subject.endswith("Space & <orbit>")
    assert "Space & <orbit>" in composed.text
    assert "Space &amp; &lt;orbit&gt;" in composed.html and "<orbit>" not in composed.html
