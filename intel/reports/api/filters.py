"""django-filter filter sets for the intel API lists."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from community.filters import IsoDateTimeFilter
from intel.models import (
    Attribution,
    Contribution,
    ContributionCountry,
    ContributionSector,
    ContributionSignal,
    Kind,
    Language,
    Status,
)
from intel.reports import selectors
from intel.reports.search import tag_exists
from intel.vocabulary import Sector, Signal, SourceReliability, Tlp


class ContributionFilter(django_filters.FilterSet):
    sector = django_filters.ChoiceFilter(choices=Sector.choices, method="filter_sector")
    signal = django_filters.ChoiceFilter(choices=Signal.choices, method="filter_signal")
    country = django_filters.CharFilter(method="filter_country", max_length=2)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    tlp = django_filters.ChoiceFilter(choices=Tlp.choices)
    source_grade = django_filters.ChoiceFilter(choices=SourceReliability.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    language = django_filters.ChoiceFilter(choices=Language.choices)
    submitted_after = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    attribution = django_filters.ChoiceFilter(
        choices=Attribution.choices, help_text="Author type: named, organisation or anonymous."
    )
    tag = django_filters.CharFilter(
        method="filter_tag", max_length=64, help_text="Any tag slug (sector, signal, country…)."
    )

    class Meta:
        model = Contribution
        fields = ["status", "tlp", "source_grade", "kind", "language", "attribution"]

    def filter_tag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(tag_exists(value))

    def filter_sector(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(selectors.row_exists(ContributionSector, "sector", value))

    def filter_signal(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(selectors.row_exists(ContributionSignal, "signal", value))

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(selectors.row_exists(ContributionCountry, "country", value.upper()))


class OwnContributionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)

    class Meta:
        model = Contribution
        fields = ["status"]
