"""The briefing email's text part carries the summary as text; withheld items read as withheld."""

from __future__ import annotations

from intel.briefings import compose
from tests.intel.briefings.test_compose import briefing
from tests.intel.test_export_text import HOSTILE


def test_text_part_carries_the_summary_as_text():
    composed = compose.compose(briefing(summary=HOSTILE, summary_tlp="clear"))
    assert "Supply is tight & prices rose." in composed.text
    assert "Nested bold and italic text" in composed.text
    for markup in ("**", "&amp;", "<b>", "<div", "onerror", "alert"):
        assert markup not in composed.text, markup
    # The HTML part still renders the Markdown, sanitised.
    assert "<strong>tight</strong>" in composed.html and "onerror" not in composed.html
