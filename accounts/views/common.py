"""Small helpers the accounts views share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest

from ..models import User


class AuthenticatedRequest(HttpRequest):
    """A request behind a sign-in check: `user` is a `User`, never anonymous (for typing)."""

    user: User


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = 25) -> Page:
    """The requested page; a bad or out-of-range number gives the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where it names one the form has."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
