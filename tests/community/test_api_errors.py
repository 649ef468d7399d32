"""The one DRF exception handler: the services' refusals become 400, 403, 404 and 409 JSON."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from community.api import api_exception_handler
from intel.errors import WorkflowError
from intel.models import Digest


def answer(error: Exception) -> tuple[int, object]:
    response = api_exception_handler(error, {"view": None, "request": None})
    assert response is not None
    return response.status_code, response.data


def test_a_service_validation_error_is_a_400_per_field():
    status, data = answer(ValidationError({"title": "Write a title.", "__all__": "Too late."}))
    assert status == 400
    assert data == {"title": ["Write a title."], "non_field_errors": ["Too late."]}


def test_a_validation_error_without_fields_is_a_non_field_error():
    assert answer(ValidationError("Nothing to publish.")) == (
        400,
        {"non_field_errors": ["Nothing to publish."]},
    )


def test_a_service_refusal_is_a_403_with_its_message():
    assert answer(PermissionDenied("Only the author may do this.")) == (
        403,
        {"detail": "Only the author may do this."},
    )


def test_a_workflow_or_transition_refusal_is_a_409():
    assert answer(WorkflowError("Only a draft can be submitted.")) == (
        409,
        {"detail": "Only a draft can be submitted."},
    )
    assert answer(WorkflowError("Someone decided first.")) == (
        409,
        {"detail": "Someone decided first."},
    )
    status, data = answer(WorkflowError())
    assert status == 409 and data["detail"]


def test_a_missing_object_is_a_404():
    assert answer(Digest.DoesNotExist()) == (404, {"detail": "Not found."})


def test_other_errors_are_left_to_django():
    assert api_exception_handler(ValueError("bug"), {"view": None, "request": None}) is None
