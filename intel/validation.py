"""Field rules shared by forms, serializers and services, so all three say the same."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from intel.countries import CODES
from intel.text import has_visible_text, strip_bidi_controls
from intel.vocabulary import Sector, Signal

MAX_SECTORS = 3
MAX_EVIDENCE_LINKS = 10
# The calendar the platform's dates live in: nothing was observed before 1900,
# and a deadline or a digest week is never years away. Far from Python's and
# PostgreSQL's limits, so date arithmetic on them cannot overflow.
EARLIEST_DATE = datetime.date(1900, 1, 1)
MAX_DUE_YEARS = 5
MAX_WEEKS_AHEAD = 53
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


def clean_line(value: str) -> str:
    """A title or summary: trimmed, bidi controls removed, and something a reader can see.

    A blank value comes back empty, for the field's own "required" rule.
    """
    text = strip_bidi_controls(value).strip()
    if value.strip() and not has_visible_text(text):
        raise ValidationError(
            _("Write some visible text: this has only spaces or invisible characters."),
            code="invisible",
        )
    return text


def clean_date_observed(value: datetime.date | None) -> datetime.date:
    if value is None:
        raise ValidationError(_("Enter the date you observed this."), code="required")
    if value > timezone.localdate():
        raise ValidationError(
            _("The date observed cannot be in the future. Enter today's date or an earlier one."),
            code="future",
        )
    if value < EARLIEST_DATE:
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
    today = timezone.localdate()
    if value < today:
        raise ValidationError(_("The due date cannot be in the past."), code="past")
    if value > _years_after(today, MAX_DUE_YEARS):
        raise ValidationError(
            _("Choose a due date at most %(count)s years from today.") % {"count": MAX_DUE_YEARS},
            code="too_far",
        )
    return value


def clean_digest_week(value: datetime.date) -> datetime.date:
    """A week a digest can be built for: from 1900 to a year ahead at most."""
    latest = timezone.localdate() + datetime.timedelta(weeks=MAX_WEEKS_AHEAD)
    if not EARLIEST_DATE <= value <= latest:
        raise ValidationError(
            _("Choose a week between %(earliest)s and a year from now.")
            % {"earliest": EARLIEST_DATE.isoformat()},
            code="out_of_range",
        )
    return value


def clean_week_start(value: datetime.date, *, field: str | None = None) -> datetime.date:
    """The first day of a digest (and so briefing) week: a Monday within `clean_digest_week`.

    With `field`, the error names that field: services take the week as an
    argument (`week_start`) and report it like a form would.
    """
    try:
        if value.weekday() != 0:
            raise ValidationError(_("A digest week starts on a Monday."), code="not_monday")
        return clean_digest_week(value)
    except ValidationError as exc:
        if field is None:
            raise
        raise ValidationError({field: exc.error_list}) from None


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
