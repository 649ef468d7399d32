"""What a person was told (`Notification`) and what they want to be told (`Preference`).

One row per (recipient, kind, event): an event is the thing that happened
("contribution 12, revision 2 submitted"), so recording it twice — a retried
task, a service called again — finds the row already there and adds nothing.
The email goes out when a worker moves the row from `pending` to `sending`
with a conditional update; only the worker that wins sends it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from community.constraints import choices_constraint


class Kind(models.TextChoices):
    # Applicants
    APPLICATION_RECEIVED = "application-received", _("My application was received")
    APPLICATION_DECIDED = "application-decided", _("A decision on my application")
    # Analysts
    APPLICATION_NEW = "application-new", _("New applications to vet")
    SUBMISSION_NEW = "submission-new", _("New submissions in my sectors")
    SECOND_APPROVAL = "second-approval", _("Reports waiting for a second approval")
    REQUIREMENT_ANSWER = "requirement-answer", _("Answers to my requirements")
    # Contributors
    REPORT_DECISION = "report-decision", _("Decisions on my reports")
    REPORT_COMMENT = "report-comment", _("Comments on my reports")
    REQUIREMENT_NEW = "requirement-new", _("New requirements in my sectors")
    REPORT_THANKS = "report-thanks", _("Thanks and feedback from analysts on my reports")
    IMPACT_MONTHLY = "impact-monthly", _("Monthly summary: what my reports changed")


class EmailStatus(models.TextChoices):
    NONE = "none", _("No email")
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    Kind = Kind
    EmailStatus = EmailStatus

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    event = models.CharField(_("event"), max_length=120)
    # Site-relative link to what the notification is about.
    path = models.CharField(_("link"), max_length=300)
    # What the text needs (a title, a sector, a question): never who wrote a report.
    params = models.JSONField(_("details"), default=dict)
    in_site = models.BooleanField(_("shown in the site"), default=True)
    email_status = models.CharField(
        _("email"), max_length=10, choices=EmailStatus, default=EmailStatus.NONE
    )
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "in_site", "read_at", "-created_at"],
                name="notif_recipient_idx",
            ),
            models.Index(fields=["kind", "event"], name="notif_event_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "event"], name="notif_once_per_event"
            ),
            choices_constraint("kind", Kind, name="notif_kind"),
            choices_constraint("email_status", EmailStatus, name="notif_email_status"),
            models.CheckConstraint(
                condition=~models.Q(email_status="sent") | models.Q(emailed_at__isnull=False),
                name="notif_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event} → {self.recipient_id}"


class Preference(models.Model):
    """One person's choice for one kind; no row means both channels on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    email = models.BooleanField(_("by email"), default=True)
    site = models.BooleanField(_("in the site"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notif_pref_once"),
            choices_constraint("kind", Kind, name="notif_pref_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class AnalystSectors(models.Model):
    """The sectors an analyst follows for new submissions; none chosen means all."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_sectors"
    )
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("followed sectors")
        verbose_name_plural = _("followed sectors")

    def __str__(self) -> str:
        return f"{self.user_id} {self.sectors}"
