"""Intel fixtures: each domain's factories, and reports in each workflow state."""

from __future__ import annotations

from typing import Any

import pytest

from intel.reports import services
from tests.intel.briefings.factories import (
    BriefingWeekFactory,
    DeliveryFactory,
    SubscriptionFactory,
)
from tests.intel.digests.factories import DigestFactory, DigestItemFactory, SectorAssessmentFactory
from tests.intel.factories import CaseStudyFactory, FieldReportFactory, RequirementFactory
from tests.intel.helpers import review, submit
from tests.intel.tagging.factories import (
    ContributionFingerprintFactory,
    ContributionTagFactory,
    DuplicateClusterFactory,
)

# --- Reports -----------------------------------------------------------------


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
    return submit(FieldReportFactory(author=contributor), contributor)


@pytest.fixture
def in_review(submitted: Any, analyst: Any) -> Any:
    return review(submitted, analyst)


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


@pytest.fixture
def second_analyst(db: None) -> Any:
    from accounts import roles
    from tests.accounts.factories import UserFactory, enrol_totp

    user = UserFactory(email="analyst2@test.example", roles=[roles.ANALYSTS])
    user.totp_secret = enrol_totp(user)
    return user


# --- Tagging -----------------------------------------------------------------


@pytest.fixture
def tag_factory(db: None) -> type[ContributionTagFactory]:
    return ContributionTagFactory


@pytest.fixture
def cluster_factory(db: None) -> type[DuplicateClusterFactory]:
    return DuplicateClusterFactory


@pytest.fixture
def fingerprint_factory(db: None) -> type[ContributionFingerprintFactory]:
    return ContributionFingerprintFactory


# --- Digests -----------------------------------------------------------------


@pytest.fixture
def digest_factory(db: None) -> type[DigestFactory]:
    return DigestFactory


@pytest.fixture
def digest_item_factory(db: None) -> type[DigestItemFactory]:
    return DigestItemFactory


@pytest.fixture
def assessment_factory(db: None) -> type[SectorAssessmentFactory]:
    return SectorAssessmentFactory


# --- Briefings ---------------------------------------------------------------


@pytest.fixture
def subscription_factory(db: None) -> type[SubscriptionFactory]:
    return SubscriptionFactory


@pytest.fixture
def briefing_week_factory(db: None) -> type[BriefingWeekFactory]:
    return BriefingWeekFactory


@pytest.fixture
def delivery_factory(db: None) -> type[DeliveryFactory]:
    return DeliveryFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Personas are created per test; a slow hasher would dominate these tests' time.

    Sign-in still works (the browser test signs in through allauth).
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
