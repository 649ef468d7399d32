"""Forms of the case-study library: the readers' filters and the analysts' curation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from intel.countries import country_choices
from intel.library.selectors import LibraryFilters
from intel.models import SupplyChainStage
from intel.vocabulary import Sector, Signal


def _any(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


def _countries() -> list[tuple[str, Any]]:
    return _any(country_choices())


class LibraryFilterForm(forms.Form):
    """Every choice comes from the fixed vocabulary, never from the data, so the options
    themselves say nothing about which case studies exist."""

    q = forms.CharField(label=_("Text"), required=False, max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=_any(Sector.choices))
    signal = forms.ChoiceField(label=_("Signal"), required=False, choices=_any(Signal.choices))
    country = forms.ChoiceField(label=_("Country"), required=False, choices=_countries)
    stage = forms.ChoiceField(
        label=_("Supply-chain stage"),
        required=False,
        choices=_any(SupplyChainStage.choices),
    )
    accepted_from = forms.DateField(label=_("Accepted from"), required=False)
    accepted_to = forms.DateField(label=_("Accepted until"), required=False)

    def filters(self) -> LibraryFilters:
        """The valid filters; an invalid one is dropped (the form says why)."""
        data = self.cleaned_data if self.is_bound else {}
        return LibraryFilters(
            sector=data.get("sector") or "",
            signal=data.get("signal") or "",
            country=data.get("country") or "",
            stage=data.get("stage") or "",
            accepted_from=data.get("accepted_from"),
            accepted_to=data.get("accepted_to"),
            query=(data.get("q") or "").strip(),
        )


class CurationForm(forms.Form):
    ACTIONS = [
        ("feature", _("Feature")),
        ("unfeature", _("Stop featuring")),
        ("lessons", _("Mark as lessons for operations")),
        ("unlessons", _("Remove lessons for operations")),
        ("retire", _("Retire from the library")),
        ("restore", _("Bring back to the library")),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    takeaway_en = forms.CharField(label=_("Takeaway (English)"), required=False, max_length=500)
    takeaway_ja = forms.CharField(label=_("Takeaway (Japanese)"), required=False, max_length=500)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
