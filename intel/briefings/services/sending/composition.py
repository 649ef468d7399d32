"""What a chunk composes and reuses: the composers of each format, fragment sets and
renderings kept per worker process, fragment sets shared between processes through
the cache, and the state of one chunk run (`_Chunk`).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from community.sources import module_files, source_digest
from intel.boardbrief import emails as board_emails
from intel.briefings import compose, selectors
from intel.briefings.services.sending.claims import (
    MARK_BATCH,
    ChunkOutcome,
    _mark_sent,
    _Recipient,
    _Sent,
)
from intel.briefings.services.sending.wire import Wire
from intel.digests import selectors as digest_selectors
from intel.models import BriefingContent, BriefingWeek
from intel.vocabulary import Sector

logger = logging.getLogger(__name__)


class _Lru:
    """What a worker process keeps across the chunks it sends (least recently used out).

    Keyed by everything the value depends on — the week's digest versions
    (published ones never change; a correction has a new id), the composer,
    clearance, language, corrections, the site's address and, for a
    rendering, the sectors — so a hit is always what a fresh composition
    would produce.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[object, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass
class Rendering:
    """A reader's briefing (sectors, clearance, language, corrections) and its wire form."""

    composed: compose.ComposedBriefing
    _wire: Wire | None = None

    def wire(self) -> Wire:
        if self._wire is None:
            self._wire = Wire(self.composed, from_email=str(settings.DEFAULT_FROM_EMAIL))
        return self._wire


# Fragment sets: one per composer, clearance, language and corrections (10 in a usual week).
fragment_sets = _Lru(64)

# Fragment sets are also shared by every worker process through the cache (Redis with
# `REDIS_URL`): the first process to need one composes it and the others read it, instead of
# each redacting the week's digests and rendering them again. Its key holds everything the
# key of `fragment_sets` holds (clearance and language first of all), so a reader only ever
# gets what a composition for their own clearance gives.
SHARED_FRAGMENTS_TIMEOUT = 3600  # seconds: a week's send is over long before
SHARED_WAIT_SECONDS = 30.0  # the longest wait for another process's composition
SHARED_POLL_SECONDS = 0.02


def shared_fragments(key: tuple[object, ...], composed: Callable[[], Any]) -> Any:
    """The fragment set of `key` from the shared cache, composed here (and stored) if no
    other process has it or is composing it; a process composing it is waited for."""
    name = shared_name(key)
    found = cache.get(name)
    if found is not None:
        return found
    lock = f"{name}:composing"
    deadline = time.monotonic() + SHARED_WAIT_SECONDS
    while not (owned := cache.add(lock, os.getpid(), timeout=SHARED_WAIT_SECONDS)):
        if time.monotonic() > deadline:
            break  # the composer died or hangs: compose here
        time.sleep(SHARED_POLL_SECONDS)
        found = cache.get(name)
        if found is not None:
            return found
    try:
        found = composed()
        cache.set(name, found, SHARED_FRAGMENTS_TIMEOUT)
    finally:
        if owned:
            cache.delete(lock)
    return found


def shared_name(key: tuple[object, ...]) -> str:
    """The cache key of a fragment set (its key's values in full, hashed to a fixed length)."""
    return "briefings:fragments:" + hashlib.sha256(repr(key).encode()).hexdigest()


@lru_cache(maxsize=1)
def _composing_code() -> str:
    """A digest of the code and templates a fragment set comes from: after a deploy that
    changes them (redaction included), no process reads a set the old code composed."""
    files = module_files(compose, selectors, board_emails, digest_selectors, sys.modules[__name__])
    files += sorted((Path(settings.BASE_DIR) / "templates" / "emails").glob("*"))
    return source_digest(files).hex()


# Assembled renderings, about 40 KB each with their wire form. Sized for every combination
# of up to three sectors, two languages and two clearances: a smaller cache that subscribers
# hit in random order would evict nearly every rendering before its next use.
RENDER_CACHE_SIZE = 2048
renderings = _Lru(RENDER_CACHE_SIZE)


@dataclass(frozen=True)
class _Whole:
    """A format without fragments: each reader's sectors composed in one piece."""

    briefing: compose.Briefing
    compose_sectors: Callable[[compose.Briefing], compose.ComposedBriefing]

    def assemble(self, sectors: Sequence[str]) -> compose.ComposedBriefing:
        chosen = set(sectors)
        sections = [section for section in self.briefing.sections if section.sector in chosen]
        return self.compose_sectors(replace(self.briefing, sections=sections))


def _board_summaries(briefing: compose.Briefing) -> _Whole:
    # Board summary only: the board briefs of the same redacted views (intel.boardbrief).
    return _Whole(briefing, board_emails.compose_board_briefing)


# How each format of briefing (`Subscription.content`) is composed from the whole briefing
# of every sector a reader may choose: the full one is rendered once and each reader's
# sectors assembled from its fragments; the board summary is composed per sector set.
COMPOSERS: dict[str, Callable[[compose.Briefing], Any]] = {
    BriefingContent.FULL: compose.fragments,
    BriefingContent.BOARD: _board_summaries,
}


def composer_for(subscription: selectors.Subscriber) -> str:
    """The one place a subscription's format chooses its composer (a key of `COMPOSERS`)."""
    return subscription.content if subscription.content in COMPOSERS else BriefingContent.FULL


class _Chunk:
    """State of one chunk run: its claim, the renderings it reuses, what is left to finish."""

    def __init__(self, *, week_start: datetime.date, token: str, outcome: ChunkOutcome) -> None:
        self.week_start = week_start
        self.token = token
        self.outcome = outcome
        self.digests = selectors.WeekDigests.load(week_start)
        self.rendered: dict[tuple[object, ...], Rendering] = {}
        self._corrections: dict[str, dict[int, compose.Correction]] = {}
        week = BriefingWeek.objects.filter(week_start=week_start).first()
        self.correction_digests = selectors.correction_digests(week.corrections if week else [])
        self.unrecorded: list[_Sent] = []
        self.mark_batch = 1

    def prepare(self, deliveries: Sequence[_Recipient]) -> None:
        self.clearances = selectors.subscription_clearances(deliveries)
        self.links = selectors.SubscriberLinks()
        self.received = selectors.received_weeks(
            subscription_ids=[delivery.subscription_id for delivery in deliveries],
            weeks={digest.week_start for digest in self.correction_digests},
        )

    def corrections_for(
        self, subscription: selectors.Subscriber, sectors: Sequence[str]
    ) -> tuple[int, ...]:
        """Corrections of digests this reader was sent before (same sector and week)."""
        return tuple(
            digest.pk
            for digest in self.correction_digests
            if digest.sector in sectors
            and digest.sector in self.received.get((subscription.pk, digest.week_start), ())
        )

    def _fragments(
        self, *, composer: str, clearance: str, language: str, corrections: tuple[int, ...]
    ) -> Any:
        key = (
            self.week_start,
            self.digests.identity,
            composer,
            clearance,
            language,
            corrections,
            settings.SITE_URL,
        )
        found = fragment_sets.get(key)
        if found is None:

            def composed() -> Any:
                if language not in self._corrections:
                    self._corrections[language] = selectors.corrections_by_id(
                        [digest.pk for digest in self.correction_digests], language
                    )
                by_id = self._corrections[language]
                self.outcome.compositions += 1
                return COMPOSERS[composer](
                    self.digests.briefing(
                        sectors=Sector.values,
                        clearance=clearance,
                        language=language,
                        corrections=[by_id[pk] for pk in corrections if pk in by_id],
                    )
                )

            found = shared_fragments((*key, *self._shared_identity()), composed)
            fragment_sets.put(key, found)
        return found

    def _shared_identity(self) -> tuple[object, ...]:
        """What a key shared between processes adds to a process's own: when each digest
        was published (a database re-created under the same ids never meets an old
        entry), the subject prefix, and the code and templates that compose."""
        published = tuple(
            (digest.pk, digest.published_at.isoformat() if digest.published_at else None)
            for digest in [*self.digests.digests.values(), *self.correction_digests]
            if digest is not None
        )
        return (published, settings.ACCOUNT_EMAIL_SUBJECT_PREFIX, _composing_code())

    def rendering(
        self,
        *,
        composer: str,
        sectors: list[str],
        clearance: str,
        language: str,
        corrections: tuple[int, ...],
    ) -> Rendering:
        key = (
            self.week_start,
            self.digests.identity,
            composer,
            tuple(sectors),
            clearance,
            language,
            corrections,
            settings.SITE_URL,
        )
        found = self.rendered.get(key) or renderings.get(key)
        if found is None:
            fragments = self._fragments(
                composer=composer, clearance=clearance, language=language, corrections=corrections
            )
            found = Rendering(fragments.assemble(sectors))
            renderings.put(key, found)
            self.outcome.assembled += 1
        self.rendered[key] = found
        return found

    def record_sent(self, sent: _Sent) -> None:
        self.unrecorded.append(sent)
        if len(self.unrecorded) >= self.mark_batch:
            self.flush()
            self.mark_batch = min(MARK_BATCH, self.mark_batch * 2)

    def flush(self) -> None:
        """Mark the accepted, unrecorded deliveries sent: one UPDATE for the batch."""
        if not self.unrecorded:
            return
        batch, self.unrecorded = self.unrecorded, []
        done = _mark_sent(batch, self.token, timezone.now())
        if done != len(batch):
            # As in `_finish`: only a claim gone stale under a live task loses rows here.
            logger.warning("briefing chunk: %s sent deliveries lost their claim", len(batch) - done)
