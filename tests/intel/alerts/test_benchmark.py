"""`manage.py benchmark alerts`: seeds watches, times matching, JSON last, cleans up."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from intel.models import Watch, WatchTerm

pytestmark = pytest.mark.django_db


def test_benchmark_matches_seeded_watches_and_cleans_up(contributor, watch_for):
    mine = watch_for(contributor, name="Kept", sectors=["critical-minerals"])
    out = StringIO()
    call_command("benchmark", "alerts", "--watches", "300", "--repetitions", "5", stdout=out)
    lines = out.getvalue().strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["benchmark"] == "alerts"
    assert figures["watches"] == 300 and figures["watches_in_database"] == 301
    # Random watches over a small vocabulary: some match the report, most do not.
    assert 0 < figures["matched_watches"] < 301
    assert figures["repetitions"] == 5 and figures["limit_ms"] == 50.0
    assert 0 < figures["median_ms"] <= figures["p95_ms"]
    assert isinstance(figures["target_met"], bool)
    assert any("seeded 300/300" in line for line in lines)
    assert list(Watch.objects.values_list("pk", flat=True)) == [mine.pk]
    assert WatchTerm.objects.filter(watch__user__email__endswith="@bench.invalid").count() == 0
