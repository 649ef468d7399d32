"""Watchlists and alerts: what a member asked to be told about, and what was sent.

A `Watch` is stored with one `WatchTerm` row per label it names, so matching
an accepted contribution is an index lookup on (kind, slug) rather than a
scan of every watch. `kind_count` is the number of distinct label kinds the
watch uses: a watch matches when the contribution carries at least one of
its labels in *every* kind it names (OR within a kind, AND across kinds).
Each term carries a copy of its watch's `kind_count` (`watch_kinds`), so
that test is answered from the (kind, slug) index without reading watches.

A watch on words alone has one `word` term instead: the first characters of
its longest word (`intel.alerts.selectors.word_anchor`), looked up among the
short substrings of a contribution's text; its words are then checked in full.

An `Alert` is one (watch, contribution) pair, unique, so a re-run of the
matching task creates nothing twice; it is sent once, claimed by a
conditional update from `pending`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WatchFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately, one email per report")
    DAILY = "daily", _("Once a day, one email for the day")


class WatchTermKind(models.TextChoices):
    SECTOR = "sector", _("Sector")
    SIGNAL = "signal", _("Signal")
    COUNTRY = "country", _("Country")
    COMMODITY = "commodity", _("Commodity / technology")
    WORD = "word", _("Words")


class Watch(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="watches",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(
        _("words"),
        max_length=200,
        blank=True,
        help_text=_("Optional: every word must appear in the report's title or text."),
    )
    frequency = models.CharField(
        _("email"), max_length=16, choices=WatchFrequency, default=WatchFrequency.IMMEDIATE
    )
    kind_count = models.PositiveSmallIntegerField(_("label kinds"), default=0)
    muted_at = models.DateTimeField(_("muted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="intel_watch_name"),
            models.CheckConstraint(condition=Q(kind_count__lte=4), name="intel_watch_kind_count"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_muted(self) -> bool:
        return self.muted_at is not None


class WatchTerm(models.Model):
    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="terms")
    kind = models.CharField(_("kind"), max_length=16, choices=WatchTermKind)
    slug = models.CharField(_("label"), max_length=64)
    # A copy of `Watch.kind_count`, written with it by `watch_save`, so the
    # matching query counts and compares from this index alone.
    watch_kinds = models.PositiveSmallIntegerField(_("label kinds"), default=1)

    class Meta:
        verbose_name = _("watched label")
        verbose_name_plural = _("watched labels")
        ordering = ["kind", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["watch", "kind", "slug"], name="intel_watchterm_once"),
        ]
        # The matching lookup: label -> watches, answered from the index alone.
        indexes = [
            models.Index(
                fields=["kind", "slug", "watch", "watch_kinds"], name="intel_watchterm_label"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.slug}"


class AlertStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    # Not sent, and never will be: the watcher's clearance is below the
    # report's level, the watch was muted, or the report is no longer accepted.
    SKIPPED = "skipped", _("Skipped")


class Alert(models.Model):
    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="alerts")
    contribution = models.ForeignKey(
        "intel.Contribution", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus, default=AlertStatus.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["watch", "contribution"], name="intel_alert_once"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="intel_alert_sent_at"
            ),
        ]
        indexes = [
            # The daily run: pending alerts of daily watches, grouped by watch.
            models.Index(
                fields=["watch", "created_at"],
                condition=Q(status="pending"),
                name="intel_alert_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.watch_id} → {self.contribution_id} ({self.status})"
