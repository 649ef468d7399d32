"""Library fixtures: accepted case studies as the review flow produces them."""

from __future__ import annotations

from typing import Any

import pytest

from intel.reports import services
from tests.intel.digests.test_views import digests  # noqa: F401  (a published digest, clear to amber)
from tests.intel.factories import CaseStudyFactory
from tests.intel.helpers import review, submit


@pytest.fixture
def accepted_case_study(contributor: Any, analyst: Any) -> Any:
    """Return a maker of case studies by `contributor`, accepted by `analyst` (TLP up to amber)."""

    def make(**fields: Any) -> Any:
        case_study = submit(CaseStudyFactory(author=contributor, **fields), contributor)
        review(case_study, analyst)
        services.report_accept(contribution=case_study, analyst=analyst)
        case_study.refresh_from_db()
        return case_study

    return make
