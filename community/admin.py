"""Admin building blocks shared by the apps."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .filters import EARLIEST, LATEST
from .web import BadInput


class BoundedChangeList(ChangeList):
    """Django's change list, refusing a date hierarchy outside the calendar with a 400.

    The date hierarchy builds dates from `?<field>__year=` (and month, day)
    and catches only ValueError: a year of 99999999999 overflows, and the last
    day of 9999 has no next day, both 500s. Such a date is checked here first.
    """

    def get_filters(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if self.date_hierarchy:
            self._check_date_hierarchy(request)
        return super().get_filters(request, *args, **kwargs)

    def _check_date_hierarchy(self, request: HttpRequest) -> None:
        year, month, day = (
            request.GET.get(f"{self.date_hierarchy}__{part}") for part in ("year", "month", "day")
        )
        if year is None:
            return
        try:
            chosen = datetime.date(int(year), int(month or 1), int(day or 1))
        except (OverflowError, ValueError):
            chosen = None
        if chosen is None or not EARLIEST <= chosen <= LATEST:
            raise BadInput(
                _("The date filter must name a real date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}
            )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by staff with the view permission; never added, changed or deleted here.

    For records whose changes must go through services (decisions, audit,
    deliveries): the admin shows them, the site's own pages act on them.
    """

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return BoundedChangeList

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
