"""Celery task of the digests: the weekly build (Monday 06:00 Asia/Tokyo, `CELERY_BEAT_SCHEDULE`).

Kept out of `intel/tasks.py` (tagging) and registered through `CELERY_IMPORTS`.
Thin and idempotent: it picks the week and calls the service, which refreshes
open drafts and leaves published digests alone, so a redelivered or repeated
run is harmless. `acks_late` and retries come from the project defaults.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from intel.digests import core as digest_core
from intel.digests.services import digests_build_week


@shared_task(name="intel.build_weekly_digests")
def build_weekly_digests(week_start: str | None = None) -> dict[str, int | str]:
    """Build every sector's digest for `week_start` (ISO date), by default the week just ended."""
    week = (
        digest_core.week_start_of(datetime.date.fromisoformat(week_start))
        if week_start
        else digest_core.last_full_week(timezone.now())
    )
    results = digests_build_week(week_start=week)
    summary: dict[str, int | str] = {"week_start": week.isoformat()}
    for result in results:
        summary[result.outcome] = int(summary.get(result.outcome, 0)) + 1
    return summary
