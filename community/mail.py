"""Outgoing email: messages are rendered in the request, sent by a worker after commit.

A rolled-back transaction therefore never sends mail, and a slow or failing
SMTP server never slows or breaks the page that caused the email. The
message is queued through the outbox (`community.queue`), so an email asked
for while the broker is away is sent once it is back.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any, TypedDict

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db.models import QuerySet
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .links import base_url, site_name_lazy
from .queue import enqueue_on_commit

logger = logging.getLogger(__name__)


class EmailPayload(TypedDict):
    """A JSON-serialisable rendering of one email (what crosses the broker)."""

    subject: str
    body: str
    from_email: str
    to: list[str]
    html: str | None
    headers: dict[str, str]


def email_to_payload(message: EmailMessage) -> EmailPayload:
    html = None
    if isinstance(message, EmailMultiAlternatives):
        html = next(
            (str(content) for content, mimetype in message.alternatives if mimetype == "text/html"),
            None,
        )
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email),
        "to": [str(address) for address in message.to],
        "html": html,
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
    }


def payload_to_email(payload: EmailPayload) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        headers=payload["headers"],
    )
    if payload["html"]:
        message.attach_alternative(payload["html"], "text/html")
    return message


def render_plain_text(template_name: str, context: dict[str, Any]) -> str:
    """A Django template rendered with no HTML escaping, for text that is not HTML.

    A subject is a header, not markup: escaped, a title "R&D <Tokyo>" would
    arrive as "R&amp;D &lt;Tokyo&gt;". Every `emails/*_subject.txt` is rendered here.
    """
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))


def render_email(
    *, template: str, to: str, context: dict[str, Any], language: str
) -> EmailMultiAlternatives:
    """Render `emails/<template>_*` in `language` into a multipart (text + HTML) message."""
    context = {"SITE_URL": base_url(), "SITE_NAME": site_name_lazy(), **context}
    with translation.override(language):
        rendered_subject = render_plain_text(f"emails/{template}_subject.txt", context)
        body = render_to_string(f"emails/{template}_body.txt", context)
        html = render_to_string(f"emails/{template}_body.html", context)
    # A header must be one line, whatever the template's whitespace.
    subject = " ".join(rendered_subject.split())
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(html, "text/html")
    return message


def email_send_on_commit(*, message: EmailMessage) -> None:
    """Queue `message` for delivery once the current transaction commits."""
    from .tasks import send_email

    enqueue_on_commit(send_email, email_to_payload(message))


def email_send_now(*, payload: EmailPayload) -> None:
    payload_to_email(payload).send()


def claimed_email_send(
    *, message: EmailMessage, row: QuerySet[Any], status_field: str, sent_at_field: str
) -> bool:
    """Send `message` for the one row `row` selects, which the caller claimed; True if sent.

    The caller has moved the row from ``pending`` to ``sending`` by a conditional
    update (the claim, so two workers never both send). Here the row ends
    ``sent`` with its time stamped; ``failed`` when the server refuses the
    address (retrying would not help); back to ``pending`` on any other error,
    which is raised so the task is retried. A worker dying mid-send leaves
    ``sending``: never sent twice, at the cost of maybe never.
    """
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        row.update(**{status_field: "failed"})
        pks = list(row.values_list("pk", flat=True))
        logger.warning("mail: %s %s refused by the mail server", row.model._meta.label, pks)
        return False
    except Exception:
        row.filter(**{status_field: "sending"}).update(**{status_field: "pending"})
        raise
    row.update(**{status_field: "sent", sent_at_field: timezone.now()})
    return True
