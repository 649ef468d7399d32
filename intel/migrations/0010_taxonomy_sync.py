"""Add the shipped taxonomy's newer labels and terms to tables seeded before them.

`0004_seed_taxonomy` seeds empty tables once; later releases of the shipped
file (paraphrases of signals, more place names and ignore phrases) reach an
existing database through this sync. It only adds: a label or term already in
the tables, including one edited or deactivated since, is left as it is.
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
                yield (
                    raw["term"],
                    lang,
                    float(raw.get("weight", 1.0)),
                    bool(raw.get("case_sensitive", False)),
                )


def sync_taxonomy(apps, schema_editor):
    Label = apps.get_model("intel", "TaxonomyLabel")
    Term = apps.get_model("intel", "TaxonomyTerm")
    if not Label.objects.exists():
        return  # nothing seeded: 0004 will not run again, but nothing to extend either
    data = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    entries = [(kind, item) for kind in KINDS for item in data.get(kind, ())]
    entries.append(("ignore", {"slug": "ignore", "en": "Ignore", "terms": data.get("ignore")}))
    labels = {(label.kind, label.slug): label for label in Label.objects.all()}
    existing = set(Term.objects.values_list("label_id", "lang", "text"))
    terms = []
    for kind, item in entries:
        label = labels.get((kind, item["slug"]))
        if label is None:
            label = Label.objects.create(
                kind=kind,
                slug=item["slug"],
                label_en=item.get("en", ""),
                label_ja=item.get("ja", ""),
                sectors=list(item.get("sectors", ())),
            )
        for text, lang, weight, case_sensitive in _terms(item.get("terms")):
            if (label.pk, lang, text) in existing:
                continue
            existing.add((label.pk, lang, text))
            terms.append(
                Term(
                    label=label, text=text, lang=lang, weight=weight, case_sensitive=case_sensitive
                )
            )
    Term.objects.bulk_create(terms, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("intel", "0009_date_observed_check_for_unsaved_rows")]

    operations = [migrations.RunPython(sync_taxonomy, migrations.RunPython.noop)]
