"""Every write on intel goes through these functions (keyword-only, typed, atomic)."""

from intel.reports.services.attachments import attachment_add, attachment_delete
from intel.reports.services.claims import (
    BulkResult,
    report_assign,
    report_claim,
    report_unclaim,
    reports_bulk_claim,
    reports_bulk_unclaim,
)
from intel.reports.services.contributions import (
    anonymous_source_grade,
    case_study_create_draft,
    case_study_update,
    contribution_save,
    contribution_submit,
    contributions_anonymise,
    report_create_draft,
    report_resubmit,
    report_submit,
    report_update,
    report_withdraw,
)
from intel.reports.services.requirements import requirement_close, requirement_publish
from intel.reports.services.review import (
    AcceptOutcome,
    author_reveal,
    comment_add,
    report_accept,
    report_reject,
    report_request_changes,
    report_start_review,
)
from intel.reports.services.saved_searches import saved_search_delete, saved_search_save

__all__ = [
    "AcceptOutcome",
    "BulkResult",
    "anonymous_source_grade",
    "attachment_add",
    "attachment_delete",
    "author_reveal",
    "case_study_create_draft",
    "case_study_update",
    "comment_add",
    "contribution_save",
    "contribution_submit",
    "contributions_anonymise",
    "report_accept",
    "report_assign",
    "report_claim",
    "report_create_draft",
    "report_reject",
    "report_request_changes",
    "report_resubmit",
    "report_start_review",
    "report_submit",
    "report_unclaim",
    "report_update",
    "report_withdraw",
    "reports_bulk_claim",
    "reports_bulk_unclaim",
    "requirement_close",
    "requirement_publish",
    "saved_search_delete",
    "saved_search_save",
]
