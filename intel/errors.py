"""The one domain error every service raises besides Django's ValidationError and PermissionDenied.

Shared by both apps (accounts imports it like `intel.vocabulary`): vetting,
memberships and account deletion refuse with it as the reports, digests and
briefings workflows do, and `community.api.api_exception_handler` answers it
with 409 Conflict.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """The object's current state does not allow this step (HTTP 409 in the API).

    Raised when a conditional update matches no row (another analyst decided
    first, the applicant already resubmitted, the report is no longer a draft)
    or the state forbids the step outright. The message is translated and safe
    to show to the person who asked; web views show it as a message.
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message
