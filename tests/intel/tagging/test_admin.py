"""The taxonomy admin: editing terms changes what the tagger matches (and is audited);
the fixed vocabulary's slugs cannot be added, renamed or deleted there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from intel.models import TaxonomyLabel, TaxonomyTerm
from intel.tagging import runtime

pytestmark = pytest.mark.django_db

TEXT = "Shipments of zirconium sponge were halted at the port."


def term_formset(label: TaxonomyLabel, extra: list[dict[str, str]]) -> dict[str, str]:
    """The inline formset's POST data: the label's terms unchanged, plus `extra` rows."""
    terms = list(label.terms.all())
    data = {
        "terms-TOTAL_FORMS": str(len(terms) + len(extra)),
        "terms-INITIAL_FORMS": str(len(terms)),
        "terms-MIN_NUM_FORMS": "0",
        "terms-MAX_NUM_FORMS": "1000",
    }
    rows = [
        {"id": str(t.pk), "text": t.text, "lang": t.lang, "weight": str(t.weight)} for t in terms
    ]
    for index, row in enumerate([*rows, *extra]):
        for key, value in row.items():
            data[f"terms-{index}-{key}"] = value
        data[f"terms-{index}-label"] = str(label.pk)
    return data


def label_form(label: TaxonomyLabel) -> dict[str, str]:
    return {
        "label_en": label.label_en,
        "label_ja": label.label_ja,
        "sectors": str(label.sectors).replace("'", '"'),
        "active": "on",
    }


def test_admin_adds_a_term_and_the_tagger_uses_it(client_for, admin_user):
    label = TaxonomyLabel.objects.get(kind="signals", slug="supply-disruption")
    assert (
        "supply-disruption"
        not in runtime.current_tagger(max_age=0).tag("", TEXT).as_contract()["signals"]
    )
    before = runtime.taxonomy_revision()

    response = client_for(admin_user).post(
        reverse("admin:intel_taxonomylabel_change", args=[label.pk]),
        {**label_form(label), **term_formset(label, [{"text": "were halted", "lang": "en",
                                                     "weight": "2.0"}])},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]

    assert TaxonomyTerm.objects.filter(label=label, text="were halted").exists()
    assert runtime.taxonomy_revision() != before
    assert (
        "supply-disruption"
        in runtime.current_tagger(max_age=0).tag("", TEXT).as_contract()["signals"]
    )
    event = AuditEvent.objects.get(action="taxonomy.change")
    assert event.actor == admin_user and event.data["slug"] == "supply-disruption"


def test_fixed_vocabulary_labels_cannot_be_deleted_or_invented(client_for, admin_user):
    client = client_for(admin_user)
    sector = TaxonomyLabel.objects.get(kind="sectors", slug="semiconductors")
    response = client.post(reverse("admin:intel_taxonomylabel_delete", args=[sector.pk]))
    assert response.status_code == 403
    assert TaxonomyLabel.objects.filter(pk=sector.pk).exists()

    response = client.post(
        reverse("admin:intel_taxonomylabel_add"),
        {"kind": "signals", "slug": "weather", "label_en": "Weather", "sectors": "[]",
         **term_formset_empty()},
    )  # fmt: skip
    assert response.status_code == 200
    assert "fixed" in response.content.decode()
    assert not TaxonomyLabel.objects.filter(slug="weather").exists()


def test_a_new_commodity_can_be_added_with_known_sectors_only(client_for, admin_user):
    client = client_for(admin_user)
    url = reverse("admin:intel_taxonomylabel_add")
    bad = client.post(
        url,
        {"kind": "commodities", "slug": "hafnium", "label_en": "Hafnium",
         "sectors": '["not-a-sector"]', **term_formset_empty()},
    )  # fmt: skip
    assert bad.status_code == 200
    assert not TaxonomyLabel.objects.filter(slug="hafnium").exists()
    good = client.post(
        url,
        {"kind": "commodities", "slug": "hafnium", "label_en": "Hafnium",
         "sectors": '["critical-minerals"]', "active": "on", **term_formset_empty()},
    )  # fmt: skip
    assert good.status_code == 302
    assert TaxonomyLabel.objects.get(slug="hafnium").sectors == ["critical-minerals"]


def test_taxonomy_admin_refuses_analysts_without_staff(client_for, analyst):
    response = client_for(analyst).get(reverse("admin:intel_taxonomylabel_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def term_formset_empty() -> dict[str, str]:
    return {
        "terms-TOTAL_FORMS": "0",
        "terms-INITIAL_FORMS": "0",
        "terms-MIN_NUM_FORMS": "0",
        "terms-MAX_NUM_FORMS": "1000",
    }
