"""The notification settings form: email and site on/off per kind, an analyst's sectors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from intel.vocabulary import Sector
from notifications.models import Kind


class PreferencesForm(forms.Form):
    def __init__(
        self,
        *args: Any,
        user: User,
        kinds: list[str],
        current: dict[str, tuple[bool, bool]],
        sectors: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            email, site = current[kind]
            self.fields[f"{kind}__email"] = forms.BooleanField(
                label=_("Email"), required=False, initial=email
            )
            self.fields[f"{kind}__site"] = forms.BooleanField(
                label=_("In the site"), required=False, initial=site
            )
        self.follows_sectors = Kind.SUBMISSION_NEW in kinds
        if self.follows_sectors:
            self.fields["sectors"] = forms.MultipleChoiceField(
                label=_("Sectors I follow for new submissions"),
                help_text=_("None chosen: every sector."),
                choices=Sector.choices,
                required=False,
                initial=sectors,
                widget=forms.CheckboxSelectMultiple,
            )

    def rows(self) -> list[dict[str, Any]]:
        """One row per kind for the template: its label and its two checkboxes."""
        return [
            {
                "label": Kind(kind).label,
                "email": self[f"{kind}__email"],
                "site": self[f"{kind}__site"],
            }
            for kind in self.kinds
        ]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {kind: (data[f"{kind}__email"], data[f"{kind}__site"]) for kind in self.kinds}
