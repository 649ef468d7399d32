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


def test_public_briefing_counts_what_it_withholds_in_every_part():
    # This week: 2 clear, 3 green and 5 amber reports; a public reader sees the 2.
    composed = compose.compose(briefing("clear", summary="Amber view", summary_tlp="amber"))
    expected = "8 reports above your handling level are not shown."
    for part in (composed.text, composed.html):
        assert expected in part
        assert "The analyst summary is above your handling level and is not shown." in part
        assert "Amber view" not in part
    # The board summary leads with the figures, the withheld count right after them.
    board = composed.text.split("== Operational detail ==")[0]
    assert "2 reports were accepted this week" in board and expected in board


def test_amber_reader_has_nothing_withheld():
    composed = compose.compose(briefing("amber", summary="Amber view", summary_tlp="amber"))
    for part in (composed.text, composed.html):
        assert "above your handling level" not in part
        assert "Amber view" in part


def test_a_week_with_only_hidden_reports_does_not_read_as_empty():
    from intel.briefings.compose import Section
    from intel.digests import core as digest_core
    from intel.digests import text as digest_text
    from tests.intel.briefings.test_compose import ITEMS, PAGE, _labels

    view = digest_core.compose_view(
        meta={"sector": "semiconductors", "sector_label": "Semiconductors", "version": 1},
        snapshot={"totals": {"green": [2, 0, 0, 0, 0]}},
        items=[item for item in ITEMS if item["tlp"] == "green"],
        summary="",
        summary_tlp="clear",
        clearance="clear",
        labels=_labels(),
        sentences=lambda v: digest_text.what_changed(v, language="en"),
    )
    sections = [Section("semiconductors", "Semiconductors", PAGE, view)]
    composed = compose.compose(briefing("clear", sections=sections))
    assert "No reports were accepted this week" not in composed.text
    assert "No reports at your handling level were accepted this week" in composed.text
    assert "2 reports above your handling level are not shown." in composed.text
