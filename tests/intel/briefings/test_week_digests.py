"""The week's reader views, read once for every clearance, are what `digest_view` gives."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intel.briefings import selectors
from intel.digests.selectors import digest_view
from tests.intel.digests.factories import WEEK

pytestmark = pytest.mark.django_db


def test_every_view_of_the_week_equals_digest_view_and_costs_two_queries(analyst, digest_factory):
    original = digest_factory(sector="semiconductors", published_by=analyst, summary_tlp="amber")
    digest_factory(
        sector="semiconductors",
        published_by=analyst,
        version=2,
        previous=original,
        correction_note="Corrected count.",
    )
    energy = digest_factory(sector="energy", published_by=analyst)
    # The superseded original too, so the view's "superseded by" is exercised.
    week = selectors.WeekDigests(
        WEEK, {"semiconductors": original, "energy": energy, "quantum": None}
    )
    with CaptureQueriesContext(connection) as queries:
        views = {
            (sector, clearance, language): week.view(sector, clearance, language)
            for sector in ("semiconductors", "energy", "quantum")
            for clearance in ("clear", "green", "amber", "red")
            for language in ("en", "ja")
        }
    assert len(queries.captured_queries) == 2  # the items and the corrections, once
    for (sector, clearance, language), view in views.items():
        digest = week.digests[sector]
        if digest is None:
            assert view is None
            continue
        assert view == digest_view(digest=digest, clearance=clearance, language=language)
    assert views[("semiconductors", "clear", "en")]["superseded_by"] is not None
