"""Template filters for membership pages."""

from __future__ import annotations

from django import template

from ..labels import action_label

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    """The translated label of an audit action code (the code if unknown)."""
    return action_label(action)
