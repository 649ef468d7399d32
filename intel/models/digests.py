"""Weekly sector digests and sector assessments.

A `Digest` is one sector's week (Monday 00:00 to Sunday 24:00, Asia/Tokyo).
The weekly build writes version 1 as a draft; analysts edit it (summary,
order, dropped items, notes) and publish it. A published version never
changes again: a correction is a new version linked to the one it corrects
(`previous`), published in its turn and flagged for the next briefing.

What the build computes lives in `snapshot` (figures broken down by handling
level, so every reader's view is summed from the levels they are cleared for)
and in `DigestItem` rows (one per ranked cluster or single contribution, with
the facts behind its score). What analysts write lives in separate columns
that the build never touches.

`SectorAssessment` rows are append-only: each is one analyst's judgement of a
sector at one time; the latest is the current class and pillar scores, the
rest are its history.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from community.constraints import choices_constraint
from intel.vocabulary import Sector, Tlp


class SectorClass(models.TextChoices):
    """METI's three classes of a sector, assessed by analysts over time."""

    GREEN = "green", _("Green: supply-chain autonomy lost, diversify")
    BLUE = "blue", _("Blue: technological superiority, protect and control")
    RED = "red", _("Red: disruptive innovation, invest")


class SectorAssessment(models.Model):
    """One analyst's assessment of a sector; never edited, only superseded by a newer row."""

    sector = models.CharField(_("sector"), max_length=32, choices=Sector)
    sector_class = models.CharField(_("class"), max_length=8, choices=SectorClass)
    autonomy = models.PositiveSmallIntegerField(
        _("autonomy"), help_text=_("1 (none) to 5 (resilient supply of critical goods)")
    )
    indispensability = models.PositiveSmallIntegerField(
        _("strategic indispensability"),
        help_text=_("1 (none) to 5 (technology others cannot do without)"),
    )
    rationale = models.TextField(_("rationale"), max_length=5000)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    created_at = models.DateTimeField(_("assessed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sector assessment")
        verbose_name_plural = _("sector assessments")
        ordering = ["sector", "-created_at", "-pk"]
        indexes = [
            models.Index(fields=["sector", "-created_at", "-id"], name="intel_assess_sector_idx")
        ]
        constraints = [
            choices_constraint("sector", Sector, name="intel_assess_sector"),
            choices_constraint("sector_class", SectorClass, name="intel_assess_class"),
            models.CheckConstraint(
                condition=Q(autonomy__gte=1, autonomy__lte=5), name="intel_assess_autonomy"
            ),
            models.CheckConstraint(
                condition=Q(indispensability__gte=1, indispensability__lte=5),
                name="intel_assess_indispensability",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sector}: {self.sector_class} ({self.autonomy}/{self.indispensability})"


class DigestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    EDITED = "edited", _("Edited")
    PUBLISHED = "published", _("Published")


# States in which analysts may still change a digest and the build may refresh it.
OPEN_DIGEST_STATUSES = (DigestStatus.DRAFT, DigestStatus.EDITED)


class Digest(models.Model):
    sector = models.CharField(_("sector"), max_length=32, choices=Sector)
    week_start = models.DateField(_("week starting"), help_text=_("The Monday of the week"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects version"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=DigestStatus, default=DigestStatus.DRAFT
    )
    # Computed by the build (intel.digests.services); refreshed while not published.
    snapshot = models.JSONField(_("computed figures"), default=dict, editable=False)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True, editable=False)
    # Written by analysts; the build never touches these.
    summary = models.TextField(_("analyst summary"), max_length=20_000, blank=True)
    summary_tlp = models.CharField(
        _("handling level of the summary"), max_length=16, choices=Tlp, default=Tlp.AMBER
    )
    notes = models.TextField(
        _("internal notes"),
        max_length=10_000,
        blank=True,
        help_text=_("Seen by analysts only; never published."),
    )
    correction_note = models.TextField(_("correction note"), max_length=5000, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    edited_at = models.DateTimeField(_("last edited at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Briefing bookkeeping, the only columns that change after publication:
    # a published correction waits here until the next briefing has carried it.
    correction_pending_briefing = models.BooleanField(
        _("correction waiting for the next briefing"), default=False
    )
    correction_briefed_at = models.DateTimeField(
        _("correction carried by a briefing at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-week_start", "sector", "-version"]
        indexes = [
            # The archive and "latest published" reads: one sector, newest week first.
            models.Index(
                fields=["sector", "status", "-week_start", "-version"], name="intel_digest_arch_idx"
            ),
            models.Index(fields=["week_start", "status"], name="intel_digest_week_idx"),
            models.Index(
                fields=["correction_pending_briefing"],
                condition=Q(correction_pending_briefing=True),
                name="intel_digest_corr_idx",
            ),
        ]
        constraints = [
            # One digest per sector and week, and one row per version of it.
            models.UniqueConstraint(
                fields=["sector", "week_start", "version"], name="intel_digest_version_once"
            ),
            # At most one version of a sector's week is open for editing at a time.
            models.UniqueConstraint(
                fields=["sector", "week_start"],
                condition=Q(status__in=["draft", "edited"]),
                name="intel_digest_one_open",
            ),
            choices_constraint("sector", Sector, name="intel_digest_sector"),
            choices_constraint("status", DigestStatus, name="intel_digest_status"),
            choices_constraint("summary_tlp", Tlp, name="intel_digest_sum_tlp"),
            models.CheckConstraint(condition=Q(version__gte=1), name="intel_digest_version_min"),
            # Version 1 is the weekly build's; every later version corrects another.
            models.CheckConstraint(
                condition=Q(version=1, previous__isnull=True)
                | Q(version__gt=1, previous__isnull=False),
                name="intel_digest_previous",
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | Q(published_at__isnull=False, published_by__isnull=False),
                name="intel_digest_published_by",
            ),
            models.CheckConstraint(
                condition=Q(correction_pending_briefing=False)
                | Q(status="published", version__gt=1),
                name="intel_digest_corr_flag",
            ),
        ]

    def __str__(self) -> str:
        suffix = f" v{self.version}" if self.version > 1 else ""
        return f"{self.get_sector_display()} {self.week_start:%Y-%m-%d}{suffix}"

    @property
    def week_end(self) -> datetime.date:
        """The Sunday that ends the week (inclusive)."""
        return self.week_start + datetime.timedelta(days=6)

    @property
    def is_published(self) -> bool:
        return self.status == DigestStatus.PUBLISHED

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DIGEST_STATUSES

    @property
    def is_correction(self) -> bool:
        return self.version > 1


class DigestItem(models.Model):
    """One ranked entry of a digest: a near-duplicate cluster, or a single contribution.

    `key` names what the entry stands for ("c<cluster id>" or "r<contribution
    id>"), so a rebuild finds the same entry again and keeps the analyst's
    position, drop and note. `data` holds the facts the entry was ranked on
    and the contributions behind it, frozen with the digest.
    """

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(_("key"), max_length=32)
    position = models.PositiveIntegerField(_("position"))
    rank = models.PositiveIntegerField(_("computed rank"))
    score = models.FloatField(_("score"))
    tlp = models.CharField(_("handling level"), max_length=16, choices=Tlp)
    dropped = models.BooleanField(_("dropped"), default=False)
    # No longer produced by the latest build; kept (hidden from readers) because the
    # digest carries analyst edits that may refer to it. A plain draft just loses it.
    stale = models.BooleanField(_("no longer in the data"), default=False)
    note = models.TextField(_("analyst note"), max_length=2000, blank=True)
    data = models.JSONField(_("facts"), default=dict)

    class Meta:
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")
        ordering = ["digest", "position", "pk"]
        indexes = [models.Index(fields=["digest", "position"], name="intel_digestitem_pos_idx")]
        constraints = [
            models.UniqueConstraint(fields=["digest", "key"], name="intel_digestitem_once"),
            choices_constraint("tlp", Tlp, name="intel_digestitem_tlp"),
        ]

    def __str__(self) -> str:
        return f"{self.digest_id}/{self.key}"

    @property
    def title(self) -> str:
        return str(self.data.get("title", ""))

    @property
    def contribution_ids(self) -> list[int]:
        return [int(member["id"]) for member in self.data.get("members", [])]
