"""The monthly "what your reports changed" email, composed from the month's activity.

It goes to the author alone and speaks of their own contributions only,
anonymous ones included (it is their own view); it names no other source.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import formats, translation

from accounts.models import User
from community.links import absolute_url
from community.mail import render_email
from intel.vocabulary import Sector, choice_label


def impact_summary_context(
    *, month: datetime.date, activity: dict[str, list[Any]], language: str
) -> dict[str, Any]:
    """The email's words, in `language`: decisions, citations and analysts' notes."""
    with translation.override(language):
        return {
            "month": formats.date_format(month, "YEAR_MONTH_FORMAT"),
            "decided": [
                {"title": c.title, "decision": str(c.get_status_display()), "reason": c.feedback}
                for c in activity["decided"]
            ],
            "cited": [
                {
                    "title": c.title,
                    "sector": choice_label(Sector, digest.sector),
                    "week": formats.date_format(digest.week_start, "DATE_FORMAT"),
                }
                for c, digest in activity["cited"]
            ],
            "notes": [
                {"title": c.title, "kind": str(note.get_kind_display()), "message": note.message}
                for c, note in activity["notes"]
            ],
        }


def impact_summary_email(
    *, user: User, month: datetime.date, activity: dict[str, list[Any]]
) -> EmailMultiAlternatives:
    language = user.language or "en"
    settings_url = absolute_url(reverse("notifications:settings"))
    message = render_email(
        template="impact_summary",
        to=user.email,
        language=language,
        context={
            "name": user.get_short_name(),
            **impact_summary_context(month=month, activity=activity, language=language),
            "impact_url": absolute_url(reverse("intel:impact")),
            "settings_url": settings_url,
        },
    )
    message.extra_headers["List-Unsubscribe"] = f"<{settings_url}>"
    return message
