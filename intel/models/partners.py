"""Partner sources: the organisations whose STIX bundles analysts import.

A partner (an allied agency, an ISAC's MISP, an OpenCTI instance) is not a
member: it has no account, no membership and no vetting. Analysts name it once
and grade it on the Admiralty reliability scale themselves; every report
imported from it carries that grade and its name as the source, the way a
member's report carries the member's grade and organisation.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from community.constraints import choices_constraint
from intel.vocabulary import SourceReliability


class PartnerSource(models.Model):
    name = models.CharField(_("name"), max_length=200)
    source_grade = models.CharField(
        _("source grade"), max_length=1, choices=SourceReliability, default=SourceReliability.F
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("partner source")
        verbose_name_plural = _("partner sources")
        ordering = ["name"]
        constraints = [
            # "MISP-ISAC" and "misp-isac" are one partner: corroboration counts
            # sources by organisation name, case-insensitively.
            models.UniqueConstraint(Lower("name"), name="intel_partner_name_once"),
            choices_constraint("source_grade", SourceReliability, name="intel_partner_grade"),
        ]

    def __str__(self) -> str:
        return self.name
