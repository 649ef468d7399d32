"""Forms of the digest pages: they parse and explain; `intel.digests.services` decides."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from intel import validation
from intel.models import DigestItem, SectorClass
from intel.reports.forms import DateInput
from intel.vocabulary import Sector, Tlp

SCORES = [(value, str(value)) for value in range(1, 6)]


class DigestEditForm(forms.Form):
    """The analyst's part of a digest; one position, drop box and note per item."""

    summary = forms.CharField(
        label=_("Analyst summary"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown. Readers see it only if cleared for its handling level."),
    )
    summary_tlp = forms.ChoiceField(label=_("Handling level of the summary"), choices=Tlp.choices)
    notes = forms.CharField(
        label=_("Internal notes"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by analysts only; never published."),
    )

    def __init__(self, *args: Any, items: Sequence[DigestItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"position_{item.pk}"] = forms.IntegerField(
                label=_("Position"), min_value=1, initial=item.position
            )
            self.fields[f"drop_{item.pk}"] = forms.BooleanField(
                label=_("Drop"), required=False, initial=item.dropped
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=2000, initial=item.note
            )

    def rows(self) -> list[dict[str, Any]]:
        """Each item with its bound fields, for the template's table."""
        return [
            {
                "item": item,
                "position": self[f"position_{item.pk}"],
                "drop": self[f"drop_{item.pk}"],
                "note": self[f"note_{item.pk}"],
            }
            for item in self.items
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        # Ties keep the current order, so typing one number moves one item.
        order = sorted(
            self.items, key=lambda item: (data[f"position_{item.pk}"], item.position, item.pk)
        )
        return {
            "summary": data["summary"],
            "summary_tlp": data["summary_tlp"],
            "notes": data["notes"],
            "order": [item.pk for item in order],
            "dropped": [item.pk for item in self.items if data[f"drop_{item.pk}"]],
            "item_notes": {item.pk: data[f"note_{item.pk}"] for item in self.items},
        }


class CorrectionForm(forms.Form):
    correction_note = forms.CharField(
        label=_("What is corrected"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown to every reader of the corrected digest, including the public: "
            "do not quote restricted items."
        ),
    )


class AssessmentForm(forms.Form):
    sector_class = forms.ChoiceField(
        label=_("Class"), choices=SectorClass.choices, widget=forms.RadioSelect
    )
    autonomy = forms.TypedChoiceField(
        label=_("Autonomy (1–5)"),
        choices=SCORES,
        coerce=int,
        help_text=_("Resilient supply of critical goods: 1 none, 5 fully resilient."),
    )
    indispensability = forms.TypedChoiceField(
        label=_("Strategic indispensability (1–5)"),
        choices=SCORES,
        coerce=int,
        help_text=_("Technology others need from us: 1 none, 5 irreplaceable."),
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Assessments are shown with every digest, including to the public."),
    )


class BuildWeekForm(forms.Form):
    week = forms.DateField(
        label=_("A date in the week"),
        widget=DateInput(),
        help_text=_("Weeks run Monday to Sunday, Asia/Tokyo."),
    )
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("All sectors")), *Sector.choices]
    )

    def clean_week(self) -> datetime.date:
        week: datetime.date = self.cleaned_data["week"]
        if week > datetime.date.today() + datetime.timedelta(days=7):
            raise forms.ValidationError(_("Choose a week that has started."))
        return validation.clean_digest_week(week)
