"""`manage.py benchmark pages` at a small N: every page answers 200, figures and JSON last."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intel.models import Contribution, Digest
from tests.intel.factories import FieldReportFactory

pytestmark = pytest.mark.django_db

PAGES = {"sector_dashboard", "review_queue", "search_en", "search_ja", "digest"}


def _run(*args: str) -> tuple[str, dict]:
    out = StringIO()
    call_command("benchmark", "pages", *args, stdout=out)
    text = out.getvalue()
    return text, json.loads(text.strip().splitlines()[-1])


def test_small_run_measures_every_page_as_an_analyst():
    text, figures = _run("--reports", "300", "--weeks", "6", "--queue", "20", "--requests", "3")
    assert figures["benchmark"] == "pages" and figures["reports"] == 300
    assert figures["in_review"] == 20
    assert set(figures["pages"]) == PAGES
    for name, page in figures["pages"].items():
        # A 200, not a redirect to the sign-in or second-factor page: the analyst is signed in.
        assert page["statuses"] == [200], name
        assert page["queries"] > 0, name
        assert page["p50_ms"] <= page["p95_ms"] <= page["p99_ms"]
    assert figures["peer_healthz"]["statuses"] == [200]
    assert figures["worst_p95_ms"] == max(page["p95_ms"] for page in figures["pages"].values())
    assert isinstance(figures["target_met"], bool)
    assert "review_queue" in text
    assert Contribution.objects.filter(status="submitted").count() == 20
    assert Digest.objects.filter(sector="semiconductors").exists()


def test_refuses_to_load_into_a_database_with_contributions(contributor):
    FieldReportFactory(author=contributor)
    with pytest.raises(CommandError, match="already holds 1 contributions"):
        _run("--reports", "10")
