"""Digests of source files, for derived data that a change to the code deriving it makes stale.

Re-tagging keys the signatures it reuses with one (`intel.tagging.services`),
and the briefing sender keys the fragment sets it shares between processes
with another (`intel.briefings.services.sending.composition`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType


def module_files(*modules: ModuleType) -> list[Path]:
    """The source file of each of `modules`."""
    return [Path(module.__file__ or "") for module in modules]


def source_digest(files: Iterable[Path], *, salt: bytes = b"") -> bytes:
    """32 bytes that change whenever `salt`, or any file's name or content, does."""
    digest = hashlib.blake2b(salt, digest_size=32)
    for path in files:
        content = path.read_bytes()
        # The lengths keep one file's end from reading as the next one's start.
        digest.update(f"{path.name}\0{len(content)}\0".encode() + content)
    return digest.digest()
