"""Bulk tagging: batches give exactly what tagging one report after the other gives.

The bulk path (`contributions_tag`, used by `retag` and the backlog drain) and
the per-report path (`contribution_tag`, one task per submission) are run on
the same reports, and every row they write is compared: automatic tags with
scores and evidence, band keys, signatures, taxonomy versions, similarities
and the cluster partition. Runs on PostgreSQL and on SQLite alike.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intel.models import (
    Contribution,
    ContributionBand,
    ContributionFingerprint,
    ContributionTag,
    DuplicateCluster,
    FieldReport,
)
from intel.tagging import dedup
from intel.tagging.runtime import current_tagger
from intel.tagging.services import (
    MAX_BATCH,
    contribution_tag,
    contribution_text,
    contributions_tag,
)
from intel.tagging.tasks import tag_backlog, tag_contributions
from tests.intel.factories import CaseStudyFactory, FieldReportFactory

pytestmark = pytest.mark.django_db

_WORDS = [
    "gallium",
    "germanium",
    "licence",
    "export",
    "shipment",
    "buyer",
    "distributor",
    "wafer",
    "smelter",
    "refinery",
    "port",
    "customs",
    "ministry",
    "quota",
    "tariff",
    "contract",
    "inventory",
    "supplier",
    "freight",
    "cobalt",
    "lithium",
    "nickel",
    "graphite",
    "magnet",
    "turbine",
    "battery",
    "cathode",
    "anode",
    "shipyard",
    "welder",
    "order",
    "delay",
]
_JA_WORDS = [
    "ガリウム",
    "ゲルマニウム",
    "輸出",
    "許可",
    "出荷",
    "商社",
    "半導体",
    "港湾",
    "税関",
    "経済産業省",
    "在庫",
    "契約",
    "リチウム",
    "ニッケル",
    "黒鉛",
    "磁石",
    "電池",
    "正極材",
    "造船所",
    "溶接工",
    "受注",
    "納期",
    "遅延",
    "調達",
]


def _sentence(rng: random.Random, japanese: bool) -> str:
    if japanese:
        return "".join(rng.choice(_JA_WORDS) for _ in range(8)) + "。"
    words = [rng.choice(_WORDS) for _ in range(12)]
    return " ".join(words).capitalize() + "."


def chain(seed: int = 1) -> list[list[str]]:
    """Four drafts of one text, two sentences rewritten at each step.

    Each is a near-duplicate of the next, but the first and the last are not
    (a test checks it), so tagging them in the order of `corpus` creates two
    clusters that a later report merges.
    """
    rng = random.Random(seed)
    drafts = [[_sentence(rng, False) for _ in range(12)]]
    for step in range(3):
        edited = list(drafts[-1])
        edited[2 * step] = _sentence(rng, False)
        edited[2 * step + 1] = _sentence(rng, False)
        drafts.append(edited)
    return drafts


def corpus(seed: int = 7) -> list[dict[str, str]]:
    """Groups of near-duplicates (a word changed), loners, one text too short, a chain."""
    rng = random.Random(seed)
    texts: list[dict[str, str]] = []
    for group in range(6):
        japanese = group % 3 == 2
        sentences = [_sentence(rng, japanese) for _ in range(10)]
        for copy in range(1 + group % 3):
            edited = list(sentences)
            edited[copy] = _sentence(rng, japanese)
            texts.append(
                {
                    "title": f"Group {group} report {copy}",
                    "summary": edited[0],
                    "body": (" " if not japanese else "").join(edited[1:]),
                }
            )
    texts.append({"title": "Short", "summary": "Gallium.", "body": "Licences delayed."})
    rng.shuffle(texts)
    drafts = chain(seed - 6)
    for step in (0, 0, 3, 3, 1, 2):
        texts.append(
            {"title": "Chain", "summary": drafts[step][0], "body": " ".join(drafts[step][1:])}
        )
    return texts


def stored_reports(author, texts: list[dict[str, str]]) -> list[int]:
    ids = [FieldReportFactory(author=author, **text).pk for text in texts]
    Contribution.objects.filter(pk__in=ids).update(status="submitted", submitted_at=timezone.now())
    return ids


def snapshot(ids: list[int]) -> dict[str, object]:
    """Everything tagging wrote for `ids`, keyed by position so two runs compare."""
    position = {pk: index for index, pk in enumerate(ids)}
    tags = sorted(
        (position[pk], kind, slug, round(score, 9), str(spans))
        for pk, kind, slug, score, spans in ContributionTag.objects.filter(
            contribution_id__in=ids, source="auto"
        ).values_list("contribution_id", "kind", "slug", "score", "spans")
    )
    bands = sorted(
        (position[pk], band, key)
        for pk, band, key in ContributionBand.objects.filter(contribution_id__in=ids).values_list(
            "contribution_id", "band", "key"
        )
    )
    fingerprints = {}
    clusters: dict[int, set[int]] = {}
    for pk, signature, version, similarity, cluster_id in ContributionFingerprint.objects.filter(
        contribution_id__in=ids
    ).values_list("contribution_id", "signature", "taxonomy_version", "similarity", "cluster_id"):
        fingerprints[position[pk]] = (bytes(signature), version, similarity)
        if cluster_id is not None:
            clusters.setdefault(cluster_id, set()).add(position[pk])
    return {
        "tags": tags,
        "bands": bands,
        "fingerprints": fingerprints,
        "clusters": sorted(sorted(members) for members in clusters.values()),
    }


def one_by_one(ids: list[int]) -> None:
    for pk in ids:
        contribution_tag(contribution_id=pk)


def in_batches(size: int) -> Callable[[list[int]], None]:
    def run(ids: list[int]) -> None:
        for start in range(0, len(ids), size):
            contributions_tag(contribution_ids=ids[start : start + size])

    return run


def rewrite(ids: list[int]) -> None:
    """Edits that move reports between clusters: one leaves, one joins, one is emptied."""
    reports = list(FieldReport.objects.filter(pk__in=ids).order_by("pk"))
    clustered = [
        report
        for report in reports
        if ContributionFingerprint.objects.filter(
            contribution=report, cluster__isnull=False
        ).exists()
    ]
    leaver, joiner = clustered[0], reports[-1]
    leaver.body = "An entirely different text about freight rates on the Baltic route. " * 3
    joiner.summary, joiner.body = clustered[1].summary, clustered[1].body
    emptied = reports[1]
    emptied.summary, emptied.body = "Short.", "Too short."
    for report in (leaver, joiner, emptied):
        report.save()


def scenario(author, tag: Callable[[list[int]], None]) -> list[dict[str, object]]:
    """Tag a corpus, rewrite some reports, tag again; snapshots of both rounds."""
    ids = stored_reports(author, corpus())
    tag(ids)
    first = snapshot(ids)
    rewrite(ids)
    tag(ids)
    second = snapshot(ids)
    Contribution.objects.filter(pk__in=ids).delete()
    DuplicateCluster.objects.all().delete()
    return [first, second]


@pytest.mark.parametrize("batch_size", [1, 4, 100])
def test_bulk_path_writes_what_the_per_report_path_writes(contributor, batch_size):
    serial = scenario(contributor, one_by_one)
    bulk = scenario(contributor, in_batches(batch_size))
    for round_serial, round_bulk in zip(serial, bulk, strict=True):
        assert round_bulk == round_serial
    clusters = serial[0]["clusters"]
    assert len(clusters) >= 4, "the corpus forms clusters, so the comparison means something"
    count = len(corpus())
    assert list(range(count - 6, count)) in clusters, "the chain's two clusters were merged"
    assert serial[1]["clusters"] != clusters, "the rewrite moved reports between clusters"


def test_the_chain_needs_a_merge():
    first, *_middle, last = (dedup.signature(" ".join(draft)) for draft in chain())
    assert dedup.similarity(first, last) < dedup.DUPLICATE_THRESHOLD


def test_bulk_path_skips_drafts_and_missing_ids(contributor):
    ids = stored_reports(contributor, corpus()[:3])
    draft = FieldReportFactory(author=contributor)
    tagged = contributions_tag(contribution_ids=[*ids, draft.pk, max(ids) + 1000])
    assert tagged == sorted(ids)
    assert not ContributionFingerprint.objects.filter(contribution=draft).exists()
    assert not ContributionTag.objects.filter(contribution=draft).exists()


def test_bulk_path_keeps_analyst_rows(contributor, analyst, tag_factory):
    ids = stored_reports(contributor, corpus()[:2])
    tag_factory(contribution_id=ids[0], kind="sector", slug="energy", source="analyst",
                score=None, spans=[], created_by=analyst)  # fmt: skip
    contributions_tag(contribution_ids=ids)
    contributions_tag(contribution_ids=ids)
    assert ContributionTag.objects.filter(contribution_id=ids[0], source="analyst").count() == 1


# SQLite splits multi-row inserts at 999 parameters; PostgreSQL does not.
@pytest.mark.postgres
def test_queries_per_batch_do_not_grow_with_the_batch(contributor, django_assert_max_num_queries):
    counts = []
    for seed, copies in ((8, 1), (9, 3)):
        texts = corpus(seed)
        # Tagged first, so the measured batch finds stored near-duplicates, moves
        # stored reports into clusters and creates clusters: the same statements.
        contributions_tag(contribution_ids=stored_reports(contributor, texts))
        ids = stored_reports(contributor, texts * copies)
        assert len(ids) <= MAX_BATCH
        with CaptureQueriesContext(connection) as queries:
            contributions_tag(contribution_ids=ids)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        contributions_tag(contribution_ids=ids)


def test_a_batch_reads_what_it_tags_of_both_kinds_in_one_query(contributor):
    # The batch loads only the fields the tagger reads: one it missed would be
    # read one query per contribution, so the count would grow with the batch.
    counts = []
    for size in (1, 3):
        ids = stored_reports(contributor, corpus(size)[:size])
        ids += [CaseStudyFactory(author=contributor).pk for _ in range(size)]
        Contribution.objects.filter(pk__in=ids).update(
            status="submitted", submitted_at=timezone.now()
        )
        with CaptureQueriesContext(connection) as queries:
            contributions_tag(contribution_ids=ids)
        counts.append(sum('"intel_casestudy"' in q["sql"] for q in queries.captured_queries))
        title, body = contribution_text(Contribution.objects.get(pk=ids[-1]))
        tag = ContributionTag.objects.filter(contribution_id=ids[-1], source="auto")
        assert title.startswith("Dual-sourcing neon") and "neon supplier" in body
        assert tag.filter(kind="sector", slug="semiconductors").exists()
    assert counts[0] == counts[1]


def test_backlog_drain_tags_stale_contributions_in_batches(
    contributor, django_capture_on_commit_callbacks
):
    ids = stored_reports(contributor, corpus()[:5])
    draft = FieldReportFactory(author=contributor)
    contributions_tag(contribution_ids=ids[:2])
    ContributionFingerprint.objects.filter(contribution_id=ids[0]).update(taxonomy_version="old")

    with django_capture_on_commit_callbacks(execute=True):
        queued = tag_backlog()
    assert queued == 4, "the one with an old version and the three never tagged"
    version = current_tagger().taxonomy.version
    assert set(
        ContributionFingerprint.objects.filter(contribution_id__in=ids).values_list(
            "taxonomy_version", flat=True
        )
    ) == {version}
    assert not ContributionFingerprint.objects.filter(contribution=draft).exists()
    assert tag_backlog() == 0, "nothing left to queue"


def test_batch_task_reports_how_many_it_tagged(contributor):
    ids = stored_reports(contributor, corpus()[:3])
    draft = FieldReportFactory(author=contributor)
    assert tag_contributions(contribution_ids=[*ids, draft.pk]) == 3


def test_a_batch_tags_every_field_of_both_kinds(contributor):
    # Each field holds the only evidence of one label, so a field the batch's
    # read of its rows dropped loses that label.
    case = CaseStudyFactory(
        author=contributor,
        title="Notes from a plant visit",
        context="Our wafer fab runs three shifts.",
        challenge="A drought cut the hydropower the site relies on.",
        actions_taken="We moved orders to a partner in Vietnam.",
        outcome="Freight rates on the route doubled.",
        lessons_learned="Keep a second supplier of rare earth magnets.",
        sectors=[],
        countries=[],
    )
    report = FieldReportFactory(
        author=contributor,
        title="Port visit",
        summary="Shipyard order books are full.",
        body="Customs now hold lithium cargoes for inspection.",
    )
    ids = [case.pk, report.pk]
    Contribution.objects.filter(pk__in=ids).update(status="submitted", submitted_at=timezone.now())
    contributions_tag(contribution_ids=ids)
    expected = {
        case.pk: {("sector", "semiconductors"), ("sector", "energy"), ("country", "VN"),
                  ("signal", "price-shock"), ("commodity", "permanent-magnets")},
        report.pk: {("sector", "shipbuilding"), ("commodity", "lithium")},
    }  # fmt: skip
    for pk, labels in expected.items():
        stored = set(
            ContributionTag.objects.filter(contribution_id=pk, source="auto").values_list(
                "kind", "slug"
            )
        )
        assert labels <= stored
