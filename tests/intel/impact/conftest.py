"""Impact fixtures: reports decided as analysts decide them, clusters, a reader, an applicant."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.services import readers as reader_services
from intel.reports import services
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review, submit
from tests.intel.tagging.factories import ContributionFingerprintFactory, DuplicateClusterFactory


@pytest.fixture
def decide(analyst: Any) -> Any:
    """`decide(author, "accepted" | "rejected", **fields)`: a report sent, reviewed, decided."""

    def make(author: Any, decision: str = "accepted", **fields: Any) -> Any:
        report = submit(FieldReportFactory(author=author, **fields), author)
        review(report, analyst)
        if decision == "accepted":
            services.report_accept(contribution=report, analyst=analyst, note="Useful, thank you.")
        else:
            services.report_reject(contribution=report, analyst=analyst, reason="Not sourced.")
        report.refresh_from_db()
        return report

    return make


@pytest.fixture
def cluster_of() -> Any:
    """`cluster_of(*reports)`: puts the reports in one near-duplicate cluster."""

    def make(*reports: Any) -> Any:
        cluster = DuplicateClusterFactory()
        for report in reports:
            ContributionFingerprintFactory(contribution=report, cluster=cluster, similarity=0.9)
        return cluster

    return make


@pytest.fixture
def stranger(db: None) -> Any:
    """A member of a third, independent organisation."""
    user = UserFactory(email="stranger@test.example")
    MembershipFactory(user=user, organisation="Stranger Labs")
    return user


@pytest.fixture
def reader(contributor: Any) -> Any:
    """A colleague the contributor invited as a reader."""
    colleague = UserFactory(email="colleague@test.example")
    _invitation, code = reader_services.reader_invite(member=contributor, email=colleague.email)
    reader_services.reader_accept(code=code, user=colleague)
    colleague.refresh_from_db()
    return colleague
