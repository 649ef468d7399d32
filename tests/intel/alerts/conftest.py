"""Alerts fixtures: a watch saved through the service, and a report accepted as analysts do."""

from __future__ import annotations

from typing import Any

import pytest

from intel.alerts import services as alert_services
from intel.reports import services as report_services
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review, submit


@pytest.fixture
def watch_for() -> Any:
    def make(user: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("name", f"watch {len(kwargs)}-{id(kwargs)}")
        return alert_services.watch_save(user=user, **kwargs)

    return make


@pytest.fixture
def accept(analyst: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Submit, review and accept a field report by `author` with `fields`, running the
    tasks queued on commit (tagging, the decision email, alert matching) in-process."""

    def make(author: Any, **fields: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            report = FieldReportFactory(author=author, **fields)
            submit(report, author)
            review(report, analyst)
            report_services.report_accept(contribution=report, analyst=analyst)
        return report

    return make
