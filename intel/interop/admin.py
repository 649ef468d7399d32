"""Admin: a read-only list of partner sources (analysts create them when importing)."""

from __future__ import annotations

from django.contrib import admin

from community.admin import ReadOnlyAdmin
from intel.models import PartnerSource


@admin.register(PartnerSource)
class PartnerSourceAdmin(ReadOnlyAdmin):
    list_display = ["name", "source_grade", "created_at", "updated_at"]
    list_filter = ["source_grade"]
    search_fields = ["name"]
    fields = ("name", "source_grade", "created_at", "updated_at")
    readonly_fields = fields
