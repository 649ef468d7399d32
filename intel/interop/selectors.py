"""What a reader may receive as STIX: the one visibility rule of the site, applied to exports.

- Contributions travel to analysts whose sign-in passed the second factor
  (`has_analyst_access`), as on the site: nobody else sees a contribution.
  TAXII offers the accepted ones; a search export holds what the search
  shows. Both stop at the reader's clearance (`reader_clearance`).
- Published digests travel to every reader, redacted by `digest_view` to
  their clearance, exactly as the digest pages show them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.permissions import has_analyst_access
from intel.digests import core as digest_core
from intel.digests.selectors import DIGEST_ITEM_FIELDS, digest_view
from intel.interop import stix
from intel.models import Contribution, Digest, DigestItem, DigestStatus, Status
from intel.reports import selectors as report_selectors


def with_stix_rows(queryset: QuerySet[Contribution]) -> QuerySet[Contribution]:
    """What `stix.contribution_objects` reads, in a fixed number of queries for any list."""
    return queryset.select_related("fieldreport", "casestudy").prefetch_related(
        "sector_rows", "signal_rows", "country_rows"
    )


def contributions_for_reader(*, user: Any, clearance: str) -> QuerySet[Contribution]:
    """Accepted contributions `user` may receive, at or below `clearance` (none for
    anyone but analysts)."""
    if not has_analyst_access(user):
        return Contribution.objects.none()
    return Contribution.objects.filter(
        status=Status.ACCEPTED, tlp__in=digest_core.allowed_levels(clearance)
    )


def search_for_export(
    *, user: Any, clearance: str, query: str = "", sort: str = "", **filters: Any
) -> QuerySet[Contribution]:
    """The search `user` ran (analysts only: others get nothing), at or below `clearance`."""
    if not has_analyst_access(user):
        return Contribution.objects.none()
    results = report_selectors.search(user=user, query=query, sort=sort, **filters)
    return with_stix_rows(results.filter(tlp__in=digest_core.allowed_levels(clearance)))


def digest_stix_objects(*, digest: Digest, clearance: str) -> list[Any]:
    """`digest` as STIX objects for a reader cleared to `clearance`."""
    view = digest_view(digest=digest, clearance=clearance, language="en")
    return stix.digest_objects(digest, view)


def digests_with_views(*, pks: list[int], clearance: str) -> dict[int, tuple[Digest, Any]]:
    """Digests by pk with the view a reader cleared to `clearance` gets: three queries
    whatever the number (the digests, their items, their published corrections)."""
    digests = {digest.pk: digest for digest in Digest.objects.filter(pk__in=pks)}
    items: dict[int, list[dict[str, Any]]] = {pk: [] for pk in digests}
    for row in DigestItem.objects.filter(digest_id__in=list(digests)).values(
        "digest_id", *DIGEST_ITEM_FIELDS
    ):
        items[row.pop("digest_id")].append(row)
    corrections = {
        correction.previous_id: correction
        for correction in Digest.objects.filter(
            previous_id__in=list(digests), status=DigestStatus.PUBLISHED
        )
    }
    return {
        pk: (
            digest,
            digest_view(
                digest=digest,
                clearance=clearance,
                language="en",
                items=items[pk],
                correction=corrections.get(pk),
            ),
        )
        for pk, digest in digests.items()
    }
