"""The analyst's form of a board brief: questions for a board, one per line, in each language."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from intel.models.boardbrief import MAX_QUESTIONS_LENGTH


class BoardQuestionsForm(forms.Form):
    questions_en = forms.CharField(
        label=_("Questions for your board (English)"),
        required=False,
        max_length=MAX_QUESTIONS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One question per line. Every reader of the brief sees them."),
    )
    questions_ja = forms.CharField(
        label=_("Questions for your board (Japanese)"),
        required=False,
        max_length=MAX_QUESTIONS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "lang": "ja"}),
        help_text=_("One question per line. Every reader of the brief sees them."),
    )
