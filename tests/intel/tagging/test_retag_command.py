"""`manage.py retag`: re-tags stale contributions in batches, resumable, keeps corrections."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from intel.models import ContributionFingerprint, ContributionTag, TaxonomyLabel
from intel.tagging.runtime import current_tagger
from intel.tagging.services import tag_correct
from tests.intel.tagging.test_pipeline import GALLIUM, submitted_report

pytestmark = pytest.mark.django_db


def retag(*args: str) -> str:
    out = StringIO()
    call_command("retag", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def three_reports(contributor, django_capture_on_commit_callbacks):
    return [
        submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
        for _ in range(3)
    ]


def test_taxonomy_change_makes_reports_stale_and_retag_updates_them(three_reports):
    label = TaxonomyLabel.objects.get(kind="signals", slug="stockpiling")
    label.terms.create(text="drawing on stockpiles", lang="en", weight=2.0)
    new_version = current_tagger().taxonomy.version

    output = retag("--batch-size", "2")
    assert "3 contribution(s) to re-tag" in output
    assert "[###" in output and "100%" in output
    assert "Re-tagged 3 contribution(s)." in output
    assert set(ContributionFingerprint.objects.values_list("taxonomy_version", flat=True)) == {
        new_version
    }
    assert retag().count("Re-tagged 0 contribution(s).") == 1, "nothing left: resumable"


def test_retag_keeps_analyst_corrections(three_reports, analyst):
    report = three_reports[0]
    tag_correct(contribution=report, analyst=analyst, kind="country", slug="CN", present=False)
    retag("--all")
    assert ContributionTag.objects.filter(
        contribution=report, source="analyst", kind="country", slug="CN", removed=True
    ).exists()
    assert not report.country_rows.filter(country="CN").exists()


def test_retag_all_resumes_after_an_id(three_reports):
    first_id = three_reports[0].pk
    output = retag("--all", "--after-id", str(first_id))
    assert "Re-tagged 2 contribution(s)." in output
