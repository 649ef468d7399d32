"""Downloads of a search result (STIX bundle, CSV) and of a digest (STIX bundle).

The web views and the API endpoints both call these; they receive querysets
already chosen by `intel.interop.selectors` (visibility and clearance), so
this module only writes files. A search export holds at most
`EXPORT_LIMIT` contributions, in the search's order.

CSV cells that a spreadsheet would run as a formula (starting with `=`, `+`,
`-`, `@`, a tab or a carriage return) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse

from intel.interop import selectors, stix
from intel.models import Contribution, Digest

EXPORT_LIMIT = 10_000
STIX_CONTENT_TYPE = "application/stix+json;version=2.1"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = (
    "stix_id",
    "id",
    "kind",
    "status",
    "title",
    "tlp",
    "attribution",
    "sectors",
    "signals",
    "countries",
    "supply_chain_stage",
    "date_observed",
    "source_grade",
    "information_credibility",
    "submitted_at",
    "accepted_at",
)


def safe_cell(value: Any) -> str:
    """`value` as text a spreadsheet shows rather than evaluates."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _row(contribution: Contribution) -> list[str]:
    values = [
        stix.contribution_report_id(contribution.pk),
        contribution.pk,
        contribution.kind,
        contribution.status,
        contribution.title,
        contribution.tlp,
        contribution.attribution_label,
        " ".join(sorted(contribution.sectors)),
        " ".join(sorted(contribution.signals)),
        " ".join(sorted(contribution.countries)),
        contribution.supply_chain_stage,
        contribution.date_observed.isoformat() if contribution.date_observed else "",
        contribution.source_grade,
        contribution.information_credibility,
        contribution.submitted_at.isoformat() if contribution.submitted_at else "",
        contribution.accepted_at.isoformat() if contribution.accepted_at else "",
    ]
    return [safe_cell(value) for value in values]


def search_csv(contributions: Iterable[Contribution]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for contribution in contributions:
        writer.writerow(_row(contribution))
    return out.getvalue()


def search_bundle(contributions: Iterable[Contribution]) -> str:
    return stix.bundle_json(
        obj for contribution in contributions for obj in stix.contribution_objects(contribution)
    )


def limited(results: QuerySet[Contribution]) -> list[Contribution]:
    return list(results[:EXPORT_LIMIT])


def digest_bundle(*, digest: Digest, clearance: str) -> str:
    return stix.bundle_json(selectors.digest_stix_objects(digest=digest, clearance=clearance))


def download(body: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Redacted per reader: never serve one reader's copy to another from a cache.
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Cookie, Authorization"
    return response


def digest_filename(digest: Digest) -> str:
    suffix = f"-v{digest.version}" if digest.version > 1 else ""
    return f"digest-{digest.sector}-{digest.week_start:%Y-%m-%d}{suffix}.stix.json"
