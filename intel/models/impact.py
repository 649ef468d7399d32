"""Contributor impact: analysts' thanks and feedback, contradictions, the monthly summary.

`Acknowledgement` is a note an analyst sends the author about one
contribution (thanks, or feedback on how it was used). `Contradiction`
records that an accepted contribution was later contradicted by what became
known; it weighs against the author's suggested source grade
(`intel.impact.grading`). `ImpactSummary` is the row that makes the monthly
"what your reports changed" email idempotent: one per (member, month).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from community.constraints import choices_constraint


class AcknowledgementKind(models.TextChoices):
    THANKS = "thanks", _("Thanks")
    FEEDBACK = "feedback", _("Feedback")


class Acknowledgement(models.Model):
    Kind = AcknowledgementKind

    contribution = models.ForeignKey(
        "intel.Contribution", on_delete=models.CASCADE, related_name="acknowledgements"
    )
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AcknowledgementKind)
    message = models.TextField(_("message"), max_length=2000)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("thanks or feedback")
        verbose_name_plural = _("thanks and feedback")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["contribution", "created_at"], name="intel_ack_idx"),
            models.Index(fields=["created_at"], name="intel_ack_month_idx"),
        ]
        constraints = [choices_constraint("kind", AcknowledgementKind, name="intel_ack_kind")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.contribution_id}"


class Contradiction(models.Model):
    """An analyst's finding that an accepted contribution was later contradicted."""

    contribution = models.OneToOneField(
        "intel.Contribution", on_delete=models.CASCADE, related_name="contradiction"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contradiction")
        verbose_name_plural = _("contradictions")

    def __str__(self) -> str:
        return f"{self.contribution_id} contradicted"


class SummaryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not wanted")
    FAILED = "failed", _("Failed")


class ImpactSummary(models.Model):
    """One member's monthly impact email: the row claimed before anything is sent."""

    Status = SummaryStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="impact_summaries"
    )
    # The first day of the month the summary covers.
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=SummaryStatus, default=SummaryStatus.PENDING
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("monthly impact summary")
        verbose_name_plural = _("monthly impact summaries")
        ordering = ["-month", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="intel_impact_once"),
            choices_constraint("status", SummaryStatus, name="intel_impact_status"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="intel_impact_sent_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month:%Y-%m}"
