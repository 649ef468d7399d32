"""Two `retag` processes racing on near-duplicates end with the clusters of a serial run.

Each process tags its own half of the ids while near-duplicates sit in both
halves, so their batches compete for the same band keys and clusters. The
result must be the partition one process gets alone: no cluster split in
two, no report left out, no row lost or doubled.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from intel.models import ContributionBand, ContributionFingerprint, ContributionTag
from intel.tagging.services import contributions_tag
from tests.intel.tagging.test_bulk import corpus, stored_reports

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def partition(ids: list[int]) -> list[list[int]]:
    clusters: dict[int, list[int]] = {}
    for pk, cluster_id in ContributionFingerprint.objects.filter(
        contribution_id__in=ids, cluster__isnull=False
    ).values_list("contribution_id", "cluster_id"):
        clusters.setdefault(cluster_id, []).append(pk)
    return sorted(sorted(members) for members in clusters.values())


def row_counts(ids: list[int]) -> tuple[int, int, int]:
    return (
        ContributionFingerprint.objects.filter(contribution_id__in=ids).count(),
        ContributionBand.objects.filter(contribution_id__in=ids).count(),
        ContributionTag.objects.filter(contribution_id__in=ids, source="auto").count(),
    )


def similarities(ids: list[int]) -> dict[int, float | None]:
    return dict(
        ContributionFingerprint.objects.filter(contribution_id__in=ids).values_list(
            "contribution_id", "similarity"
        )
    )


def forget_tagging(ids: list[int]) -> None:
    ContributionFingerprint.objects.filter(contribution_id__in=ids).delete()
    ContributionBand.objects.filter(contribution_id__in=ids).delete()
    ContributionTag.objects.filter(contribution_id__in=ids).delete()


def test_two_processes_racing_give_the_serial_clusters(contributor):
    texts = [text for seed in (7, 8, 9, 10) for text in corpus(seed)]
    # Every near-duplicate group has members in both halves of the id range.
    ids = stored_reports(contributor, texts[0::2] + texts[1::2])
    contributions_tag(contribution_ids=ids)
    serial, serial_rows = partition(ids), row_counts(ids)
    assert len(serial) >= 12
    forget_tagging(ids)

    race(ids, everything=False)
    assert partition(ids) == serial
    assert row_counts(ids) == serial_rows


def race(ids: list[int], *, everything: bool) -> None:
    """Two `retag` processes on the two halves of `ids` at once, in batches of two."""
    middle = ids[len(ids) // 2 - 1]
    env = {**os.environ, "DATABASE_URL": database_url()}
    manage = str(settings.BASE_DIR / "manage.py")
    processes = []
    for after, through in ((ids[0] - 1, middle), (middle, None)):
        command = [sys.executable, manage, "retag", "--batch-size", "2", "--after-id", str(after)]
        if through is not None:
            command += ["--through-id", str(through)]
        if everything:
            command.append("--all")
        processes.append(
            subprocess.Popen(  # noqa: S603 - our own command
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert "Re-tagged" in out


def test_two_processes_re_tagging_unchanged_texts_keep_the_serial_clusters(contributor):
    """The usual re-tagging: every batch is quiet and shares its locks with the other's."""
    texts = [text for seed in (7, 8, 9, 10) for text in corpus(seed)]
    ids = stored_reports(contributor, texts[0::2] + texts[1::2])
    contributions_tag(contribution_ids=ids)
    contributions_tag(contribution_ids=ids)
    serial, serial_rows = partition(ids), row_counts(ids)
    serial_similarities = similarities(ids)

    race(ids, everything=True)
    assert partition(ids) == serial
    assert row_counts(ids) == serial_rows
    assert similarities(ids) == serial_similarities
