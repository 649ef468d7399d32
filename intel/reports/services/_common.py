"""Helpers shared by the intel services (not part of their public surface)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require_analyst
from accounts.services import audit_record
from intel.models import Contribution


def audit_author_action(
    *, contribution: Contribution, action: str, reason: str = "", data: dict | None = None
) -> None:
    """Audit a step the author took, without naming the author of an anonymous report.

    The audit trail is read by staff; an anonymous author may be identified
    only through the audited reveal (`author_reveal`), so the actor is left
    blank and the record says it was the author.
    """
    actor = None if contribution.is_anonymous else contribution.author
    audit_record(
        actor=actor,
        action=action,
        target=contribution,
        reason=reason,
        data={"by": "author", **(data or {})},
    )


def require_author(contribution: Contribution, actor: User) -> None:
    if contribution.author_id != actor.pk:
        raise PermissionDenied(_("Only the author may do this."))


def require_vetted(actor: User) -> None:
    if not actor.is_vetted_contributor:
        raise PermissionDenied(_("Only active members may submit; your membership is not active."))


def require_reviewer(contribution: Contribution, analyst: User) -> None:
    """An analyst (`accounts.permissions.require_analyst`), and not the report's author."""
    require_analyst(analyst)
    if contribution.author_id == analyst.pk:
        raise PermissionDenied(_("Analysts may not review their own reports."))


def transition(
    contribution: Contribution,
    *,
    from_statuses: tuple[str, ...],
    to_status: str,
    **changes: Any,
) -> bool:
    """Move to `to_status` only if still in one of `from_statuses` (a conditional update).

    Two people acting at once cannot both win: the loser's UPDATE matches no
    row. On success the in-memory object is updated too.
    """
    updated = Contribution.objects.filter(pk=contribution.pk, status__in=from_statuses).update(
        status=to_status, **changes
    )
    if updated != 1:
        return False
    contribution.status = to_status
    for name, value in changes.items():
        if not isinstance(value, models.expressions.Combinable):
            setattr(contribution, name, value)
    return True
