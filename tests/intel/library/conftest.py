"""Library fixtures: a published digest and a briefed week, imported from their domains."""

from __future__ import annotations

from tests.intel.briefings.test_views import briefed_week  # noqa: F401  (clear to red items)
from tests.intel.digests.test_views import digests  # noqa: F401  (a published digest, clear to amber)
