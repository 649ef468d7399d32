"""seed_demo adds reports, case studies and requirements once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from intel.models import CaseStudy, Contribution, FieldReport, IntelligenceRequirement

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_intel_in_both_languages_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    counts = (Contribution.objects.count(), IntelligenceRequirement.objects.count())
    assert FieldReport.objects.filter(language="ja").exists()
    assert FieldReport.objects.filter(language="en").exists()
    assert CaseStudy.objects.filter(language="ja").exists()
    statuses = set(Contribution.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "in-review", "changes-requested", "accepted", "rejected",
            "withdrawn"} <= statuses  # fmt: skip
    assert IntelligenceRequirement.objects.filter(status="open").count() >= 3
    assert Contribution.objects.values("sector_rows__sector").distinct().count() >= 5

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert (Contribution.objects.count(), IntelligenceRequirement.objects.count()) == counts
    assert "report (" not in out.getvalue()
