"""Errors the intel services raise besides Django's ValidationError and PermissionDenied."""

from __future__ import annotations


class WorkflowError(Exception):
    """The contribution's current state does not allow this step (HTTP 409 in the API).

    The message is translated and safe to show to the person who asked.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
