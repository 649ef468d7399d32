"""Intelligence requirements: questions analysts put to the community, per sector."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from community.constraints import choices_constraint
from intel.vocabulary import Sector


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


class RequirementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class IntelligenceRequirement(models.Model):
    Status = RequirementStatus

    sector = models.CharField(_("sector"), max_length=32, choices=Sector)
    question = models.CharField(_("question"), max_length=500)
    details = models.TextField(_("details"), max_length=5000, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, default=Priority.MEDIUM
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("intelligence requirement")
        verbose_name_plural = _("intelligence requirements")
        ordering = ["-priority", "due_date", "pk"]
        indexes = [
            models.Index(fields=["status", "sector", "due_date"], name="intel_req_open_idx"),
            models.Index(fields=["created_at"], name="intel_req_created_idx"),
            models.Index(fields=["closed_at"], name="intel_req_closed_idx"),
        ]
        constraints = [
            choices_constraint("status", RequirementStatus, name="intel_req_status"),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=4), name="intel_req_priority"
            ),
            choices_constraint("sector", Sector, name="intel_req_sector"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="intel_req_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return self.question


class RequirementAnswer(models.Model):
    """A contribution offered by its author as an answer to a requirement."""

    requirement = models.ForeignKey(
        IntelligenceRequirement, on_delete=models.CASCADE, related_name="answers"
    )
    contribution = models.ForeignKey(
        "intel.Contribution", on_delete=models.CASCADE, related_name="answer_rows"
    )
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("requirement answer")
        verbose_name_plural = _("requirement answers")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "contribution"], name="intel_answer_once"
            )
        ]
        indexes = [models.Index(fields=["contribution"], name="intel_answer_contr_idx")]

    def __str__(self) -> str:
        return f"{self.contribution_id} → {self.requirement_id}"
