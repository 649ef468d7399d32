"""Plain helpers of the intel tests: a report's workflow steps, done as people do them."""

from __future__ import annotations

from typing import Any

from intel.reports import services


def submit(report: Any, author: Any) -> Any:
    """`report` submitted by its `author` (the tagging task runs in-process, after commit)."""
    services.report_submit(contribution=report, actor=author)
    return report


def review(report: Any, analyst: Any) -> Any:
    """`report` (submitted) taken into review by `analyst`."""
    services.report_start_review(contribution=report, analyst=analyst)
    return report
