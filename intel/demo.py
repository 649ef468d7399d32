"""Demo intelligence for `seed_demo` (reports, digests … as those features land)."""

from __future__ import annotations

from typing import TextIO


def seed(stdout: TextIO) -> None:
    """Nothing yet: the reports issue adds sample reports here."""
