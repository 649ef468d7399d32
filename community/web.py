"""Small helpers every app's views share: typed requests, pagination, service errors on forms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User

PAGE_SIZE = 25


class BadInput(BadRequest):
    """A 400 whose message is written for the person who sent the request (shown as it is)."""


class AuthenticatedRequest(HttpRequest):
    """A request behind a sign-in check: `user` is an account, never anonymous (for typing)."""

    user: User  # type: ignore[assignment]


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:
    """The requested page; a bad or out-of-range number gives the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current query string minus `page`, for pagination links that keep filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def add_service_errors(
    form: Form, error: ValidationError, renames: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form: per field where it names one the form has.

    `renames` maps a service's argument name to the form field that carries it.
    """
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            name = (renames or {}).get(field, field)
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
