"""Library fixtures: a published digest (accepted case studies: tests/intel/conftest.py)."""

from __future__ import annotations

from tests.intel.digests.test_views import digests  # noqa: F401  (a published digest, clear to amber)
