"""The taxonomy sync migration brings an older seeded database up to the shipped file."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from intel.models import TaxonomyLabel, TaxonomyTerm
from intel.tagging.runtime import current_tagger

sync = importlib.import_module("intel.migrations.0010_taxonomy_sync").sync_taxonomy

pytestmark = pytest.mark.django_db

# A signal term newer than the first seeding, which no paraphrase rule covers.
PARAPHRASE = "供給制限"


def _tags(body: str) -> dict:
    return current_tagger(max_age=0).tag("", body).as_contract()


def test_terms_missing_from_an_older_database_are_added_and_tag_again():
    TaxonomyTerm.objects.filter(text=PARAPHRASE).delete()
    assert "supply-disruption" not in _tags("正極材の供給制限が続き、顧客は困っている")["signals"]
    sync(apps, None)
    term = TaxonomyTerm.objects.get(text=PARAPHRASE)
    assert (term.label.kind, term.label.slug, term.lang) == ("signals", "supply-disruption", "ja")
    assert "supply-disruption" in _tags("正極材の供給制限が続き、顧客は困っている")["signals"]


def test_sync_keeps_edits_adds_missing_labels_and_is_idempotent():
    edited = TaxonomyTerm.objects.filter(label__kind="signals", text="tariff").get()
    edited.weight = 0.25
    edited.save()
    TaxonomyLabel.objects.filter(kind="countries", slug="CI").delete()
    before = TaxonomyTerm.objects.count()
    sync(apps, None)
    assert TaxonomyTerm.objects.get(pk=edited.pk).weight == 0.25
    assert TaxonomyTerm.objects.filter(label__slug="CI", text="Ivory Coast").exists()
    after = TaxonomyTerm.objects.count()
    assert after > before
    sync(apps, None)
    assert TaxonomyTerm.objects.count() == after


def test_sync_leaves_an_unseeded_database_alone():
    TaxonomyLabel.objects.all().delete()
    sync(apps, None)
    assert not TaxonomyLabel.objects.exists()
