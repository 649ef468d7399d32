"""Per-week counts of accepted contributions, kept exact by database triggers.

`WeekCount` holds, for one Tokyo week (Monday 00:00 to Monday 00:00 Asia/Tokyo,
by `accepted_at`), the number of accepted contributions per sector and
handling level: per kind and supply-chain stage (`dimension="total"`), per
signal (`"signal"`) and per country (`"country"`). Digests and sector
dashboards read closed weeks from here instead of scanning their rows.

The rows are a cache with an exact validity rule (`intel.digests.rollups`):
on PostgreSQL, triggers on contributions and their sector, signal and
country rows record every week a statement may have changed
(`WeekRollupDirty`, one row per week and transaction), and a week's counts
are used only while no such record is newer than their computation
(`WeekRollupState`). Any write path — accept, correction, re-tagging,
withdrawal, bulk loads — is covered without calling anything.
"""

from __future__ import annotations

from django.db import models


class WeekCount(models.Model):
    week_start = models.DateField()
    dimension = models.CharField(max_length=8)  # total, signal or country
    sector = models.CharField(max_length=64)
    slug = models.CharField(max_length=64, blank=True)  # the signal or country; "" for totals
    tlp = models.CharField(max_length=16)
    kind = models.CharField(max_length=16, blank=True)  # totals only
    stage = models.CharField(max_length=32, blank=True)  # totals only
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["week_start"], name="intel_weekcount_week_idx")]

    def __str__(self) -> str:
        return f"{self.week_start} {self.dimension} {self.sector} {self.slug} {self.tlp}"


class WeekRollupState(models.Model):
    """When a week's counts were computed: the snapshot's xmax, to keep the newest."""

    week_start = models.DateField(unique=True)
    snapshot_xmax = models.BigIntegerField()
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.week_start} as of xmax {self.snapshot_xmax}"


class WeekRollupDirty(models.Model):
    """A week some transaction changed after its counts were computed (written by triggers)."""

    week_start = models.DateField()
    txid = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week_start", "txid"], name="intel_rollup_dirty_once")
        ]

    def __str__(self) -> str:
        return f"{self.week_start} changed by {self.txid}"
