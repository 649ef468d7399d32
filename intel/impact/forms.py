"""Forms of contributor impact: an analyst's note or contradiction, confirming or overriding
the suggested grade."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from intel.models import AcknowledgementKind
from intel.vocabulary import SourceReliability


class AcknowledgementForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Send the author"), choices=AcknowledgementKind.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The author reads it on their impact page; your name is not shown."),
    )


class ContradictionForm(forms.Form):
    reason = forms.CharField(
        label=_("What contradicted it"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class GradeConfirmForm(forms.Form):
    suggested = forms.ChoiceField(choices=SourceReliability.choices, widget=forms.HiddenInput)


class GradeOverrideForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade instead"), choices=SourceReliability.choices)
    reason = forms.CharField(
        label=_("Why not the suggestion"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
