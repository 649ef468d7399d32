"""Exports and the text part of emails carry text, not markup, whatever an analyst typed."""

from __future__ import annotations

import json

import markdown
import pytest

from intel.digests import text as digest_text
from intel.text import markdown_escape, markdown_to_text, markdown_without_html

HOSTILE = (
    "Supply is **tight** &amp; prices rose.\n\n"
    "<script>alert('x')</script>"
    '<img src="x" onerror="alert(1)">'
    "<div><p>Nested <b>bold <i>and italic</i></b> text</p></div>\n\n"
    "Typed entity: &lt;script&gt; and &quot;quoted&quot; &#x41;&#66;\n\n"
    "- first\n- second\n"
)


def test_text_keeps_the_words_and_drops_every_tag():
    text = markdown_to_text(HOSTILE)
    assert "<" not in text.replace("<script>", "")  # only the typed, decoded entity
    assert "alert" not in text and "onerror" not in text
    assert "Supply is tight & prices rose." in text
    assert "Nested bold and italic text" in text
    # Entities are decoded once: what the page shows, not a second level of decoding.
    assert 'Typed entity: <script> and "quoted" AB' in text
    assert "&amp;" not in text and "&lt;" not in text
    assert "- first\n- second" in text


def test_markdown_without_html_keeps_structure_and_cannot_become_html():
    source = markdown_without_html(HOSTILE)
    assert "**tight**" in source and "- first" in source
    assert "onerror" not in source and "alert" not in source
    rendered = markdown.markdown(source)
    # Rendered again by any Markdown tool, nothing typed becomes a tag.
    assert "<script" not in rendered and "<img" not in rendered and "<div" not in rendered
    assert "&lt;script&gt;" in rendered


@pytest.mark.parametrize(
    "title",
    ["<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "**loud** _x_ `code` & [a]"],
)
def test_escaped_plain_text_renders_as_itself(title):
    rendered = markdown.markdown(markdown_escape(title))
    assert (
        rendered
        == "<p>" + title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"
    )


def _view(summary: str, title: str = "Gallium <b>licences</b>") -> dict:
    return {
        "sector_label": "Critical minerals", "week_start": "2026-10-05", "version": 1,
        "clearance_label": "TLP:GREEN", "summary": summary, "summary_tlp_label": "TLP:CLEAR",
        "what_changed": [], "signals": [], "rising_signals": [], "countries": [], "stages": [],
        "totals": {"accepted": 1, "last_week": 0, "reports": 1, "case_studies": 0,
                   "previous_average": 0.0},
        "items": [{"number": 1, "title": title, "corroboration": 1, "tlp_label": "TLP:GREEN",
                   "score": 50.0, "credibility": 2, "source_grade": "B", "signals": [],
                   "countries": [], "note": "<script>steal()</script>",
                   "contributions": [{"id": 4}]}],
        "requirements": None, "assessment": {"current": None, "previous": None},
    }  # fmt: skip


def test_markdown_export_has_no_raw_html_from_summary_title_or_note():
    document = digest_text.to_markdown(_view(HOSTILE), language="en")
    rendered = markdown.markdown(document)
    for tag in ("<script", "<img", "<div", "<b>"):
        assert tag not in rendered, tag
    assert "Gallium &lt;b&gt;licences&lt;/b&gt;" in rendered
    assert "Supply is <strong>tight</strong> &amp; prices rose." in rendered


def test_json_export_summary_is_text():
    data = json.loads(json.dumps(digest_text.to_json_data(_view(HOSTILE))))
    assert "<" not in data["summary"].replace("<script>", "")
    assert "alert" not in data["summary"] and "Nested bold and italic text" in data["summary"]
    assert "onerror" not in data["summary_markdown"]
    assert "Supply is **tight**" in data["summary_markdown"]
