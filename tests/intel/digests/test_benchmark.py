"""`manage.py benchmark digests` at a small N, and its refusals."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from intel.benchmarks import digests as bench
from intel.models import Contribution, Digest
from tests.intel.factories import FieldReportFactory

pytestmark = pytest.mark.django_db


def _run(*args):
    out = StringIO()
    call_command("benchmark", "digests", *args, stdout=out)
    return out.getvalue()


def test_small_benchmark_loads_builds_and_prints_json_last():
    text = _run("--reports", "400", "--weeks", "6", "--repeat", "1")
    figures = json.loads(text.strip().splitlines()[-1])
    assert figures["benchmark"] == "digests"
    assert figures["reports"] == 400 and figures["sectors"] == 14
    assert figures["build_all_s"] < 5 and figures["items"] > 0
    assert "loaded 400/400 reports" in text
    assert Contribution.objects.filter(status="accepted").count() == 400
    assert Digest.objects.filter(week_start=figures["week_start"]).count() == 14
    # --no-load times the same data again without adding any.
    again = json.loads(_run("--no-load", "--repeat", "1").strip().splitlines()[-1])
    assert again["reports"] == 400 and again["loaded"] == 0


def test_refuses_to_load_into_a_database_with_contributions(contributor):
    FieldReportFactory(author=contributor)
    with pytest.raises(CommandError, match="already holds 1 contributions"):
        _run("--reports", "10")


def test_refuses_no_load_on_an_empty_database():
    with pytest.raises(CommandError, match="no contributions"):
        _run("--no-load")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite limit")
def test_refuses_large_loads_on_sqlite():
    with pytest.raises(CommandError, match="at most 50,000"):
        bench.run(
            stdout=StringIO(),
            options={
                "reports": 50_001,
                "weeks": 20,
                "repeat": 1,
                "seed": 1,
                "yes": True,
                "no_load": False,
            },
        )
