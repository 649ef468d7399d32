"""DRF building blocks every app's API shares: the router and the exception handler.

They are guards, so a new endpoint cannot answer 500 to bad input:

- `IdRouter` gives every detail route an integer id (`<int:pk>`), so
  `/api/digests/abc/` is a 404 before any view runs.
- `community.parsers.BoundedJSONParser` (a module of its own: DRF imports
  parsers while it loads) limits how deeply JSON bodies nest.
- `api_exception_handler` turns the services' refusals into HTTP answers:
  `ValidationError` 400 per field, `PermissionDenied` 403, a refused
  transition (`intel.errors.WorkflowError`) 409, a missing object 404.
  Views call services directly and let these propagate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from intel.errors import WorkflowError

if TYPE_CHECKING:
    from accounts.models import User


class IdRouter(SimpleRouter):
    """A router whose detail routes match integer ids only (Django's `int` path converter)."""

    def __init__(self, trailing_slash: bool = True) -> None:
        super().__init__(trailing_slash=trailing_slash, use_regex_path=False)
        self._default_value_pattern = "int"


def signed_in(request: Request) -> User:
    """The caller, for views whose permission classes already refuse anonymous callers."""
    return cast("User", request.user)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object's current state does not allow this."
    default_code = "conflict"


def _field_errors(error: DjangoValidationError) -> dict[str, Any]:
    """A service's ValidationError as DRF errors per field (`__all__` as non-field errors)."""
    detail = serializers.as_serializer_error(error)
    return {
        api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field: messages
        for field, messages in detail.items()
    }


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, after translating the services' own exceptions."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_field_errors(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, WorkflowError):
        exc = Conflict(exc.message or None)
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    return exception_handler(exc, context)
