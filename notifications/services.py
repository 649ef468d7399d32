"""Every write on notifications: record an event for its recipients, send, read, choose.

`notify` runs inside the transaction of the event it reports, so a rolled-back
decision notifies nobody; the emails are queued through the outbox for after
the commit (`community.queue.enqueue_on_commit`) and sent by a worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from community.links import absolute_url
from community.mail import claimed_email_send, render_email
from community.queue import enqueue_on_commit
from notifications.models import EmailStatus, Kind, Notification, Preference
from notifications.selectors import preferences_of_users
from notifications.texts import notification_subject, notification_text

# Kinds whose email is a message of its own, composed by the service that decides
# (the report and application decision emails, the monthly impact summary): the
# notification is in-site only, and that service asks `wants_email` before
# sending its message.
OWN_EMAIL_KINDS = frozenset({Kind.APPLICATION_DECIDED, Kind.REPORT_DECISION, Kind.IMPACT_MONTHLY})


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    event: str,
    path: str,
    params: Mapping[str, Any] | None = None,
) -> list[Notification]:
    """Record `event` for each recipient who wants it, in the site and/or by email.

    Idempotent: a (recipient, kind, event) already recorded is left as it is.
    Returns the notifications created now.
    """
    people = {user.pk: user for user in recipients if user.is_active}
    if not people:
        return []
    choices = preferences_of_users(user_ids=list(people), kind=kind)
    rows = []
    for user_id in people:
        email, site = choices.get(user_id, (True, True))
        if kind in OWN_EMAIL_KINDS:
            email = False
        if not (email or site):
            continue
        rows.append(
            Notification(
                recipient_id=user_id,
                kind=kind,
                event=event,
                path=path,
                params=dict(params or {}),
                in_site=site,
                email_status=EmailStatus.PENDING if email else EmailStatus.NONE,
            )
        )
    if not rows:
        return []
    already = set(
        Notification.objects.filter(
            kind=kind, event=event, recipient_id__in=[row.recipient_id for row in rows]
        ).values_list("recipient_id", flat=True)
    )
    # ignore_conflicts: a concurrent call recording the same event adds nothing either.
    Notification.objects.bulk_create(
        [row for row in rows if row.recipient_id not in already], ignore_conflicts=True
    )
    created = list(
        Notification.objects.filter(
            kind=kind,
            event=event,
            recipient_id__in=[row.recipient_id for row in rows if row.recipient_id not in already],
        )
    )
    emails = [n.pk for n in created if n.email_status == EmailStatus.PENDING]
    if emails:
        from notifications.tasks import send_notification_emails

        enqueue_on_commit(send_notification_emails, emails)
    return created


def wants_email(*, user: User, kind: str) -> bool:
    """Whether `user` wants email for `kind` (for the kinds that send their own message)."""
    email, _site = preferences_of_users(user_ids=[user.pk], kind=kind).get(user.pk, (True, True))
    return email


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification's email if nobody has yet; True if this call sent it.

    The conditional update from `pending` to `sending` is the claim: a task run
    twice, or two workers, cannot both win it. An SMTP failure that may pass
    puts the row back to `pending` and raises, so the task is retried; a
    refused address marks it `failed`. A worker dying after the claim leaves
    `sending`: the email is then never sent twice, at the cost of maybe never.
    """
    claimed = Notification.objects.filter(
        pk=notification_id, email_status=EmailStatus.PENDING
    ).update(email_status=EmailStatus.SENDING)
    if claimed != 1:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    if not recipient.is_active:
        Notification.objects.filter(pk=notification_id).update(email_status=EmailStatus.NONE)
        return False
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        text = notification_text(notification.kind, notification.params)
        subject = notification_subject(notification.kind)
    message = render_email(
        template="notification",
        to=recipient.email,
        language=language,
        context={
            "name": recipient.get_short_name(),
            "text": text,
            "subject": subject,
            "kind": notification.kind,
            "url": absolute_url(notification.path),
            "settings_url": absolute_url(reverse("notifications:settings")),
            "SITE_NAME": settings.SITE_NAME,
        },
    )
    return claimed_email_send(
        message=message,
        row=Notification.objects.filter(pk=notification_id),
        status_field="email_status",
        sent_at_field="emailed_at",
    )


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark `user`'s notifications read (the listed ones, or all); returns how many changed."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


@transaction.atomic
def preferences_update(
    *, user: User, choices: Mapping[str, tuple[bool, bool]], sectors: list[str] | None = None
) -> None:
    """Store `user`'s (email, site) choice per kind, and an analyst's followed sectors."""
    from notifications.models import AnalystSectors

    for kind, (email, site) in choices.items():
        if kind not in Kind.values:
            continue
        Preference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": email, "site": site}
        )
    if sectors is not None:
        AnalystSectors.objects.update_or_create(user=user, defaults={"sectors": sorted(sectors)})
