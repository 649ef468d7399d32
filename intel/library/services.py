"""Analysts' curation of the case-study library: feature, lessons for operations, retire.

Every change is one audited decision on the case study's `CaseStudyCuration`
row, taken inside a transaction with the row locked, so two analysts curating
at once never lose each other's change.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require_analyst
from accounts.services import audit_record
from intel.errors import WorkflowError
from intel.models import CaseStudy, CaseStudyCuration, Status

TAKEAWAY_MAX = 500


def _locked_curation(case_study: CaseStudy) -> CaseStudyCuration:
    if not CaseStudy.objects.filter(pk=case_study.pk, status=Status.ACCEPTED).exists():
        raise WorkflowError(_("Only accepted case studies are in the library."))
    curation, _created = CaseStudyCuration.objects.get_or_create(case_study=case_study)
    return CaseStudyCuration.objects.select_for_update().get(pk=curation.pk)


def _save(
    curation: CaseStudyCuration, *, actor: User, action: str, data: dict[str, Any]
) -> CaseStudyCuration:
    curation.curated_by = actor
    curation.save()
    audit_record(actor=actor, action=action, target=curation.case_study, data=data)
    return curation


@transaction.atomic
def case_study_feature(*, actor: User, case_study: CaseStudy, featured: bool) -> CaseStudyCuration:
    """Show `case_study` first in the library (or stop doing so)."""
    require_analyst(actor)
    curation = _locked_curation(case_study)
    curation.featured = featured
    return _save(curation, actor=actor, action="library.feature", data={"featured": featured})


@transaction.atomic
def case_study_mark_lessons(
    *, actor: User, case_study: CaseStudy, takeaway_en: str, takeaway_ja: str
) -> CaseStudyCuration:
    """Mark `case_study` as lessons for operations, with a takeaway in both languages."""
    require_analyst(actor)
    takeaway_en, takeaway_ja = takeaway_en.strip(), takeaway_ja.strip()
    errors: dict[str, str] = {}
    for field, value in (("takeaway_en", takeaway_en), ("takeaway_ja", takeaway_ja)):
        if not value:
            errors[field] = _("Write the takeaway in both English and Japanese.")
        elif len(value) > TAKEAWAY_MAX:
            errors[field] = _("Keep the takeaway to %(max)s characters.") % {"max": TAKEAWAY_MAX}
    if errors:
        raise ValidationError(errors)
    curation = _locked_curation(case_study)
    curation.lessons_for_operations = True
    curation.takeaway_en, curation.takeaway_ja = takeaway_en, takeaway_ja
    return _save(curation, actor=actor, action="library.lessons", data={})


@transaction.atomic
def case_study_unmark_lessons(*, actor: User, case_study: CaseStudy) -> CaseStudyCuration:
    """No longer lessons for operations; the takeaway is cleared with the mark."""
    require_analyst(actor)
    curation = _locked_curation(case_study)
    curation.lessons_for_operations = False
    curation.takeaway_en = curation.takeaway_ja = ""
    return _save(curation, actor=actor, action="library.lessons_removed", data={})


@transaction.atomic
def case_study_retire(
    *, actor: User, case_study: CaseStudy, retired: bool = True, reason: str = ""
) -> CaseStudyCuration:
    """Hide `case_study` from the library (or bring it back); featuring ends with retirement."""
    require_analyst(actor)
    curation = _locked_curation(case_study)
    curation.retired = retired
    if retired:
        curation.featured = False
    curation.curated_by = actor
    curation.save()
    audit_record(
        actor=actor,
        action="library.retire" if retired else "library.restore",
        target=case_study,
        reason=reason,
    )
    return curation
