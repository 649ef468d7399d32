"""Alerts: matching one accepted report against N watches through the label index.

Setup (not timed): N watches (`--watches`, default 10,000) of 100 benchmark
accounts (`alerts-<i>@bench.invalid`), written in bulk. Each watch names one
to three label kinds (sector, signal, country, commodity) with one to three
labels each, drawn at random from the fixed vocabulary, 30 countries and the
taxonomy's commodities; one in five also has free-text words. One watch in
ten names words alone (indexed by its word anchor), and one in ten is muted.
The report matched is a typical critical-minerals field report: sector
`critical-minerals`, signals `export-control` and `stockpiling`, countries
CN and JP, commodities `gallium` and `germanium`, with its text.

Timed, `--repetitions` times: `intel.alerts.selectors.matching_watch_ids`,
the part of the matching task whose cost grows with the number of watches
(one indexed query over `WatchTerm` for the report's labels and its text's
word anchors, then the words of candidate watches). Loading the report's
labels (four indexed queries on its own rows) and writing the alert rows do
not depend on N and are not timed. The figure is the median and the 95th
percentile in milliseconds; the target is a 95th percentile under 50 ms
(`target_met`).

Safety: it only adds rows under `@bench.invalid` accounts and deletes them at
the end (`--keep` leaves them); watches already in the database are matched
too and counted in `watches_in_database`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any, TextIO

from django.db import connection, transaction

from accounts.models import User
from intel.alerts.selectors import ContributionLabels, matching_watch_ids, word_anchor
from intel.models import TaxonomyKind, TaxonomyLabel, Watch, WatchTerm, WatchTermKind
from intel.vocabulary import Sector, Signal

BENCH_DOMAIN = "bench.invalid"
BENCH_PREFIX = "alerts-"
ACCOUNTS = 100
LIMIT_MS = 50.0
BATCH = 5000
# The countries watches name most: a realistic spread, not all 249 codes.
COUNTRIES = [
    "CN", "JP", "US", "KR", "TW", "DE", "FR", "GB", "NL", "IN", "VN", "TH", "MY", "ID", "PH",
    "AU", "CA", "MX", "BR", "CL", "ZA", "CD", "RU", "UA", "TR", "SA", "AE", "IL", "SG", "KZ",
]  # fmt: skip
FALLBACK_COMMODITIES = ["gallium", "germanium", "lithium", "cobalt", "rare-earths", "neon"]
WORDS = ["licence", "export", "delay", "shortage", "port", "sanction", "stockpile", "quota"]
REPORT_LABELS = ContributionLabels(
    sectors=frozenset({"critical-minerals"}),
    signals=frozenset({"export-control", "stockpiling"}),
    countries=frozenset({"CN", "JP"}),
    commodities=frozenset({"gallium", "germanium"}),
)
REPORT_TEXT = (
    "Gallium and germanium export licences delayed. Distributors report licence "
    "decisions taking over 60 days; two buyers are building a stockpile."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--watches", type=int, default=10_000, help="Watches to seed.")
    parser.add_argument("--repetitions", type=int, default=200, help="Timed runs of the matching.")
    parser.add_argument("--seed", type=int, default=7, help="Random seed of the watches.")
    parser.add_argument(
        "--keep", action="store_true", help="Keep the benchmark's rows instead of deleting them."
    )


def _vocabulary() -> dict[str, list[str]]:
    commodities = list(
        TaxonomyLabel.objects.filter(kind=TaxonomyKind.COMMODITIES).values_list("slug", flat=True)
    )
    return {
        WatchTermKind.SECTOR.value: list(Sector.values),
        WatchTermKind.SIGNAL.value: list(Signal.values),
        WatchTermKind.COUNTRY.value: COUNTRIES,
        WatchTermKind.COMMODITY.value: commodities or FALLBACK_COMMODITIES,
    }


def _seed(*, count: int, rng: random.Random, stdout: TextIO) -> None:
    vocabulary = _vocabulary()
    kinds = list(vocabulary)
    users = User.objects.bulk_create(
        User(email=f"{BENCH_PREFIX}{index}@{BENCH_DOMAIN}", password="!")  # noqa: S106
        for index in range(ACCOUNTS)
    )
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        plans = []
        for offset in range(size):
            if rng.random() < 0.1:  # one in ten on words alone, indexed by its anchor
                query = " ".join(rng.sample(WORDS, rng.randint(1, 2)))
                labels = {WatchTermKind.WORD.value: [word_anchor(query)]}
            else:
                chosen = rng.sample(kinds, rng.randint(1, 3))
                labels = {kind: rng.sample(vocabulary[kind], rng.randint(1, 3)) for kind in chosen}
                query = " ".join(rng.sample(WORDS, rng.randint(1, 2))) if rng.random() < 0.2 else ""
            plans.append((start + offset, labels, query))
        with transaction.atomic():
            watches = Watch.objects.bulk_create(
                Watch(
                    user=users[index % ACCOUNTS],
                    name=f"bench watch {index}",
                    query=query,
                    kind_count=len(labels),
                    muted_at=None,
                )
                for index, labels, query in plans
            )
            WatchTerm.objects.bulk_create(
                (
                    WatchTerm(watch=watch, kind=kind, slug=slug, watch_kinds=len(labels))
                    for watch, (_index, labels, _query) in zip(watches, plans, strict=True)
                    for kind, slugs in labels.items()
                    for slug in slugs
                ),
                batch_size=BATCH,
            )
        stdout.write(f"seeded {start + size}/{count} watches")
    # One in ten muted: the matching must leave them out.
    bench = Watch.objects.filter(user__email__endswith=f"@{BENCH_DOMAIN}")
    muted = [pk for pk in bench.values_list("pk", flat=True) if rng.random() < 0.1]
    Watch.objects.filter(pk__in=muted).update(muted_at="2000-01-01T00:00:00Z")
    # What autovacuum keeps on a live table: planner statistics (without them
    # fresh rows are planned as if the tables were empty) and, outside a
    # transaction, the visibility map that lets the index answer alone.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} intel_watch")
        cursor.execute(f"{command} intel_watchterm")


def _cleanup(stdout: TextIO) -> None:
    User.objects.filter(email__startswith=BENCH_PREFIX, email__endswith=f"@{BENCH_DOMAIN}").delete()
    stdout.write("benchmark rows deleted")


def run(*, stdout: TextIO, options: dict[str, Any]) -> dict[str, Any]:
    count = int(options["watches"])
    repetitions = max(1, int(options["repetitions"]))
    rng = random.Random(options["seed"])  # noqa: S311 - synthetic data, not secrets
    _cleanup(stdout)  # leftovers of an interrupted run
    try:
        _seed(count=count, rng=rng, stdout=stdout)
        in_database = Watch.objects.count()
        matched = matching_watch_ids(labels=REPORT_LABELS, text=REPORT_TEXT)  # warm-up
        timings = []
        for repetition in range(repetitions):
            started = time.perf_counter()
            matching_watch_ids(labels=REPORT_LABELS, text=REPORT_TEXT)
            timings.append((time.perf_counter() - started) * 1000)
            if (repetition + 1) % max(1, repetitions // 5) == 0:
                stdout.write(f"matched {repetition + 1}/{repetitions} times")
    finally:
        if not options.get("keep"):
            _cleanup(stdout)
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    stdout.write(f"median {median:.2f} ms, p95 {p95:.2f} ms over {repetitions} runs")
    return {
        "watches": count,
        "watches_in_database": in_database,
        "matched_watches": len(matched),
        "repetitions": repetitions,
        "median_ms": round(median, 3),
        "p95_ms": round(p95, 3),
        "limit_ms": LIMIT_MS,
        "target_met": p95 < LIMIT_MS,
    }
