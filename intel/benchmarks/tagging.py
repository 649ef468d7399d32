"""Tagging throughput: the engine alone (one core), the naive regex peer, `tagtext`, the pipeline.

The engine runs alone and with the shipped learned layer beside it, and the
peer on the same synthetic ~2 KB reports (half English,
half Japanese, built from the taxonomy's vocabulary); the peer compiles one
regular expression per taxonomy term. With `--pipeline` (PostgreSQL and Redis
configured), N reports are written in the submitted state by a throwaway
benchmark member, a real Celery worker process is started, and the timer runs
from enqueuing `tag_contribution` for each (through the outbox, as the site
does) until every report has its tags and fingerprint in the database. The
benchmark's reports and member are deleted afterwards. With `--tagtext`, the
real `manage.py tagtext` runs in a subprocess (pinned to the same core) over
N mixed ~2 KB reports, start-up included: once with an empty automaton cache
(`TAGGING_CACHE_DIR`) and once with the cache it left, beside the engine's
in-process rate on the same reports in the same run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.db import connection

from intel.tagging.bench import engine_throughput, regex_baseline_throughput, synthetic_reports
from intel.tagging.engine import Tagger, default_taxonomy
from intel.tagging.learned import tagger_with
from intel.tagging.learned_runtime import shipped_model

# Reports per second on one core, lexicon alone and with the learned layer.
ENGINE_TARGET = 5000


def _learned_throughput(
    stdout: TextIO, tagger: Tagger, texts: list[tuple[str, str]], seconds: float
) -> float | None:
    """The engine with the shipped learned layer beside it, on the same texts."""
    model = shipped_model()
    if model is None:
        stdout.write("learned layer: no shipped model (manage.py train_tagger --ship)")
        return None
    stdout.write(f"engine with the learned layer: tagging for {seconds:.0f} s on one core …")
    learned = engine_throughput(tagger_with(tagger, model), texts, seconds)
    stdout.write(f"engine with the learned layer: {learned:,.0f} reports/s")
    return learned


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reports", type=int, default=2000, help="Synthetic reports to tag.")
    parser.add_argument("--seconds", type=float, default=5.0, help="Time per measurement.")
    parser.add_argument(
        "--pipeline",
        action="store_true",
        help="Also measure the worker pipeline (needs PostgreSQL and REDIS_URL).",
    )
    parser.add_argument(
        "--pipeline-reports", type=int, default=500, help="Reports for the pipeline run."
    )
    parser.add_argument(
        "--concurrency", type=int, default=2, help="Worker processes for the pipeline run."
    )
    parser.add_argument(
        "--tagtext",
        action="store_true",
        help="Also time the real `manage.py tagtext` as a whole process, start-up included.",
    )
    parser.add_argument(
        "--tagtext-reports", type=int, default=20_000, help="Reports fed to tagtext."
    )


def run(*, stdout: TextIO, options: dict[str, Any]) -> dict[str, Any]:
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if cores:
        # "One core": pin this process so the figure is single-core throughput.
        os.sched_setaffinity(0, {min(cores)})
    taxonomy = default_taxonomy()
    tagger = Tagger(taxonomy)
    texts = synthetic_reports(options["reports"], seed=0, taxonomy=taxonomy)
    average_bytes = sum(len((t + b).encode()) for t, b in texts) / len(texts)
    stdout.write(f"{len(texts)} synthetic reports, {average_bytes:.0f} bytes on average")
    stdout.write(f"engine: tagging for {options['seconds']:.0f} s on one core …")
    engine = engine_throughput(tagger, texts, options["seconds"])
    stdout.write(f"engine: {engine:,.0f} reports/s")
    learned = _learned_throughput(stdout, tagger, texts, options["seconds"])
    stdout.write("regex baseline (one compiled expression per term) …")
    baseline = regex_baseline_throughput(taxonomy, texts, options["seconds"])
    stdout.write(f"regex baseline: {baseline:,.1f} reports/s")
    figures: dict[str, Any] = {
        "reports": len(texts),
        "report_bytes_avg": round(average_bytes),
        "engine_reports_per_s": round(engine),
        "regex_baseline_reports_per_s": round(baseline, 1),
        "speedup_vs_regex": round(engine / baseline, 1) if baseline else None,
        "engine_with_learned_layer_reports_per_s": round(learned) if learned else None,
        "target_reports_per_s": ENGINE_TARGET,
        "target_met": min(engine, learned or engine) >= ENGINE_TARGET,
        "pipeline_reports_per_s": None,
        "engine_target_met": engine >= ENGINE_TARGET,
    }
    if options["tagtext"]:
        figures.update(_tagtext(stdout, options["tagtext_reports"], options["seconds"]))
    if cores:
        os.sched_setaffinity(0, cores)  # the pipeline's worker processes use every core
    if options["pipeline"]:
        figures["pipeline_reports_per_s"] = _pipeline(
            stdout, texts, options["pipeline_reports"], options["concurrency"]
        )
    else:
        stdout.write("pipeline: skipped (pass --pipeline with PostgreSQL and REDIS_URL)")
    return figures


ENGINE_TARGET = 5_000  # reports/s on one core
TAGTEXT_TARGET = 3_000  # reports/s for the whole process, start-up included


def _tagtext(stdout: TextIO, count: int, seconds: float) -> dict[str, Any]:
    """`tagtext` in a subprocess, cold and warm cache, and the engine on the same reports."""
    texts = synthetic_reports(count, seed=1)
    tagger = Tagger(default_taxonomy())
    engine = engine_throughput(tagger, texts, seconds)
    # On a shared machine wall time moves with other load; CPU time much less.
    sample = texts[: max(1, min(count, 2_000))]
    cpu_started = time.process_time()
    for title, body in sample:
        tagger.tag(title, body)
    engine_cpu = len(sample) / max(time.process_time() - cpu_started, 1e-9)
    stdout.write(
        f"tagtext peer: the engine in-process on the same reports: {engine:,.0f}/s wall, "
        f"{engine_cpu:,.0f}/s of CPU"
    )
    runs: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        lines = Path(scratch) / "reports.jsonl"
        with lines.open("w", encoding="utf-8") as handle:
            for index, (title, body) in enumerate(texts):
                row = {"id": index, "title": title, "body": body}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        env = {**os.environ, "TAGGING_CACHE_DIR": str(Path(scratch) / "cache")}
        for run_name in ("cold", "warm"):
            stdout.write(f"tagtext ({run_name} automaton cache): {count:,} reports …")
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            with lines.open("rb") as source:
                result = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
                    [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "tagtext"],
                    stdin=source,
                    capture_output=True,
                    env=env,
                    check=False,
                )
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            tagged = result.stdout.count(b"\n")
            if result.returncode != 0 or tagged != count:
                raise SystemExit(
                    f"tagtext failed ({tagged}/{count} lines): {result.stderr[-500:]!r}"
                )
            runs[run_name] = (count / elapsed, count / cpu if cpu else 0.0)
            stdout.write(
                f"tagtext ({run_name}): {elapsed:.2f} s wall = {count / elapsed:,.0f}/s, "
                f"{cpu:.2f} s CPU = {runs[run_name][1]:,.0f}/s of CPU"
            )
    warm = runs["warm"][0]
    return {
        "tagtext_reports": count,
        "tagtext_reports_per_s": round(warm),
        "tagtext_cold_reports_per_s": round(runs["cold"][0]),
        "tagtext_reports_per_cpu_s": round(runs["warm"][1]),
        "tagtext_peer_engine_reports_per_s": round(engine),
        "tagtext_peer_engine_reports_per_cpu_s": round(engine_cpu),
        "tagtext_target_met": warm >= TAGTEXT_TARGET,
    }


def _pipeline(stdout: TextIO, texts: list[tuple[str, str]], count: int, workers: int) -> float:
    from accounts.models import User
    from community.queue import enqueue_now
    from intel.models import Contribution, ContributionFingerprint, FieldReport
    from intel.tagging.tasks import tag_contribution

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("--pipeline needs DATABASE_URL=postgres://… and REDIS_URL.")
    author = User.objects.create_user(
        email=f"benchmark-{uuid.uuid4().hex[:12]}@localhost", password=None
    )
    worker = None
    try:
        stdout.write(f"pipeline: writing {count} submitted reports …")
        now = datetime.datetime.now(tz=datetime.UTC)
        ids = []
        for index in range(count):
            title, body = texts[index % len(texts)]
            report = FieldReport.objects.create(
                kind="report", author=author, title=title[:200], summary=body[:300],
                body=body, status="submitted", submitted_at=now,
                supply_chain_stage="processing", date_observed=now.date(),
                information_credibility=3,
            )  # fmt: skip
            ids.append(report.pk)
        stdout.write(f"pipeline: starting a Celery worker with {workers} process(es) …")
        worker = _start_worker(workers)
        started = time.perf_counter()
        for pk in ids:
            enqueue_now(tag_contribution, pk)
        done = 0
        while done < count:
            time.sleep(0.2)
            done = ContributionFingerprint.objects.filter(contribution_id__in=ids).count()
            if time.perf_counter() - started > 600:
                raise SystemExit(f"pipeline: only {done}/{count} tagged after 10 minutes")
        elapsed = time.perf_counter() - started
        rate = count / elapsed
        stdout.write(f"pipeline: {count} reports tagged in {elapsed:.1f} s = {rate:,.0f}/s")
        return round(rate, 1)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
        Contribution.objects.filter(author=author).delete()
        author.delete()


def _start_worker(concurrency: int) -> subprocess.Popen[bytes]:
    from community.celery import app

    worker = subprocess.Popen(  # noqa: S603 - our own Celery app, fixed arguments
        [sys.executable, "-m", "celery", "-A", "community", "worker",
         "--concurrency", str(concurrency), "--loglevel", "WARNING",
         "--hostname", f"benchmark-{uuid.uuid4().hex[:8]}@%h"],
        env=os.environ.copy(),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return worker
        if worker.poll() is not None:
            raise SystemExit("pipeline: the Celery worker exited during start-up")
    worker.terminate()
    raise SystemExit("pipeline: the Celery worker did not answer within 60 s")
