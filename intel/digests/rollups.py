"""Per-week counts of accepted contributions: read from the rollup when valid, else counted.

One week's counts (`WeekRow`s, all sectors) are computed by one statement
over that week's contributions. On PostgreSQL a closed week's counts are
stored (`intel.models.WeekCount`) and reused while they are valid:

- triggers record every week a transaction changed (`WeekRollupDirty`, see
  migration 0011); a reader that sees such a record for a week, or no
  stored state, recounts the week from the rows, in its own snapshot;
- it then stores the counts and deletes exactly the records it saw. A
  transaction that committed after the reader's snapshot left a record the
  reader did not see, so the week is recounted next time;
- a computation only replaces one from an older or the same snapshot (`snapshot_xmax`),
  and every write is in a savepoint: losing a race to another reader (a
  serialisation failure) costs nothing but the stored copy — the reader
  still answers with the counts it computed.

The current week changes all the time and is always counted from the rows,
as is every week on SQLite (no triggers there). So results never depend on
whether a rollup was used: the tests compare both.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from intel.digests import core
from intel.models import (
    Contribution,
    ContributionCountry,
    ContributionSector,
    ContributionSignal,
    Status,
    WeekCount,
    WeekRollupDirty,
    WeekRollupState,
)


class WeekRow(NamedTuple):
    dimension: str  # "total", "signal" or "country"
    sector: str
    slug: str  # the signal or country; "" for totals
    tlp: str
    kind: str  # totals only
    stage: str  # totals only
    contributions: int


# The `WeekCount` columns of a `WeekRow`, in its order.
WEEK_ROW_FIELDS = ("dimension", "sector", "slug", "tlp", "kind", "stage", "count")


def _count_sql(sector_filter: bool) -> str:
    t = {
        "contribution": Contribution._meta.db_table,
        "sector": ContributionSector._meta.db_table,
        "signal": ContributionSignal._meta.db_table,
        "country": ContributionCountry._meta.db_table,
    }
    materialised = "MATERIALIZED" if connection.vendor == "postgresql" else ""
    only_sector = "AND s.sector = %s" if sector_filter else ""
    return f"""
    WITH rows_in AS {materialised} (
        SELECT c.id, c.tlp, c.kind, c.supply_chain_stage, s.sector
        FROM {t["contribution"]} c
        JOIN {t["sector"]} s ON s.contribution_id = c.id
        WHERE c.status = %s AND c.accepted_at >= %s AND c.accepted_at < %s {only_sector}
    )
    SELECT 'total', sector, '', tlp, kind, COALESCE(supply_chain_stage, ''), COUNT(*)
    FROM rows_in GROUP BY sector, tlp, kind, supply_chain_stage
    UNION ALL
    SELECT 'signal', r.sector, g.signal, r.tlp, '', '', COUNT(*)
    FROM rows_in r JOIN {t["signal"]} g ON g.contribution_id = r.id
    GROUP BY r.sector, g.signal, r.tlp
    UNION ALL
    SELECT 'country', r.sector, k.country, r.tlp, '', '', COUNT(*)
    FROM rows_in r JOIN {t["country"]} k ON k.contribution_id = r.id
    GROUP BY r.sector, k.country, r.tlp
    """  # noqa: S608 - table names and placeholders only; values are parameters


def count_week(week_start: datetime.date, *, sector: str = "") -> list[WeekRow]:
    """The week's counts from the contributions themselves (one statement)."""
    start, end = core.week_bounds(week_start)
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = [Status.ACCEPTED, adapt(start), adapt(end)]
    if sector:
        params.append(sector)
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(bool(sector)), params)
        return [
            WeekRow(dimension, sector_, slug, tlp, kind, stage, int(count))
            for dimension, sector_, slug, tlp, kind, stage, count in cursor.fetchall()
        ]


def _closed(week_start: datetime.date) -> bool:
    return core.week_bounds(week_start)[1] <= timezone.now()


def _store(week_start: datetime.date, rows: list[WeekRow], seen: list[int], xmax: int) -> None:
    """Keep `rows` as the week's counts unless a newer computation is stored (or races us)."""
    try:
        with transaction.atomic():
            # Equal horizons replace too: a later read in the same transaction sees
            # everything the stored computation saw, plus that transaction's own writes.
            replaced = WeekRollupState.objects.filter(
                week_start=week_start, snapshot_xmax__lte=xmax
            ).update(snapshot_xmax=xmax, computed_at=timezone.now())
            if not replaced:
                _state, created = WeekRollupState.objects.get_or_create(
                    week_start=week_start, defaults={"snapshot_xmax": xmax}
                )
                if not created:
                    return  # a computation at least as new is stored
            WeekCount.objects.filter(week_start=week_start).delete()
            WeekCount.objects.bulk_create(
                WeekCount(
                    week_start=week_start, dimension=row.dimension, sector=row.sector,
                    slug=row.slug, tlp=row.tlp, kind=row.kind, stage=row.stage,
                    count=row.contributions,
                )
                for row in rows
            )  # fmt: skip
            WeekRollupDirty.objects.filter(pk__in=seen).delete()
    except DatabaseError:
        # Another reader stored the week at the same time (a serialisation failure
        # or a unique conflict): its counts are as good; ours still answer this read.
        return


def _snapshot_xmax() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
        return int(cursor.fetchone()[0])


def week_rows(
    weeks: Iterable[datetime.date],
    *,
    sector: str = "",
    countries_of: Iterable[datetime.date] | None = None,
) -> dict[datetime.date, list[WeekRow]]:
    """Counts of each week (of one sector, or all), from the rollup where it is valid.

    `countries_of` limits the country rows (the most numerous) to those weeks;
    by default every week has them. Call inside `queries.aggregation_session()`
    so that every week is read in one snapshot. The number of queries does
    not depend on the data: two reads, plus a count and a store per week that
    had to be recounted.
    """
    weeks = sorted(set(weeks))
    with_countries = set(weeks if countries_of is None else countries_of)

    def wanted(week: datetime.date, rows: list[WeekRow]) -> list[WeekRow]:
        return [
            row
            for row in rows
            if (not sector or row.sector == sector)
            and (row.dimension != "country" or week in with_countries)
        ]

    result: dict[datetime.date, list[WeekRow]] = {}
    if connection.vendor != "postgresql":
        return {week: wanted(week, count_week(week, sector=sector)) for week in weeks}
    closed = [week for week in weeks if _closed(week)]
    # The dirty records first: a change they record is then in what is read after.
    dirty: dict[datetime.date, list[int]] = {}
    for pk, week in WeekRollupDirty.objects.filter(week_start__in=closed).values_list(
        "pk", "week_start"
    ):
        dirty.setdefault(week, []).append(pk)
    stored = set(
        WeekRollupState.objects.filter(week_start__in=closed).values_list("week_start", flat=True)
    )
    valid = [week for week in closed if week in stored and week not in dirty]
    if valid:
        queryset = WeekCount.objects.filter(week_start__in=valid)
        if sector:
            queryset = queryset.filter(sector=sector)
        if with_countries != set(weeks):
            queryset = queryset.exclude(
                ~Q(week_start__in=sorted(with_countries)), dimension="country"
            )
        # Tuples, not model instances: a dashboard reads thousands of these rows.
        for week, *fields in queryset.values_list("week_start", *WEEK_ROW_FIELDS):
            result.setdefault(week, []).append(WeekRow(*fields))
    for week in weeks:
        if week in valid:
            result.setdefault(week, [])
            continue
        if week not in closed:
            result[week] = wanted(week, count_week(week, sector=sector))
            continue
        xmax = _snapshot_xmax()
        rows = count_week(week)
        _store(week, rows, dirty.get(week, []), xmax)
        result[week] = wanted(week, rows)
    return result


def levels_only(rows: Sequence[WeekRow], levels: Sequence[str]) -> list[WeekRow]:
    allowed = set(levels)
    return [row for row in rows if row.tlp in allowed]
