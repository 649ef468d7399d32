"""Selectors: the track record behind a source grade."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import timezone

from accounts.selectors import member_track_record

pytestmark = pytest.mark.django_db


def test_track_record_is_zero_for_a_new_member(contributor):
    record = member_track_record(user=contributor)
    assert (record["submitted"], record["accepted"], record["rejected"]) == (0, 0, 0)
    assert (record["corroborated"], record["contradicted"]) == (0, 0)


def test_track_record_counts_the_members_own_contributions(contributor, other_contributor):
    contribution = apps.get_model("intel", "Contribution")
    now = timezone.now()

    def add(author, status, **extra):
        contribution.objects.create(
            kind="case-study", author=author, title="t", status=status, **extra
        )

    add(contributor, "draft")
    add(contributor, "submitted", submitted_at=now)
    add(contributor, "accepted", submitted_at=now, accepted_at=now)
    add(contributor, "accepted", submitted_at=now, accepted_at=now)
    add(contributor, "rejected", submitted_at=now)
    add(other_contributor, "accepted", submitted_at=now, accepted_at=now)
    record = member_track_record(user=contributor)
    assert (record["submitted"], record["accepted"], record["rejected"]) == (4, 2, 1)


def _add(author, status, attribution, **extra):
    apps.get_model("intel", "Contribution").objects.create(
        kind="case-study", author=author, title="t", status=status, attribution=attribution,
        submitted_at=timezone.now(), **extra,
    )  # fmt: skip


def test_track_record_that_analysts_read_leaves_out_anonymous_work(contributor):
    now = timezone.now()
    _add(contributor, "accepted", "named", accepted_at=now)
    _add(contributor, "rejected", "organisation")
    _add(contributor, "accepted", "anonymous", accepted_at=now)
    _add(contributor, "rejected", "anonymous")
    _add(contributor, "submitted", "anonymous")
    record = member_track_record(user=contributor)
    assert (record["submitted"], record["accepted"], record["rejected"]) == (2, 1, 1)


def test_members_own_track_record_includes_their_anonymous_work(contributor):
    _add(contributor, "accepted", "anonymous", accepted_at=timezone.now())
    _add(contributor, "submitted", "named")
    record = member_track_record(user=contributor, include_anonymous=True)
    assert (record["submitted"], record["accepted"], record["rejected"]) == (2, 1, 0)
