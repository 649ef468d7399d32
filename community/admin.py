"""The admin site and admin building blocks shared by the apps.

`AdminSite` is `admin.site` (community.apps.AdminConfig): it has no sign-in
form of its own — `/admin/login/` hands over to allauth's, so the admin gets the
same rate limits, lockout and MFA step as the rest of the site — and it opens
only to active staff whose sign-in passed the second factor
(`accounts.permissions.has_admin_access`), superusers included. Every model
admin registered on it, ours and other apps', refuses a date hierarchy outside
the calendar (`BoundedDateHierarchyAdmin`).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import has_admin_access, second_factor_redirect

from .filters import EARLIEST, LATEST
from .links import site_name_lazy
from .web import BadInput


class AdminSite(admin.AdminSite):
    index_title = gettext_lazy("Administration")

    # Lazy: the name follows SITE_NAME and, while it is ours, the reader's language.
    site_header = site_name_lazy()
    site_title = site_name_lazy()

    def has_permission(self, request: HttpRequest) -> bool:
        return has_admin_access(request.user)

    def register(
        self,
        model_or_iterable: type[Model] | Iterable[type[Model]],
        admin_class: type[admin.ModelAdmin] | None = None,
        **options: Any,
    ) -> None:
        # Here rather than in a base class, so no admin can miss it: the
        # third-party apps' admins register through this site too.
        super().register(model_or_iterable, _bounded(admin_class or admin.ModelAdmin), **options)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("account_login"))
        # Signed in already: sending them to the sign-in page would only bounce back here.
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        if not has_admin_access(user):
            return second_factor_redirect(request, next_url)
        return redirect(next_url)


class BoundedDateHierarchyAdmin(admin.ModelAdmin):
    """A model admin refusing a date hierarchy outside the calendar with a 400.

    The date hierarchy builds dates from `?<field>__year=` (and month, day)
    and catches only ValueError: a year of 99999999999 overflows, and the last
    day of 9999 has no next day, both 500s. Such a date is checked here first.
    `AdminSite.register` puts this in front of every admin class it is given.
    """

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        if self.date_hierarchy:
            _check_date_hierarchy(request, self.date_hierarchy)
        return super().get_changelist_instance(request)


def _check_date_hierarchy(request: HttpRequest, field: str) -> None:
    year, month, day = (request.GET.get(f"{field}__{part}") for part in ("year", "month", "day"))
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


@functools.cache
def _bounded(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """`admin_class` behind `BoundedDateHierarchyAdmin`, under the same name."""
    if issubclass(admin_class, BoundedDateHierarchyAdmin):
        return admin_class
    attributes = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
    return type(admin_class.__name__, (BoundedDateHierarchyAdmin, admin_class), attributes)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by staff with the view permission; never added, changed or deleted here.

    For records whose changes must go through services (decisions, audit,
    deliveries): the admin shows them, the site's own pages act on them.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
