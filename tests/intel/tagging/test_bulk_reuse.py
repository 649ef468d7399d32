"""Re-tagging an unchanged text reuses what was derived from it, and changes nothing else.

The signature and the specifics of the event anchors of a text are kept from
its last tagging while the digest of the text itself is unchanged; its
automatic tag rows are neither read nor written while the digest of the text
and of the tagger's result is unchanged; a batch that changes no cluster
state (the usual re-tagging) takes no locks. All of these must leave exactly
what computing everything afresh with exclusive locks leaves, and quiet
batches sharing a hot band key must not wait for each other.
"""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from intel.models import (
    Contribution,
    ContributionFingerprint,
    ContributionTag,
    DuplicateCluster,
    FieldReport,
)
from intel.tagging import events, services
from intel.tagging.runtime import current_tagger
from intel.tagging.services import contributions_tag
from tests.intel.tagging.test_bulk import corpus, snapshot, stored_reports

pytestmark = pytest.mark.django_db


def events_of(ids: list[int]) -> list[object]:
    by_pk = dict(
        ContributionFingerprint.objects.filter(contribution_id__in=ids).values_list(
            "contribution_id", "event"
        )
    )
    return [by_pk.get(pk) for pk in ids]


def afresh(ids: list[int]) -> tuple[dict[str, object], list[object]]:
    """What tagging `ids` gives with nothing stored from before: no reuse possible."""
    ContributionFingerprint.objects.filter(contribution_id__in=ids).update(
        text_digest=None, tags_digest=None
    )
    contributions_tag(contribution_ids=ids)
    return snapshot(ids), events_of(ids)


def test_retagging_unchanged_texts_writes_what_computing_afresh_writes(contributor):
    ids = stored_reports(contributor, corpus())
    contributions_tag(contribution_ids=ids)
    fresh = afresh(ids)
    ContributionFingerprint.objects.filter(contribution_id__in=ids).update(taxonomy_version="old")
    contributions_tag(contribution_ids=ids)
    assert (snapshot(ids), events_of(ids)) == fresh
    assert set(
        ContributionFingerprint.objects.filter(contribution_id__in=ids).values_list(
            "taxonomy_version", flat=True
        )
    ) == {current_tagger().taxonomy.version}, "reused or not, every report is re-tagged"
    assert len(snapshot(ids)["clusters"]) >= 4


def test_an_edit_that_only_changes_punctuation_recomputes_the_anchors(contributor):
    text = {
        "title": "Gallium export licences from China",
        "summary": "MOFCOM halted gallium export licences to Japan on 2026-03-01.",
        "body": "Buyers in Japan report delays for gallium shipments of 40 tonnes and more. " * 3,
    }
    (pk,) = stored_reports(contributor, [text])
    contributions_tag(contribution_ids=[pk])
    (before,) = events_of([pk])
    assert "2026-03-01" in before["dates"]

    # The same words and digits, so the same shingles and signature: only the
    # digest of the text itself tells that the date is gone.
    report = FieldReport.objects.get(pk=pk)
    report.summary = report.summary.replace("2026-03-01", "2026/03/01")
    report.save()
    contributions_tag(contribution_ids=[pk])
    (after,) = events_of([pk])
    assert after["dates"] == []
    assert (snapshot([pk]), [after]) == afresh([pk])


def statements_tagging(ids: list[int]) -> list[str]:
    """The SQL of every statement tagging `ids` sends."""
    with CaptureQueriesContext(connection) as queries:
        contributions_tag(contribution_ids=ids)
    return [query["sql"] for query in queries.captured_queries]


def statements_on_tags(ids: list[int]) -> list[str]:
    """The statements tagging `ids` sends that read or write automatic tag rows."""
    table = ContributionTag._meta.db_table
    # The feedback layer's look at analysts' rows (is there anything new?) stays.
    return [sql for sql in statements_tagging(ids) if table in sql and "'analyst'" not in sql]


def test_retagging_with_unchanged_tags_neither_reads_nor_writes_tag_rows(contributor):
    ids = stored_reports(contributor, corpus())
    assert statements_on_tags(ids), "a first tagging writes tag rows"
    tagged = snapshot(ids)["tags"]
    assert statements_on_tags(ids) == []
    assert snapshot(ids)["tags"] == tagged


def test_tag_rows_stored_without_a_digest_are_compared_and_put_right(contributor):
    ids = stored_reports(contributor, corpus())
    contributions_tag(contribution_ids=ids)
    tagged = snapshot(ids)["tags"]
    # What an older version (or anything writing tag rows outside tagging) leaves.
    ContributionTag.objects.filter(contribution_id=ids[0], source="auto").delete()
    ContributionFingerprint.objects.filter(contribution_id__in=ids).update(tags_digest=None)
    assert statements_on_tags(ids)
    assert snapshot(ids)["tags"] == tagged
    assert statements_on_tags(ids) == [], "the digests were stored again"


def test_an_edit_that_only_moves_the_evidence_rewrites_the_spans(contributor):
    text = {
        "title": "Gallium export licences from China",
        "summary": "Buyers in Japan report delays for gallium shipments.",
        "body": "Buyers in Japan report delays for gallium shipments of 40 tonnes. " * 3,
    }
    (pk,) = stored_reports(contributor, [text])
    contributions_tag(contribution_ids=[pk])
    # Spaces collapse when the text is normalised: the tags and their offsets
    # in the normalised title stay as they were, the spans in the title move.
    FieldReport.objects.filter(pk=pk).update(title="Gallium  export licences from China")
    contributions_tag(contribution_ids=[pk])
    spans = dict(
        ContributionTag.objects.filter(contribution_id=pk, source="auto").values_list(
            "slug", "spans"
        )
    )
    assert spans["export-control"] == [
        {"field": "title", "start": 9, "end": 24, "text": "export licences"}
    ]
    assert snapshot([pk]) == afresh([pk])[0]


def tampered_retag(author) -> dict[str, object]:
    """Clusters taken apart behind tagging's back, then re-tagging: the texts,
    bands and anchors are unchanged, so the batch starts quiet, but its plan
    rebuilds clusters."""
    ids = stored_reports(author, corpus())
    contributions_tag(contribution_ids=ids)
    ContributionFingerprint.objects.filter(contribution_id__in=ids).update(
        cluster=None, similarity=None
    )
    contributions_tag(contribution_ids=ids)
    result = snapshot(ids)
    Contribution.objects.filter(pk__in=ids).delete()
    DuplicateCluster.objects.all().delete()
    return result


def test_a_quiet_looking_batch_whose_plan_moves_reports_is_written_in_full(
    contributor, monkeypatch
):
    with monkeypatch.context() as patched:
        patched.setattr(services, "_is_quiet", lambda batch, previous: False)
        exclusive = tampered_retag(contributor)
    verdicts: list[bool] = []
    keeps_state = services._plan_keeps_state

    def spy(*args: object) -> bool:
        verdicts.append(keeps_state(*args))  # type: ignore[arg-type]
        return verdicts[-1]

    monkeypatch.setattr(services, "_plan_keeps_state", spy)
    assert tampered_retag(contributor) == exclusive
    assert len(exclusive["clusters"]) >= 4
    if connection.vendor == "postgresql":
        assert False in verdicts, "the batch started quiet and was placed again"


def signature_reads(ids: list[int]) -> int:
    """How many statements tagging `ids` sends to read its candidates' signatures
    (the batch's own stored state, signatures included, is read in any case)."""
    return sum("text_digest, signature" in sql for sql in statements_tagging(ids))


def halves_sharing_clusters(author) -> tuple[list[int], list[int]]:
    """Two sets of reports tagged and settled, near-duplicates split between them."""
    texts = [text for seed in (7, 8) for text in corpus(seed)]
    # Near-duplicates in both halves: batches of the two share band keys and clusters.
    ids = stored_reports(author, texts[0::2] + texts[1::2])
    contributions_tag(contribution_ids=ids)
    # A report tagged before its near-duplicates gets its similarity when it is
    # re-tagged: from the second tagging on, re-tagging changes nothing.
    contributions_tag(contribution_ids=ids)
    return ids[: len(ids) // 2], ids[len(ids) // 2 :]


@pytest.mark.postgres
def test_a_quiet_batch_reads_a_candidate_signature_once_per_text(contributor):
    first, second = halves_sharing_clusters(contributor)
    expected = snapshot(first + second)
    services._SIGNATURES.clear()
    assert signature_reads(second) == 1, "the first half's signatures, read once"
    assert signature_reads(second) == 0
    assert signature_reads(first) == 1, "the second half's, not yet seen"
    assert snapshot(first + second) == expected


@pytest.mark.postgres
def test_candidate_signatures_are_those_stored_beside_the_digests_of_the_snapshot(contributor):
    ids = stored_reports(contributor, corpus())
    contributions_tag(contribution_ids=ids)
    stored = {
        pk: (bytes(digest), bytes(signature))
        for pk, digest, signature in ContributionFingerprint.objects.filter(
            contribution_id__in=ids
        ).values_list("contribution_id", "text_digest", "signature")
    }
    services._SIGNATURES.clear()
    signatures = services._candidate_signatures({pk: digest for pk, (digest, _s) in stored.items()})
    assert signatures is not None
    assert {pk: bytes(values) for pk, values in signatures.items()} == {
        pk: signature for pk, (_d, signature) in stored.items()
    }
    # A candidate rewritten since the snapshot, one without a digest, one deleted.
    services._SIGNATURES.clear()
    assert services._candidate_signatures({ids[0]: b"\0" * 16}) is None
    assert services._candidate_signatures({ids[0]: None}) is None
    Contribution.objects.filter(pk=ids[1]).delete()
    assert services._candidate_signatures({ids[1]: stored[ids[1]][0]}) is None


@pytest.mark.postgres
def test_a_snapshot_that_cannot_be_completed_is_placed_under_the_locks(contributor, monkeypatch):
    first, second = halves_sharing_clusters(contributor)
    expected = snapshot(first + second)
    assert len(expected["clusters"]) >= 4
    monkeypatch.setattr(services, "_candidate_signatures", lambda digests: None)
    placed: list[int] = []
    place = services._place_in_clusters

    def spy(batch, *args):  # type: ignore[no-untyped-def]
        placed.extend(item.contribution_id for item in batch)
        return place(batch, *args)

    monkeypatch.setattr(services, "_place_in_clusters", spy)
    contributions_tag(contribution_ids=second)
    assert placed == second
    assert snapshot(first + second) == expected


def test_relabelled_anchors_equal_anchors_computed_from_the_text():
    text = "MOFCOM halted 45% of gallium exports worth $120 million on March 1, 2026."
    labels, countries = ["signal:export-control"], ["CN"]
    first = events.anchors(text, language="en", labels=["signal:tariff"], countries=["JP"])
    stored = events.from_stored(json.dumps(first.to_json()))
    assert stored is not None
    assert events.relabelled(
        stored, language="ja", labels=labels, countries=countries
    ) == events.anchors(text, language="ja", labels=labels, countries=countries)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_quiet_batches_sharing_hot_band_keys_do_not_wait_for_each_other(contributor):
    first, second = halves_sharing_clusters(contributor)
    ids = first + second
    expected = snapshot(ids)

    holding, released = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_first_batch_open() -> None:
        try:
            with transaction.atomic():
                services._batch_settings(durable=True)
                services._tag_batch(first)
                holding.set()
                # Keeps its locks until the other batch has finished (or 30 s).
                released.wait(30)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
            holding.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold_first_batch_open)
    thread.start()
    try:
        assert holding.wait(30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # A batch waiting for the open one would fail here, not hang.
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            contributions_tag(contribution_ids=second)
    finally:
        released.set()
        thread.join()
    assert not errors
    assert snapshot(ids) == expected
