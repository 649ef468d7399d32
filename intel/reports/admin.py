"""Admin: a read-only window on contributions, never naming an anonymous author.

Every change goes through the services (and the audit trail), so these admin
pages cannot add, change or delete; an administrator identifies the author
of an anonymous report only through the audited reveal on the review page.

Nor may the list be narrowed to one author: Django's admin accepts lookups on
a model's own fields from the query string (`?author=7`, `?author__id__in=…`),
and a list of one person's reports would include their anonymous ones. So no
column, filter, search field or ordering uses the author, and any lookup
through the author field is refused (400).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest

from community.admin import ReadOnlyAdmin
from intel.models import Contribution, IntelligenceRequirement


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = [
        "id", "kind", "title", "status", "tlp", "source", "source_grade", "submitted_at",
    ]  # fmt: skip
    list_filter = ["kind", "status", "tlp", "source_grade", "language"]
    search_fields = ["title"]
    date_hierarchy = "submitted_at"
    fields = (
        "kind", "title", "status", "tlp", "attribution", "source", "source_grade", "language",
        "supply_chain_stage", "date_observed", "information_credibility", "revision", "feedback",
        "submitted_at", "decided_at", "accepted_at", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("author")

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        if lookup.split(LOOKUP_SEP, 1)[0] in ("author", "author_id"):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="source")
    def source(self, contribution: Contribution) -> str:
        return contribution.attribution_label


@admin.register(IntelligenceRequirement)
class IntelligenceRequirementAdmin(ReadOnlyAdmin):
    list_display = ["question", "sector", "priority", "due_date", "status", "created_at"]
    list_filter = ["status", "sector", "priority"]
    search_fields = ["question"]
