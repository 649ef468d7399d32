"""Demo intelligence for `seed_demo`: each domain seeds its own, in order (reports first)."""

from __future__ import annotations

from io import TextIOBase

from intel.boardbrief import demo as boardbrief_demo
from intel.briefings import demo as briefings_demo
from intel.digests import demo as digests_demo
from intel.reports import demo as reports_demo


def seed(stdout: TextIOBase) -> None:
    author = reports_demo.seed(stdout)
    if author is None:
        return
    digests_demo.seed(stdout)
    boardbrief_demo.seed(stdout)
    briefings_demo.seed(stdout, member=author)
