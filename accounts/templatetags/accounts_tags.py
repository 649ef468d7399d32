"""Template filters for membership pages."""

from __future__ import annotations

from django import template

from ..labels import action_label, audit_target_url
from ..models import AuditEvent

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    """The translated label of an audit action code (the code if unknown)."""
    return action_label(action)


@register.simple_tag
def audit_target_link(event: AuditEvent) -> str | None:
    """The URL of the page about `event`'s target, if it has one."""
    return audit_target_url(event.target_type, event.target_id)
