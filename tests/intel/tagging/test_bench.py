"""Benchmark helpers: the workload's shape and both measurements (no timing asserts)."""

from __future__ import annotations

import re

from intel.tagging import default_tagger, default_taxonomy
from intel.tagging.bench import (
    REPORT_BYTES,
    engine_throughput,
    regex_baseline_throughput,
    run,
    synthetic_reports,
)


def test_synthetic_reports_are_about_2kb_half_english_half_japanese():
    reports = synthetic_reports(20, seed=3)
    assert len(reports) == 20
    for title, body in reports:
        size = len((title + body).encode())
        assert REPORT_BYTES <= size < REPORT_BYTES + 400
    # Japanese by its script: English reports may name "São Paulo" or "Türkiye".
    japanese = [body for _, body in reports if re.search("[\u3040-\u30ff\u4e00-\u9fff]", body)]
    assert len(japanese) == 10
    assert all(re.search("[\u3040-\u30ff]", body) for body in japanese)


def test_synthetic_reports_are_reproducible_and_taggable():
    assert synthetic_reports(6, seed=1) == synthetic_reports(6, seed=1)
    assert synthetic_reports(6, seed=1) != synthetic_reports(6, seed=2)
    tagger = default_tagger()
    tagged = [tagger.tag(title, body).as_contract() for title, body in synthetic_reports(6)]
    assert all(result["sectors"] and result["countries"] for result in tagged)


def test_throughput_functions_report_reports_per_second():
    texts = synthetic_reports(4)
    assert engine_throughput(default_tagger(), texts, seconds=0.05) > 0
    assert regex_baseline_throughput(default_taxonomy(), texts[:2], seconds=0.05) > 0


def test_run_summarises_both_measurements():
    summary = run(n=4, seconds=0.05)
    assert set(summary) >= {"engine_reports_per_s", "regex_baseline_reports_per_s", "speedup"}
    assert summary["engine_reports_per_cpu_s"] > 0
    assert summary["engine_with_learned_layer_reports_per_cpu_s"] > 0
