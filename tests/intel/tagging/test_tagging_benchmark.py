"""`manage.py benchmark tagging --tagtext` at a small N (figures, never timed asserts)."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command


def test_tagtext_figures_come_from_the_real_command_beside_the_engine_peer():
    out = StringIO()
    call_command(
        "benchmark", "tagging", "--reports", "20", "--seconds", "0.05",
        "--tagtext", "--tagtext-reports", "40", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    figures = json.loads(text.strip().splitlines()[-1])
    assert figures["benchmark"] == "tagging"
    assert figures["tagtext_reports"] == 40
    for key in ("tagtext_reports_per_s", "tagtext_cold_reports_per_s",
                "tagtext_reports_per_cpu_s", "tagtext_peer_engine_reports_per_s",
                "tagtext_peer_engine_reports_per_cpu_s"):  # fmt: skip
        assert figures[key] > 0, key
    assert isinstance(figures["tagtext_target_met"], bool)
    assert isinstance(figures["engine_target_met"], bool)
    assert "tagtext (cold)" in text and "tagtext (warm)" in text
