"""seed_demo gives every sector an assessment and builds this week's digests, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from intel.models import Digest, SectorAssessment
from intel.vocabulary import Sector

pytestmark = pytest.mark.django_db


def test_seed_demo_assesses_sectors_and_builds_digests_idempotently(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    assert set(SectorAssessment.objects.values_list("sector", flat=True)) == set(Sector.values)
    # Drafts only where the demo week has material; never an empty draft.
    assert Digest.objects.exists()
    assert all(digest.items.exists() for digest in Digest.objects.all())
    published = Digest.objects.get(status="published")
    assert published.sector == "critical-minerals" and published.summary
    assert published.items.exists()
    counts = (SectorAssessment.objects.count(), Digest.objects.count(), published.updated_at)

    out = StringIO()
    call_command("seed_demo", stdout=out)
    published.refresh_from_db()
    assert (SectorAssessment.objects.count(), Digest.objects.count(), published.updated_at) == (
        counts
    )
    assert "published digest" not in out.getvalue()
