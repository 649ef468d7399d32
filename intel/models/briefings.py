"""Weekly email briefings: subscriptions, the week's send and one delivery row per reader.

`Subscription` is one email address's standing order for the briefing of some
sectors in one language. It is confirmed by email (double opt-in) or created
by a signed-in member from their account. Its clearance is derived when a
briefing is composed (`intel.briefings.selectors.subscription_clearance`):
TLP:CLEAR for the public, up to TLP:GREEN for a linked vetted member or
analyst, higher only through `granted_clearance`, which an administrator sets
(audited) and which only a subscription linked to an account can hold.

`BriefingWeek` records that a week's briefing was started (by beat or an
admin) and which digest corrections it carries; the archive lists these rows.

`Delivery` is the idempotency key of the fan-out: one row per (subscription,
week), claimed with a conditional update before anything is handed to SMTP,
so a retried or duplicated task never sends the same briefing twice (see
`intel.briefings.services` for the exact guarantee).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from community.constraints import choices_constraint
from intel.vocabulary import Tlp


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(32)


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused: delivery keeps failing")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")


class BriefingContent(models.TextChoices):
    """What the weekly email carries: the full briefing, or only the board brief of each sector."""

    FULL = "full", _("The full briefing")
    BOARD = "board", _("Board summary only")


class Subscription(models.Model):
    email = models.EmailField(_("email address"), max_length=254)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="briefing_subscription",
        verbose_name=_("member account"),
    )
    sectors = models.JSONField(_("sectors"), default=list)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SubscriptionStatus, default=SubscriptionStatus.PENDING
    )
    content = models.CharField(
        _("content"), max_length=8, choices=BriefingContent, default=BriefingContent.FULL
    )
    granted_clearance = models.CharField(
        _("clearance granted by an administrator"),
        max_length=16,
        choices=Tlp,
        blank=True,
        help_text=_("Empty: TLP:CLEAR for the public, TLP:GREEN for vetted members."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    # The one-click unsubscribe link carries this; it is random and says nothing
    # about the subscriber, so a forwarded email exposes no one else.
    unsubscribe_token = models.CharField(
        max_length=64, unique=True, default=new_unsubscribe_token, editable=False
    )
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(
        _("consecutive permanent failures"), default=0
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("briefing subscription")
        verbose_name_plural = _("briefing subscriptions")
        ordering = ["email"]
        indexes = [
            # The fan-out reads active subscriptions in primary-key order.
            models.Index(fields=["status", "id"], name="intel_sub_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="intel_sub_email_once"),
            choices_constraint("status", SubscriptionStatus, name="intel_sub_status"),
            choices_constraint("content", BriefingContent, name="intel_sub_content"),
            choices_constraint(
                "language", [code for code, _name in settings.LANGUAGES], name="intel_sub_language"
            ),
            choices_constraint(
                "granted_clearance", Tlp, name="intel_sub_clearance", allow_blank=True
            ),
            # Clearance above the public's is held by an identified person only.
            models.CheckConstraint(
                condition=Q(granted_clearance="") | Q(user__isnull=False),
                name="intel_sub_clearance_needs_user",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(confirmed_at__isnull=False),
                name="intel_sub_active_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:
        return self.status == SubscriptionStatus.ACTIVE


class BriefingWeek(models.Model):
    """One week's briefing: started once, by beat or an administrator."""

    week_start = models.DateField(_("week starting"), unique=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
        help_text=_("Empty when the weekly schedule started it."),
    )
    # Published corrections (digest ids) this week's briefing leads with,
    # captured once when the week is started so every chunk carries the same.
    corrections = models.JSONField(_("corrections carried"), default=list, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("weekly briefing")
        verbose_name_plural = _("weekly briefings")
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"{self.week_start:%Y-%m-%d}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Delivery(models.Model):
    """One subscriber's briefing for one week: the row that makes sending idempotent."""

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    week_start = models.DateField(_("week starting"))
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    # Who holds the row while sending: a random token per task run, and when it
    # was taken, so a claim left by a dead worker can be recognised as stale.
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    smtp_code = models.PositiveSmallIntegerField(_("SMTP reply code"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=500, blank=True)
    # What the message held, for the log and for corrections ("those recipients").
    sectors = models.JSONField(_("sectors sent"), default=list)
    clearance = models.CharField(_("clearance applied"), max_length=16, choices=Tlp, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    corrections = models.JSONField(_("corrections carried"), default=list)
    resend_count = models.PositiveSmallIntegerField(_("resent by an administrator"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("briefing delivery")
        verbose_name_plural = _("briefing deliveries")
        ordering = ["-week_start", "subscription_id"]
        indexes = [
            models.Index(fields=["week_start", "status"], name="intel_delivery_week_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "week_start"], name="intel_delivery_once"
            ),
            choices_constraint("status", DeliveryStatus, name="intel_delivery_status"),
            models.CheckConstraint(
                condition=~Q(status="sending") | (~Q(claim_token="") & Q(claimed_at__isnull=False)),
                name="intel_delivery_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="intel_delivery_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.week_start:%Y-%m-%d}"
