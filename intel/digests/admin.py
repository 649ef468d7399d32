"""Admin: read-only windows on digests and sector assessments.

Drafting, editing, publishing and correcting a digest, and assessing a sector,
are audited decisions taken on the analysts' pages (`/intel/digests/`,
`/intel/sectors/`); the admin shows the records and links there.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from community.admin import ReadOnlyAdmin
from intel.models import Digest, SectorAssessment


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["sector", "week_start", "version", "status", "published_at", "page"]
    list_filter = ["status", "sector"]
    date_hierarchy = "week_start"
    ordering = ["-week_start", "sector", "-version"]
    fields = readonly_fields = (
        "sector", "week_start", "version", "status", "summary", "summary_tlp",
        "correction_note", "edited_at", "published_at", "computed_at",
    )  # fmt: skip

    @admin.display(description=_("analyst page"))
    def page(self, digest: Digest) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("intel:digest_detail", args=[digest.pk]), _("open")
        )


@admin.register(SectorAssessment)
class SectorAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["sector", "sector_class", "autonomy", "indispensability", "created_at"]
    list_filter = ["sector", "sector_class"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "sector", "sector_class", "autonomy", "indispensability", "rationale", "created_at",
    )  # fmt: skip
