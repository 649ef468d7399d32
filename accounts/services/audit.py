"""The audit trail's only writer, and the guards every deciding service shares."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from ..models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one decision to the audit trail (call inside the deciding transaction)."""
    return AuditEvent.objects.create(
        actor=actor,
        actor_repr=actor.email if actor is not None else "system",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        reason=reason,
        data=data or {},
    )


def require_not_self(actor: User, subject: User) -> None:
    if actor.pk == subject.pk:
        raise PermissionDenied(_("You cannot decide on your own membership."))


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for this decision.")})
    return reason
