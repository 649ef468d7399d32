"""Intelligence requirements: analysts publish questions per sector and close them."""

from __future__ import annotations

import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require_analyst
from accounts.services import audit_record
from intel import validation
from intel.errors import WorkflowError
from intel.models import IntelligenceRequirement
from intel.vocabulary import Sector
from notifications import events


@transaction.atomic
def requirement_publish(
    *,
    analyst: User,
    sector: str,
    question: str,
    due_date: datetime.date | None,
    priority: int = 2,
    details: str = "",
) -> IntelligenceRequirement:
    """Put an open question to the contributors of one sector."""
    require_analyst(analyst)
    errors: dict[str, list[ValidationError]] = {}
    if sector not in Sector.values:
        errors["sector"] = [ValidationError(_("Choose a sector."))]
    try:
        question = validation.clean_line(question)
    except ValidationError as exc:
        errors["question"] = exc.error_list
    else:
        if not question:
            errors["question"] = [ValidationError(_("Write the question."))]
    try:
        due_date = validation.clean_due_date(due_date)
    except ValidationError as exc:
        errors["due_date"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    requirement = IntelligenceRequirement(
        sector=sector,
        question=question,
        details=details.strip(),
        priority=priority,
        due_date=cast(datetime.date, due_date),
        created_by=analyst,
    )
    requirement.full_clean()
    requirement.save()
    audit_record(
        actor=analyst,
        action="requirement.publish",
        target=requirement,
        data={"sector": sector, "priority": priority, "due_date": str(due_date)},
    )
    events.requirement_published(requirement=requirement)
    return requirement


@transaction.atomic
def requirement_close(
    *, requirement: IntelligenceRequirement, analyst: User, reason: str = ""
) -> IntelligenceRequirement:
    require_analyst(analyst)
    now = timezone.now()
    updated = IntelligenceRequirement.objects.filter(
        pk=requirement.pk, status=IntelligenceRequirement.Status.OPEN
    ).update(status=IntelligenceRequirement.Status.CLOSED, closed_at=now, closed_by=analyst)
    if updated != 1:
        raise WorkflowError(_("This requirement is already closed."))
    requirement.refresh_from_db()
    audit_record(actor=analyst, action="requirement.close", target=requirement, reason=reason)
    return requirement
