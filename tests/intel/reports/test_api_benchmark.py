"""`manage.py benchmark api` at a small N: gunicorn answers every request, JSON last."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from intel.benchmarks.api import LoadResult, _figures

# gunicorn reads the rows from its own processes: they must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def test_small_run_serves_the_member_s_reports_without_errors():
    out = StringIO()
    call_command(
        "benchmark", "api", "--reports", "200", "--weeks", "6", "--rate", "20",
        "--seconds", "1", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    figures = json.loads(text.strip().splitlines()[-1])
    assert figures["benchmark"] == "api" and figures["gunicorn_workers"] == 2
    assert figures["gunicorn_threads"] == 1  # the sync worker, as the Docker image runs
    assert set(figures["endpoints"]) == {"report_list", "report_detail"}
    for name, endpoint in figures["endpoints"].items():
        # Every request was answered 200 as the member (not 401/403/429 or a redirect).
        assert endpoint["statuses"] == {"200": 20}, name
        assert endpoint["requests"] == 20 and endpoint["errors"] == 0
        # The server's own CPU for them: something, and less than a second a request.
        assert 0 < endpoint["server_cpu_ms_per_request"] < 1000, name
    assert figures["peer_healthz"]["statuses"] == {"200": 20}
    assert figures["member_reports"] > 0 and isinstance(figures["target_met"], bool)


def test_a_refused_or_failed_request_counts_as_an_error():
    result = LoadResult(latencies=[0.01, 0.02, 0.03])
    for status in ("200", "429", "ConnectionRefusedError"):
        result.count(status)
    result.errors = 2
    figures = _figures(result, 3)
    assert figures["errors"] == 2 and figures["statuses"]["429"] == 1
    assert figures["p50_ms"] == 20.0 and figures["p99_ms"] == 30.0
