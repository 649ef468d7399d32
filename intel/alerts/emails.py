"""Alert emails, composed from our objects: one report (immediate) or a day's reports (daily).

Only what the watcher is cleared for reaches here (the services check);
attribution comes from `Contribution.attribution_label`, which names no one
for an anonymous report, whoever reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from community.links import absolute_url
from community.mail import render_email
from intel.alerts.selectors import mute_token
from intel.countries import country_name
from intel.models import Contribution, Kind, Watch
from intel.text import markdown_to_text
from intel.vocabulary import Signal, Tlp, choice_label, sector_labels

EXCERPT_CHARS = 400


def _excerpt(contribution: Contribution) -> str:
    detail = contribution.detail
    source = detail.summary if contribution.kind == Kind.REPORT else detail.context  # type: ignore[union-attr]
    text = " ".join(markdown_to_text(source).split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def alert_item(contribution: Contribution, *, language: str) -> dict[str, Any]:
    """What an alert says about one report, in `language`."""
    with translation.override(language):
        return {
            "title": contribution.title,
            "kind": str(contribution.get_kind_display()),
            "tlp": choice_label(Tlp, contribution.tlp),
            "sectors": sector_labels(contribution.sectors, language),
            "signals": [choice_label(Signal, slug) for slug in contribution.signals],
            "countries": [country_name(code, language) for code in contribution.countries],
            "source": str(contribution.attribution_label),
            "excerpt": _excerpt(contribution),
            # A case study can be read in full in the library; a field report has no
            # page for anyone but its author and the analysts.
            "url": (
                absolute_url(reverse("intel:library_case_study", args=[contribution.pk]))
                if contribution.kind == Kind.CASE_STUDY
                else ""
            ),
        }


def alert_email(*, watch: Watch, contributions: Sequence[Contribution]) -> EmailMultiAlternatives:
    """One email to the watcher: one report, or the day's reports of a daily watch."""
    user = watch.user
    mute_url = absolute_url(reverse("intel:watch_mute", args=[mute_token(watch)]))
    message = render_email(
        template="alert",
        to=user.email,
        language=user.language,
        context={
            "name": user.get_short_name(),
            "watch_name": watch.name,
            "items": [alert_item(item, language=user.language) for item in contributions],
            "count": len(contributions),
            "watches_url": absolute_url(reverse("intel:watch_list")),
            "mute_url": mute_url,
        },
    )
    # RFC 8058: mail clients offer a one-click "unsubscribe" that POSTs to the mute link.
    message.extra_headers["List-Unsubscribe"] = f"<{mute_url}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message
