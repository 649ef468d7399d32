"""Reads for watchlists and alerts: a watcher's watches, matching, clearance, signed mute links.

Matching is one indexed query over `WatchTerm` (label -> watches) for the
contribution's labels; only those candidate watches are checked further
(muted, free-text words). It never reads every watch or every report.

Clearance of an alert is the watcher's `reader_clearance` as loaded in a
worker: no sign-in there, so no second factor, so an analyst who is not also
a vetted member is cleared to TLP:CLEAR by email, as the rule in
`accounts.permissions` says. A watcher below the report's level gets no
alert at all, not a redacted one: even the title says what was reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Count, F, Prefetch, Q, QuerySet

from accounts.models import User
from intel.digests.selectors import reader_clearance
from intel.models import (
    Contribution,
    ContributionTag,
    Kind,
    TagSource,
    Watch,
    WatchTerm,
    WatchTermKind,
)
from intel.vocabulary import Tlp, tlp_allows

MUTE_SALT = "intel.alerts.mute"


def may_watch(user: Any) -> bool:
    """Whoever reads above TLP:CLEAR on the site (members, readers, analysts) may keep watches."""
    return bool(user.is_authenticated and reader_clearance(user) != Tlp.CLEAR.value)


def watches_of(*, user: User) -> QuerySet[Watch]:
    """A watcher's own watches with their labels (two queries whatever their number)."""
    return Watch.objects.filter(user=user).prefetch_related(
        Prefetch("terms", queryset=WatchTerm.objects.order_by("kind", "slug"))
    )


def watch_of(*, user: User, pk: int) -> Watch | None:
    """`user`'s watch `pk`, or None: another person's watch is as absent as a missing one."""
    return watches_of(user=user).filter(pk=pk).first()


def watch_labels(watch: Watch) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {
        kind.value: [] for kind in WatchTermKind if kind != WatchTermKind.WORD
    }
    for term in watch.terms.all():
        if term.kind in labels:
            labels[term.kind].append(term.slug)
    return labels


# A words-only watch is indexed by the first `ANCHOR_LENGTH` characters of its
# longest word; every word of a watch is a substring of the text it matches, so
# that anchor is always among the text's substrings of that length (or shorter,
# for a shorter word). Three characters keep the text's keys to a few thousand.
ANCHOR_LENGTH = 3


def word_anchor(query: str) -> str:
    """The index key of a words-only watch ('' when it has no words)."""
    words = query.casefold().split()
    return max(words, key=len)[:ANCHOR_LENGTH] if words else ""


def text_anchors(text: str) -> set[str]:
    """Every key a words-only watch matching `text` can have: its short substrings."""
    return {
        run[start : start + size]
        for run in set(text.casefold().split())
        for size in range(1, ANCHOR_LENGTH + 1)
        for start in range(len(run) - size + 1)
    }


# --- Matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionLabels:
    """The labels matching reads: the author's and tagger's rows, and commodity tags."""

    sectors: frozenset[str]
    signals: frozenset[str]
    countries: frozenset[str]
    commodities: frozenset[str]

    def pairs(self) -> list[tuple[str, str]]:
        return [
            *((WatchTermKind.SECTOR.value, slug) for slug in self.sectors),
            *((WatchTermKind.SIGNAL.value, slug) for slug in self.signals),
            *((WatchTermKind.COUNTRY.value, slug) for slug in self.countries),
            *((WatchTermKind.COMMODITY.value, slug) for slug in self.commodities),
        ]


def contribution_labels(contribution: Contribution) -> ContributionLabels:
    """Labels of `contribution`; commodity tags count unless an analyst struck them out."""
    tags = list(
        ContributionTag.objects.filter(contribution=contribution, kind="commodity").values_list(
            "slug", "source", "removed"
        )
    )
    struck = {slug for slug, source, removed in tags if source == TagSource.ANALYST and removed}
    commodities = frozenset(slug for slug, _source, removed in tags if not removed) - struck
    return ContributionLabels(
        sectors=frozenset(contribution.sector_rows.values_list("sector", flat=True)),
        signals=frozenset(contribution.signal_rows.values_list("signal", flat=True)),
        countries=frozenset(contribution.country_rows.values_list("country", flat=True)),
        commodities=commodities,
    )


def contribution_text(contribution: Contribution) -> str:
    """What free-text words are looked for in: the title and the report's own text."""
    detail = contribution.detail
    if contribution.kind == Kind.REPORT:
        parts = [contribution.title, detail.summary]  # type: ignore[union-attr]
    else:
        parts = [
            contribution.title,
            *(
                getattr(detail, name)
                for name in ("context", "challenge", "actions_taken", "outcome", "lessons_learned")
            ),
        ]
    return " ".join(parts)


def query_matches(query: str, text: str) -> bool:
    """Every word of `query` appears in `text`, ignoring case (substring, so Japanese works)."""
    haystack = text.casefold()
    return all(word in haystack for word in query.casefold().split())


def matching_watch_ids(*, labels: ContributionLabels, text: str) -> list[int]:
    """Ids of the unmuted watches `labels` (and `text`, for watches with words) satisfy.

    One query whatever the number of watches: the terms among the labels and
    the text's anchors (the (kind, slug) index), grouped by watch and kept when
    they matched in as many kinds as the watch names, joined to their watches
    for muting and words; words are then checked only on those candidates.
    """
    condition = Q()
    for kind, slug in labels.pairs():
        condition |= Q(kind=kind, slug=slug)
    anchors = text_anchors(text)
    if anchors:
        condition |= Q(kind=WatchTermKind.WORD, slug__in=sorted(anchors))
    if not condition:
        return []
    matched = (
        WatchTerm.objects.filter(condition)
        .values("watch_id", "watch_kinds")
        .annotate(kinds=Count("kind", distinct=True))
        .filter(kinds=F("watch_kinds"))
        .values("watch_id")
    )
    rows = Watch.objects.filter(pk__in=matched, muted_at__isnull=True).values_list("pk", "query")
    return sorted(pk for pk, query in rows if not query or query_matches(query, text))


# --- Clearance ---------------------------------------------------------------------------


def watcher_may_read(*, user: User, contribution: Contribution) -> bool:
    """Whether an alert about `contribution` may go to `user` by email (see the docstring)."""
    if not user.is_active:
        return False
    return tlp_allows(reader_clearance(user), contribution.tlp)


# --- Mute links --------------------------------------------------------------------------


def mute_token(watch: Watch) -> str:
    return signing.dumps({"w": watch.pk, "u": watch.user_id}, salt=MUTE_SALT)


def watch_by_mute_token(token: str) -> Watch | None:
    """The watch a mute link names, or None for a forged, altered or stale link."""
    try:
        payload = signing.loads(token, salt=MUTE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    watch_id, user_id = payload.get("w"), payload.get("u")
    if not isinstance(watch_id, int) or not isinstance(user_id, int):
        return None
    return Watch.objects.filter(pk=watch_id, user_id=user_id).first()
