"""The words of each kind of notification, in the reader's language (no database reads).

`params` hold only what the sentence names — a title, a sector, a question,
a decision — so a notification can never say more than its text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from intel.vocabulary import Sector, choice_label


def _sector(params: Mapping[str, Any]) -> str:
    return choice_label(Sector, params.get("sector", "")) or params.get("sector", "")


def _sectors(params: Mapping[str, Any]) -> str:
    return ", ".join(choice_label(Sector, s) or s for s in params.get("sectors", []))


def _decision(kind: str, params: Mapping[str, Any]) -> str:
    from accounts.models import ApplicationStatus
    from intel.models.contributions import Status

    choices = ApplicationStatus if kind == "application-decided" else Status
    return choice_label(choices, params.get("decision", ""))


def notification_text(kind: str, params: Mapping[str, Any]) -> str:
    """One sentence saying what happened, translated into the active language."""
    title = params.get("title", "")
    if kind == "application-received":
        return _("We received your application to join; an analyst will review it.")
    if kind == "application-decided":
        return _("An analyst decided on your application: %(decision)s.") % {
            "decision": _decision(kind, params)
        }
    if kind == "application-new":
        return _("New application to vet from %(organisation)s.") % {
            "organisation": params.get("organisation", "")
        }
    if kind == "submission-new":
        return _("New submission in %(sectors)s: “%(title)s”.") % {
            "sectors": _sectors(params),
            "title": title,
        }
    if kind == "second-approval":
        return _("“%(title)s” needs a second analyst's approval.") % {"title": title}
    if kind == "requirement-answer":
        return _("“%(title)s” answers your requirement “%(question)s”.") % {
            "title": title,
            "question": params.get("question", ""),
        }
    if kind == "report-decision":
        return _("An analyst decided on “%(title)s”: %(decision)s.") % {
            "title": title,
            "decision": _decision(kind, params),
        }
    if kind == "report-comment":
        return _("An analyst commented on “%(title)s”.") % {"title": title}
    if kind == "report-thanks":
        return _("An analyst sent you a note on “%(title)s”.") % {"title": title}
    if kind == "impact-monthly":
        return _("Your summary for %(month)s is ready: what your reports changed.") % {
            "month": params.get("month", "")
        }
    if kind == "requirement-new":
        return _("New requirement in %(sector)s: “%(question)s”.") % {
            "sector": _sector(params),
            "question": params.get("question", ""),
        }
    raise ValueError(f"unknown notification kind {kind!r}")


def notification_subject(kind: str) -> str:
    """The email subject for `kind`, translated into the active language."""
    subjects = {
        "application-received": _("Your application was received"),
        "application-decided": _("A decision on your application"),
        "application-new": _("New application to vet"),
        "submission-new": _("New submission to review"),
        "second-approval": _("A report needs a second approval"),
        "requirement-answer": _("A new answer to your requirement"),
        "report-decision": _("A decision on your report"),
        "report-comment": _("A comment on your report"),
        "requirement-new": _("A new intelligence requirement in your sector"),
        "report-thanks": _("A note from an analyst on your report"),
        "impact-monthly": _("What your reports changed this month"),
    }
    return subjects[kind]
