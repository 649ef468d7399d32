"""The analyst's import form: a STIX 2.1 bundle and the partner it comes from."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from intel.interop.importing import MAX_BYTES
from intel.models import PartnerSource
from intel.vocabulary import SourceReliability

GRADE_CHOICES = [("", _("Choose a grade")), *SourceReliability.choices]


def read_upload(upload: Any) -> bytes:
    """The uploaded file's bytes, refusing one over the bundle limit without reading it all."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s bytes; a bundle may be at most %(limit)s bytes.")
            % {"size": upload.size, "limit": MAX_BYTES},
            code="too_big",
        )
    return bytes(upload.read(MAX_BYTES + 1))


class BundleImportForm(forms.Form):
    bundle = forms.FileField(
        label=_("STIX 2.1 bundle"),
        help_text=_(
            "A JSON file as MISP, OpenCTI or another STIX 2.1 tool exports it; at most 2 MB. "
            "Reports and notes with text become reports in the review queue."
        ),
    )
    partner = forms.ModelChoiceField(
        label=_("Partner source"),
        queryset=PartnerSource.objects.order_by("name"),
        required=False,
        empty_label=_("A new partner (name it below)"),
        help_text=_("The organisation the bundle comes from."),
    )
    partner_name = forms.CharField(
        label=_("New partner's name"), max_length=200, required=False, strip=True
    )
    partner_grade = forms.ChoiceField(
        label=_("New partner's reliability"),
        choices=GRADE_CHOICES,
        required=False,
        help_text=_(
            "Admiralty source reliability, A (completely reliable) to F (cannot be judged)."
        ),
    )

    def clean_bundle(self) -> bytes:
        return read_upload(self.cleaned_data["bundle"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("partner") is None and not cleaned.get("partner_name"):
            self.add_error("partner_name", _("Choose a partner source or name a new one."))
        return cleaned
