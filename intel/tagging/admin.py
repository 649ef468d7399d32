"""Admin pages for the taxonomy the tagger matches: labels (EN/JA) and their terms.

Editing here is how the taxonomy changes. Every save updates a row's
``updated_at``, which moves ``runtime.taxonomy_revision()``: workers and the
site rebuild their tagger on their next check, and ``retag`` can then bring
stored reports up to the new version. The fixed vocabulary (sector and signal
slugs, country codes) is a contract with other tools, so those slugs cannot be
added, renamed or deleted here — only their names and terms change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.services.audit import audit_record
from intel.countries import country_choices
from intel.models import TaxonomyLabel, TaxonomyTerm
from intel.models.tagging import TaxonomyKind
from intel.vocabulary import Sector, Signal

# Kinds whose slugs are the fixed vocabulary: their set of labels never changes here.
FIXED_KINDS = {TaxonomyKind.SECTORS, TaxonomyKind.SIGNALS, TaxonomyKind.COUNTRIES}


class TaxonomyTermInline(admin.TabularInline):
    model = TaxonomyTerm
    extra = 1
    fields = ["text", "lang", "weight", "case_sensitive"]


class TaxonomyLabelForm(forms.ModelForm):
    class Meta:
        model = TaxonomyLabel
        fields = ["kind", "slug", "label_en", "label_ja", "sectors", "active"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, slug = cleaned.get("kind"), cleaned.get("slug")
        allowed = (
            {
                TaxonomyKind.SECTORS: set(Sector.values),
                TaxonomyKind.SIGNALS: set(Signal.values),
                TaxonomyKind.COUNTRIES: {code for code, _name in country_choices()},
            }.get(TaxonomyKind(kind))
            if kind in TaxonomyKind.values
            else None
        )
        if allowed is not None and slug not in allowed:
            raise ValidationError(
                {"slug": _("Sector, signal and country slugs are fixed; choose an existing one.")}
            )
        for sector in cleaned.get("sectors") or []:
            if sector not in Sector.values:
                raise ValidationError({"sectors": _("Unknown sector slug: %s") % sector})
        return cleaned


@admin.register(TaxonomyLabel)
class TaxonomyLabelAdmin(admin.ModelAdmin):
    form = TaxonomyLabelForm
    inlines = [TaxonomyTermInline]
    list_display = ["slug", "kind", "label_en", "label_ja", "active", "updated_at"]
    list_filter = ["kind", "active"]
    search_fields = ["slug", "label_en", "label_ja", "terms__text"]
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A slug is what stored tags point at: renaming it would orphan them.
        return ["kind", "slug"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.kind in FIXED_KINDS:
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        label = form.instance
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action="taxonomy.change" if change else "taxonomy.add",
            target=label,
            data={"kind": label.kind, "slug": label.slug},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action="taxonomy.delete",
            target=obj,
            data={"kind": obj.kind, "slug": obj.slug},
        )
        super().delete_model(request, obj)
