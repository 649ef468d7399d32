"""Weekly digests: load N synthetic accepted reports, then time building every sector's digest.

The reports are spread over `--weeks` weeks (default 20) ending with the last
full week, across all 14 sectors, with signals, countries, supply-chain
stages, near-duplicate clusters (with a fingerprint row for every report, as
tagging leaves them), requirement answers and the five handling levels. On
PostgreSQL they are written with COPY (psycopg 3), then `VACUUM ANALYZE`;
the timer then runs `digests_build_week` for the last week and all sectors —
the same call the weekly Celery task makes — first creating the 14 drafts
(`build_all_s`, the target is under 1 s), then refreshing them
(`rebuild_all_s`, best of `--repeat`). The peer, timed in the same run:
counting the week's accepted reports from their rows alone, by sector,
level, signal and country (`week_scan_s`, the statement that refreshes a
week's stored counts; see `intel.digests.rollups`) — the floor of reading
that week at all. Before the timer starts the stored per-week counts are
brought up to date by one untimed read (as the dashboards and the previous
weeks' builds keep them in production).

Safety: data is loaded into the configured database only when it holds no
contribution yet, or with `--yes`. Use a throwaway database:

    createdb -h 127.0.0.1 -U postgres cip_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cip_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cip_bench \
        python manage.py benchmark digests --reports 1000000

`--no-load` times the build again over data loaded by an earlier run. SQLite
(the embedded default) is refused above 50,000 reports.
"""

from __future__ import annotations

import argparse
import datetime
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from intel.digests import core as digest_core
from intel.digests import queries as digest_queries
from intel.digests import rollups
from intel.digests.services import digests_build_week
from intel.models import (
    CaseStudy,
    Contribution,
    ContributionCountry,
    ContributionFingerprint,
    ContributionSector,
    ContributionSignal,
    Digest,
    DuplicateCluster,
    FieldReport,
    IntelligenceRequirement,
    RequirementAnswer,
    SupplyChainStage,
)
from intel.vocabulary import Sector, Signal

SQLITE_LIMIT = 50_000
TARGET_S = 1.0  # all 14 sectors' digests over 1,000,000 stored reports
CHUNK = 50_000
AUTHORS = 500
ORGANISATIONS = 300
BENCH_DOMAIN = "bench.invalid"
COUNTRIES = ["CN", "JP", "US", "KR", "TW", "DE", "NL", "FR", "GB", "IN", "AU", "CA", "SG",
             "VN", "TH", "ID", "MY", "RU", "UA", "BR", "CL", "ZA", "CD", "SA", "AE", "IT",
             "ES", "SE", "FI", "MX"]  # fmt: skip
TLPS = (["clear"] * 20) + (["green"] * 50) + (["amber"] * 20) + ["amber+strict"] * 5 + ["red"] * 5
GRADES = "AABBBCCCCDDEF"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reports", type=int, default=1_000_000, help="Synthetic accepted reports to load."
    )
    parser.add_argument("--weeks", type=int, default=20, help="Weeks the reports span.")
    parser.add_argument("--repeat", type=int, default=3, help="Timed refreshes after the build.")
    parser.add_argument("--seed", type=int, default=6, help="Random seed of the synthetic data.")
    parser.add_argument(
        "--yes",
        action="store_true",
        help="Load even though the database already holds contributions (never on real data).",
    )
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="Load nothing; time the build over the data already there.",
    )


@dataclass
class _Tables:
    """Rows of one chunk, per table, in COPY column order."""

    contribution: list[tuple[Any, ...]] = field(default_factory=list)
    report: list[tuple[Any, ...]] = field(default_factory=list)
    case_study: list[tuple[Any, ...]] = field(default_factory=list)
    sector: list[tuple[Any, ...]] = field(default_factory=list)
    signal: list[tuple[Any, ...]] = field(default_factory=list)
    country: list[tuple[Any, ...]] = field(default_factory=list)
    fingerprint: list[tuple[Any, ...]] = field(default_factory=list)
    answer: list[tuple[Any, ...]] = field(default_factory=list)


COLUMNS: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "contribution": (Contribution, (
        "id", "kind", "author_id", "title", "language", "tlp", "attribution", "status",
        "supply_chain_stage", "date_observed", "information_credibility", "source_grade",
        "organisation", "revision", "feedback", "submitted_at", "decided_at", "accepted_at",
        "created_at", "updated_at")),
    "report": (FieldReport, ("contribution_ptr_id", "summary", "body", "evidence_links")),
    "case_study": (CaseStudy, (
        "contribution_ptr_id", "company_size", "context", "challenge", "actions_taken",
        "outcome", "lessons_learned")),
    "sector": (ContributionSector, ("contribution_id", "sector")),
    "signal": (ContributionSignal, ("contribution_id", "signal")),
    "country": (ContributionCountry, ("contribution_id", "country")),
    "fingerprint": (ContributionFingerprint, (
        "contribution_id", "signature", "cluster_id", "similarity", "taxonomy_version",
        "tagged_at", "event")),
    "answer": (RequirementAnswer, ("requirement_id", "contribution_id", "created_at")),
}  # fmt: skip


def _column_names(model: type[Any], fields: Sequence[str]) -> list[str]:
    names = []
    for name in fields:
        model_field = model._meta.get_field(name.removesuffix("_id"))
        names.append(model_field.column)
    return names


class _Generator:
    """Deterministic synthetic contributions, in the order they were written, in chunks."""

    def __init__(
        self,
        *,
        count: int,
        first_id: int,
        first_cluster: int,
        start: datetime.datetime,
        span: datetime.timedelta,
        authors: list[tuple[int, str]],
        requirements: dict[str, list[int]],
        seed: int,
    ) -> None:
        self.count, self.first_id, self.start, self.span = count, first_id, start, span
        self.authors, self.requirements = authors, requirements
        self.random = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.next_cluster = first_cluster
        self.clusters: list[int] = []
        self.open_cluster: tuple[int, int] | None = None  # (cluster id, members left)
        self.sectors = list(Sector.values)
        self.signals = list(Signal.values)
        self.stages = list(SupplyChainStage.values)
        self.schedule = self._schedule()

    def _schedule(self) -> list[tuple[float, float]]:
        """(written, accepted) offsets in seconds, in the order the reports were written.

        Acceptance times are spread evenly over the span; review takes hours to
        days, sometimes weeks (85 % within 5 days, 13 % within 3 weeks, 2 % up to
        60 days). Ids follow the order of writing, as in a real database, so a
        week's acceptances are not a neat block of ids.
        """
        rnd, total = self.random, self.span.total_seconds()
        day = 86_400.0
        schedule = []
        for index in range(self.count):
            accepted = total * (index + rnd.random()) / self.count
            roll = rnd.random()
            delay = (
                rnd.uniform(2 / 24, 5) if roll < 0.85 else rnd.uniform(5, 21) if roll < 0.98
                else rnd.uniform(21, 60)
            ) * day  # fmt: skip
            schedule.append((accepted - delay, accepted))
        schedule.sort()
        return schedule

    def _cluster(self) -> int | None:
        """About 8 % of reports sit in near-duplicate clusters of 2–4 written close together."""
        if self.open_cluster is not None:
            cluster, left = self.open_cluster
            self.open_cluster = (cluster, left - 1) if left > 1 else None
            return cluster
        if self.random.random() < 0.03:
            cluster = self.next_cluster
            self.next_cluster += 1
            self.clusters.append(cluster)
            self.open_cluster = (cluster, self.random.randint(1, 3))
            return cluster
        return None

    def chunks(self, size: int) -> Iterator[_Tables]:
        rnd = self.random
        for offset in range(0, self.count, size):
            tables = _Tables()
            for index in range(offset, min(offset + size, self.count)):
                self._one(tables, index, rnd)
            yield tables

    def _one(self, tables: _Tables, index: int, rnd: random.Random) -> None:
        pk = self.first_id + index
        written, accepted_offset = self.schedule[index]
        created = self.start + datetime.timedelta(seconds=written)
        accepted = self.start + datetime.timedelta(seconds=accepted_offset)
        submitted = created + (accepted - created) / 4
        author, organisation = self.authors[rnd.randrange(len(self.authors))]
        is_report = rnd.random() < 0.95
        sector = self.sectors[rnd.randrange(len(self.sectors))]
        sectors = [sector]
        if rnd.random() < 0.3:
            other = self.sectors[rnd.randrange(len(self.sectors))]
            if other != sector:
                sectors.append(other)
        # Observed before it was written (the "not in the future" constraint).
        observed = created.astimezone(digest_core.TOKYO).date() - datetime.timedelta(
            days=rnd.randint(0, 20)
        )
        tables.contribution.append((
            pk, "report" if is_report else "case-study", author, f"Synthetic report {pk}", "en",
            TLPS[rnd.randrange(len(TLPS))], "organisation", "accepted",
            self.stages[rnd.randrange(len(self.stages))] if is_report else "",
            observed if is_report else None, rnd.randint(1, 6) if is_report else None,
            GRADES[rnd.randrange(len(GRADES))], organisation, 1, "", submitted, accepted,
            accepted, created, accepted,
        ))  # fmt: skip
        if is_report:
            tables.report.append((pk, "Synthetic summary.", "Synthetic body.", "[]"))
        else:
            tables.case_study.append((pk, "medium", "Context.", "Challenge.", "Actions.",
                                      "Outcome.", "Lessons."))  # fmt: skip
        tables.sector += [(pk, slug) for slug in sectors]
        signal_count = rnd.choice((1, 1, 2, 2, 3)) if is_report else rnd.choice((0, 1))
        tables.signal += [(pk, slug) for slug in rnd.sample(self.signals, signal_count)]
        # Skewed: the first few countries are reported far more often.
        countries = {COUNTRIES[min(int(rnd.expovariate(0.25)), len(COUNTRIES) - 1)]
                     for _ in range(rnd.choice((1, 1, 2, 3)))}  # fmt: skip
        tables.country += [(pk, code) for code in sorted(countries)]
        tables.fingerprint.append((pk, b"", self._cluster(), None, "bench", accepted, "{}"))
        if rnd.random() < 0.02 and self.requirements.get(sector):
            requirement = rnd.choice(self.requirements[sector])
            tables.answer.append((requirement, pk, submitted))


# --- Loading ---------------------------------------------------------------------------------


def _copy(table: str, rows: list[tuple[Any, ...]]) -> None:
    model, fields = COLUMNS[table]
    columns = ", ".join(f'"{name}"' for name in _column_names(model, fields))
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor behind Django's wrapper
        with raw.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def _insert(table: str, rows: list[tuple[Any, ...]]) -> None:
    """SQLite: executemany with values adapted as Django would."""
    if not rows:
        return
    model, fields = COLUMNS[table]
    columns = _column_names(model, fields)
    adapt = connection.ops

    def value(item: Any) -> Any:
        if isinstance(item, datetime.datetime):
            return adapt.adapt_datetimefield_value(item)
        if isinstance(item, datetime.date):
            return adapt.adapt_datefield_value(item)
        return item

    table_name, placeholders = model._meta.db_table, ", ".join(["%s"] * len(columns))
    sql = f'INSERT INTO "{table_name}" ({", ".join(columns)}) VALUES ({placeholders})'  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(value(item) for item in row) for row in rows])


def _authors(seed: int) -> list[tuple[int, str]]:
    rnd = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    stamp = int(time.time())
    users = User.objects.bulk_create(
        User(
            email=f"author-{stamp}-{index}@{BENCH_DOMAIN}",
            display_name=f"Author {index}",
            password="!benchmark",  # noqa: S106 - "!" prefix: unusable, nobody signs in
        )
        for index in range(AUTHORS)
    )
    return [(user.pk, f"Organisation {rnd.randrange(ORGANISATIONS)}") for user in users]


def _requirements(owner: int) -> dict[str, list[int]]:
    created = IntelligenceRequirement.objects.bulk_create(
        IntelligenceRequirement(
            sector=sector,
            question=f"Benchmark question {number} on {sector}",
            priority=number + 1,
            due_date=timezone.localdate() + datetime.timedelta(days=30),
            created_by_id=owner,
        )
        for sector in Sector.values
        for number in range(3)
    )
    result: dict[str, list[int]] = {}
    for requirement in created:
        result.setdefault(requirement.sector, []).append(requirement.pk)
    return result


def _load(*, count: int, weeks: int, week: datetime.date, seed: int, stdout: TextIO) -> float:
    postgres = connection.vendor == "postgresql"
    started = time.perf_counter()
    authors = _authors(seed)
    requirements = _requirements(authors[0][0])
    first_id = (Contribution.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first_cluster = (
        DuplicateCluster.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    _start, end = digest_core.week_bounds(week)
    span = digest_core.WEEK * weeks
    generator = _Generator(
        count=count, first_id=first_id, first_cluster=first_cluster, start=end - span,
        span=span - datetime.timedelta(seconds=1), authors=authors, requirements=requirements,
        seed=seed,
    )  # fmt: skip
    write = _copy if postgres else _insert
    loaded = 0
    for tables in generator.chunks(CHUNK):
        with transaction.atomic():
            # Clusters first: fingerprints point at them.
            new_clusters = [c for c in generator.clusters if c >= first_cluster]
            if new_clusters:
                now = timezone.now()
                DuplicateCluster.objects.bulk_create(
                    DuplicateCluster(pk=pk, created_at=now, updated_at=now) for pk in new_clusters
                )
                first_cluster = new_clusters[-1] + 1
            for table in COLUMNS:
                write(table, getattr(tables, table))
        loaded += len(tables.contribution)
        elapsed = time.perf_counter() - started
        stdout.write(f"  loaded {loaded:,}/{count:,} reports ({loaded / elapsed:,.0f}/s)")
    if postgres:
        with connection.cursor() as cursor:
            for model in (Contribution, DuplicateCluster):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f'(SELECT MAX(id) FROM "{table}"))'
                )
    return time.perf_counter() - started


def _analyze(stdout: TextIO) -> None:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return
    # VACUUM also sets the visibility map (index-only scans) but cannot run inside a
    # transaction (as under the test suite); ANALYZE alone can.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    stdout.write(f"  {command} …")
    with connection.cursor() as cursor:
        for model in (Contribution, FieldReport, CaseStudy, ContributionSector,
                      ContributionSignal, ContributionCountry, ContributionFingerprint,
                      RequirementAnswer, DuplicateCluster):  # fmt: skip
            cursor.execute(f'{command} "{model._meta.db_table}"')


# --- The run ---------------------------------------------------------------------------------


def run(*, stdout: TextIO, options: dict[str, Any]) -> dict[str, Any]:
    count, weeks = int(options["reports"]), int(options["weeks"])
    if count < 1 or weeks < 5:
        raise CommandError("--reports must be at least 1 and --weeks at least 5.")
    vendor = connection.vendor
    if vendor == "sqlite" and count > SQLITE_LIMIT and not options["no_load"]:
        raise CommandError(
            f"SQLite is the embedded demo database: the digests benchmark loads at most "
            f"{SQLITE_LIMIT:,} reports into it. Point DATABASE_URL at a throwaway PostgreSQL "
            f"database for {count:,} (see `manage.py benchmark digests --help`)."
        )
    week = digest_core.last_full_week(timezone.now())
    existing = Contribution.objects.count()
    load_s = 0.0
    if options["no_load"]:
        if not existing:
            raise CommandError("--no-load: the database holds no contributions to build from.")
        stdout.write(f"Using the {existing:,} contributions already in the database.")
    else:
        if existing and not options["yes"]:
            raise CommandError(
                f"The configured database already holds {existing:,} contributions. The "
                f"benchmark adds {count:,} synthetic ones and keeps them: run it against a "
                f"throwaway database (createdb …; DATABASE_URL=…/cip_bench), or pass --yes if "
                f"this database is one."
            )
        stdout.write(
            f"Loading {count:,} synthetic accepted reports over {weeks} weeks ending "
            f"{week + datetime.timedelta(days=6)} into {vendor} "
            f"({'COPY' if vendor == 'postgresql' else 'bulk inserts'}) …"
        )
        load_s = _load(count=count, weeks=weeks, week=week, seed=options["seed"], stdout=stdout)
    _analyze(stdout)
    total = Contribution.objects.count()
    start, end = digest_core.week_bounds(week)
    in_week = Contribution.objects.filter(
        status="accepted", accepted_at__gte=start, accepted_at__lt=end
    ).count()
    history = [week - digest_core.WEEK * index for index in range(digest_core.HISTORY_WEEKS + 1)]
    with digest_queries.aggregation_session():
        rollups.week_rows(history)
    started = time.perf_counter()
    rollups.count_week(week)
    scan_s = time.perf_counter() - started
    stdout.write(f"  peer: the week's counts from its rows alone: {scan_s:.3f} s")
    # A clean first build: drop any earlier digests of the benchmark week.
    Digest.objects.filter(week_start=week).exclude(status="published").delete()
    stdout.write(f"Building all {len(Sector.values)} sector digests for the week of {week} "
                 f"({in_week:,} reports accepted that week, {total:,} stored) …")  # fmt: skip
    started = time.perf_counter()
    results = digests_build_week(week_start=week)
    build_all_s = time.perf_counter() - started
    stdout.write(f"  first build (creates the drafts): {build_all_s:.3f} s")
    refreshes = []
    for attempt in range(max(1, int(options["repeat"]))):
        started = time.perf_counter()
        digests_build_week(week_start=week)
        refreshes.append(time.perf_counter() - started)
        stdout.write(f"  refresh {attempt + 1}: {refreshes[-1]:.3f} s")
    started = time.perf_counter()
    digest_queries.compute_week(week_start=week, sectors=list(Sector.values))
    compute_s = time.perf_counter() - started
    stdout.write(f"  aggregation alone (no writes): {compute_s:.3f} s")
    return {
        "reports": total,
        "loaded": 0 if options["no_load"] else count,
        "weeks": weeks,
        "week_start": week.isoformat(),
        "reports_in_week": in_week,
        "sectors": len(results),
        "items": sum(result.items for result in results),
        "database": vendor,
        "load_s": round(load_s, 2),
        "build_all_s": round(build_all_s, 3),
        "rebuild_all_s": round(min(refreshes), 3),
        "aggregate_s": round(compute_s, 3),
        "week_scan_s": round(scan_s, 3),
        "target_s": TARGET_S,
        "target_met": build_all_s < TARGET_S,
    }
