"""Small helpers shared by the intel views."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request behind a sign-in check (every intel view has one): `user` is an account."""

    user: User  # type: ignore[assignment]


PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current query string minus `page`, for pagination links that keep filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
