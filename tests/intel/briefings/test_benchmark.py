"""`manage.py benchmark briefings`: the real send path to a counting SMTP server, JSON last."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intel.models import BriefingWeek, Delivery, Digest, Subscription

pytestmark = pytest.mark.django_db


def benchmark(*args: str) -> tuple[list[str], dict[str, object]]:
    out = StringIO()
    call_command("benchmark", "briefings", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    return lines, json.loads(lines[-1])


def test_benchmark_sends_one_email_per_subscriber_and_cleans_up():
    lines, figures = benchmark(
        "--subscribers", "40", "--chunk-size", "15", "--processes", "1", "--sink-processes", "2"
    )
    assert figures["benchmark"] == "briefings"
    assert figures["sent"] == 40 and figures["failed"] == 0
    assert figures["chunks"] == 3 and figures["smtp_connections"] == 3
    assert figures["deliveries_marked_sent"] == 40
    assert figures["emails_per_s"] > 0 and figures["peak_rss_mb"] > 0
    # The sink's bare limit is measured in the same run, and the target is judged on both.
    assert figures["bare_limit_emails_per_s"] > 0 and figures["sink_processes"] >= 1
    assert figures["share_of_bare_limit"] == pytest.approx(
        figures["emails_per_s"] / figures["bare_limit_emails_per_s"], abs=0.01
    )
    assert isinstance(figures["target_met"], bool)
    assert any("bare limit" in line for line in lines)
    assert any("chunk 3/3" in line for line in lines)
    assert not Subscription.objects.exists() and not Digest.objects.exists()
    assert not Delivery.objects.exists() and not BriefingWeek.objects.exists()


def test_benchmark_refuses_a_database_with_real_subscribers(subscription_factory):
    subscription_factory(email="real@example.org", status="unsubscribed")
    with pytest.raises(CommandError, match="throwaway database"):
        benchmark("--subscribers", "5", "--processes", "1")
    assert list(Subscription.objects.values_list("email", flat=True)) == ["real@example.org"]
    assert not Digest.objects.exists()
