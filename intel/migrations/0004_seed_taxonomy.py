"""Seed the taxonomy tables from the shipped default taxonomy file.

Later edits happen in the admin; this runs once, on an empty taxonomy.
"""

import json
from pathlib import Path

from django.db import migrations

TAXONOMY_FILE = Path(__file__).resolve().parent.parent / "tagging" / "default_taxonomy.json"
KINDS = ("sectors", "signals", "commodities", "stages", "countries", "blocs")


def _terms(raw_terms):
    for lang in ("en", "ja"):
        for raw in (raw_terms or {}).get(lang, ()):
            if isinstance(raw, str):
                yield raw, lang, 1.0, False
            else:
                yield raw["term"], lang, float(raw.get("weight", 1.0)), bool(
                    raw.get("case_sensitive", False)
                )


def seed_taxonomy(apps, schema_editor):
    Label = apps.get_model("intel", "TaxonomyLabel")
    Term = apps.get_model("intel", "TaxonomyTerm")
    if Label.objects.exists():
        return
    data = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    entries = [(kind, item) for kind in KINDS for item in data.get(kind, ())]
    entries.append(("ignore", {"slug": "ignore", "en": "Ignore", "terms": data.get("ignore")}))
    labels = Label.objects.bulk_create(
        Label(
            kind=kind,
            slug=item["slug"],
            label_en=item.get("en", ""),
            label_ja=item.get("ja", ""),
            sectors=list(item.get("sectors", ())),
        )
        for kind, item in entries
    )
    terms = []
    for label, (_kind, item) in zip(labels, entries, strict=True):
        seen = set()
        for text, lang, weight, case_sensitive in _terms(item.get("terms")):
            if (lang, text) in seen:
                continue
            seen.add((lang, text))
            terms.append(
                Term(label=label, text=text, lang=lang, weight=weight, case_sensitive=case_sensitive)
            )
    Term.objects.bulk_create(terms, batch_size=1000)


def unseed_taxonomy(apps, schema_editor):
    apps.get_model("intel", "TaxonomyLabel").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("intel", "0003_tagging")]

    operations = [migrations.RunPython(seed_taxonomy, unseed_taxonomy)]
