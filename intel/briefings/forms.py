"""Forms of the briefing pages: they parse; `intel.briefings.services` decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from intel.models import BriefingContent
from intel.vocabulary import Sector


class _ChoicesForm(forms.Form):
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One briefing a week covers every sector you choose."),
        error_messages={"required": _("Choose at least one sector.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the briefing"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and "language" not in self.initial:
            self.initial["language"] = (translation.get_language() or "en")[:2]


class SubscribeForm(_ChoicesForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send a link to this address; nothing is sent until you confirm."),
    )

    field_order = ["email", "sectors", "language"]


class PreferencesForm(_ChoicesForm):
    """Sectors, language and content of an existing subscription (preferences, member account)."""

    content = forms.ChoiceField(
        label=_("What the weekly email carries"),
        choices=BriefingContent.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Board summary only: the one-page board brief of each of your sectors, with links "
            "to the full digests."
        ),
    )
