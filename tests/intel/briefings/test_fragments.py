"""Briefings assembled from per-sector fragments equal what `compose` renders in one piece."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.utils import translation

from intel.briefings import compose
from intel.briefings.compose import Briefing, Correction, Section
from intel.digests import core as digest_core
from intel.digests import text as digest_text
from tests.intel.briefings.test_compose import ITEMS, PAGE, SNAPSHOT, WEEK, _labels

# "food-security" stands for a label the HTML must escape; "quantum" published nothing.
SECTORS = {
    "semiconductors": "Semiconductors",
    "food-security": "Food & <security> 'tests'",
    "quantum": "Quantum",
    "energy": "Energy",
}
SUMMARIES = {
    "semiconductors": ("A **clear** summary, [linked](https://example.org/a?b=1&c=2).", "clear"),
    "food-security": ("An amber summary: withheld below amber.", "amber"),
    "energy": ("", "clear"),
}
CORRECTION = Correction(
    sector_label="Semiconductors",
    week_start=WEEK,
    version=2,
    note="The licence count was 3, not 30.",
    url="https://intel.example.org/intel/digests/9/",
)


def _view(sector: str, clearance: str, language: str) -> dict[str, Any] | None:
    if sector not in SUMMARIES:
        return None
    summary, summary_tlp = SUMMARIES[sector]
    with translation.override(language):
        return digest_core.compose_view(
            meta={"sector": sector, "sector_label": SECTORS[sector], "version": 1},
            snapshot=SNAPSHOT,
            items=ITEMS,
            summary=summary,
            summary_tlp=summary_tlp,
            clearance=clearance,
            labels=_labels(),
            sentences=lambda v: digest_text.what_changed(v, language=language),
        )


def _briefing(
    sectors: list[str], clearance: str, language: str, corrections: list[Correction]
) -> Briefing:
    return Briefing(
        week_start=WEEK,
        language=language,
        clearance_label=f"TLP:{clearance.upper()}",
        sections=[
            Section(
                sector,
                SECTORS[sector],
                PAGE,
                _view(sector, clearance, language),
                digest_url=f"https://intel.example.org/intel/digests/{sector}/",
            )
            for sector in sectors
        ],
        corrections=corrections,
        archive_url="https://intel.example.org/briefings/",
        subject_prefix="[CIP] ",
    )


SUBSETS = [
    subset
    for size in range(1, len(SECTORS) + 1)
    for subset in itertools.combinations(list(SECTORS), size)
]


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("clearance", ["clear", "green", "amber"])
@pytest.mark.parametrize("corrected", [False, True], ids=["plain", "corrections"])
def test_every_sector_subset_assembles_to_the_one_piece_rendering(clearance, language, corrected):
    corrections = [CORRECTION] if corrected else []
    whole = compose.fragments(_briefing(list(SECTORS), clearance, language, corrections))
    for subset in SUBSETS:
        expected = compose.compose(_briefing(list(subset), clearance, language, corrections))
        assembled = whole.assemble(list(subset))
        assert assembled.subject == expected.subject, subset
        assert assembled.text == expected.text, subset
        assert assembled.html == expected.html, subset


def test_fragments_keep_the_subscriber_links_as_placeholders_and_no_marks():
    whole = compose.fragments(_briefing(list(SECTORS), "green", "en", []))
    composed = whole.assemble(["semiconductors", "energy"])
    for body in (composed.text, composed.html):
        assert compose.PREFERENCES_PLACEHOLDER in body and compose.UNSUBSCRIBE_PLACEHOLDER in body
        assert compose.TITLE_PLACEHOLDER not in body
        assert "briefing-fragment" not in body
    # Only the chosen sectors, and the title escaped where the label needs it.
    assert "Quantum" not in composed.text and "Energy" in composed.text
    odd = whole.assemble(["food-security"])
    assert "Food &amp; &lt;security&gt; 'tests'" in odd.html
    assert "Food & <security> 'tests'" in odd.text and "Food & <security>" in odd.subject
