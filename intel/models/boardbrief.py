"""The analyst's part of a board brief: the questions for a board, per sector and week.

The rest of a board brief (class, pillars, the developments that matter) is
read from the week's published digest; only the questions are written for it.
They are kept apart from the digest because a published digest never changes,
while analysts may still sharpen the questions after publication; keyed by
(sector, week), they carry over to a correction of the digest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from community.constraints import choices_constraint
from intel.vocabulary import Sector

MAX_QUESTIONS_LENGTH = 2000


class BoardBrief(models.Model):
    sector = models.CharField(_("sector"), max_length=32, choices=Sector)
    week_start = models.DateField(_("week starting"))
    questions_en = models.TextField(
        _("questions for your board (English)"), max_length=MAX_QUESTIONS_LENGTH, blank=True
    )
    questions_ja = models.TextField(
        _("questions for your board (Japanese)"), max_length=MAX_QUESTIONS_LENGTH, blank=True
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("board brief")
        verbose_name_plural = _("board briefs")
        ordering = ["-week_start", "sector"]
        constraints = [
            models.UniqueConstraint(fields=["sector", "week_start"], name="intel_board_once"),
            choices_constraint("sector", Sector, name="intel_board_sector"),
        ]

    def __str__(self) -> str:
        return f"{self.sector} {self.week_start:%Y-%m-%d}"

    def questions(self, language: str) -> list[str]:
        """The questions in `language`, one per non-empty line."""
        text = self.questions_ja if language == "ja" else self.questions_en
        return [line.strip(" -*•\t") for line in text.splitlines() if line.strip(" -*•\t")]
