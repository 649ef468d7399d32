"""The weekly build's reads: every figure of every sector's digest in a handful of statements.

Each statement covers all requested sectors at once and does its work in the
database (GROUP BY, COUNT(DISTINCT …), ROW_NUMBER() OVER …), so the cost of a
build depends on the week's contributions, not on everything ever stored:

1. the week's accepted contributions are read from the partial covering index
   on `accepted_at` (`intel_contr_week_items`);
2. their sector rows are looked up by contribution id in the unique
   `(contribution, sector)` index (on PostgreSQL one probe per contribution);
   the figures come from the per-week counts (`intel.digests.rollups`);
3. near-duplicate clusters are expanded once per cluster (fingerprint index on
   `cluster_id`), not once per member.

The SQL is plain enough for both PostgreSQL and SQLite (the embedded default):
CTEs, CASE, COUNT(DISTINCT), window functions. Only constants of our own are
formatted into it; every value travels as a parameter.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from intel.digests import core, rollups
from intel.models import (
    Attribution,
    Contribution,
    ContributionCountry,
    ContributionFingerprint,
    ContributionSector,
    ContributionSignal,
    IntelligenceRequirement,
    RequirementAnswer,
    SectorAssessment,
    Status,
)
from intel.vocabulary import TLP_ORDER

SNAPSHOT_SCHEMA = 1
MEMBERS_KEPT = 50  # contributions listed per item (the count says how many there are)
WORK_MEM = "64MB"  # PostgreSQL, for the build's transaction only
LEVELS = list(TLP_ORDER)


@dataclass
class ComputedItem:
    key: str
    rank: int
    score: float
    tlp: str
    data: dict[str, Any]


@dataclass
class ComputedWeek:
    sector: str
    snapshot: dict[str, Any]
    items: list[ComputedItem] = field(default_factory=list)


def _tables() -> dict[str, str]:
    return {
        "contribution": Contribution._meta.db_table,
        "sector": ContributionSector._meta.db_table,
        "signal": ContributionSignal._meta.db_table,
        "country": ContributionCountry._meta.db_table,
        "fingerprint": ContributionFingerprint._meta.db_table,
        "answer": RequirementAnswer._meta.db_table,
        "requirement": IntelligenceRequirement._meta.db_table,
    }


def _dt(value: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _date(value: datetime.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


@contextmanager
def aggregation_session() -> Iterator[None]:
    """Around the reads of a build or a dashboard. PostgreSQL: one consistent snapshot for
    all its statements, enough memory for their hash joins and sorts, and no JIT (its
    compile time exceeds these queries')."""
    if connection.vendor != "postgresql":
        yield
        return
    starts_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if starts_transaction:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute("SET LOCAL jit = off")
        yield


IdRange = tuple[int, int]


def _week_ids(week_start: datetime.date) -> IdRange:
    """Lowest and highest id accepted in the digest's week.

    The ranking's joins also bound the joined rows' contribution id by this
    range. The join implies the bound, so no result changes, but the database
    then reads only the part of each index on contribution id that can match
    instead of all of it: ids grow with time, so a week's acceptances are a
    slice of them (a wide one: review can take two months).
    """
    t = _tables()
    start, end = core.week_bounds(week_start)
    # `+ 0`: with MIN(c.id) PostgreSQL would walk the primary key from the first id
    # until it met the week (half the table); this reads the week's index entries.
    [(low, high)] = _fetch(
        f"""SELECT MIN(c.id + 0), MAX(c.id + 0) FROM {t["contribution"]} c
        WHERE c.status = %s AND c.accepted_at >= %s AND c.accepted_at < %s""",  # noqa: S608
        [Status.ACCEPTED, _dt(start), _dt(end)],
    )
    return (low or 0, high if high is not None else -1)


def _nested() -> defaultdict[str, dict[str, Any]]:
    """slug → {handling level: count (or per-week counts)}."""
    return defaultdict(dict)


# --- Figures -------------------------------------------------------------------------


def _figures(week_start: datetime.date, sectors: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Totals (per level, kind and stage), signals and countries of the week, with the
    four weeks before it for totals and signals: from the per-week counts."""
    weeks = [
        week_start - datetime.timedelta(days=7 * index) for index in range(core.HISTORY_WEEKS + 1)
    ]
    position = {week: index for index, week in enumerate(weeks)}
    wanted = set(sectors)
    figures: dict[str, dict[str, Any]] = {
        sector: {"totals": {}, "kinds": _nested(), "stages": _nested(), "signals": _nested(),
                 "countries": _nested()}
        for sector in sectors
    }  # fmt: skip
    # Countries are shown for the week alone; the history is for totals and signals.
    for week, rows in rollups.week_rows(weeks, countries_of=[week_start]).items():
        index = position[week]
        for row in rows:
            if row.sector not in wanted:
                continue
            entry = figures[row.sector]
            if row.dimension == "total":
                entry["totals"].setdefault(row.tlp, [0] * len(weeks))[index] += row.contributions
                if index == 0:
                    kinds = entry["kinds"][row.kind]
                    kinds[row.tlp] = kinds.get(row.tlp, 0) + row.contributions
                    if row.stage:
                        stages = entry["stages"][row.stage]
                        stages[row.tlp] = stages.get(row.tlp, 0) + row.contributions
            elif row.dimension == "signal":
                series = entry["signals"][row.slug].setdefault(row.tlp, [0] * len(weeks))
                series[index] += row.contributions
            elif index == 0:
                entry["countries"][row.slug][row.tlp] = row.contributions
    return {
        sector: {
            key: {slug: dict(levels) for slug, levels in value.items()}
            if isinstance(value, defaultdict)
            else value
            for key, value in entry.items()
        }
        for sector, entry in figures.items()
    }


# --- Requirements and assessments --------------------------------------------------------


def _requirement_row(requirement: IntelligenceRequirement) -> dict[str, Any]:
    return {
        "id": requirement.pk,
        "question": requirement.question,
        "priority": requirement.priority,
        "due_date": requirement.due_date.isoformat(),
    }


def _requirements(week_start: datetime.date, sectors: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Requirements published and closed in the week, and how many were open at its end."""
    start, end = core.week_bounds(week_start)
    result: dict[str, dict[str, Any]] = {
        sector: {"new": [], "closed": [], "open": 0} for sector in sectors
    }
    changed = IntelligenceRequirement.objects.filter(
        Q(created_at__gte=start, created_at__lt=end) | Q(closed_at__gte=start, closed_at__lt=end),
        sector__in=sectors,
    ).order_by("-priority", "due_date", "pk")
    for requirement in changed:
        entry = result[requirement.sector]
        if start <= requirement.created_at < end:
            entry["new"].append(_requirement_row(requirement))
        if requirement.closed_at and start <= requirement.closed_at < end:
            entry["closed"].append(_requirement_row(requirement))
    for sector, count in (
        IntelligenceRequirement.objects.filter(sector__in=sectors, created_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .values("sector")
        .annotate(count=Count("pk"))
        .values_list("sector", "count")
    ):
        result[sector]["open"] = count
    return result


def assessment_row(assessment: SectorAssessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "sector_class": assessment.sector_class,
        "autonomy": assessment.autonomy,
        "indispensability": assessment.indispensability,
        "rationale": assessment.rationale,
        "assessed_at": assessment.created_at.isoformat(),
    }


def assessments_as_of(
    moment: datetime.datetime, sectors: Sequence[str]
) -> dict[str, SectorAssessment]:
    """Each sector's assessment in force at `moment` (the latest made before it)."""
    latest = (
        SectorAssessment.objects.filter(sector__in=sectors, created_at__lt=moment)
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("sector")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(row=1)
    )
    return {assessment.sector: assessment for assessment in latest}


# --- Items -------------------------------------------------------------------------------


def _tlp_rank_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{level}' THEN {rank}" for level, rank in TLP_ORDER.items())
    return f"CASE {column} {cases} END"


def _grade_rank_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{grade}' THEN {index}" for index, grade in enumerate(core.GRADES))
    return f"CASE {column} {cases} ELSE {len(core.GRADES) - 1} END"


def _score_sql() -> str:
    """The ranking formula of `intel.digests.core`, over the `f_*` (float) columns of `scored`.

    Floats, not PostgreSQL's exact `numeric`: the score only orders items.
    """
    last_grade = len(core.GRADES) - 1
    full = core.CORROBORATION_FULL
    return (
        f"100.0 * ("
        f"{core.CREDIBILITY_WEIGHT!r} * (6 - f_credibility) / 5"
        f" + {core.GRADE_WEIGHT!r} * ({last_grade} - f_grade) / {last_grade}"
        f" + {core.CORROBORATION_WEIGHT!r}"
        f" * (CASE WHEN f_sources >= {full} THEN {full - 1} ELSE f_sources - 1 END) / {full - 1}"
        f" + {core.RECENCY_WEIGHT!r} * f_recency / {core.RECENCY_STEPS}"
        f" + {core.REQUIREMENT_WEIGHT!r} * f_priority / {core.MAX_PRIORITY})"
    )


def _recency_sql(alias: str, week_start: datetime.date) -> tuple[str, list[Any]]:
    """0–4 from the date observed, or from acceptance when there is none (case studies)."""
    start, _end = core.week_bounds(week_start)
    observed = [_date(week_start - datetime.timedelta(days=7 * k)) for k in range(4)]
    accepted = [_dt(start - core.WEEK * k) for k in range(4)]
    sql = (
        f"CASE WHEN {alias}.date_observed IS NOT NULL THEN CASE"
        f" WHEN {alias}.date_observed >= %s THEN 4 WHEN {alias}.date_observed >= %s THEN 3"
        f" WHEN {alias}.date_observed >= %s THEN 2 WHEN {alias}.date_observed >= %s THEN 1"
        f" ELSE 0 END ELSE CASE"
        f" WHEN {alias}.accepted_at >= %s THEN 4 WHEN {alias}.accepted_at >= %s THEN 3"
        f" WHEN {alias}.accepted_at >= %s THEN 2 WHEN {alias}.accepted_at >= %s THEN 1"
        f" ELSE 0 END END"
    )
    return sql, [*observed, *accepted]


def _ranked_items(
    week_start: datetime.date, sectors: Sequence[str], *, week_ids: IdRange
) -> list[tuple[Any, ...]]:
    """(sector, item, score, tlp rank, credibility, grade rank, sources, recency, priority,
    member count), best first per sector, at most ITEMS_PER_LEVEL per handling level.

    `item` is the cluster id, or minus the contribution id for one outside any cluster.
    A contribution on its own is scored straight from its row; only clusters are
    grouped, once per cluster, over all their accepted members up to the week's end.
    Corroboration counts the attributed members' independent sources (anonymous
    members never count) and is at least 1: an item always stands for one source.
    """
    t = _tables()
    start, end = core.week_bounds(week_start)
    single_recency, single_recency_params = _recency_sql("w", week_start)
    member_recency, member_recency_params = _recency_sql("m", week_start)
    # Sources among attributed members only: anonymous ones count as NULL, which
    # COUNT(DISTINCT …) skips (the corroboration rule of `intel.tagging.selectors`).
    attributed = f"m.attribution <> '{Attribution.ANONYMOUS.value}'"
    # A partner's imported report has no author: its partner source stands in,
    # negated so it never meets a member's id (`intel.tagging.selectors`).
    source = "COALESCE(m.author_id, -m.partner_source_id)"
    organisation = (
        f"CASE WHEN NOT ({attributed}) THEN NULL"
        f" WHEN TRIM(m.organisation) = '' THEN 'author:' || {source}"
        " ELSE LOWER(TRIM(m.organisation)) END"
    )
    author = f"CASE WHEN {attributed} THEN {source} END"
    postgres = connection.vendor == "postgresql"
    materialised = "MATERIALIZED" if postgres else ""
    sector_filter = (
        f"s.sector IN ({_placeholders(sectors)}) AND s.contribution_id BETWEEN %s AND %s"
    )
    # PostgreSQL: each of the week's contributions looks its sectors up by id in the
    # unique (contribution, sector) index, about 50,000 probes, instead of a hash join
    # over every sector row of the week's id range (about 560,000: review delays spread
    # a week's acceptances over two months of ids). OFFSET 0 keeps the planner from
    # flattening the lateral subquery back into that join.
    sector_join = (
        f"CROSS JOIN LATERAL (SELECT s.sector FROM {t['sector']} s"  # noqa: S608
        f" WHERE s.contribution_id = c.id AND {sector_filter} OFFSET 0) s"
        if postgres
        else f"JOIN {t['sector']} s ON s.contribution_id = c.id AND {sector_filter}"
    )
    # The window sorts every scored row by sector first: compared byte by byte, not by
    # the database's locale rules, that sort costs a fraction (the slugs are ASCII, so
    # the partitions are the same).
    byte_order = ' COLLATE "C"' if postgres else ""
    sql = f"""
    WITH clustered AS {materialised} (
        SELECT f.contribution_id AS cid, f.cluster_id
        FROM {t["fingerprint"]} f
        WHERE f.cluster_id IS NOT NULL AND f.contribution_id BETWEEN %s AND %s
    ),
    week_rows AS (
        SELECT c.id AS cid, s.sector AS sector, f.cluster_id AS cluster_id, c.tlp,
            c.information_credibility, c.source_grade, c.date_observed, c.accepted_at
        FROM {t["contribution"]} c
        {sector_join}
        LEFT JOIN clustered f ON f.cid = c.id
        WHERE c.status = %s AND c.accepted_at >= %s AND c.accepted_at < %s
    ),
    answered AS (
        SELECT a.contribution_id AS cid, MAX(r.priority) AS priority
        FROM {t["answer"]} a
        JOIN {t["requirement"]} r ON r.id = a.requirement_id
        WHERE a.contribution_id BETWEEN %s AND %s
        GROUP BY a.contribution_id
    ),
    single_facts AS (
        SELECT w.sector, -w.cid AS item,
            COALESCE(w.information_credibility, 6) AS credibility,
            {_grade_rank_sql("w.source_grade")} AS grade,
            1 AS sources,
            {single_recency} AS recency,
            COALESCE(ans.priority, 0) AS priority,
            {_tlp_rank_sql("w.tlp")} AS tlp_rank,
            w.accepted_at AS latest,
            1 AS member_count
        FROM week_rows w
        LEFT JOIN answered ans ON ans.cid = w.cid
        WHERE w.cluster_id IS NULL
    ),
    members AS (
        SELECT f.cluster_id AS item, c.id, c.author_id, c.partner_source_id, c.attribution,
            c.organisation, c.tlp, c.information_credibility, c.source_grade, c.date_observed,
            c.accepted_at
        FROM {t["fingerprint"]} f
        JOIN {t["contribution"]} c ON c.id = f.contribution_id
        WHERE f.cluster_id IN (SELECT cluster_id FROM week_rows WHERE cluster_id IS NOT NULL)
          AND c.status = %s AND c.accepted_at < %s
    ),
    cluster_stats AS (
        SELECT m.item AS item,
            MIN(COALESCE(m.information_credibility, 6)) AS credibility,
            MIN({_grade_rank_sql("m.source_grade")}) AS grade,
            COUNT(DISTINCT {organisation}) AS organisations,
            COUNT(DISTINCT {author}) AS authors,
            MAX({member_recency}) AS recency,
            MAX(COALESCE(r.priority, 0)) AS priority,
            MAX({_tlp_rank_sql("m.tlp")}) AS tlp_rank,
            MAX(m.accepted_at) AS latest,
            COUNT(DISTINCT m.id) AS member_count
        FROM members m
        LEFT JOIN {t["answer"]} a ON a.contribution_id = m.id
        LEFT JOIN {t["requirement"]} r ON r.id = a.requirement_id
        GROUP BY m.item
    ),
    cluster_facts AS (
        SELECT w.sector, st.item, st.credibility, st.grade,
            CASE WHEN st.authors = 0 THEN 1
                 WHEN st.organisations < st.authors THEN st.organisations
                 ELSE st.authors END AS sources,
            st.recency, st.priority, st.tlp_rank, st.latest, st.member_count
        FROM (SELECT DISTINCT sector, cluster_id FROM week_rows
              WHERE cluster_id IS NOT NULL) w
        JOIN cluster_stats st ON st.item = w.cluster_id
    ),
    facts AS (
        SELECT * FROM single_facts
        UNION ALL
        SELECT * FROM cluster_facts
    ),
    scored AS (
        SELECT sector, item, credibility, grade, sources, recency, priority, tlp_rank, latest,
            member_count, {_score_sql()} AS score
        FROM (
            SELECT facts.*,
                CAST(credibility AS DOUBLE PRECISION) AS f_credibility,
                CAST(grade AS DOUBLE PRECISION) AS f_grade,
                CAST(recency AS DOUBLE PRECISION) AS f_recency,
                CAST(priority AS DOUBLE PRECISION) AS f_priority,
                CAST(sources AS DOUBLE PRECISION) AS f_sources
            FROM facts
        ) AS floats
    ),
    ranked AS (
        SELECT scored.*,
            ROW_NUMBER() OVER (
                PARTITION BY sector{byte_order}, tlp_rank ORDER BY score DESC, latest DESC, item
            ) AS level_rank
        FROM scored
    )
    SELECT sector, item, score, tlp_rank, credibility, grade, sources, recency, priority,
        member_count
    FROM ranked
    WHERE level_rank <= %s
    ORDER BY sector, score DESC, latest DESC, item
    """  # noqa: S608 - table names and our constants only; values are parameters
    params = [
        *week_ids,  # clustered
        *sectors, *week_ids, Status.ACCEPTED, _dt(start), _dt(end),  # week_rows
        *week_ids,  # answered
        *single_recency_params,  # single_facts
        Status.ACCEPTED, _dt(end),  # members
        *member_recency_params,  # cluster_stats
        core.ITEMS_PER_LEVEL,
    ]  # fmt: skip
    return _fetch(sql, params)


_MEMBER_FIELDS = (
    "pk", "kind", "title", "tlp", "language", "information_credibility", "source_grade",
    "supply_chain_stage", "accepted_at", "fingerprint__cluster_id",
)  # fmt: skip


def _members(
    items: set[int], end: datetime.datetime
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, Counter[str]], dict[int, Counter[str]]]:
    """The contributions behind each item, with their signals and countries counted."""
    clusters = [item for item in items if item > 0]
    singles = [-item for item in items if item < 0]
    # Two index lookups (fingerprint by cluster, contribution by id); an OR of the
    # two would make the database scan every contribution.
    # Unordered (the model's default ordering would sort them): sorted below.
    rows = list(
        Contribution.objects.filter(
            fingerprint__cluster_id__in=clusters, status=Status.ACCEPTED, accepted_at__lt=end
        )
        .order_by()
        .values(*_MEMBER_FIELDS)
    ) + list(Contribution.objects.filter(pk__in=singles).order_by().values(*_MEMBER_FIELDS))
    rows.sort(key=lambda row: (row["accepted_at"], row["pk"]))
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    item_of: dict[int, int] = {}
    for row in rows:
        cluster = row["fingerprint__cluster_id"]
        item = cluster if cluster in items else -row["pk"]
        item_of[row["pk"]] = item
        members[item].append(row)
    signals: dict[int, Counter[str]] = defaultdict(Counter)
    countries: dict[int, Counter[str]] = defaultdict(Counter)
    ids = list(item_of)
    for offset in range(0, len(ids), 5000):  # SQLite caps the parameters of one statement
        chunk = ids[offset : offset + 5000]
        for contribution_id, signal in ContributionSignal.objects.filter(
            contribution_id__in=chunk
        ).values_list("contribution_id", "signal"):
            signals[item_of[contribution_id]][signal] += 1
        for contribution_id, country in ContributionCountry.objects.filter(
            contribution_id__in=chunk
        ).values_list("contribution_id", "country"):
            countries[item_of[contribution_id]][country] += 1
    return members, signals, countries


def _representative(members: list[dict[str, Any]], start: datetime.datetime) -> dict[str, Any]:
    """The member that speaks for the item: this week's, most credible, best graded, newest."""
    return min(
        members,
        key=lambda row: (
            row["accepted_at"] < start,
            row["information_credibility"] or 6,
            core.GRADES.index(row["source_grade"]) if row["source_grade"] else 5,
            -row["accepted_at"].timestamp(),
            row["pk"],
        ),
    )


def _ordered(counter: Counter[str]) -> list[str]:
    return [slug for slug, _count in sorted(counter.items(), key=lambda pair: (-pair[1], pair[0]))]


def _items(
    week_start: datetime.date, sectors: Sequence[str], *, week_ids: IdRange
) -> dict[str, list[ComputedItem]]:
    start, end = core.week_bounds(week_start)
    ranked = _ranked_items(week_start, sectors, week_ids=week_ids)
    members, signals, countries = _members({row[1] for row in ranked}, end)
    result: dict[str, list[ComputedItem]] = {sector: [] for sector in sectors}
    for row in ranked:
        sector, item, _score, tlp_rank, credibility, grade, sources, recency, priority, count = row
        rows = members.get(item, [])
        if not rows:  # pragma: no cover - changed between the two reads
            continue
        representative = _representative(rows, start)
        parts = core.score_parts(
            credibility=credibility,
            grade=core.GRADES[grade],
            sources=sources,
            recency_step=recency,
            priority=priority,
        )
        data = {
            "title": representative["title"],
            "kind": representative["kind"],
            "language": representative["language"],
            "stage": representative["supply_chain_stage"],
            "representative": representative["pk"],
            "cluster": item if item > 0 else None,
            "corroboration": sources,
            # None when no member carries one (case studies are not graded for credibility).
            "credibility": credibility
            if any(row["information_credibility"] for row in rows)
            else None,
            "source_grade": core.GRADES[grade],
            "recency": recency,
            "requirement_priority": priority,
            "components": {
                "credibility": parts.credibility,
                "grade": parts.grade,
                "corroboration": parts.corroboration,
                "recency": parts.recency,
                "requirement": parts.requirement,
            },
            "signals": _ordered(signals.get(item, Counter())),
            "countries": _ordered(countries.get(item, Counter())),
            "member_count": int(count),
            "members": [
                {
                    "id": member["pk"],
                    "tlp": member["tlp"],
                    "kind": member["kind"],
                    "this_week": member["accepted_at"] >= start,
                }
                for member in rows[-MEMBERS_KEPT:]
            ],
        }
        result[sector].append(
            ComputedItem(
                key=f"c{item}" if item > 0 else f"r{-item}",
                rank=len(result[sector]) + 1,
                score=parts.score,
                tlp=LEVELS[tlp_rank],
                data=data,
            )
        )
    return result


# --- The week --------------------------------------------------------------------------


def compute_week(*, week_start: datetime.date, sectors: Sequence[str]) -> dict[str, ComputedWeek]:
    """Everything the build computes for `sectors` in the week starting `week_start`."""
    sectors = list(sectors)
    start, end = core.week_bounds(week_start)
    with aggregation_session():
        week_ids = _week_ids(week_start)
        figures = _figures(week_start, sectors)
        requirements = _requirements(week_start, sectors)
        current = assessments_as_of(end, sectors)
        previous = assessments_as_of(start, sectors)
        items = _items(week_start, sectors, week_ids=week_ids)
    weeks = [
        (week_start - datetime.timedelta(days=7 * index)).isoformat()
        for index in range(core.HISTORY_WEEKS + 1)
    ]
    result = {}
    for sector in sectors:
        snapshot = {
            "schema": SNAPSHOT_SCHEMA,
            "sector": sector,
            "week_start": week_start.isoformat(),
            "weeks": weeks,
            **figures[sector],
            "requirements": requirements[sector],
            "assessment": {
                "current": assessment_row(current[sector]) if sector in current else None,
                "previous": assessment_row(previous[sector]) if sector in previous else None,
            },
        }
        result[sector] = ComputedWeek(sector=sector, snapshot=snapshot, items=items[sector])
    return result
