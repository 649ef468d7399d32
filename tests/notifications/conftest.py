"""Notification tests reuse the intel fixtures (reports, requirements, second analyst)."""

from tests.intel.conftest import (  # noqa: F401 - fixtures
    _fast_password_hashing,
    in_review,
    requirement_factory,
    second_analyst,
    submitted,
)
