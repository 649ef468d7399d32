"""Field rules shared by forms, serializers and services, so all three say the same."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from .countries import CODES
from .vocabulary import Sector, Signal

MAX_SECTORS = 3
MAX_EVIDENCE_LINKS = 10
_url_validator = URLValidator(schemes=["http", "https"])


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value.strip() for value in values if value and value.strip()))


def clean_sectors(values: Iterable[str]) -> list[str]:
    sectors = _unique(values)
    unknown = [value for value in sectors if value not in Sector.values]
    if unknown:
        raise ValidationError(
            _("Unknown sector: %(value)s.") % {"value": ", ".join(unknown)}, code="invalid"
        )
    if not 1 <= len(sectors) <= MAX_SECTORS:
        raise ValidationError(
            _("Choose between one and three sectors (you chose %(count)s).")
            % {"count": len(sectors)},
            code="count",
        )
    return sectors


def clean_signals(values: Iterable[str]) -> list[str]:
    signals = _unique(values)
    unknown = [value for value in signals if value not in Signal.values]
    if unknown:
        raise ValidationError(
            _("Unknown signal: %(value)s.") % {"value": ", ".join(unknown)}, code="invalid"
        )
    return signals


def clean_countries(values: Iterable[str]) -> list[str]:
    countries = _unique(value.upper() for value in values)
    unknown = [value for value in countries if value not in CODES]
    if unknown:
        raise ValidationError(
            _("Use ISO 3166-1 two-letter country codes; not recognised: %(value)s.")
            % {"value": ", ".join(unknown)},
            code="invalid",
        )
    return countries


def clean_date_observed(value: datetime.date | None) -> datetime.date:
    if value is None:
        raise ValidationError(_("Enter the date you observed this."), code="required")
    if value > timezone.localdate():
        raise ValidationError(
            _("The date observed cannot be in the future. Enter today's date or an earlier one."),
            code="future",
        )
    if value.year < 1900:
        raise ValidationError(_("Enter a date after 1900."), code="too_old")
    return value


def clean_evidence_links(values: Iterable[str]) -> list[str]:
    links = _unique(values)
    if len(links) > MAX_EVIDENCE_LINKS:
        raise ValidationError(
            _("Give at most %(count)s evidence links.") % {"count": MAX_EVIDENCE_LINKS},
            code="too_many",
        )
    bad = []
    for link in links:
        try:
            _url_validator(link)
        except ValidationError:
            bad.append(link)
    if bad:
        raise ValidationError(
            _(
                "These are not valid web addresses "
                "(they must start with https:// or http://): %(value)s."
            )
            % {"value": ", ".join(bad)},
            code="invalid",
        )
    return links


def clean_due_date(value: datetime.date | None) -> datetime.date:
    if value is None:
        raise ValidationError(_("Enter a due date."), code="required")
    if value < timezone.localdate():
        raise ValidationError(_("The due date cannot be in the past."), code="past")
    return value
