"""Extra fields of allauth's sign-up form: the name people will see beside a person's work."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from intel.validation import clean_line

from .models import User


class SignupDetailsForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        help_text=_("As colleagues know you; analysts see it beside your application."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_display_name(self) -> str:
        return clean_line(self.cleaned_data["display_name"])

    def signup(self, request: HttpRequest, user: User) -> None:
        """Called by allauth once the account exists."""
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
