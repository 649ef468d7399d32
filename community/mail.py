"""Outgoing email: messages are rendered in the request, sent by a worker after commit.

A rolled-back transaction therefore never sends mail, and a slow or failing
SMTP server never slows or breaks the page that caused the email.
"""

from __future__ import annotations

from functools import partial
from typing import TypedDict

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction


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


def email_send_on_commit(*, message: EmailMessage) -> None:
    """Queue `message` for delivery once the current transaction commits."""
    from .tasks import send_email

    transaction.on_commit(partial(send_email.delay, email_to_payload(message)))


def email_send_now(*, payload: EmailPayload) -> None:
    payload_to_email(payload).send()
