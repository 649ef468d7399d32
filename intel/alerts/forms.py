"""The watch form: labels from the fixed vocabulary and the taxonomy, words, email rhythm."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from intel import validation
from intel.models import TaxonomyKind, TaxonomyLabel, Watch, WatchFrequency
from intel.vocabulary import Sector, Signal


def _commodity_choices() -> list[tuple[str, str]]:
    japanese = get_language() == "ja"
    return [
        (slug, (label_ja if japanese else "") or label_en or slug)
        for slug, label_en, label_ja in TaxonomyLabel.objects.filter(
            kind=TaxonomyKind.COMMODITIES, active=True
        ).values_list("slug", "label_en", "label_ja")
    ]


class WatchForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"), choices=Sector.choices, widget=forms.CheckboxSelectMultiple,
        required=False,
    )  # fmt: skip
    signals = forms.MultipleChoiceField(
        label=_("Signals"), choices=Signal.choices, widget=forms.CheckboxSelectMultiple,
        required=False,
    )  # fmt: skip
    countries = forms.CharField(
        label=_("Countries"),
        required=False,
        help_text=_("Two-letter ISO codes separated by spaces or commas, e.g. JP CN US."),
    )
    commodities = forms.MultipleChoiceField(
        label=_("Commodities and technologies"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    query = forms.CharField(
        label=_("Words"),
        max_length=200,
        required=False,
        help_text=_(
            "Every word must appear in the report's title or text; on their own, words "
            "make a watch of their own."
        ),
    )
    frequency = forms.ChoiceField(
        label=_("Email"), choices=WatchFrequency.choices, initial=WatchFrequency.IMMEDIATE
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commodities"].choices = _commodity_choices()  # type: ignore[attr-defined]

    def clean_countries(self) -> list[str]:
        codes = (self.cleaned_data["countries"] or "").replace(",", " ").split()
        return validation.clean_countries(codes)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(
            cleaned.get(name)
            for name in ("sectors", "signals", "countries", "commodities", "query")
        ):
            raise forms.ValidationError(
                _("Choose at least one sector, signal, country or commodity, or give words.")
            )
        return cleaned

    @classmethod
    def initial_for(cls, watch: Watch, labels: dict[str, list[str]]) -> dict[str, Any]:
        return {
            "name": watch.name,
            "sectors": labels["sector"],
            "signals": labels["signal"],
            "countries": " ".join(labels["country"]),
            "commodities": labels["commodity"],
            "query": watch.query,
            "frequency": watch.frequency,
        }
