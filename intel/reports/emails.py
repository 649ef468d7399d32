"""Emails about intelligence work, composed from our objects (sent by the callers, on commit)."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from community.links import absolute_url
from community.mail import render_email
from intel.models import Contribution


def report_decision_email(*, contribution: Contribution) -> EmailMultiAlternatives:
    """Tell the author what an analyst decided, in the author's language.

    The author is told whatever the attribution: an anonymous report hides
    its author from analysts, not from the platform's own mail to the author.
    """
    author = contribution.author
    if author is None:
        raise ValueError("a partner's imported report has no author to tell")
    return render_email(
        template="report_decision",
        to=author.email,
        language=author.language,
        context={
            "name": author.get_short_name(),
            "title": contribution.title,
            "status": contribution.status,
            "feedback": contribution.feedback,
            "url": absolute_url(reverse("intel:contribution_detail", args=[contribution.pk])),
        },
    )
