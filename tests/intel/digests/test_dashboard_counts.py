"""The sector dashboard's counts: one statement, Tokyo week bounds, a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from intel.digests import selectors
from tests.intel.digests.data import SECTOR, WEEK, accepted, jst, member

pytestmark = pytest.mark.django_db

TODAY = WEEK + datetime.timedelta(days=3)


def _dashboard(clearance: str = "red") -> selectors.SectorDashboard:
    return selectors.sector_dashboard(sector=SECTOR, clearance=clearance, today=TODAY)


def test_weeks_are_cut_at_monday_midnight_in_tokyo_and_other_sectors_stay_out():
    author = member("Org A")
    previous = WEEK - datetime.timedelta(days=7)
    accepted(author, at=jst(WEEK, 0, 0, 0), signals=("export-control", "tariff"))
    accepted(author, at=jst(WEEK - datetime.timedelta(days=1), 23, 59, 59), countries=("JP",))
    accepted(author, at=jst(WEEK, 9), sectors=("semiconductors",))
    accepted(author, at=jst(WEEK, 10), sectors=(SECTOR, "semiconductors"), tlp="red")
    dashboard = _dashboard()
    assert dashboard.weeks[-2:] == [previous, WEEK]
    assert dashboard.totals[-2:] == [1, 2]
    assert dict(dashboard.top_signals)["export-control"][-2:] == [1, 2]
    assert dict(dashboard.top_signals)["tariff"][-2:] == [0, 1]
    assert dashboard.signal_mix == [("export-control", 3), ("tariff", 1)]
    assert dashboard.countries == [("CN", 2), ("JP", 1)]
    # A reader cleared to TLP:GREEN does not count the TLP:RED report.
    assert _dashboard("green").totals[-1] == 1
    assert _dashboard("green").signal_mix == [("export-control", 2), ("tariff", 1)]


def test_query_count_does_not_grow_with_the_reports(django_assert_max_num_queries):
    author = member("Org A")
    accepted(author, at=jst(WEEK, 9))
    _dashboard()  # counts and stores the closed weeks
    # SQLite keeps no rollup (no triggers): it counts each of the twelve weeks.
    warm_limit = 12 if connection.vendor == "postgresql" else 12 + selectors.DASHBOARD_WEEKS
    with django_assert_max_num_queries(warm_limit) as warm:
        _dashboard()
    for hour in range(10, 16):
        accepted(author, at=jst(WEEK, hour), signals=("tariff",), countries=("JP", "US"))
    # The changed week is counted again, in a fixed number of statements however many rows.
    with django_assert_max_num_queries(len(warm.captured_queries) + 12):
        dashboard = _dashboard()
    assert dashboard.totals[-1] == 7
    with django_assert_max_num_queries(len(warm.captured_queries)):
        assert _dashboard().totals[-1] == 7
