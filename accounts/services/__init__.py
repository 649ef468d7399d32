"""Writes on accounts. Every change of identity, standing or role goes through here.

Each state change is one function, keyword-only and typed, that runs inside
`transaction.atomic`, guards the transition with a conditional update
(`filter(pk=…, status=OLD).update(status=NEW) == 1`), appends to the audit trail
and queues any email for after the commit.
"""

from __future__ import annotations

from .applications import (
    application_approve,
    application_reject,
    application_request_info,
    application_resubmit,
    application_submit,
)
from .audit import audit_record
from .invitations import invitation_accept, invitation_check, invitation_create
from .memberships import (
    grade_change,
    membership_create,
    membership_reinstate,
    membership_revoke,
    membership_suspend,
)
from .tokens import api_token_create, api_token_revoke, api_tokens_revoke_all
from .users import account_delete, user_create, user_roles_changed

__all__ = [
    "account_delete",
    "api_token_create",
    "api_token_revoke",
    "api_tokens_revoke_all",
    "application_approve",
    "application_reject",
    "application_request_info",
    "application_resubmit",
    "application_submit",
    "audit_record",
    "grade_change",
    "invitation_accept",
    "invitation_check",
    "invitation_create",
    "membership_create",
    "membership_reinstate",
    "membership_revoke",
    "membership_suspend",
    "user_create",
    "user_roles_changed",
]
