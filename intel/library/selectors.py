"""Reads of the case-study library, always at the reader's handling level.

Who sees what is `intel.digests.selectors.reader_clearance`; a case study
above it is never returned. The count of those held back is taken over the
whole library, not the filtered list, so narrowing the filters (a country, a
signal) can never reveal that a case study above the reader's level is about
that country or signal.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from accounts.permissions import has_analyst_access
from intel.digests.selectors import reader_clearance
from intel.models import CaseStudy, Status
from intel.reports.search import search_contributions
from intel.vocabulary import TLP_ORDER, tlp_allows


@dataclass(frozen=True)
class LibraryFilters:
    sector: str = ""
    signal: str = ""
    country: str = ""
    stage: str = ""
    accepted_from: datetime.date | None = None
    accepted_to: datetime.date | None = None
    query: str = ""


def _in_library() -> QuerySet[CaseStudy]:
    """Accepted case studies an analyst has not retired."""
    return CaseStudy.objects.filter(status=Status.ACCEPTED).exclude(curation__retired=True)


def _levels(user: Any) -> list[str]:
    clearance = reader_clearance(user)
    return [level for level in TLP_ORDER if tlp_allows(clearance, level)]


def library_case_studies(*, user: Any, filters: LibraryFilters) -> QuerySet[CaseStudy]:
    """The library `user` may read, featured first then newest accepted, with what a page shows.

    Author, curation, sectors, signals and countries come joined or
    prefetched, so a page costs the same number of queries whatever its size.
    """
    queryset = _in_library().filter(tlp__in=_levels(user))
    if filters.sector:
        queryset = queryset.filter(sector_rows__sector=filters.sector)
    if filters.signal:
        queryset = queryset.filter(signal_rows__signal=filters.signal)
    if filters.country:
        queryset = queryset.filter(country_rows__country=filters.country)
    if filters.stage:
        queryset = queryset.filter(supply_chain_stage=filters.stage)
    if filters.accepted_from:
        queryset = queryset.filter(accepted_at__date__gte=filters.accepted_from)
    if filters.accepted_to:
        queryset = queryset.filter(accepted_at__date__lte=filters.accepted_to)
    if filters.query:
        # The search index holds no author name, e-mail or organisation, so a
        # query can never single out an anonymous author's work by who they are.
        matches = search_contributions(user=user, query=filters.query, kind="case-study")
        queryset = queryset.filter(pk__in=matches.order_by().values("pk"))
    featured = Case(
        When(curation__featured=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        queryset.select_related("author", "curation")
        .prefetch_related("sector_rows", "signal_rows", "country_rows")
        .annotate(featured_rank=featured)
        .order_by("featured_rank", "-accepted_at", "-pk")
    )


def library_hidden_count(*, user: Any) -> int:
    """How many case studies in the whole library are above `user`'s handling level."""
    return _in_library().filter(~Q(tlp__in=_levels(user))).count()


def library_case_study(*, user: Any, pk: int) -> CaseStudy:
    """One case study of the library `user` may read; 404 for anything else, above all one
    above their level, so its existence is not revealed. Analysts also open retired ones,
    to bring them back."""
    base = (
        CaseStudy.objects.filter(status=Status.ACCEPTED)
        if has_analyst_access(user)
        else _in_library()
    )
    case_study = (
        base.filter(pk=pk, tlp__in=_levels(user))
        .select_related("author", "curation")
        .prefetch_related("sector_rows", "signal_rows", "country_rows")
        .first()
    )
    if case_study is None:
        raise Http404
    return case_study


def curatable_case_study(*, pk: int) -> CaseStudy:
    """An accepted case study an analyst may curate (retired ones too, to bring them back)."""
    case_study = (
        CaseStudy.objects.filter(pk=pk, status=Status.ACCEPTED).select_related("curation").first()
    )
    if case_study is None:
        raise Http404
    return case_study
