"""Web views of the intel app: thin — parse, fetch through a checked selector, call a service."""

from intel.reports.views.contributor import (
    case_study_create,
    contribution_detail,
    contribution_edit,
    contribution_submit,
    contribution_withdraw,
    dashboard,
    report_create,
)
from intel.reports.views.files import attachment_delete, attachment_download, attachment_upload
from intel.reports.views.requirements import requirement_close, requirement_create, requirement_list
from intel.reports.views.review import (
    comment_add,
    reveal_author,
    review_bulk,
    review_claim,
    review_decide,
    review_detail,
    review_queue,
    review_tag_correct,
    saved_search_delete,
    saved_search_run,
    saved_search_save,
    search,
)

__all__ = [
    "attachment_delete",
    "attachment_download",
    "attachment_upload",
    "case_study_create",
    "comment_add",
    "contribution_detail",
    "contribution_edit",
    "contribution_submit",
    "contribution_withdraw",
    "dashboard",
    "report_create",
    "requirement_close",
    "requirement_create",
    "requirement_list",
    "reveal_author",
    "review_bulk",
    "review_claim",
    "review_decide",
    "review_detail",
    "review_queue",
    "review_tag_correct",
    "saved_search_delete",
    "saved_search_run",
    "saved_search_save",
    "search",
]
