"""Errors raised by accounts services, translated to responses by views and the API."""

from __future__ import annotations


class TransitionError(Exception):
    """The object is no longer in a state that allows this change.

    Raised when a conditional update matches no row: another analyst decided
    first, the applicant already resubmitted, the member is already suspended.
    Views show it as a message, the API as 409 Conflict.
    """
