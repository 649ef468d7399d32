"""`manage.py retag`: re-tags stale contributions in batches, resumable, keeps corrections."""

from __future__ import annotations

import gc
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from intel.management.commands import retag as retag_command
from intel.management.commands.retag import id_ranges
from intel.models import ContributionFingerprint, ContributionTag, TaxonomyLabel
from intel.reports.search import search_contributions
from intel.tagging import dedup
from intel.tagging.runtime import current_tagger, freeze_taggers
from intel.tagging.services import contribution_text, tag_correct
from tests.helpers import signed_in
from tests.intel.tagging.test_bulk_race import database_url
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


def test_retag_reads_the_pending_ids_page_after_page(three_reports, monkeypatch):
    # One batch of two ids per page: the third report is on the second page.
    monkeypatch.setattr(retag_command, "_BATCHES_PER_PAGE", 1)
    output = retag("--all", "--batch-size", "2")
    assert re.findall(r"\b(\d)/3 \(last id (\d+)\)", output) == [
        ("2", str(three_reports[1].pk)),
        ("3", str(three_reports[2].pk)),
    ]
    assert "Re-tagged 3 contribution(s)." in output


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


def auto_rows(report) -> dict[tuple[str, str], int]:
    return {
        (kind, slug): pk
        for kind, slug, pk in ContributionTag.objects.filter(
            contribution=report, source="auto"
        ).values_list("kind", "slug", "pk")
    }


def test_retag_rewrites_only_tags_that_change_and_search_follows(three_reports, analyst):
    reader = signed_in(analyst)
    report, other = three_reports[0], three_reports[1]
    before, other_before = auto_rows(report), auto_rows(other)
    assert before, "the report has automatic tags to keep"
    retag("--all")
    assert auto_rows(report) == before, "unchanged tags keep their rows"
    assert search_contributions(user=reader, query="acquisition").count() == 0

    # Only the tags say "acquisition": the word is in no report's text.
    label = TaxonomyLabel.objects.get(kind="signals", slug="acquisition")
    label.terms.create(text="distributors in osaka", lang="en", weight=3.0)
    other.body = other.body.replace("Osaka", "Kobe")
    other.save()
    retag()

    after = auto_rows(report)
    assert ("signal", "acquisition") in after
    assert set(after) - {("signal", "acquisition")} == set(before)
    assert ("signal", "acquisition") not in auto_rows(other)
    assert set(auto_rows(other)) == set(other_before)
    found = set(search_contributions(user=reader, query="acquisition").values_list("pk", flat=True))
    assert found == {report.pk, three_reports[2].pk}


def test_retag_of_an_edited_text_stores_the_signature_of_the_new_text(three_reports):
    report = three_reports[0]
    old = bytes(ContributionFingerprint.objects.get(contribution=report).signature)
    report.body = "An entirely different text about freight rates on the Baltic route. " * 3
    report.save()
    retag("--all")
    title, body = contribution_text(report)
    stored = bytes(ContributionFingerprint.objects.get(contribution=report).signature)
    assert stored != old
    assert stored == dedup.signature_to_bytes(dedup.signature(f"{title}\n{body}"))


def test_freezing_taggers_warms_a_new_tagger_and_keeps_it_out_of_collections():
    """A long-running tagging process freezes a new tagger once its tables are built."""
    # A new revision of the taxonomy: its tagger is built, and its tables made, in this test.
    label = TaxonomyLabel.objects.get(kind="signals", slug="stockpiling")
    label.terms.create(text="drawing on stockpiles", lang="en", weight=2.0)
    try:
        freeze_taggers()
        tagger = current_tagger(max_age=0)
        frozen = gc.get_freeze_count()
        assert frozen > 0
        tagger.tag("Gallium licences", "Beijing now requires a licence for every shipment.")
        gc.collect()
        # Built on first use, the tables (over 100,000 objects) were made before the freeze.
        assert len(gc.get_objects()) < 20_000
        # Frozen once: a second freeze would take in what was made since.
        assert current_tagger() is tagger and gc.get_freeze_count() <= frozen
    finally:
        freeze_taggers(enabled=False)
    assert gc.get_freeze_count() == 0, "turned off, nothing stays frozen"


def test_retag_leaves_nothing_frozen_in_the_calling_process(three_reports):
    retag("--all")
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("count", [0, 1, 2, 5, 7, 64])
@pytest.mark.parametrize("parts", [1, 2, 3])
def test_id_ranges_share_the_ids_out_once_each_in_order(count, parts):
    ids = [3 * index + 10 for index in range(count)]  # gaps, as deleted rows leave
    ranges = id_ranges(ids, parts)
    covered = [pk for after, through in ranges for pk in ids if after < pk <= through]
    assert covered == ids
    assert len(ranges) <= parts
    sizes = [sum(after < pk <= through for pk in ids) for after, through in ranges]
    assert not sizes or max(sizes) - min(sizes) <= -(-count // parts)


@pytest.mark.parametrize("value", ["0", "-1"])
def test_retag_refuses_fewer_than_one_process(value):
    with pytest.raises(CommandError, match="at least 1"):
        retag("--processes", value)


def test_retag_in_processes_needs_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("the refusal is for SQLite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        retag("--processes", "2")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_retag_in_two_processes_retags_every_report_once(
    contributor, django_capture_on_commit_callbacks, monkeypatch
):
    # The child processes must reach the test database.
    monkeypatch.setenv("DATABASE_URL", database_url())
    reports = [
        submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
        for _ in range(3)
    ]
    ContributionFingerprint.objects.filter(contribution__in=reports).update(taxonomy_version="old")
    out = retag("--processes", "2")
    assert "3 contribution(s) to re-tag in 2 process(es)" in out
    assert "[1] " in out and "[2] " in out
    # Each share re-tags its own reports: the children's counts add up.
    counts = re.findall(r"^\[\d\] Re-tagged (\d+) contribution", out, flags=re.MULTILINE)
    assert len(counts) == 2 and sum(map(int, counts)) == 3
    version = current_tagger(max_age=0).taxonomy.version
    assert set(
        ContributionFingerprint.objects.filter(contribution__in=reports).values_list(
            "taxonomy_version", flat=True
        )
    ) == {version}
    # Nothing is left to do: a second run finds no stale report.
    assert "0 contribution(s) to re-tag" in retag("--processes", "2")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_retag_in_processes_fails_naming_the_shares_that_failed(
    contributor, django_capture_on_commit_callbacks, monkeypatch
):
    reports = [
        submitted_report(contributor, django_capture_on_commit_callbacks, **GALLIUM)
        for _ in range(2)
    ]
    ContributionFingerprint.objects.filter(contribution__in=reports).update(taxonomy_version="old")
    # Children that cannot reach a database fail; the command says which shares.
    url = database_url().rsplit("/", 1)[0] + "/no_such_database_for_retag"
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(CommandError, match=r"2 of 2 process\(es\) failed; run again") as error:
        retag("--processes", "2")
    assert f"--after-id {reports[0].pk - 1} --through-id {reports[0].pk}" in str(error.value)
    assert set(
        ContributionFingerprint.objects.filter(contribution__in=reports).values_list(
            "taxonomy_version", flat=True
        )
    ) == {"old"}
