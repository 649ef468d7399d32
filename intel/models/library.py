"""The case-study library's curation: what analysts add to an accepted case study.

A `CaseStudyCuration` row exists once an analyst featured, annotated or
retired a case study; a case study without one is in the library as accepted.
The takeaway is the analyst's own text, in both languages, so nothing of the
author's is rewritten.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CaseStudyCuration(models.Model):
    case_study = models.OneToOneField(
        "intel.CaseStudy",
        on_delete=models.CASCADE,
        related_name="curation",
        verbose_name=_("case study"),
    )
    featured = models.BooleanField(_("featured"), default=False)
    lessons_for_operations = models.BooleanField(_("lessons for operations"), default=False)
    takeaway_en = models.CharField(_("takeaway (English)"), max_length=500, blank=True)
    takeaway_ja = models.CharField(_("takeaway (Japanese)"), max_length=500, blank=True)
    retired = models.BooleanField(_("retired"), default=False)
    curated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("curated by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case-study curation")
        verbose_name_plural = _("case-study curations")
        indexes = [models.Index(fields=["retired", "featured"], name="intel_curation_list_idx")]
        constraints = [
            # A lesson for operations is only one with its takeaway in both languages.
            models.CheckConstraint(
                condition=Q(lessons_for_operations=False)
                | (~Q(takeaway_en="") & ~Q(takeaway_ja="")),
                name="intel_curation_lessons_takeaway",
            ),
        ]

    def __str__(self) -> str:
        return f"Curation of case study {self.case_study_id}"
