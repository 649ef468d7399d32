"""`benchmark tagging --pipeline` on a few reports: every figure printed, nothing left behind."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from intel.models import Contribution, DuplicateCluster
from tests.intel.tagging.test_bulk_race import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_pipeline_benchmark_prints_one_and_two_process_rates_and_cleans_up(monkeypatch):
    # The benchmark's retag processes must reach the test database.
    monkeypatch.setenv("DATABASE_URL", database_url())
    users = User.objects.count()
    out = StringIO()
    call_command(
        "benchmark", "tagging", "--reports", "10", "--seconds", "0.1", "--pipeline",
        "--pipeline-reports", "60", "--celery-reports", "0", stdout=out,
    )  # fmt: skip
    lines = out.getvalue().strip().splitlines()
    assert any("re-tagging, two processes" in line for line in lines)
    figures = json.loads(lines[-1])
    for key in ("engine_reports_per_s", "first_tagging_reports_per_s", "first_retag_reports_per_s",
                "retag_reports_per_s",
                "retag_two_workers_reports_per_s", "two_workers_speedup",
                "retag_reports_per_cpu_s", "retag_two_workers_reports_per_cpu_s"):  # fmt: skip
        assert figures[key] > 0, key
    assert 0 <= figures["two_workers_lock_wait_share"] <= 1
    assert figures["pipeline_reports"] == 60
    assert isinstance(figures["target_met"], bool)
    assert figures["celery_reports_per_s"] is None
    assert Contribution.objects.count() == 0
    assert DuplicateCluster.objects.count() == 0
    assert User.objects.count() == users
