"""Date and date-time filters that refuse what the database cannot compare, for every filter set.

Python accepts years 1 to 9999 and UTC offsets up to ±23:59; PostgreSQL
refuses some of those offsets (+17:00 among them), and date arithmetic near
the ends of the calendar overflows. A filter value outside `EARLIEST`…`LATEST`,
or with an offset beyond ±18:00 (no time zone is that far from UTC), is a
field error (400 in the API); a valid date-time is compared in UTC.
`FilterBackend` makes these the defaults of every DRF list (`filterset_fields`
included); hand-written filter sets use the filters below.
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework import FilterSet as RestFilterSet

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2999, 12, 31)
MAX_UTC_OFFSET = datetime.timedelta(hours=18)


def check_date_range(day: datetime.date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            code="out_of_range",
        )


class BoundedDateField(forms.DateField):
    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            check_date_range(value)


class BoundedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value: Any) -> datetime.datetime | None:
        parsed: datetime.datetime | None = super().to_python(value)
        if parsed is None:
            return None
        offset = parsed.utcoffset() or datetime.timedelta(0)
        if abs(offset) > MAX_UTC_OFFSET:
            raise forms.ValidationError(
                _("Use a UTC offset between -18:00 and +18:00."), code="offset"
            )
        check_date_range(parsed.date())
        return parsed.astimezone(datetime.UTC)


class DateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class FilterSet(RestFilterSet):
    FILTER_DEFAULTS = {
        **RestFilterSet.FILTER_DEFAULTS,
        models.DateField: {"filter_class": DateFilter},
        models.DateTimeField: {"filter_class": IsoDateTimeFilter},
    }


class FilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend, building `filterset_fields` from the bounded filters."""

    filterset_base = FilterSet
