"""Email composition for membership: plain functions from our objects to messages.

Each email is three templates, `emails/<name>_subject.txt`, `_body.txt` and
`_body.html`, rendered in the recipient's language (`community.mail.render_email`).
Sending is the caller's business (`community.mail.email_send_on_commit`), so a
rolled-back decision never sends anything.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from community.links import absolute_url
from community.mail import render_email

from .models import Application, Invitation

DECISION_TEMPLATES: dict[str, str] = {
    Application.Status.APPROVED: "application_approved",
    Application.Status.REJECTED: "application_rejected",
    Application.Status.MORE_INFO: "application_more_info",
}


def application_decision_email(*, application: Application) -> EmailMultiAlternatives:
    """The applicant's email for an analyst's decision, in the applicant's language."""
    user = application.user
    return render_email(
        template=DECISION_TEMPLATES[application.status],
        to=user.email,
        language=user.language,
        context={
            "name": user.get_short_name(),
            "reason": application.decision_reason,
            "application_url": absolute_url(reverse("accounts:application")),
        },
    )


def invitation_email(*, invitation: Invitation, code: str, link: str) -> EmailMultiAlternatives:
    inviter = invitation.inviter
    return render_email(
        template="invitation",
        to=invitation.email,
        language=invitation.language,
        context={
            "inviter_name": inviter.get_full_name(),
            "code": code,
            "link": link,
            "expires_at": invitation.expires_at,
        },
    )
