"""Intel fixtures: factories and reports in each workflow state."""

from __future__ import annotations

from typing import Any

import pytest

from intel.reports import services
from tests.intel.factories import CaseStudyFactory, FieldReportFactory, RequirementFactory


@pytest.fixture
def report_factory(db: None) -> type[FieldReportFactory]:
    return FieldReportFactory


@pytest.fixture
def case_study_factory(db: None) -> type[CaseStudyFactory]:
    return CaseStudyFactory


@pytest.fixture
def requirement_factory(db: None) -> type[RequirementFactory]:
    return RequirementFactory


@pytest.fixture
def draft(contributor: Any) -> Any:
    return FieldReportFactory(author=contributor)


@pytest.fixture
def submitted(contributor: Any) -> Any:
    report = FieldReportFactory(author=contributor)
    services.report_submit(contribution=report, actor=contributor)
    return report


@pytest.fixture
def in_review(submitted: Any, analyst: Any) -> Any:
    services.report_start_review(contribution=submitted, analyst=analyst)
    return submitted


@pytest.fixture
def second_analyst(db: None) -> Any:
    from accounts import roles
    from tests.accounts.factories import UserFactory, enrol_totp

    user = UserFactory(email="analyst2@test.example", roles=[roles.ANALYSTS])
    user.totp_secret = enrol_totp(user)
    return user


def submit(report: Any, author: Any) -> Any:
    services.report_submit(contribution=report, actor=author)
    return report


def review(report: Any, analyst: Any) -> Any:
    services.report_start_review(contribution=report, analyst=analyst)
    return report


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Personas are created per test; a slow hasher would dominate these tests' time.

    Sign-in still works (the browser test signs in through allauth).
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
