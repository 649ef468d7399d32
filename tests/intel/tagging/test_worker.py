"""Through a real Celery worker on Redis: submitting on the site leads to tags and clusters."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.urls import reverse

from intel.models import ContributionFingerprint, ContributionTag
from tests.intel.factories import FieldReportFactory
from tests.intel.tagging.test_pipeline import GALLIUM

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not finish in time")
        time.sleep(0.1)


def test_site_submission_is_tagged_and_clustered_by_a_real_worker(
    celery_worker, client_for, contributor, other_contributor
):
    first = FieldReportFactory(author=contributor, **GALLIUM)
    second = FieldReportFactory(author=other_contributor, **GALLIUM)
    for author, report in ((contributor, first), (other_contributor, second)):
        response = client_for(author).post(reverse("intel:contribution_submit", args=[report.pk]))
        assert response.status_code == 302

    def both_fingerprinted() -> bool:
        return ContributionFingerprint.objects.filter(contribution__in=[first, second]).count() == 2

    wait_until(both_fingerprinted)
    assert ContributionTag.objects.filter(
        contribution=first, source="auto", kind="signal", slug="export-control"
    ).exists()
    clusters = set(
        ContributionFingerprint.objects.filter(contribution__in=[first, second]).values_list(
            "cluster_id", flat=True
        )
    )
    assert len(clusters) == 1 and None not in clusters
