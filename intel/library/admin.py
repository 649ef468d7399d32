"""Admin of the case-study library: curation rows, read-only (analysts curate in the site)."""

from __future__ import annotations

from django.contrib import admin

from community.admin import ReadOnlyAdmin
from intel.models import CaseStudyCuration


@admin.register(CaseStudyCuration)
class CaseStudyCurationAdmin(ReadOnlyAdmin):
    list_display = ("case_study", "featured", "lessons_for_operations", "retired", "updated_at")
    list_filter = ("featured", "lessons_for_operations", "retired")
    list_select_related = ("case_study",)
