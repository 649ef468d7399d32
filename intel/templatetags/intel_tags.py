"""Template helpers for intel pages: sanitised Markdown, country names, labels."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from intel import text
from intel.countries import country_name as _country_name
from intel.vocabulary import Sector, Signal, Tlp, choice_label

register = template.Library()


@register.filter
def markdown(value: str) -> SafeString:
    """Markdown rendered and sanitised by nh3 (intel.text.render_markdown)."""
    return mark_safe(text.render_markdown(value))  # noqa: S308 - sanitised by nh3


@register.filter
def country_name(code: str) -> str:
    return _country_name(code)


@register.filter
def sector_label(slug: str) -> str:
    return choice_label(Sector, slug)


@register.filter
def signal_label(slug: str) -> str:
    return choice_label(Signal, slug)


@register.filter
def tlp_label(level: str) -> str:
    return choice_label(Tlp, level)
