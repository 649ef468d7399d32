"""Per-week counts: the stored rollup always equals a recount from the rows.

Every write path that can move a week's counts — acceptance, an analyst's
tag correction, re-tagging, withdrawal, a moved acceptance time — leaves
the stored counts marked stale by the database triggers, so the next read
recounts; a read with nothing changed uses the stored counts.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from intel.digests import core, rollups
from intel.models import Contribution, WeekCount, WeekRollupDirty, WeekRollupState
from intel.reports.services import report_accept, report_withdraw
from intel.tagging.services import contribution_tag, tag_correct
from tests.intel.digests.data import SECTOR, WEEK, accepted, jst, member
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review, submit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers keep the rollup"),
]


def _read() -> list[rollups.WeekRow]:
    return sorted(rollups.week_rows([WEEK])[WEEK])


def _assert_rollup_is_exact_and_stored() -> list[rollups.WeekRow]:
    rows = _read()
    assert rows == sorted(rollups.count_week(WEEK))
    # The read stored the week and cleared what marked it stale: the rollup is in use.
    assert WeekRollupState.objects.filter(week_start=WEEK).exists()
    assert not WeekRollupDirty.objects.filter(week_start=WEEK).exists()
    assert sorted(_read()) == rows  # a second read uses the stored counts
    return rows


def _count(rows: list[rollups.WeekRow], dimension: str, slug: str = "") -> int:
    return sum(
        r.contributions for r in rows if r.dimension == dimension and (r.slug == slug or not slug)
    )


def _into_week(contribution: Contribution, hour: int) -> None:
    Contribution.objects.filter(pk=contribution.pk).update(accepted_at=jst(WEEK, hour))


def test_rollup_equals_a_recount_after_accept_correct_retag_and_withdraw(contributor, analyst):
    accepted(member("Org A"), at=jst(WEEK, 9), signals=("export-control",))
    rows = _assert_rollup_is_exact_and_stored()
    assert _count(rows, "total") == 1

    # Accepted through the review service, then dated into the (closed) week.
    report = review(submit(FieldReportFactory(author=contributor, sectors=[SECTOR]), contributor),
                    analyst)  # fmt: skip
    assert report_accept(contribution=report, analyst=analyst) == "accepted"
    _into_week(report, 10)
    assert WeekRollupDirty.objects.filter(week_start=WEEK).exists()
    rows = _assert_rollup_is_exact_and_stored()
    assert _count(rows, "total") == 2

    # An analyst's correction of the accepted report's classification.
    report.refresh_from_db()
    tag_correct(contribution=report, analyst=analyst, kind="signal", slug="stockpiling",
                present=True)  # fmt: skip
    tag_correct(contribution=report, analyst=analyst, kind="country", slug="KR", present=True)
    rows = _assert_rollup_is_exact_and_stored()
    assert _count(rows, "signal", "stockpiling") == 1 and _count(rows, "country", "KR") == 1

    # Re-tagging runs the engine over the text again and rewrites the rows it owns.
    contribution_tag(contribution_id=report.pk)
    _assert_rollup_is_exact_and_stored()

    # A level change moves counts between handling levels.
    Contribution.objects.filter(pk=report.pk).update(tlp="red")
    rows = _assert_rollup_is_exact_and_stored()
    assert any(r.tlp == "red" and r.dimension == "total" for r in rows)

    # Withdrawing a submitted report changes no accepted count; the rollup stays exact.
    pending = submit(FieldReportFactory(author=contributor, sectors=[SECTOR]), contributor)
    report_withdraw(contribution=pending, actor=contributor)
    assert _assert_rollup_is_exact_and_stored() == rows

    # Out of the week (accepted later): the week loses it.
    Contribution.objects.filter(pk=report.pk).update(
        accepted_at=jst(WEEK, 9) + datetime.timedelta(days=7)
    )
    rows = _assert_rollup_is_exact_and_stored()
    assert _count(rows, "total") == 1


def test_a_week_changed_after_it_was_stored_is_recounted_not_served_stale():
    author = member("Org A")
    accepted(author, at=jst(WEEK, 9))
    assert _count(_read(), "total") == 1
    stored = WeekCount.objects.filter(week_start=WEEK).count()
    assert stored > 0
    accepted(author, at=jst(WEEK, 11), signals=("tariff",))
    assert _count(_read(), "total") == 2
    assert _count(_read(), "signal", "tariff") == 1


def test_the_current_week_is_counted_from_the_rows_and_never_stored():
    current = core.week_start_of(timezone.now().astimezone(core.TOKYO).date())
    rollups.week_rows([current])
    assert not WeekRollupState.objects.filter(week_start=current).exists()
