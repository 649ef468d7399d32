"""Benchmarks run by `manage.py benchmark NAME`.

Each benchmark is a module here exposing `add_arguments(parser)` and
`run(*, stdout, options) -> dict`; it prints progress through `stdout` and
returns its figures, which the command prints last as one JSON line.
"""

from __future__ import annotations

REGISTRY: dict[str, str] = {
    "tagging": "intel.benchmarks.tagging",
    "digests": "intel.benchmarks.digests",
    "briefings": "intel.benchmarks.briefings",
    "pages": "intel.benchmarks.pages",
    "api": "intel.benchmarks.api",
    "alerts": "intel.benchmarks.alerts",
}
